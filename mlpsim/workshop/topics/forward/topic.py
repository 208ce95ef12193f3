"""The forward-pass topic: its exercise (a network, its forward pass and questions on z, a, a
layer, the output and a weight's contribution) and the Topic object the registry lists."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import ForwardResult, forward
from mlpsim.core.network import Network
from mlpsim.explain.arithmetic import LayerWorking, NeuronWorking
from mlpsim.workshop.answers import ANSWER_TEXT, CARRY_TEXT, TOLERANCE_TEXT, Blank
from mlpsim.workshop.topic import MAX_QUESTIONS, Asked, GivenTable, Hint
from mlpsim.workshop.topics.forward.generation import DIFFICULTIES, Difficulty, checked_difficulty, generate_network
from mlpsim.workshop.topics.forward.questions import (
    Question,
    blanks,
    default_questions,
    parse_question,
    possible_questions,
    question_text,
)
from mlpsim.workshop.topics.forward.solutions import (
    forward_pass_steps,
    forward_pass_workings,
    hint_ladder,
    solution_steps,
)

if TYPE_CHECKING:
    from mlpsim.workshop.exercise import ExerciseSpec

INTRO_TEXT = (
    "Every neuron: z = Σ wᵢ·xᵢ + b, a = f(z). Weight tables: row = from (source neuron), "
    f"column = to (target neuron). {CARRY_TEXT} {ANSWER_TEXT}"
)
"""What every forward sheet tells the learner first: the forward pass, how to read the tables, rounding."""


@dataclass(frozen=True, eq=False)
class ForwardExercise:
    """A forward-pass exercise: the network, its forward pass (core) and the questions."""

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

    def forward_pass_workings(self) -> list[NeuronWorking | LayerWorking]:
        return forward_pass_workings(self.network, self.result)

    def asked(self) -> tuple[Asked, ...]:
        return tuple(Asked(q.code, self.question_text(q), self.blanks(q)) for q in self.questions)

    def question_label(self, code: str) -> str:
        """'z1.2: z of N2 in Hidden 1 …': the code with its question's text."""
        return f"{code}: {self.question_text(parse_question(code, self.network))}"

    def boxes_per_row(self, question: Question) -> int:
        return len(self.blanks(question))

    def given_tables(self) -> tuple[GivenTable, ...]:
        return ()

    def given_notes(self) -> tuple[str, ...]:
        return ()

    def page_given(self) -> tuple[str, GivenTable] | None:
        return None

    def document_fields(self) -> dict[str, Any]:
        return {}

    def contributions(self) -> list[str]:
        """Each weight-contribution answer's last line: 'W1[2,1] × IN2 = 0.3 × (-0.1) = -0.03'."""
        return [self.solution_steps(q)[-1] for q in self.questions if q.kind == "w"]

    def worked_solution_html(self) -> list[str]:
        """The weight contributions, then every neuron's and layer's working."""
        contributions = self.contributions()
        out = ["<pre>" + html.escape("\n".join(contributions)) + "</pre>"] if contributions else []
        return out + [working.as_html() for working in self.forward_pass_workings()]

    def worked_solution_markdown(self) -> list[str]:
        contributions = self.contributions()
        out = ["```", *contributions, "```", ""] if contributions else []
        for working in self.forward_pass_workings():
            out += [working.as_markdown(), ""]
        return out


def make_forward_exercise(spec: ExerciseSpec) -> ForwardExercise:
    network = generate_network(spec.seed, spec.difficulty)
    if len(spec.questions) > MAX_QUESTIONS:
        raise ValidationError(f"questions: at most {MAX_QUESTIONS}, got {len(spec.questions)}")
    if spec.questions:
        questions = tuple(dict.fromkeys(parse_question(code, network) for code in spec.questions))
    else:
        questions = default_questions(network, spec.seed)
    return ForwardExercise(spec=spec, network=network, result=forward(network), questions=questions)


class ForwardTopic:
    """The forward pass: the default topic (links without ``topic`` are forward-pass exercises)."""

    name = "forward"
    title = "Forward pass"
    exercise_noun = "Exercise"
    sheet_kind = "Forward-pass"
    difficulties: Mapping[str, Difficulty] = DIFFICULTIES
    default_questions_text = "a weight's contribution, a hidden neuron's z and a, a layer, the output"
    answer_rule = "2 decimals (sigmoid and tanh: 3 significant figures)"
    answers_to = "2 decimal places (sigmoid, tanh: 3 significant figures)"
    tolerance_text = TOLERANCE_TEXT
    page_note = ""
    sheet_intro = INTRO_TEXT
    defines_derivatives = False

    def checked_difficulty(self, name: str) -> Difficulty:
        return checked_difficulty(name)

    def network(self, seed: int, difficulty: str) -> Network:
        return generate_network(seed, difficulty)

    def parse_question(self, code: str, network: Network) -> Question:
        return parse_question(code, network)

    def possible_questions(self, network: Network) -> list[str]:
        return possible_questions(network)

    def make_exercise(self, spec: ExerciseSpec) -> ForwardExercise:
        return make_forward_exercise(spec)


FORWARD_TOPIC = ForwardTopic()
