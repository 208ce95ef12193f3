"""Exercises: deterministic generation in the promised ranges, answer keys against a plain loop,
answer checking with the stated tolerance, and the link codec."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlpsim.core.errors import ValidationError
from mlpsim.workshop.answers import Blank, check_answer, parse_answer
from mlpsim.workshop.exercise import ExerciseSpec, make_exercise
from mlpsim.workshop.links import spec_from_params, spec_to_params
from mlpsim.workshop.topics.forward.generation import generate_network
from mlpsim.workshop.topics.forward.questions import parse_question
from tests import reference

# The promises of docs/workshop.md's difficulty table, written out again here.
PROMISED = {
    "easy": dict(
        sizes={(2, 2, 1), (2, 3, 1)},
        inputs=(0, 3),
        weights=(-3, 3),
        biases=(-2, 2),
        decimals=0,
        hidden={"relu"},
        output={"linear", "relu"},
    ),
    "medium": dict(
        sizes={(2, 3, 2), (3, 3, 2), (3, 2, 2)},
        inputs=(-1, 1),
        weights=(-4, 4),
        biases=(-1, 1),
        decimals=1,
        hidden={"relu", "linear"},
        output={"linear", "relu", "sigmoid"},
    ),
    "hard": dict(
        sizes={(3, 4, 2), (3, 3, 3, 2), (2, 3, 3, 2)},
        inputs=(-2, 2),
        weights=(-2, 2),
        biases=(-1, 1),
        decimals=1,
        hidden={"relu", "leaky_relu", "linear"},
        output={"sigmoid", "tanh"},
    ),
}
SEEDS = range(60)


def plain_forward(network):
    """The forward pass as a person does it (tests/reference.py: one neuron at a time, Python
    floats only). Returns (zs, activations) per weighted layer as lists of floats."""
    return reference.network_forward(network)


def on_grid(values, low, high, decimals) -> bool:
    scaled = np.asarray(values) * 10**decimals
    return bool(np.all(np.abs(scaled - np.round(scaled)) < 1e-9) and np.all(values >= low) and np.all(values <= high))


@pytest.mark.parametrize("difficulty", PROMISED)
def test_generation_is_deterministic_per_seed(difficulty):
    for seed in (0, 7, 123456):
        first, second = generate_network(seed, difficulty), generate_network(seed, difficulty)
        assert first.layer_sizes == second.layer_sizes
        assert np.array_equal(first.input_values, second.input_values)
        for a, b in zip(first.layers, second.layers):
            assert np.array_equal(a.weights, b.weights) and np.array_equal(a.bias, b.bias)
            assert a.activation == b.activation
    networks = [generate_network(seed, difficulty) for seed in range(5)]
    assert len({n.layers[0].weights.tobytes() + n.input_values.tobytes() for n in networks}) == 5


@pytest.mark.parametrize("difficulty", PROMISED)
def test_numbers_sizes_and_activations_are_as_promised(difficulty):
    promise = PROMISED[difficulty]
    for seed in SEEDS:
        network = generate_network(seed, difficulty)
        assert network.layer_sizes in promise["sizes"], seed
        assert on_grid(network.input_values, *promise["inputs"], promise["decimals"]), seed
        for layer in network.layers:
            assert on_grid(layer.weights, *promise["weights"], promise["decimals"]), seed
            assert on_grid(layer.bias, *promise["biases"], promise["decimals"]), seed
        assert {layer.activation for layer in network.layers[:-1]} <= promise["hidden"]
        assert network.layers[-1].activation in promise["output"]


def test_every_promised_activation_and_size_appears():
    for difficulty, promise in PROMISED.items():
        networks = [generate_network(seed, difficulty) for seed in range(150)]
        assert {n.layer_sizes for n in networks} == promise["sizes"]
        assert {a for n in networks for a in (layer.activation for layer in n.layers[:-1])} == promise["hidden"]
        assert {n.layers[-1].activation for n in networks} == promise["output"]


@pytest.mark.parametrize("difficulty", PROMISED)
def test_answer_key_matches_a_plain_loop(difficulty):
    for seed in SEEDS:
        codes = ("w1.1.1", "z1.1", "a1.1", "L1", "out")
        exercise = make_exercise(ExerciseSpec(seed, difficulty, codes))
        zs, activations = plain_forward(exercise.network)
        x = [float(v) for v in exercise.network.input_values]
        expected = {
            "w1.1.1": exercise.network.layers[0].weights.tolist()[0][0] * x[0],
            "z1.1": zs[0][0],
            "a1.1": activations[0][0],
            **{f"L1.{j + 1}": value for j, value in enumerate(activations[0])},
            **{f"out.{j + 1}": value for j, value in enumerate(activations[-1])},
        }
        got = {blank.id: blank.expected for blank in exercise.all_blanks()}
        assert got.keys() == expected.keys()
        for key, value in expected.items():
            assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-12), (seed, key)


def test_hidden_values_are_exact_short_decimals_and_curved_outputs_are_not_saturated():
    """Sigmoid/tanh only at the output, so a learner never has to round before the last layer."""
    for difficulty in PROMISED:
        for seed in SEEDS:
            network = generate_network(seed, difficulty)
            zs, activations = plain_forward(network)
            for values in activations[:-1]:
                assert all(abs(v * 1e8 - round(v * 1e8)) < 1e-3 for v in values), (difficulty, seed)
            if network.layers[-1].activation in ("sigmoid", "tanh"):
                assert max(abs(z) for z in zs[-1]) <= 3.0


def test_default_questions_ask_for_every_kind():
    exercise = make_exercise(ExerciseSpec(3, "medium"))
    assert [q.kind for q in exercise.questions] == ["w", "z", "a", "layer", "out"]
    contribution = exercise.questions[0]
    assert exercise.network.input_values[contribution.row] != 0


# ---- answer checking ------------------------------------------------------------------------------

PLAIN = Blank("z1.1", "z(N1)", 1.254, curved=False)
SIGMOID = Blank("out.1", "a(N1)", 1 / (1 + math.exp(-1.0)), curved=True)  # 0.7310585786...
TANH = Blank("out.2", "a(N2)", math.tanh(-0.3133), curved=True)  # -0.30343...


@pytest.mark.parametrize(
    "blank, text, status",
    [
        (PLAIN, "1.254", "right"),  # exact
        (PLAIN, "1.25", "right"),  # rounded to 2 decimals
        (PLAIN, "1.2540001", "right"),
        (PLAIN, "1.26", "wrong"),  # 0.006 away
        (PLAIN, "1.3", "wrong"),  # rounded to 1 decimal is not enough
        (PLAIN, "-1.25", "wrong"),
        (PLAIN, "1,25", "right"),  # decimal comma, read as 1.25 (and said so)
        (SIGMOID, "0.731", "right"),  # 3 significant figures
        (SIGMOID, "0.7311", "right"),
        (SIGMOID, "0.73", "close"),  # right to 2 decimals, but sigmoid needs 3 s.f.
        (SIGMOID, "0.732", "wrong"),
        (SIGMOID, "0.7", "wrong"),
        (TANH, "-0.303", "right"),
        (TANH, "−0.303", "right"),  # Unicode minus
        (TANH, "-0.304", "wrong"),
        (TANH, "0.303", "wrong"),
    ],
)
def test_check_answer_tolerance(blank, text, status):
    assert check_answer(blank, text).status == status


def test_exactly_half_a_unit_away_is_still_right():
    assert check_answer(Blank("z", "z", 2.345, False), "2.34").status == "right"
    assert check_answer(Blank("z", "z", 2.345, False), "2.35").status == "right"
    assert check_answer(Blank("z", "z", 2.345, False), "2.339").status == "wrong"


@pytest.mark.parametrize(
    "text", ["", "   ", "abc", "1,2,3", "3/4", "nan", "inf", "1e999", "1_000", "0x10", "1.2.3", "--1"]
)
def test_non_numbers_get_a_message_not_a_crash(text):
    feedback = check_answer(PLAIN, text)
    assert feedback.status == "invalid"
    assert feedback.value is None
    assert len(feedback.message) > 10


def test_messages_say_what_to_do():
    assert check_answer(PLAIN, "").message.startswith("z(N1): Type a number")
    assert check_answer(PLAIN, "1.25").message == "Right: z(N1) = 1.25"  # no full stop to misread as a decimal point
    assert "not a number" in check_answer(PLAIN, "abc").message
    assert "decimal" in check_answer(PLAIN, "3/4").message
    comma = check_answer(PLAIN, "1,25")
    assert comma.value == 1.25 and "Read “1,25” as 1.25" in comma.message
    assert "3 significant figures" in check_answer(SIGMOID, "0.73").message


def test_parse_answer_forms():
    assert parse_answer(" -0.5 ").value == -0.5
    assert parse_answer(".5").value == 0.5
    assert parse_answer("2e-3").value == 0.002
    assert parse_answer("+3").value == 3.0
    assert parse_answer("1.5").message == ""
    # One rule with the Simulator's cells and the command line (mlpsim.core.numbertext): no digit
    # groups, no digits of other scripts.
    for refused in ("1 000", "1_000", "١٫٥", "１"):
        assert parse_answer(refused).value is None
        assert "is not a number" in parse_answer(refused).message


# ---- questions, solutions and hints --------------------------------------------------------------


def test_question_codes_are_checked_against_the_network():
    network = generate_network(1, "easy")  # 2 inputs, 2 hidden, 1 output
    assert parse_question("z1.2", network).code == "z1.2"
    assert parse_question("w2.2.1", network).code == "w2.2.1"
    for bad in ("z3.1", "z1.9", "w1.3.1", "L", "x1.1", "z1.0", "out2", "a1"):
        with pytest.raises(ValidationError, match="question"):
            parse_question(bad, network)


def test_solution_steps_end_with_the_answer_and_hints_stop_before_it():
    exercise = make_exercise(ExerciseSpec(1, "easy", ("z1.1", "a1.1", "w1.2.1")))
    z_question, a_question, w_question = exercise.questions
    zs, activations = plain_forward(exercise.network)
    z_steps = exercise.solution_steps(z_question)
    assert z_steps[0] == "Hidden 1 · N1 (layer 1, activation relu)"
    assert z_steps[-2].strip().startswith("Σ wᵢ·xᵢ = ")
    assert z_steps[-1].endswith(f"= {zs[0][0]:.6g}")
    a_steps = exercise.solution_steps(a_question)
    assert a_steps[-1].strip() == f"a = f(z) = max(0, {zs[0][0]:.6g}) = {activations[0][0]:.6g}"
    w = exercise.network.layers[0].weights.tolist()[1][0]
    x = float(exercise.network.input_values[1])
    factor = lambda v: f"{v:g}" if v >= 0 else f"({v:g})"  # noqa: E731
    assert exercise.solution_steps(w_question)[-1] == f"W1[2,1] × IN2 = {factor(w)} × {factor(x)} = {w * x:g}"


# ---- link codec -----------------------------------------------------------------------------------


def test_link_round_trip():
    spec = ExerciseSpec(seed=42, difficulty="hard", questions=("z1.2", "out"), locked=True)
    params = spec_to_params(spec)
    assert params == {"seed": "42", "difficulty": "hard", "ask": "z1.2,out", "lock": "1"}
    assert spec_from_params(params) == spec
    plain = ExerciseSpec(seed=7, difficulty="easy")
    assert spec_to_params(plain) == {"seed": "7", "difficulty": "easy"}
    assert spec_from_params(spec_to_params(plain)) == plain


def test_link_without_seed_is_no_exercise():
    assert spec_from_params({}) is None
    assert spec_from_params({"difficulty": "hard"}) is None


@pytest.mark.parametrize(
    "params, message",
    [
        ({"seed": "abc"}, "seed"),
        ({"seed": "-1"}, "seed"),
        ({"seed": "99999999999"}, "seed"),
        ({"seed": "1", "difficulty": "extreme"}, "difficulty"),
        ({"seed": "1", "ask": "z9.1"}, "question 'z9.1'"),
        ({"seed": "1", "ask": "drop table"}, "question"),
        ({"seed": "1", "lock": "maybe"}, "lock"),
        ({"seed": "1", "ask": ",".join(["out"] * 21)}, "at most 20"),
        ({"seed": "²"}, "seed"),
        ({"seed": "١"}, "seed"),
    ],
)
def test_bad_links_name_the_parameter(params, message):
    with pytest.raises(ValidationError, match=message):
        spec_from_params(params)


def test_answers_are_shown_as_the_learner_should_write_them():
    from mlpsim.workshop.answers import display_answer

    assert display_answer(Blank("b", "a", 0.539716, curved=True)) == "0.540"
    assert display_answer(Blank("b", "a", -0.9999999, curved=True)) == "-1.00"
    assert display_answer(Blank("b", "z", 1.254, curved=False)) == "1.25"
    assert display_answer(Blank("b", "z", -0.0142, curved=False)) == "-0.01"
    assert display_answer(Blank("b", "z", 3.0, curved=False)) == "3"


def test_link_question_codes_are_made_canonical():
    spec = spec_from_params({"seed": "3", "ask": "z01.1, out,out,L2"})
    assert spec.questions == ("z1.1", "out", "L2")
