"""The backpropagation topic: its exercise (a task — network, input, target, learning rate —
the bounds of fair rounding and questions on the loss, δs, gradients and updates) and the Topic
object the registry lists."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network, neuron_name
from mlpsim.core.numbertext import number
from mlpsim.workshop.answers import Blank
from mlpsim.workshop.topic import Asked, GivenTable, Hint
from mlpsim.workshop.topics.backprop.carrying import CARRIED_FIGURES, BackpropCarry, carried_backward
from mlpsim.workshop.topics.backprop.generation import (
    BACKPROP_DIFFICULTIES,
    LOSS_FORMULA,
    LOSS_TEXT,
    BackpropDifficulty,
    BackpropTask,
    checked_backprop_difficulty,
    generate_backprop_task,
)
from mlpsim.workshop.topics.backprop.questions import (
    BackpropQuestion,
    backprop_blanks,
    backprop_question_text,
    default_backprop_questions,
    parse_backprop_question,
    possible_backprop_questions,
)
from mlpsim.workshop.topics.backprop.solutions import backprop_hint_ladder, backprop_solution_steps, backward_pass_steps

if TYPE_CHECKING:
    from mlpsim.workshop.exercise import ExerciseSpec

BACKPROP_CARRY_TEXT = (
    f"Carry every value you use again with {CARRIED_FIGURES} significant figures or more; write each answer with 3 "
    "(0.0375, 1.25, -12.0); where carrying can change an answer, that much more is accepted."
)
BACKPROP_INTRO_TEXT = (
    f"Forward: z = Σ wᵢ·xᵢ + b, a = f(z); weight tables: row = from, column = to. Loss: {LOSS_FORMULA} "
    "(squared error, this one input). Backward: an output neuron's δ = (a − y)·f′(z); a hidden neuron's "
    "δᵢ = (Σⱼ W[i,j]·δⱼ)·f′(zᵢ) over the neurons j it feeds; ∂L/∂W[i,j] = xᵢ·δⱼ, "
    f"∂L/∂b = δ; one step with learning rate η: w − η·∂L/∂w. {BACKPROP_CARRY_TEXT}"
)
"""A backprop sheet's first words: forward, loss, backward and update rules, rounding."""


@dataclass(frozen=True, eq=False)
class BackpropExercise:
    """A backpropagation exercise: the task (network, input, target, learning rate, the core's
    forward pass and gradients), the bounds of fair rounding, and the questions."""

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

    def question_label(self, code: str) -> str:
        """'d2.1: δ2[1]', 'G1: the gradient matrix ∂L/∂W1 (2×2)': the code with what its box
        asks — the questions' texts are too long for the chosen codes' tags."""
        question = parse_backprop_question(code, self.network)
        if question.kind == "matrix":
            layer = self.network.layers[question.layer - 1]
            return f"{code}: the gradient matrix ∂L/∂W{question.layer} ({layer.n_in}×{layer.size})"
        return f"{code}: {self.blanks(question)[0].label}"

    def boxes_per_row(self, question: BackpropQuestion) -> int:
        """A whole gradient matrix: one row of boxes per row of the matrix."""
        if question.kind == "matrix":
            return self.network.layers[question.layer - 1].size
        return len(self.blanks(question))

    def given_tables(self) -> tuple[GivenTable, ...]:
        header, rows = target_rows(self)
        return (GivenTable(tuple(header), tuple(tuple(row) for row in rows)),)

    def given_notes(self) -> tuple[str, ...]:
        return (rate_text(self),)

    def page_given(self) -> tuple[str, GivenTable] | None:
        """**Target y** and **learning rate η**, one row: y of each output neuron, then η."""
        outputs = [neuron_name(len(self.network.layers), j) for j in range(self.network.layers[-1].size)]
        row = ("y, η", *(number(v) for v in self.task.target), number(self.task.learning_rate))
        return "**Target y** and **learning rate η**", GivenTable(("", *outputs, "η"), (row,))

    def document_fields(self) -> dict[str, Any]:
        return {
            "target": self.task.target.tolist(),
            "loss": {"name": self.task.loss.name, "formula": LOSS_TEXT},
            "learning_rate": self.task.learning_rate,
        }

    def worked_solution_html(self) -> list[str]:
        """The forward pass, the loss and every neuron's backward step, as lines."""
        return ["<pre>" + html.escape("\n".join(self.backward_pass_steps())) + "</pre>"]

    def worked_solution_markdown(self) -> list[str]:
        return ["```", *self.backward_pass_steps(), "```", ""]


def target_rows(exercise: BackpropExercise) -> tuple[list[str], list[list[str]]]:
    """Header (target, N1, N2, … of the output layer) and the one row of target values y."""
    size = exercise.network.layers[-1].size
    return ["target", *(neuron_name(len(exercise.network.layers), j) for j in range(size))], [
        ["y", *(number(v) for v in exercise.task.target)]
    ]


def rate_text(exercise: BackpropExercise) -> str:
    return f"learning rate η = {number(exercise.task.learning_rate)}"


def make_backprop_exercise(spec: ExerciseSpec) -> BackpropExercise:
    task = generate_backprop_task(spec.seed, spec.difficulty)
    if spec.questions:
        questions = tuple(dict.fromkeys(parse_backprop_question(code, task.network) for code in spec.questions))
    else:
        questions = default_backprop_questions(task, spec.seed)
    carry = carried_backward(task.network, task.target, task.learning_rate)
    return BackpropExercise(spec=spec, task=task, carry=carry, questions=questions)


class BackpropTopic:
    """Backpropagation of one sample under squared error, and one gradient-descent step."""

    name = "backprop"
    title = "Backpropagation"
    exercise_noun = "Backpropagation exercise"
    sheet_kind = "Backpropagation"
    difficulties: Mapping[str, BackpropDifficulty] = BACKPROP_DIFFICULTIES
    default_questions_text = (
        "the loss, an output and a hidden neuron's δ, the output layer's gradient matrix, a weight's "
        "gradient and a weight or bias after the update"
    )
    answer_rule = "3 significant figures"
    answers_to = "3 significant figures"
    tolerance_text = BACKPROP_CARRY_TEXT
    page_note = f" Loss: {LOSS_TEXT}; δ = ∂L/∂z, ∂L/∂W[i,j] = xᵢ·δⱼ, update w − η·∂L/∂w."
    sheet_intro = BACKPROP_INTRO_TEXT
    defines_derivatives = True

    def checked_difficulty(self, name: str) -> BackpropDifficulty:
        return checked_backprop_difficulty(name)

    def network(self, seed: int, difficulty: str) -> Network:
        return generate_backprop_task(seed, difficulty).network

    def parse_question(self, code: str, network: Network) -> BackpropQuestion:
        return parse_backprop_question(code, network)

    def possible_questions(self, network: Network) -> list[str]:
        return possible_backprop_questions(network)

    def make_exercise(self, spec: ExerciseSpec) -> BackpropExercise:
        return make_backprop_exercise(spec)


BACKPROP_TOPIC = BackpropTopic()
