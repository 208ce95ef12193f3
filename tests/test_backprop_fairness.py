"""Is the backprop rounding rule fair? A simulated learner works every backprop exercise of 200
generated sheets per difficulty (3 exercises a sheet, seeds 0, 3, 6, …) by hand — exact decimal
arithmetic, every value they use again rounded half up to the significant figures the sheet
tells them to carry — writes each answer with 3 significant figures and has it checked by the
app's rule (``check_answer``).

Run ``python -m tests.test_backprop_fairness [--carry F]`` for the figures; the tests assert that a
learner who follows the sheet gets every answer of every sheet accepted, and that carrying only
2 figures is caught.
"""

from __future__ import annotations

import argparse
import math
from decimal import ROUND_HALF_UP, Decimal

import pytest

from mlpsim.workshop.answers import check_answer
from mlpsim.workshop.exercise import MAX_QUESTIONS, ExerciseSpec, make_exercise
from mlpsim.workshop.topics.backprop.carrying import CARRIED_FIGURES
from mlpsim.workshop.topics.backprop.generation import generate_backprop_task

SHEETS = 200
SHEET_SIZE = 3
DIFFICULTIES = ("easy", "medium", "hard")


def figures(value: Decimal, count: int) -> Decimal:
    """``value`` rounded half up to ``count`` significant figures (0 stays 0)."""
    if value == 0:
        return Decimal(0)
    return value.quantize(Decimal(1).scaleb(value.adjusted() - count + 1), rounding=ROUND_HALF_UP)


def decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def sigmoid(z: Decimal) -> Decimal:
    """What the learner's calculator shows for 1 / (1 + e^(−z))."""
    return Decimal(repr(1.0 / (1.0 + math.exp(-float(z)))))


def learner_values(task, carry: int) -> dict[str, Decimal]:
    """Every answer the learner finds, keyed by answer-box id, carrying every value they use
    again rounded to ``carry`` significant figures: the products w·x, z, a, a − y, its square,
    1 − a and a·(1 − a), each term W·δ and its sum, δ, each gradient and each step η·g."""

    def r(value: Decimal) -> Decimal:
        return figures(value, carry)

    network = task.network
    x = [decimal(v) for v in network.input_values]
    inputs, zs, activations = [x], [], []
    for layer in network.layers:
        weights = [[decimal(w) for w in row] for row in layer.weights.tolist()]
        z = [r(sum(r(weights[i][j] * x[i]) for i in range(len(x))) + decimal(b)) for j, b in enumerate(layer.bias)]
        if layer.activation == "sigmoid":
            a = [r(sigmoid(value)) for value in z]
        elif layer.activation == "relu":
            a = [max(value, Decimal(0)) for value in z]
        else:
            a = list(z)
        zs.append(z)
        activations.append(a)
        x = a
        inputs.append(a)
    target = [decimal(y) for y in task.target]
    difference = [r(a - y) for a, y in zip(activations[-1], target)]
    values = {"loss": sum(r(d * d) for d in difference) / 2}

    def derivative(activation: str, z: Decimal, a: Decimal) -> Decimal:
        if activation == "sigmoid":
            return r(a * r(1 - a))
        if activation == "relu":
            return Decimal(1) if z > 0 else Decimal(0)
        return Decimal(1)

    count = len(network.layers)
    deltas: list[list[Decimal]] = [[] for _ in range(count)]
    upstream = difference
    for k in range(count - 1, -1, -1):
        layer = network.layers[k]
        deltas[k] = [
            r(upstream[j] * derivative(layer.activation, zs[k][j], activations[k][j])) for j in range(layer.size)
        ]
        if k:
            weights = [[decimal(w) for w in row] for row in layer.weights.tolist()]
            upstream = [r(sum(r(weights[i][j] * deltas[k][j]) for j in range(layer.size))) for i in range(layer.n_in)]
    rate = decimal(task.learning_rate)
    for k, layer in enumerate(network.layers, start=1):
        for j in range(layer.size):
            delta = deltas[k - 1][j]
            values[f"d{k}.{j + 1}"] = delta
            values[f"b{k}.{j + 1}"] = decimal(layer.bias[j]) - r(rate * delta)
            for i in range(layer.n_in):
                gradient = r(inputs[k - 1][i] * delta)
                values[f"g{k}.{i + 1}.{j + 1}"] = values[f"G{k}.{i + 1}.{j + 1}"] = gradient
                values[f"u{k}.{i + 1}.{j + 1}"] = decimal(layer.weights[i, j]) - r(rate * gradient)
    return values


def written(value: Decimal) -> str:
    """The answer as the sheet asks for it: 3 significant figures."""
    return str(figures(value, 3))


def every_code(network) -> list[str]:
    codes = ["loss"]
    for k, layer in enumerate(network.layers, start=1):
        codes += [f"d{k}.{j + 1}" for j in range(layer.size)]
        codes += [
            f"{letter}{k}.{i + 1}.{j + 1}" for letter in "gu" for i in range(layer.n_in) for j in range(layer.size)
        ]
        codes += [f"b{k}.{j + 1}" for j in range(layer.size)] + [f"G{k}"]
    return codes


def exercises(difficulty: str, every_question: bool):
    for seed in range(SHEETS * SHEET_SIZE):
        if not every_question:
            yield make_exercise(ExerciseSpec(seed, difficulty, topic="backprop"))
            continue
        codes = every_code(generate_backprop_task(seed, difficulty).network)
        for start in range(0, len(codes), MAX_QUESTIONS):
            yield make_exercise(
                ExerciseSpec(seed, difficulty, tuple(codes[start : start + MAX_QUESTIONS]), topic="backprop")
            )


def fairness(difficulty: str, carry: int, every_question: bool = False):
    """(accepted, answered, first misses) over the exercises of SHEETS sheets."""
    accepted = answered = 0
    misses: list[str] = []
    for exercise in exercises(difficulty, every_question):
        values = learner_values(exercise.task, carry)
        for blank in exercise.all_blanks():
            answer = written(values[blank.id])
            answered += 1
            if check_answer(blank, answer).correct:
                accepted += 1
            elif len(misses) < 5:
                misses.append(f"seed {exercise.spec.seed} {blank.id}: wrote {answer}, exact {blank.expected!r}")
    return accepted, answered, misses


@pytest.mark.parametrize("every_question", [False, True], ids=["sheet questions", "every question"])
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_a_learner_who_carries_as_the_sheet_says_gets_every_answer_accepted(difficulty, every_question):
    accepted, answered, misses = fairness(difficulty, CARRIED_FIGURES, every_question)
    assert accepted == answered, misses


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_a_learner_who_carries_more_figures_is_accepted_too(difficulty):
    accepted, answered, misses = fairness(difficulty, 8)
    assert accepted == answered, misses


def test_the_check_is_not_loose_enough_to_accept_two_figure_carrying():
    """On hard sheets (sigmoid values), carrying only 2 significant figures is caught often."""
    accepted, answered, _ = fairness("hard", 2)
    assert accepted / answered < 0.9


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--carry", type=int, default=CARRIED_FIGURES, help="significant figures the learner carries")
    arguments = parser.parse_args(argv)
    for every_question in (False, True):
        questions = "every question a link can ask" if every_question else "the sheets' questions"
        print(f"carrying {arguments.carry} significant figures; {questions}:")
        for difficulty in DIFFICULTIES:
            accepted, answered, misses = fairness(difficulty, arguments.carry, every_question)
            print(f"  {difficulty:6} {accepted}/{answered} accepted = {100 * accepted / answered:.2f} %")
            for miss in misses[:2]:
                print(f"         e.g. {miss}")


if __name__ == "__main__":
    main()
