"""An exercise as a whole: the spec that defines it (and only it goes into a link), and the
exercise built from it: network, forward pass, questions, answer boxes, solutions and hints.

An exercise is fully described by (topic, seed, difficulty, questions, lock), so one link gives a
whole room the same network. Topics: the forward pass (the default) and backpropagation."""

from __future__ import annotations

from dataclasses import dataclass

from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import ForwardResult, forward
from mlpsim.core.network import Network
from mlpsim.workshop.answers import Blank
from mlpsim.workshop.backprop_carrying import BackpropCarry, carried_backward
from mlpsim.workshop.backprop_generation import BackpropTask, generate_backprop_task
from mlpsim.workshop.backprop_questions import (
    BackpropQuestion,
    backprop_blanks,
    backprop_question_text,
    default_backprop_questions,
    parse_backprop_question,
)
from mlpsim.workshop.backprop_solutions import backprop_hint_ladder, backprop_solution_steps, backward_pass_steps
from mlpsim.workshop.generation import generate_network
from mlpsim.workshop.questions import MAX_QUESTIONS, Question, blanks, default_questions, parse_question, question_text
from mlpsim.workshop.solutions import Hint, forward_pass_steps, hint_ladder, solution_steps

FORWARD, BACKPROP = "forward", "backprop"
TOPICS = (FORWARD, BACKPROP)
"""What an exercise practises; links without ``topic`` are forward-pass exercises."""


@dataclass(frozen=True)
class ExerciseSpec:
    """Everything that defines an exercise; this, and only this, goes into a link."""

    seed: int
    difficulty: str
    questions: tuple[str, ...] = ()
    """Question codes; empty = the default questions for this seed."""
    locked: bool = False
    solutions: bool = False
    """The teacher releases *Show solution* in a locked room (an open room always has it)."""
    room: str = ""
    """The room id (ROOM_ID_PATTERN) whose teacher collects the learners' results; '' = none."""
    topic: str = FORWARD
    """One of TOPICS."""

    @property
    def key(self) -> str:
        """Stable identity (used to key answer boxes): same exercise → same key."""
        prefix = "" if self.topic == FORWARD else f"{self.topic}-"
        return f"{prefix}{self.seed}-{self.difficulty}-{'+'.join(self.questions)}"

    @property
    def shows_solutions(self) -> bool:
        """Whether *Show solution* is offered: always in an open room, in a locked one only when
        the teacher's link says ``solutions=1``."""
        return not self.locked or self.solutions


@dataclass(frozen=True)
class Asked:
    """One question as a sheet or a document lists it: its code, its text, its answer boxes."""

    code: str
    text: str
    blanks: tuple[Blank, ...]


@dataclass(frozen=True, eq=False)
class Exercise:
    spec: ExerciseSpec
    network: Network
    result: ForwardResult
    questions: tuple[Question, ...]

    def blanks(self, question: Question) -> tuple[Blank, ...]:
        return blanks(question, self.network, self.result)

    def all_blanks(self) -> tuple[Blank, ...]:
        return tuple(blank for question in self.questions for blank in self.blanks(question))

    def question_text(self, question: Question) -> str:
        return question_text(question, self.network)

    def solution_steps(self, question: Question) -> list[str]:
        return solution_steps(question, self.network, self.result)

    def hints(self, question: Question) -> tuple[Hint, ...]:
        return hint_ladder(question, self.network, self.result)

    def forward_pass_steps(self) -> list[str]:
        return forward_pass_steps(self.network, self.result)

    def asked(self) -> tuple[Asked, ...]:
        return tuple(Asked(q.code, self.question_text(q), self.blanks(q)) for q in self.questions)


@dataclass(frozen=True, eq=False)
class BackpropExercise:
    """A backpropagation exercise: the task (network, input, target, learning rate, the core's
    forward pass and gradients), the bounds of fair rounding, and the questions. The same methods
    as Exercise, so a page or a sheet can show either."""

    spec: ExerciseSpec
    task: BackpropTask
    carry: BackpropCarry
    questions: tuple[BackpropQuestion, ...]

    @property
    def network(self) -> Network:
        return self.task.network

    @property
    def result(self) -> ForwardResult:
        return self.task.result

    def blanks(self, question: BackpropQuestion) -> tuple[Blank, ...]:
        return backprop_blanks(question, self.task, self.carry)

    def all_blanks(self) -> tuple[Blank, ...]:
        return tuple(blank for question in self.questions for blank in self.blanks(question))

    def question_text(self, question: BackpropQuestion) -> str:
        return backprop_question_text(question, self.task)

    def solution_steps(self, question: BackpropQuestion) -> list[str]:
        return backprop_solution_steps(question, self.task)

    def hints(self, question: BackpropQuestion) -> tuple[Hint, ...]:
        return backprop_hint_ladder(question, self.task)

    def backward_pass_steps(self) -> list[str]:
        return backward_pass_steps(self.task)

    def asked(self) -> tuple[Asked, ...]:
        return tuple(Asked(q.code, self.question_text(q), self.blanks(q)) for q in self.questions)


AnyExercise = Exercise | BackpropExercise
AnyQuestion = Question | BackpropQuestion


def checked_topic(topic: str) -> str:
    if topic not in TOPICS:
        raise ValidationError(f"topic {topic!r}: choose one of {', '.join(TOPICS)}")
    return topic


def make_exercise(spec: ExerciseSpec) -> AnyExercise:
    """Build the exercise a spec describes (either topic). Raises ValidationError naming what is wrong."""
    if len(spec.questions) > MAX_QUESTIONS:
        raise ValidationError(f"questions: at most {MAX_QUESTIONS}, got {len(spec.questions)}")
    if checked_topic(spec.topic) == BACKPROP:
        return make_backprop_exercise(spec)
    return make_forward_exercise(spec)


def make_backprop_exercise(spec: ExerciseSpec) -> BackpropExercise:
    task = generate_backprop_task(spec.seed, spec.difficulty)
    if spec.questions:
        questions = tuple(dict.fromkeys(parse_backprop_question(code, task.network) for code in spec.questions))
    else:
        questions = default_backprop_questions(task, spec.seed)
    carry = carried_backward(task.network, task.target, task.learning_rate)
    return BackpropExercise(spec=spec, task=task, carry=carry, questions=questions)


def make_forward_exercise(spec: ExerciseSpec) -> Exercise:
    network = generate_network(spec.seed, spec.difficulty)
    if len(spec.questions) > MAX_QUESTIONS:
        raise ValidationError(f"questions: at most {MAX_QUESTIONS}, got {len(spec.questions)}")
    if spec.questions:
        questions = tuple(dict.fromkeys(parse_question(code, network) for code in spec.questions))
    else:
        questions = default_questions(network, spec.seed)
    return Exercise(spec=spec, network=network, result=forward(network), questions=questions)
