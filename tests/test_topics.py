"""The topic registry is the one place a Workshop topic is declared: a third topic made here, in
the test only ("sum": one linear neuron, one question kind), reaches the room link, the Workshop
page, the worksheet, the exercise document and `python -m mlpsim exercise` with nothing else
changed. Every expected number is worked by hand below."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlpsim.cli import main
from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import ForwardResult, forward
from mlpsim.core.network import Layer, Network
from mlpsim.workshop.answers import Blank
from mlpsim.workshop.document import exercise_document
from mlpsim.workshop.exercise import ExerciseSpec, make_exercise
from mlpsim.workshop.links import spec_from_params, spec_to_params
from mlpsim.workshop.topic import Asked, GivenTable, Hint
from mlpsim.workshop.topics import TOPICS
from mlpsim.workshop.worksheet import build_worksheet, worksheet_html, worksheet_markdown
from ui.session import state

# ---- the toy topic: y = 1·x₁ + 2·x₂ + 0.5 with x = (seed mod 5, 1), one question "y1" ---------


@dataclass(frozen=True)
class SumDifficulty:
    name: str
    description: str


DIFFICULTIES = {"gentle": SumDifficulty("gentle", "two inputs, one linear neuron, whole-number weights")}


@dataclass(frozen=True)
class SumQuestion:
    code: str = "y1"


def sum_network(seed: int) -> Network:
    return Network(
        input_size=2,
        input_values=np.array([float(seed % 5), 1.0]),
        layers=(Layer(weights=np.array([[1.0], [2.0]]), bias=np.array([0.5]), activation="linear"),),
        name=f"Sum exercise {seed}",
    )


def parse_sum_question(code: str) -> SumQuestion:
    if code.strip() != "y1":
        raise ValidationError(f"question {code!r}: the sum topic asks only y1")
    return SumQuestion()


@dataclass(frozen=True, eq=False)
class SumExercise:
    spec: ExerciseSpec
    network: Network
    result: ForwardResult
    questions: tuple[SumQuestion, ...]

    def blanks(self, question: SumQuestion) -> tuple[Blank, ...]:
        return (Blank("y1", "y(N1)", float(self.result.output[0]), False),)

    def all_blanks(self) -> tuple[Blank, ...]:
        return tuple(blank for question in self.questions for blank in self.blanks(question))

    def question_text(self, question: SumQuestion) -> str:
        return "the sum y = w₁·x₁ + w₂·x₂ + b"

    def solution_steps(self, question: SumQuestion) -> list[str]:
        x1 = self.network.input_values[0]
        return [f"y = 1·{x1:g} + 2·1 + 0.5 = {self.result.output[0]:g}"]

    def hints(self, question: SumQuestion) -> tuple[Hint, ...]:
        return (Hint("the formula", ("multiply each input by its weight, add them and the bias",)),)

    def asked(self) -> tuple[Asked, ...]:
        return tuple(Asked(q.code, self.question_text(q), self.blanks(q)) for q in self.questions)

    def question_label(self, code: str) -> str:
        return f"{code}: the sum"

    def boxes_per_row(self, question: SumQuestion) -> int:
        return 1

    def given_tables(self) -> tuple[GivenTable, ...]:
        return (GivenTable(("units", "N1"), (("y in", "cm"),)),)

    def given_notes(self) -> tuple[str, ...]:
        return ("sum carefully",)

    def page_given(self) -> tuple[str, GivenTable] | None:
        return "**Units**", GivenTable(("", "N1"), (("y in", "cm"),))

    def document_fields(self) -> dict[str, Any]:
        return {"units": "cm"}

    def worked_solution_html(self) -> list[str]:
        return ["<pre>" + html.escape(self.solution_steps(self.questions[0])[0]) + "</pre>"]

    def worked_solution_markdown(self) -> list[str]:
        return ["```", *self.solution_steps(self.questions[0]), "```", ""]


class SumTopic:
    name = "sum"
    title = "Weighted sum"
    exercise_noun = "Sum exercise"
    sheet_kind = "Weighted-sum"
    difficulties = DIFFICULTIES
    default_questions_text = "the sum"
    answer_rule = "2 decimals, like the sum topic says"
    answers_to = "2 decimal places (sum topic)"
    tolerance_text = "Sum topic: 2 decimal places."
    page_note = " Sum: y = Σ wᵢ·xᵢ + b."
    sheet_intro = "Sum topic: add the weighted inputs and the bias."
    defines_derivatives = False

    def checked_difficulty(self, name: str) -> SumDifficulty:
        if name not in DIFFICULTIES:
            raise ValidationError(f"difficulty {name!r}: choose gentle")
        return DIFFICULTIES[name]

    def network(self, seed: int, difficulty: str) -> Network:
        return sum_network(seed)

    def parse_question(self, code: str, network: Network) -> SumQuestion:
        return parse_sum_question(code)

    def possible_questions(self, network: Network) -> list[str]:
        return ["y1"]

    def make_exercise(self, spec: ExerciseSpec) -> SumExercise:
        self.checked_difficulty(spec.difficulty)
        questions = tuple(dict.fromkeys(parse_sum_question(code) for code in spec.questions)) or (SumQuestion(),)
        network = sum_network(spec.seed)
        return SumExercise(spec, network, forward(network), questions)


@pytest.fixture
def with_sum_topic(monkeypatch):
    monkeypatch.setitem(TOPICS, "sum", SumTopic())


SEED = 7
# by hand: x = (7 mod 5, 1) = (2, 1); y = 1·2 + 2·1 + 0.5 = 4.5
ANSWER = 4.5
# seed 8: x = (3, 1); y = 3 + 2 + 0.5 = 5.5
NEXT_ANSWER = 5.5


def test_the_room_link_carries_a_topic_registered_in_the_test(with_sum_topic):
    spec = ExerciseSpec(SEED, "gentle", ("y1",), locked=True, topic="sum")
    params = spec_to_params(spec)
    assert params == {"topic": "sum", "seed": "7", "difficulty": "gentle", "ask": "y1", "lock": "1"}
    assert spec_from_params(params) == spec
    assert spec.key == "sum-7-gentle-y1"
    with pytest.raises(ValidationError, match="the sum topic asks only y1"):
        spec_from_params(params | {"ask": "z1.1"})
    with pytest.raises(ValidationError, match="choose gentle"):
        spec_from_params(params | {"difficulty": "easy"})


def test_without_the_registration_the_topic_is_unknown():
    with pytest.raises(ValidationError, match="topic='sum'"):
        spec_from_params({"topic": "sum", "seed": "7", "difficulty": "gentle"})


def test_the_exercise_document_of_a_topic_registered_in_the_test(with_sum_topic):
    document = exercise_document(make_exercise(ExerciseSpec(SEED, "gentle", topic="sum")))
    assert list(document) == [
        "topic",
        "seed",
        "difficulty",
        "network",
        "input",
        "target",
        "loss",
        "learning_rate",
        "units",
        "answers_to",
        "questions",
    ]
    assert document["topic"] == "sum" and document["input"] == [2.0, 1.0]
    assert document["target"] is None and document["units"] == "cm"
    assert document["answers_to"] == "2 decimal places (sum topic)"
    (question,) = document["questions"]
    assert question["code"] == "y1" and question["text"] == "the sum y = w₁·x₁ + w₂·x₂ + b"
    assert [(a["label"], a["exact"], a["write"]) for a in question["answers"]] == [("y(N1)", ANSWER, "4.5")]


def test_python_m_mlpsim_exercise_with_a_topic_registered_in_the_test(with_sum_topic, capsys):
    argv = ["exercise", "--topic", "sum", "--seed", str(SEED), "--difficulty", "gentle"]
    assert main([*argv, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["topic"] == "sum"
    assert document["questions"][0]["answers"][0]["exact"] == ANSWER
    assert main([*argv, "--ask", "y1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Sum exercise 7: 2-1",
        "y1: the sum y = w₁·x₁ + w₂·x₂ + b",
        "    y(N1) = 4.5 (exact 4.5)",
    ]


def test_a_worksheet_of_a_topic_registered_in_the_test(with_sum_topic):
    sheet = build_worksheet(SEED, "gentle", count=2, topic="sum")
    assert sheet.title == "Weighted-sum worksheet (gentle, seed 7)"
    page, markdown = worksheet_html(sheet), worksheet_markdown(sheet)
    for text in (page, markdown):
        assert "Sum topic: add the weighted inputs and the bias." in text
        assert "topic=sum, seed=7, difficulty=gentle" in text
        assert "topic=sum, seed=8, difficulty=gentle" in text
        assert "sum carefully" in text
        assert "y = 1·2 + 2·1 + 0.5 = 4.5" in text  # exercise 1's worked solution
        assert "y = 1·3 + 2·1 + 0.5 = 5.5" in text  # exercise 2's, seed 8
    assert "<th>y in</th><td>cm</td>" in page
    assert "| y in | cm |" in markdown
    # the answer key: write, accepted (2 decimals: ±0.005), exact
    assert "<tr><th>(a) y(N1)</th><td>4.5</td><td>±0.005</td><td>4.5</td></tr>" in page
    assert "<tr><th>(a) y(N1)</th><td>5.5</td><td>±0.005</td><td>5.5</td></tr>" in page
    assert "write: the answer to 2 decimals, like the sum topic says" in page


PAGE = "from ui.pages.workshop import render\nrender()"


def workshop(query: dict[str, str]) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_the_workshop_page_opens_and_checks_a_topic_registered_in_the_test(with_sum_topic):
    at = workshop({"topic": "sum", "seed": str(SEED), "difficulty": "gentle"})
    assert not at.exception
    assert at.segmented_control[0].value == "Exercise"
    assert [h.value for h in at.subheader] == ["Sum exercise 7 · gentle"]
    assert any("Sum: y = Σ wᵢ·xᵢ + b." in c.value for c in at.caption)
    assert any("Sum topic: 2 decimal places." in info.value for info in at.info)
    # the instructor's controls: the topic (with its title), its difficulty, its question codes
    topic = at.selectbox(key=state.WORKSHOP_FORM_TOPIC)
    assert topic.value == "sum" and "Weighted sum" in topic.options
    assert at.selectbox(key=state.WORKSHOP_FORM_DIFFICULTY).options == ["gentle"]
    assert at.multiselect(key=state.WORKSHOP_FORM_ASK).options == ["y1: the sum"]
    assert [code.value for code in at.code if "seed=" in code.value] == ["/workshop?topic=sum&seed=7&difficulty=gentle"]
    # the page shows what the exercise gives, and checks the answer against the hand-worked sum
    given = [frame.value for frame in at.dataframe if "y in" in frame.value.index]
    assert len(given) == 1 and given[0].loc["y in", "N1"] == "cm"
    (box,) = at.text_input
    assert box.label == "y(N1)"
    box.input("4.5")
    [b for b in at.button if b.label == "Check"][0].click().run()
    assert any("Right" in s.value for s in at.success)
    [b for b in at.button if b.label == "Show solution"][0].click().run()
    assert "y = 1·2 + 2·1 + 0.5 = 4.5" in "\n".join(code.value for code in at.code)
    at.segmented_control[0].set_value("Worksheet").run()
    assert not at.exception
    assert any("weighted sum exercises" in m.value for m in at.markdown)
