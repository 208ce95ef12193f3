"""`python -m mlpsim exercise --json` and `worksheet --topic backprop`, run as a person would: the
printed network re-read with mlpsim.io.fileformat and every exact answer recomputed with the
plain loops of tests/reference.py (backward) and tests/test_exercises.py (forward); backprop
worksheets' content and key checked the same way."""

from __future__ import annotations

import json
import math
import re

import pytest

from mlpsim.io.fileformat import loads
from mlpsim.workshop.worksheet import build_worksheet, worksheet_html, worksheet_markdown
from tests import reference
from tests.test_cli import run
from tests.test_exercises import plain_forward


def exercise_json(*args: str) -> dict:
    done = run("exercise", *args, "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and len(done.stdout.strip().splitlines()) == 1
    return json.loads(done.stdout)


def reference_answers(network, x, y, rate) -> dict[str, float]:
    layers = [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]
    loss, deltas, weight_gradients, bias_gradients = reference.backward_one(layers, x, y, "squared_error")
    answers = {"loss": loss}
    for k, (weights, bias, _) in enumerate(layers, start=1):
        for j in range(len(bias)):
            answers[f"d{k}.{j + 1}"] = deltas[k - 1][j]
            answers[f"b{k}.{j + 1}"] = bias[j] - rate * bias_gradients[k - 1][j]
            for i in range(len(weights)):
                answers[f"g{k}.{i + 1}.{j + 1}"] = answers[f"G{k}.{i + 1}.{j + 1}"] = weight_gradients[k - 1][i][j]
                answers[f"u{k}.{i + 1}.{j + 1}"] = weights[i][j] - rate * weight_gradients[k - 1][i][j]
    return answers


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
@pytest.mark.parametrize("seed", [0, 41, 2**32 - 1])
def test_backprop_json_recomputed_from_its_own_network_file(difficulty, seed):
    document = exercise_json("--topic", "backprop", "--seed", str(seed), "--difficulty", difficulty)
    assert (document["topic"], document["seed"], document["difficulty"]) == ("backprop", seed, difficulty)
    network = loads(json.dumps(document["network"]))  # the mlpsim.network format, validated
    assert document["input"] == network.input_values.tolist()
    assert document["loss"]["name"] == "squared_error" and "½" in document["loss"]["formula"]
    expected = reference_answers(network, document["input"], document["target"], document["learning_rate"])
    codes = [question["code"] for question in document["questions"]]
    assert codes[0] == "loss" and len(codes) == 6
    for question in document["questions"]:
        assert question["text"]
        for answer in question["answers"]:
            assert answer["exact"] == pytest.approx(expected[answer["id"]], rel=1e-12, abs=1e-12), answer["id"]
            assert abs(float(answer["write"]) - answer["exact"]) <= answer["tolerance"] + 1e-12


def test_backprop_json_with_asked_questions():
    document = exercise_json("--topic", "backprop", "--seed", "7", "--difficulty", "hard", "--ask", "G1,u2.1.1,b1.2")
    assert [q["code"] for q in document["questions"]] == ["G1", "u2.1.1", "b1.2"]
    network = loads(json.dumps(document["network"]))
    expected = reference_answers(network, document["input"], document["target"], document["learning_rate"])
    answers = {a["id"]: a["exact"] for q in document["questions"] for a in q["answers"]}
    assert len(answers) == network.layers[0].weights.size + 2
    assert answers == pytest.approx({key: expected[key] for key in answers}, rel=1e-12, abs=1e-12)


def test_forward_json_recomputed_with_a_plain_loop():
    document = exercise_json("--seed", "5", "--difficulty", "medium")
    assert document["topic"] == "forward" and document["target"] is None and document["learning_rate"] is None
    network = loads(json.dumps(document["network"]))
    zs, activations = plain_forward(network)
    values = {f"z{k}.{j + 1}": z for k, layer in enumerate(zs, start=1) for j, z in enumerate(layer)}
    values |= {f"a{k}.{j + 1}": a for k, layer in enumerate(activations, start=1) for j, a in enumerate(layer)}
    values |= {f"L1.{j + 1}": a for j, a in enumerate(activations[0])}
    values |= {f"out.{j + 1}": a for j, a in enumerate(activations[-1])}
    x = network.input_values.tolist()
    for i, row in enumerate(network.layers[0].weights.tolist()):
        values |= {f"w1.{i + 1}.{j + 1}": w * x[i] for j, w in enumerate(row)}
    for question in document["questions"]:
        for answer in question["answers"]:
            assert answer["exact"] == pytest.approx(values[answer["id"]], rel=1e-12, abs=1e-12), answer["id"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("--topic", "backprop", "--seed", "1", "--difficulty", "easy", "--ask", "z1.1"), "question 'z1.1'"),
        (("--topic", "sideways", "--seed", "1", "--difficulty", "easy"), "--topic"),
        (("--topic", "backprop", "--seed", "-3", "--difficulty", "easy"), "seed -3"),
    ],
)
def test_bad_exercise_arguments_end_with_one_error_line(args, message):
    done = run("exercise", *args, "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error:") and message in done.stderr and len(done.stderr.splitlines()) == 1


ROW = re.compile(r"<tr><th>\(([a-z])\) ([^<]+)</th><td>([^<]+)</td><td>±([^<]+)</td><td>([^<]+)</td></tr>")


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_backprop_sheet_states_loss_and_rules_and_its_key_is_the_plain_loops(difficulty):
    sheet = build_worksheet(3, difficulty, count=3, topic="backprop")
    page = worksheet_html(sheet)
    assert "Backpropagation worksheet" in page and "L = ½ Σₖ (aₖ − yₖ)²" in page
    assert "3 significant figures" in page and "4 significant figures" in page
    for name in sheet.activations:
        assert "f′(z)" in page.split("Activations on this sheet", 1)[1].split("Exercise 1", 1)[0], name
    key = page.split("<section class='answer-key'>", 1)[1]
    for number, (exercise, part) in enumerate(zip(sheet.exercises, key.split("<h2>Exercise ")[1:]), start=1):
        network = exercise.network
        exercise_page = page.split(f"<h2>Exercise {number}<span", 1)[1].split("<h2>Exercise", 1)[0]
        assert "topic=backprop" in exercise_page and "learning rate η" in exercise_page
        assert all(f"<td>{y:g}</td>" in exercise_page for y in exercise.task.target.tolist())
        expected = reference_answers(
            network, network.input_values.tolist(), exercise.task.target.tolist(), exercise.task.learning_rate
        )
        rows = ROW.findall(part)
        ids = [blank.id for blank in exercise.all_blanks()]
        assert len(rows) == len(ids)
        for (_letter, _label, write, accepted, exact), blank_id in zip(rows, ids):
            assert math.isclose(float(exact), expected[blank_id], rel_tol=1e-12, abs_tol=1e-12), blank_id
            assert abs(float(write) - expected[blank_id]) <= float(accepted), blank_id
        # every neuron's backward step is worked: the output's δ, each hidden δ, each gradient
        assert "δ2[1] = ∂L/∂a · f′(z)" in part or "δ2[1] = ∂L/∂z = a - y" in part
        assert all(f"δ1[{j + 1}] = (Σⱼ W[i,j]·δⱼ) · f′(z)" in part for j in range(network.layers[0].size))
        assert part.count("∂L/∂w = x·δ") == sum(layer.weights.size for layer in network.layers)
    markdown = worksheet_markdown(sheet)
    assert "L = ½ Σₖ (aₖ − yₖ)²" in markdown and "learning rate η" in markdown and "| y |" in markdown


def test_the_worksheet_command_writes_a_backprop_sheet(tmp_path):
    target = tmp_path / "sheet.html"
    done = run("worksheet", "--topic", "backprop", "--seed", "4", "--difficulty", "hard", "-o", str(target))
    assert done.returncode == 0, done.stderr
    text = target.read_text(encoding="utf-8")
    assert "Backpropagation worksheet (hard, seed 4)" in text and text.count("class='exercise'") == 3
