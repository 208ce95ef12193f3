"""What a Workshop topic is (the forward pass, backpropagation, …): the Topic protocol every
topic object fulfils, the Exercise and Question protocols of what it makes, and what all topics
share (seeds, the number of questions, a hint rung, a listed question).

The topics themselves live in mlpsim.workshop.topics (the registry: name → Topic), one
subpackage each with the same modules: generation, questions, solutions, carrying and topic
(its Exercise class and its Topic object). Everything else — the link codec, the exercise
document, the worksheet, the CLI, the Workshop page — asks the topic, never its name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network
from mlpsim.workshop.answers import Blank

if TYPE_CHECKING:
    from mlpsim.workshop.exercise import ExerciseSpec

MAX_SEED = 2**32 - 1
MAX_QUESTIONS = 20


def checked_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise ValidationError(f"seed {seed!r}: expected a whole number from 0 to {MAX_SEED}")
    return int(seed)


@dataclass(frozen=True)
class Hint:
    """One rung of a question's hint ladder: what it gives (``title``) and its lines of text."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Asked:
    """One question as a sheet or a document lists it: its code, its text, its answer boxes."""

    code: str
    text: str
    blanks: tuple[Blank, ...]


@dataclass(frozen=True)
class GivenTable:
    """A table of numbers an exercise gives besides the network (a backprop task's target):
    ``header`` names the corner and the columns, each row starts with its name."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


class Question(Protocol):
    """One thing a learner is asked; its code is how a link names it (z1.2, d2.1, …)."""

    @property
    def code(self) -> str: ...


class Difficulty(Protocol):
    """What a topic's difficulty promises, in words."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...


QuestionT = TypeVar("QuestionT", bound=Question)


class Exercise(Protocol[QuestionT]):
    """An exercise of some topic: the spec it was made from, its network and forward pass, its
    questions, and for each question the text, the answer boxes, the hints and the solution.
    Generic in the topic's own question type, which only its own exercise takes back."""

    @property
    def spec(self) -> ExerciseSpec: ...

    @property
    def network(self) -> Network: ...

    @property
    def result(self) -> ForwardResult: ...

    @property
    def questions(self) -> tuple[QuestionT, ...]: ...

    def blanks(self, question: QuestionT) -> tuple[Blank, ...]: ...

    def all_blanks(self) -> tuple[Blank, ...]: ...

    def question_text(self, question: QuestionT) -> str: ...

    def solution_steps(self, question: QuestionT) -> list[str]: ...

    def hints(self, question: QuestionT) -> tuple[Hint, ...]: ...

    def asked(self) -> tuple[Asked, ...]: ...

    def question_label(self, code: str) -> str:
        """A code as the instructor's list of questions shows it ('z1.2: z of N2 in …')."""
        ...

    def boxes_per_row(self, question: QuestionT) -> int:
        """How many of the question's answer boxes the page puts on one row."""
        ...

    def given_tables(self) -> tuple[GivenTable, ...]:
        """Tables a worksheet shows under the input besides the network's (none for most topics)."""
        ...

    def given_notes(self) -> tuple[str, ...]:
        """Lines a worksheet shows under those tables ('learning rate η = 0.1')."""
        ...

    def page_given(self) -> tuple[str, GivenTable] | None:
        """What the Workshop page shows beside the weight tables: a bold title and one table."""
        ...

    def document_fields(self) -> dict[str, Any]:
        """The exercise document's topic-specific fields (target, loss, learning_rate, …)."""
        ...

    def worked_solution_html(self) -> list[str]:
        """The answer key's worked solution of the whole exercise, as HTML fragments."""
        ...

    def worked_solution_markdown(self) -> list[str]:
        """The same as Markdown lines."""
        ...


class Topic(Protocol):
    """What an exercise practises. Registered by ``name`` in mlpsim.workshop.topics.TOPICS."""

    @property
    def name(self) -> str:
        """In links (topic=…), the CLI's --topic and ExerciseSpec.topic."""
        ...

    @property
    def title(self) -> str:
        """'Forward pass': the instructor's choice of topic."""
        ...

    @property
    def exercise_noun(self) -> str:
        """'Exercise' or 'Backpropagation exercise': a page or a room names an exercise so."""
        ...

    @property
    def sheet_kind(self) -> str:
        """'Forward-pass': a worksheet's default title starts with it."""
        ...

    @property
    def difficulties(self) -> Mapping[str, Difficulty]: ...

    @property
    def default_questions_text(self) -> str:
        """What an exercise asks when the instructor chooses no questions."""
        ...

    @property
    def answer_rule(self) -> str:
        """How answers are written: '3 significant figures' (a worksheet's answer key)."""
        ...

    @property
    def answers_to(self) -> str:
        """The same rule as the exercise document states it."""
        ...

    @property
    def tolerance_text(self) -> str:
        """The Workshop page's note on how close an answer must be."""
        ...

    @property
    def page_note(self) -> str:
        """Added to the Workshop page's caption of an exercise ('' or ' Loss: …')."""
        ...

    @property
    def sheet_intro(self) -> str:
        """What a worksheet tells the learner first."""
        ...

    @property
    def defines_derivatives(self) -> bool:
        """A worksheet's activation definitions give f′ too."""
        ...

    def checked_difficulty(self, name: str) -> Difficulty:
        """The difficulty called ``name``; ValidationError listing the choices otherwise."""
        ...

    def network(self, seed: int, difficulty: str) -> Network:
        """The network of the exercise (seed, difficulty): question codes are checked against it."""
        ...

    def parse_question(self, code: str, network: Network) -> Question:
        """The question a code names, checked against the network; ValidationError otherwise."""
        ...

    def possible_questions(self, network: Network) -> Sequence[str]:
        """Every question code the network's shape allows, in the order an instructor reads them."""
        ...

    def make_exercise(self, spec: ExerciseSpec) -> Exercise[Any]:
        """The exercise ``spec`` describes (spec.topic is this topic's name)."""
        ...
