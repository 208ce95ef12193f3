"""An exercise as a whole: the spec that defines it (and only it goes into a link), and the
exercise built from it: network, forward pass, questions, answer boxes, solutions and hints.

An exercise is fully described by (seed, difficulty, questions, lock), so one link gives a whole
room the same network."""

from __future__ import annotations

from dataclasses import dataclass

from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import ForwardResult, forward
from mlpsim.core.network import Network
from mlpsim.workshop.answers import Blank
from mlpsim.workshop.generation import generate_network
from mlpsim.workshop.questions import MAX_QUESTIONS, Question, blanks, default_questions, parse_question, question_text
from mlpsim.workshop.solutions import Hint, forward_pass_steps, hint_ladder, solution_steps


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

    @property
    def key(self) -> str:
        """Stable identity (used to key answer boxes): same exercise → same key."""
        return f"{self.seed}-{self.difficulty}-{'+'.join(self.questions)}"

    @property
    def shows_solutions(self) -> bool:
        """Whether *Show solution* is offered: always in an open room, in a locked one only when
        the teacher's link says ``solutions=1``."""
        return not self.locked or self.solutions


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


def make_exercise(spec: ExerciseSpec) -> Exercise:
    """Build the exercise a spec describes. Raises ValidationError naming what is wrong."""
    network = generate_network(spec.seed, spec.difficulty)
    if len(spec.questions) > MAX_QUESTIONS:
        raise ValidationError(f"questions: at most {MAX_QUESTIONS}, got {len(spec.questions)}")
    if spec.questions:
        questions = tuple(dict.fromkeys(parse_question(code, network) for code in spec.questions))
    else:
        questions = default_questions(network, spec.seed)
    return Exercise(spec=spec, network=network, result=forward(network), questions=questions)
