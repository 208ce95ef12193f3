"""Backprop exercises: every answer against the plain-loop backward pass of tests/reference.py,
deterministic generation within the promised numbers, the link codec (topic=backprop; forward
links as before), hint ladders that never start with the answer, the honest scoring rules, and
the room results store taking backprop results."""

from __future__ import annotations

import numpy as np
import pytest

from mlpsim.core.errors import ValidationError
from mlpsim.workshop.answers import check_answer, display_answer, tolerance
from mlpsim.workshop.exercise import MAX_QUESTIONS, ExerciseSpec, make_exercise
from mlpsim.workshop.links import spec_from_params, spec_to_params
from mlpsim.workshop.roomresults import RoomStore
from mlpsim.workshop.scoring import question_result, rescored, score
from mlpsim.workshop.topics.backprop.generation import generate_backprop_task
from mlpsim.workshop.topics.backprop.topic import BackpropExercise
from tests import reference

DIFFICULTIES = ("easy", "medium", "hard")
SEEDS = range(200)

# What each difficulty promises, written out again here: sizes, (low, high, decimals) of the
# inputs, weights, biases and targets, the (hidden, output) activations and the learning rates.
PROMISED = {
    "easy": dict(
        sizes={(2, 2, 1), (2, 3, 1)},
        inputs=(0, 2, 0),
        weights=(-2, 2, 0),
        biases=(-1, 1, 0),
        targets=(0, 4, 0),
        activations={("relu", "linear")},
        rates={0.1},
    ),
    "medium": dict(
        sizes={(2, 2, 1), (2, 2, 2), (3, 2, 1)},
        inputs=(-2, 2, 0),
        weights=(-1, 1, 1),
        biases=(-0.5, 0.5, 1),
        targets=(-1, 1, 1),
        activations={("relu", "linear"), ("linear", "linear"), ("relu", "relu")},
        rates={0.1, 0.5},
    ),
    "hard": dict(
        sizes={(2, 2, 1), (2, 2, 2), (2, 3, 2)},
        inputs=(-1, 1, 1),
        weights=(-1, 1, 1),
        biases=(-0.5, 0.5, 1),
        targets=(-1, 1, 1),
        activations={("relu", "sigmoid"), ("sigmoid", "linear")},
        rates={0.5, 1.0},
    ),
}


def reference_layers(network):
    return [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]


def every_code(network) -> list[str]:
    """Every question a link can ask of this network."""
    codes = ["loss"]
    for k, layer in enumerate(network.layers, start=1):
        codes += [f"d{k}.{j + 1}" for j in range(layer.size)]
        codes += [
            f"{letter}{k}.{i + 1}.{j + 1}" for letter in "gu" for i in range(layer.n_in) for j in range(layer.size)
        ]
        codes += [f"b{k}.{j + 1}" for j in range(layer.size)] + [f"G{k}"]
    return codes


def every_question_exercises(seed: int, difficulty: str):
    codes = every_code(generate_backprop_task(seed, difficulty).network)
    for start in range(0, len(codes), MAX_QUESTIONS):
        yield make_exercise(
            ExerciseSpec(seed, difficulty, tuple(codes[start : start + MAX_QUESTIONS]), topic="backprop")
        )


def reference_answers(exercise: BackpropExercise) -> dict[str, float]:
    """Every answer box's value from the plain-loop backward pass, updates worked here."""
    network, task = exercise.network, exercise.task
    x = [float(v) for v in network.input_values]
    y = [float(v) for v in task.target]
    loss, deltas, weight_gradients, bias_gradients = reference.backward_one(
        reference_layers(network), x, y, "squared_error"
    )
    rate = task.learning_rate
    answers = {"loss": loss}
    for k, layer in enumerate(network.layers, start=1):
        weights, bias = layer.weights.tolist(), layer.bias.tolist()
        for j in range(layer.size):
            answers[f"d{k}.{j + 1}"] = deltas[k - 1][j]
            answers[f"b{k}.{j + 1}"] = bias[j] - rate * bias_gradients[k - 1][j]
            for i in range(layer.n_in):
                gradient = weight_gradients[k - 1][i][j]
                answers[f"g{k}.{i + 1}.{j + 1}"] = answers[f"G{k}.{i + 1}.{j + 1}"] = gradient
                answers[f"u{k}.{i + 1}.{j + 1}"] = weights[i][j] - rate * gradient
    return answers


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_every_answer_matches_the_plain_loop_backward_pass(difficulty):
    for seed in range(0, 200, 4):
        for exercise in every_question_exercises(seed, difficulty):
            expected = reference_answers(exercise)
            for blank in exercise.all_blanks():
                assert blank.expected == pytest.approx(expected[blank.id], rel=1e-12, abs=1e-12), (seed, blank.id)


def test_the_default_sheet_answers_match_the_plain_loop_too():
    for difficulty in DIFFICULTIES:
        for seed in SEEDS:
            exercise = make_exercise(ExerciseSpec(seed, difficulty, topic="backprop"))
            expected = reference_answers(exercise)
            for blank in exercise.all_blanks():
                assert blank.expected == pytest.approx(expected[blank.id], rel=1e-12, abs=1e-12), (seed, blank.id)


def test_one_exercise_worked_by_hand():
    """easy seed 0 worked with pencil: x = (2, 1), W1 = [[2, −1], [−1, 0]] (rows = inputs),
    b1 = (−1, 1), ReLU: z1 = (4 − 1 − 1, −2 + 0 + 1) = (2, −1) → a1 = (2, 0); W2 = (−1, 1)ᵀ,
    b2 = 1, linear: z2 = a2 = −2 + 0 + 1 = −1; y = 3: L = ½(−1 − 3)² = 8, δ2 = −4;
    δ1 = (−1·−4·1, 1·−4·0) = (4, 0); ∂L/∂W2 = a1·δ2 = (−8, 0); ∂L/∂W1 = x·δ1ᵀ = [[8, 0], [4, 0]];
    with η = 0.1: b2 → 1 − 0.1·(−4) = 1.4, W1[1,1] → 2 − 0.1·8 = 1.2."""
    task = generate_backprop_task(0, "easy")
    network = task.network
    assert network.input_values.tolist() == [2.0, 1.0]
    assert network.layers[0].weights.tolist() == [[2.0, -1.0], [-1.0, 0.0]]
    assert network.layers[0].bias.tolist() == [-1.0, 1.0]
    assert network.layers[1].weights.tolist() == [[-1.0], [1.0]] and network.layers[1].bias.tolist() == [1.0]
    assert task.target.tolist() == [3.0] and task.learning_rate == 0.1
    codes = ("loss", "d2.1", "d1.1", "d1.2", "G1", "G2", "b2.1", "u1.1.1")
    exercise = make_exercise(ExerciseSpec(0, "easy", codes, topic="backprop"))
    got = {blank.id: blank.expected for blank in exercise.all_blanks()}
    assert got == pytest.approx(
        {
            "loss": 8.0,
            "d2.1": -4.0,
            "d1.1": 4.0,
            "d1.2": 0.0,
            "G1.1.1": 8.0,
            "G1.1.2": 0.0,
            "G1.2.1": 4.0,
            "G1.2.2": 0.0,
            "G2.1.1": -8.0,
            "G2.2.1": 0.0,
            "b2.1": 1.4,
            "u1.1.1": 1.2,
        }
    )


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_generation_is_deterministic_per_seed(difficulty):
    for seed in (0, 7, 123456, 2**32 - 1):
        first, second = generate_backprop_task(seed, difficulty), generate_backprop_task(seed, difficulty)
        assert first.network.layer_sizes == second.network.layer_sizes
        assert np.array_equal(first.network.input_values, second.network.input_values)
        assert np.array_equal(first.target, second.target) and first.learning_rate == second.learning_rate
        for a, b in zip(first.network.layers, second.network.layers):
            assert np.array_equal(a.weights, b.weights) and np.array_equal(a.bias, b.bias)
            assert a.activation == b.activation
        assert [q.code for q in make_exercise(ExerciseSpec(seed, difficulty, topic="backprop")).questions] == [
            q.code for q in make_exercise(ExerciseSpec(seed, difficulty, topic="backprop")).questions
        ]
    tasks = [generate_backprop_task(seed, difficulty) for seed in range(6)]
    assert len({t.network.layers[0].weights.tobytes() + t.target.tobytes() for t in tasks}) == 6


def on_grid(values, low, high, decimals) -> bool:
    values = np.asarray(values, dtype=float)
    scaled = values * 10**decimals
    return bool(np.all(np.abs(scaled - np.round(scaled)) < 1e-9) and np.all(values >= low) and np.all(values <= high))


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_numbers_sizes_activations_and_rates_are_as_promised(difficulty):
    promise = PROMISED[difficulty]
    seen_sizes, seen_activations, seen_rates = set(), set(), set()
    for seed in SEEDS:
        task = generate_backprop_task(seed, difficulty)
        network = task.network
        seen_sizes.add(network.layer_sizes)
        seen_activations.add((network.layers[0].activation, network.layers[-1].activation))
        seen_rates.add(task.learning_rate)
        assert on_grid(network.input_values, *promise["inputs"]) and np.all(network.input_values != 0), seed
        for layer in network.layers:
            assert on_grid(layer.weights, *promise["weights"]), seed
            assert on_grid(layer.bias, *promise["biases"]), seed
        assert on_grid(task.target, *promise["targets"]), seed
        if network.layers[-1].activation == "sigmoid":
            assert set(task.target.tolist()) <= {0.0, 1.0}
        # something to carry back: every output off its target, a δ in every layer
        x = [float(v) for v in network.input_values]
        _, activations = reference.forward(reference_layers(network), x)
        assert all(abs(a - y) >= 0.1 - 1e-12 for a, y in zip(activations[-1], task.target.tolist())), seed
    assert seen_sizes == promise["sizes"]
    assert seen_activations == promise["activations"]
    assert seen_rates == promise["rates"]


@pytest.mark.parametrize("difficulty", ["easy", "medium"])
def test_easy_and_medium_values_are_short_exact_decimals(difficulty):
    """Every z, a and δ a learner carries has at most 4 significant figures, so the tolerance is
    the plain 3-significant-figure one (nothing carried)."""
    for seed in SEEDS:
        exercise = make_exercise(ExerciseSpec(seed, difficulty, topic="backprop"))
        x = [float(v) for v in exercise.network.input_values]
        layers = reference_layers(exercise.network)
        zs, activations = reference.forward(layers, x)
        _, deltas, _, _ = reference.backward_one(layers, x, exercise.task.target.tolist(), "squared_error")
        for value in [v for row in zs + activations + deltas for v in row]:
            figures = f"{abs(value):.10g}".replace(".", "").lstrip("0").rstrip("0")
            assert len(figures) <= 4, (seed, value)
        assert all(blank.carried == 0 for blank in exercise.all_blanks()), seed


def test_default_questions_ask_every_kind_and_the_hidden_delta_is_not_zero():
    for difficulty in DIFFICULTIES:
        for seed in range(50):
            exercise = make_exercise(ExerciseSpec(seed, difficulty, topic="backprop"))
            kinds = [q.kind for q in exercise.questions]
            assert kinds[:5] == ["loss", "delta", "delta", "matrix", "gradient"] and kinds[5] in ("weight", "bias")
            hidden = exercise.questions[2]
            assert hidden.layer < len(exercise.network.layers)
            assert exercise.blanks(hidden)[0].expected != 0


# ---- answers, hints, solutions -------------------------------------------------------------------


def test_answers_are_checked_to_three_significant_figures_within_the_stated_tolerance():
    """medium seed 1: δ1[2] = W2[2,1]·δ2[1]·f′(z) = −0.2 × 1.5 × 1 = −0.3, written −0.300."""
    exercise = make_exercise(ExerciseSpec(1, "medium", ("d1.2",), topic="backprop"))
    (blank,) = exercise.all_blanks()
    assert blank.expected == pytest.approx(-0.3)
    assert display_answer(blank) == "-0.300" and tolerance(blank) == pytest.approx(0.0005)
    assert check_answer(blank, "-0.3").correct and check_answer(blank, "-0,300").correct
    assert not check_answer(blank, "-0.301").correct and not check_answer(blank, "0.3").correct
    # a small value is checked to 3 significant figures, not to 2 decimals
    small = next(
        blank
        for seed in SEEDS
        for blank in make_exercise(ExerciseSpec(seed, "hard", topic="backprop")).all_blanks()
        if 0.01 < abs(blank.expected) < 0.1 and blank.carried < 0.00005
    )
    assert tolerance(small) < 0.0001
    assert check_answer(small, display_answer(small)).correct
    assert not check_answer(small, repr(small.expected + 3 * tolerance(small))).correct


def test_the_ladder_is_formula_then_numbers_then_first_step_and_the_first_never_holds_the_answer():
    """The formula rung names things only: it reads the same for every network of one shape and
    the same activations, whatever its numbers."""
    formulas: dict[tuple, set[str]] = {}
    for difficulty in DIFFICULTIES:
        for seed in range(0, 200, 5):
            for exercise in every_question_exercises(seed, difficulty):
                network = exercise.network
                shape = (network.layer_sizes, tuple(layer.activation for layer in network.layers))
                for question in exercise.questions:
                    ladder = exercise.hints(question)
                    assert [hint.title for hint in ladder] == ["the formula", "the numbers", "the first step"]
                    first = " ".join(ladder[0].lines)
                    formulas.setdefault((shape, question.code), set()).add(first)
                    for blank in exercise.blanks(question):
                        if blank.expected != 0:
                            assert display_answer(blank) not in first, (question.code, first)
    assert all(len(texts) == 1 for texts in formulas.values())
    assert sum(1 for (shape, code) in formulas if code == "loss") > 3  # many shapes were compared


def test_a_hidden_delta_hint_by_hand():
    """medium seed 1: W2 = (0.9, −0.2)ᵀ, δ2[1] = 1.5, z1[2] = 3 (ReLU, f′ = 1) → δ1[2] =
    −0.2 × 1.5 = −0.3."""
    exercise = make_exercise(ExerciseSpec(1, "medium", ("d1.2",), topic="backprop"))
    formula, numbers, first = (hint.lines[0] for hint in exercise.hints(exercise.questions[0]))
    assert formula.startswith("δ1[2] = (W2[2,1]·δ2[1])·f′(z), relu")
    assert numbers == "δ1[2] = ((-0.2)·(1.5)) × f′(3)"
    assert first == "Σⱼ W2[2,j]·δ2[j] = -0.3; now multiply by f′(z)"
    steps = exercise.solution_steps(exercise.questions[0])
    assert steps[-1].replace("−", "-").endswith("= -0.3") and "δ2[1]" in "\n".join(steps)


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_every_solution_ends_with_its_answer(difficulty):
    for seed in range(0, 200, 20):
        for exercise in every_question_exercises(seed, difficulty):
            for question in exercise.questions:
                steps = exercise.solution_steps(question)
                text = "\n".join(steps).replace("−", "-")
                for blank in exercise.blanks(question):
                    shown = f"{blank.expected:.6g}" if blank.expected != 0 else "0"
                    assert shown in text, (seed, question.code, shown)


# ---- links and honesty ---------------------------------------------------------------------------


def test_a_backprop_link_round_trips_and_forward_links_are_as_before():
    spec = ExerciseSpec(5, "hard", ("d02.1", "G2", "loss", "loss"), locked=True, topic="backprop")
    params = spec_to_params(spec)
    assert params["topic"] == "backprop" and params["lock"] == "1"
    back = spec_from_params(params)
    assert back.topic == "backprop" and back.questions == ("d2.1", "G2", "loss") and back.locked
    assert spec_from_params(spec_to_params(back)) == back
    assert isinstance(make_exercise(back), BackpropExercise)
    forward = spec_from_params({"seed": "5", "difficulty": "hard", "ask": "z1.1"})
    assert forward.topic == "forward" and "topic" not in spec_to_params(forward)
    assert spec_from_params({"topic": "forward", "seed": "5", "difficulty": "hard"}).topic == "forward"
    assert ExerciseSpec(5, "hard").key != ExerciseSpec(5, "hard", topic="backprop").key


@pytest.mark.parametrize(
    "params, message",
    [
        ({"topic": "sideways", "seed": "1"}, "topic"),
        ({"topic": "backprop", "seed": "1", "ask": "z1.1"}, "question 'z1.1'"),
        ({"topic": "backprop", "seed": "1", "ask": "d3.1"}, "layers 1..2"),
        ({"topic": "backprop", "seed": "1", "ask": "g1.9.1"}, "rows 1..2"),
        ({"topic": "backprop", "seed": "1", "difficulty": "expert"}, "difficulty"),
    ],
)
def test_bad_backprop_links_name_the_parameter(params, message):
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("(", r"\(")):
        spec_from_params(params)


def test_an_answer_after_the_solution_does_not_count_and_a_locked_room_hides_solutions():
    spec = ExerciseSpec(2, "medium", ("d2.1", "G2"), locked=True, topic="backprop")
    assert not spec.shows_solutions and ExerciseSpec(2, "medium", locked=True, solutions=True).shows_solutions
    exercise = make_exercise(spec)
    delta, matrix = exercise.questions
    (delta_blank,) = exercise.blanks(delta)
    right = display_answer(delta_blank)
    records = {delta_blank.id: rescored(None, check_answer(delta_blank, right).correct, solution_shown=True)}
    matrix_blanks = exercise.blanks(matrix)
    for blank in matrix_blanks:
        records[blank.id] = rescored(None, check_answer(blank, display_answer(blank)).correct, solution_shown=False)
    total = score(records)
    assert total.right == len(matrix_blanks) and total.right_after_solution == 1
    standing = question_result(delta, (delta_blank.id,), records, hints=2, solution_shown=True)
    assert standing.question == "d2.1" and not standing.solved and standing.solved_after_solution


def test_the_room_store_keeps_a_backprop_room_and_its_results(tmp_path):
    store = RoomStore(tmp_path / "rooms.sqlite3", retention_seconds=3600)
    spec = ExerciseSpec(4, "hard", ("loss", "d1.1", "G2"), locked=True, topic="backprop")
    made = store.create_room(spec_to_params(spec))
    exercise = make_exercise(spec)
    records = {
        blank.id: rescored(None, check_answer(blank, display_answer(blank)).correct, False)
        for blank in exercise.all_blanks()
    }
    standings = [
        question_result(q, tuple(b.id for b in exercise.blanks(q)), records, hints=0, solution_shown=False)
        for q in exercise.questions
    ]
    assert store.record(made.room_id, "learner-1", "Ada", standings)
    results = store.results(made.room_id, made.secret)
    assert spec_from_params(results.room.link_params) == spec
    assert [(row.result.question, row.result.right, row.result.blanks) for row in results.rows] == [
        ("loss", 1, 1),
        ("d1.1", 1, 1),
        ("G2", len(exercise.blanks(exercise.questions[2])), len(exercise.blanks(exercise.questions[2]))),
    ]
