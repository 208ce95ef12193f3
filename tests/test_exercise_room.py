"""What makes an exercise room honest: a hint ladder that never gives the answer, answers after
the solution that do not count, and the solutions= / room= parts of the link."""

from __future__ import annotations

import re

import numpy as np
import pytest

from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import forward
from mlpsim.core.network import Layer, Network
from mlpsim.workshop.exercise import ExerciseSpec
from mlpsim.workshop.links import spec_from_params, spec_to_params
from mlpsim.workshop.scoring import ScoredAnswer, question_result, rescored, score
from mlpsim.workshop.topics.forward.questions import Question
from mlpsim.workshop.topics.forward.solutions import hint_ladder, solution_steps

# A network worked by hand (not generated, so it does not move when the generator changes):
#   IN = (2, −1)
#   Hidden 1 (ReLU): W1 = [[1.5, −1], [−0.5, 2]], b1 = (0.25, 1)
#     N1: z = 1.5·2 + (−0.5)·(−1) + 0.25 = 3 + 0.5 + 0.25 = 3.75, a = 3.75
#     N2: z = (−1)·2 + 2·(−1) + 1 = −2 − 2 + 1 = −3,        a = 0
#   Output (linear): W2 = [[0.4], [1]], b2 = (−0.2)
#     N1: z = 0.4·3.75 + 1·0 − 0.2 = 1.5 + 0 − 0.2 = 1.3,  a = 1.3
HAND = Network(
    input_size=2,
    layers=(
        Layer(weights=np.array([[1.5, -1.0], [-0.5, 2.0]]), bias=np.array([0.25, 1.0]), activation="relu"),
        Layer(weights=np.array([[0.4], [1.0]]), bias=np.array([-0.2]), activation="linear"),
    ),
    input_values=np.array([2.0, -1.0]),
    name="by hand",
)
NAMES = re.compile(r"W\d+\[\d+,\d+\]|b\d+\[\d+\]|IN\d+|N\d+|Hidden \d+|layer \d+|row \d+, column \d+ of W\d+")


def numbers_in(text: str) -> set[float]:
    """The numbers a text states, leaving out the digits inside names (W1[2,1], IN2, b1[1], Hidden 1)."""
    return {float(token) for token in re.findall(r"-?\d+(?:\.\d+)?", NAMES.sub(" ", text))}


def ladder(code_kind: str, layer: int, neuron: int = 0, row: int = 0):
    question = Question(code_kind, layer, neuron, row)
    return hint_ladder(question, HAND, forward(HAND))


def test_hand_worked_numbers_are_the_networks():
    result = forward(HAND)
    assert result.z[0].tolist() == [3.75, -3.0] and result.a[0].tolist() == [3.75, 0.0]
    assert result.z[1].tolist() == pytest.approx([1.3])


@pytest.mark.parametrize(
    "kind, layer, neuron, answers",
    [
        ("z", 1, 0, {3.75}),
        ("a", 1, 0, {3.75}),
        ("z", 1, 1, {-3.0}),
        ("layer", 1, 0, {3.75, 0.0}),
        ("out", 2, 0, {1.3}),
    ],
)
def test_the_ladder_is_formula_then_products_then_sum_and_never_the_answer(kind, layer, neuron, answers):
    hints = ladder(kind, layer, neuron)
    assert [hint.title for hint in hints] == ["the formula", "the products", "the sum"]
    formula = "\n".join(hints[0].lines)
    assert numbers_in(formula) == set(), formula  # the first hint has no number at all
    for hint in hints:
        assert not numbers_in("\n".join(hint.lines)) & answers, hint


def test_the_rungs_of_one_neuron_by_hand():
    formula, products, total = ladder("a", 1, 0)
    assert formula.lines == ("Hidden 1 · N1: z = W1[1,1] × IN1 + W1[2,1] × IN2 + b1[1], then a = relu(z)",)
    assert products.lines == ("Hidden 1 · N1: W1[1,1] × IN1 = 1.5 × 2 = 3, W1[2,1] × IN2 = (-0.5) × (-1) = 0.5",)
    assert total.lines == ("Hidden 1 · N1: Σ wᵢ·xᵢ = 3 + 0.5 = 3.5; now add b1[1] = 0.25 for z, then apply relu",)
    z_formula = ladder("z", 1, 0)[0].lines[0]
    assert z_formula.endswith("+ b1[1]")  # a z question does not ask for the activation


def test_a_layer_question_climbs_every_neuron_together():
    formula, products, total = ladder("layer", 1)
    assert [line.split(":")[0] for line in formula.lines] == ["Hidden 1 · N1", "Hidden 1 · N2"]
    assert "W1[1,2] × IN1 = (-1) × 2 = -2, W1[2,2] × IN2 = 2 × (-1) = -2" in products.lines[1]
    assert "Σ wᵢ·xᵢ = -2 - 2 = -4; now add b1[2] = 1" in total.lines[1]


def test_a_contribution_has_the_formula_then_the_numbers_and_the_solution_has_the_product():
    hints = ladder("w", 1, neuron=0, row=1)  # W1[2,1] × IN2 = (−0.5)·(−1) = 0.5
    assert [hint.title for hint in hints] == ["the formula", "the numbers"]
    assert numbers_in(hints[0].lines[0]) == set()
    assert numbers_in(hints[1].lines[0]) == {-0.5, -1.0}
    assert solution_steps(Question("w", 1, 0, 1), HAND, forward(HAND))[-1] == "W1[2,1] × IN2 = (-0.5) × (-1) = 0.5"


# ---- scoring: an answer after the solution does not count ----------------------------------------


def test_an_answer_checked_after_the_solution_does_not_count():
    copied = rescored(None, correct=True, solution_shown=True)
    assert copied == ScoredAnswer(correct=True, after_solution=True) and not copied.counts
    wrong_then_copied = rescored(rescored(None, False, False), True, True)
    assert not wrong_then_copied.counts
    own = rescored(None, True, False)
    assert own.counts
    assert rescored(own, True, True) is own  # re-checking a right answer after the solution keeps it
    assert not rescored(own, False, True).counts  # but changing it to a wrong one loses it


def test_the_score_counts_only_answers_before_the_solution():
    records = {
        "a": ScoredAnswer(True, False),
        "b": ScoredAnswer(True, True),
        "c": ScoredAnswer(False, False),
        "d": ScoredAnswer(False, True),
    }
    total = score(records)
    assert (total.right, total.checked, total.right_after_solution) == (1, 4, 1)
    assert total.text() == (
        "Score this session: 1 of 4 checked answers right (1 more right after the solution was shown: not counted)"
    )
    assert score({"a": ScoredAnswer(True, False)}).text() == "Score this session: 1 of 1 checked answers right"
    assert score({}).text() == "Score this session: 0 of 0 checked answers right"


def test_a_question_solved_only_after_its_solution():
    out = Question("layer", 1)
    records = {"L1.1": ScoredAnswer(True, False), "L1.2": ScoredAnswer(True, True)}
    standing = question_result(out, ("L1.1", "L1.2"), records, hints=2, solution_shown=True)
    assert (standing.question, standing.blanks, standing.right, standing.right_after_solution) == ("L1", 2, 1, 1)
    assert standing.solved_after_solution and not standing.solved
    own = question_result(
        out, ("L1.1", "L1.2"), {"L1.1": ScoredAnswer(True, False), "L1.2": ScoredAnswer(True, False)}, 0, True
    )
    assert own.solved and not own.solved_after_solution  # right before the solution was shown
    untouched = question_result(out, ("L1.1", "L1.2"), {}, 1, False)
    assert (untouched.right, untouched.solved, untouched.solved_after_solution) == (0, False, False)


# ---- the link: solutions= and room= ------------------------------------------------------------------


def test_solutions_and_room_round_trip():
    spec = ExerciseSpec(
        seed=42, difficulty="hard", questions=("z1.2",), locked=True, solutions=True, room="AbCdEfGhIjKl_-12"
    )
    params = spec_to_params(spec)
    assert params == {
        "seed": "42",
        "difficulty": "hard",
        "ask": "z1.2",
        "lock": "1",
        "solutions": "1",
        "room": "AbCdEfGhIjKl_-12",
    }
    assert spec_from_params(params) == spec


def test_solution_offered_in_an_open_room_and_in_a_locked_one_only_when_released():
    assert ExerciseSpec(1, "easy").shows_solutions
    assert not ExerciseSpec(1, "easy", locked=True).shows_solutions
    assert ExerciseSpec(1, "easy", locked=True, solutions=True).shows_solutions
    assert not spec_from_params({"seed": "1", "lock": "1"}).shows_solutions
    assert spec_from_params({"seed": "1", "lock": "1", "solutions": "1"}).shows_solutions


@pytest.mark.parametrize(
    "params, message",
    [
        ({"seed": "1", "solutions": "yes please"}, "solutions"),
        ({"seed": "1", "room": "short"}, "room"),
        ({"seed": "1", "room": "<script>alert(1)</script>"}, "room"),
        ({"seed": "1", "room": "A" * 17}, "room"),
    ],
)
def test_bad_solutions_or_room_name_the_parameter(params, message):
    with pytest.raises(ValidationError, match=message):
        spec_from_params(params)
