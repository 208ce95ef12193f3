"""The optimiser registry is the one place an optimiser is declared: Nesterov's momentum, made
here in the test only (v ← μ·v − η·g, w ← w + μ·v − η·g, scikit-learn's form), reaches the core's
training loop, the CLI's train command and the Train page's optimiser select with nothing else
changed, and steps with its own memory as worked by hand below."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import reference
from streamlit.testing.v1 import AppTest

from mlpsim import training_run
from mlpsim.cli import main
from mlpsim.core.network import Layer, Network
from mlpsim.core.optimizers import OPTIMIZERS, Optimizer, OptimizerRule
from mlpsim.core.training import Examples, TrainingConfig, start, train
from mlpsim.io.fileformat import dumps, loads
from ui.session import state


def _nesterov(settings, parameters, gradients, slots, steps) -> None:
    for parameter, gradient, velocity in zip(parameters, gradients, slots[0]):
        velocity *= settings.momentum
        velocity -= settings.learning_rate * gradient
        parameter += settings.momentum * velocity - settings.learning_rate * gradient


NESTEROV = OptimizerRule(
    name="nesterov",
    title="Nesterov momentum",
    default_learning_rate=0.02,
    slots=("v",),
    update=_nesterov,
    formula_text="v ← μ·v − η·g, w ← w + μ·v − η·g",
)


@pytest.fixture
def with_nesterov(monkeypatch):
    monkeypatch.setitem(OPTIMIZERS, "nesterov", NESTEROV)


def one_weight_network() -> Network:
    """1 input → 1 linear output, w = 1, b = 0: on the row x = 1, y = 3 under squared error
    L = ½(w + b − 3)², so g = (w + b − 3) for w and for b alike."""
    return Network(1, (Layer(np.array([[1.0]]), np.array([0.0]), "linear"),))


def nesterov_by_hand(rate: float, mu: float, steps: int) -> tuple[float, float]:
    w, b, vw, vb = 1.0, 0.0, 0.0, 0.0
    for _ in range(steps):
        g = w + b - 3.0
        vw, vb = mu * vw - rate * g, mu * vb - rate * g
        w, b = w + mu * vw - rate * g, b + mu * vb - rate * g
    return w, b


def test_the_rule_comes_from_the_registry_entry(with_nesterov):
    settings = Optimizer("nesterov")
    assert settings.learning_rate == 0.02  # the entry's default η
    assert len(settings.initial_state([np.zeros((2, 3)), np.zeros(3)]).slots) == 1


def test_the_core_trains_with_an_optimiser_made_in_the_test(with_nesterov):
    config = TrainingConfig(optimizer=Optimizer("nesterov", 0.1, momentum=0.5), batch_size=1, epochs=3, shuffle=False)
    history = list(train(start(one_weight_network(), config), config, Examples(np.array([[1.0]]), np.array([[3.0]]))))
    # by hand: g = −2, v = −0.1·(−2) = 0.2, w = 1 + 0.5·0.2 + 0.2 = 1.3 (b = 0.3 alike)
    first = history[0].state.network.layers[0]
    assert (first.weights[0, 0], first.bias[0]) == pytest.approx((1.3, 0.3), rel=1e-15)
    last = history[-1].state
    assert (last.network.layers[0].weights[0, 0], last.network.layers[0].bias[0]) == pytest.approx(
        nesterov_by_hand(0.1, 0.5, 3), rel=1e-15
    )
    assert last.optimizer_state.steps == 3 and len(last.optimizer_state.slots) == 1
    # the remembered velocity of w after three steps, by hand
    w, b, v = 1.0, 0.0, 0.0
    for _ in range(3):
        g = w + b - 3.0
        v = 0.5 * v - 0.1 * g
        w, b = w + 0.5 * v - 0.1 * g, b + 0.5 * v - 0.1 * g
    assert last.optimizer_state.slots[0][0][0, 0] == pytest.approx(v, rel=1e-15)


def test_the_cli_trains_with_an_optimiser_made_in_the_test(with_nesterov, tmp_path, capsys):
    network_file, data_file, output = tmp_path / "one.json", tmp_path / "row.csv", tmp_path / "trained.json"
    network_file.write_text(dumps(one_weight_network()), encoding="utf-8")
    data_file.write_text("x,y\n1,3\n", encoding="utf-8")
    argv = ["train", str(network_file), "--data", str(data_file), "-o", str(output), "--optimizer", "nesterov"]
    argv += ["--learning-rate", "0.1", "--momentum", "0.5", "--epochs", "2", "--batch-size", "1"]
    assert main([*argv, "--test-fraction", "0"]) == 0
    summary = json.loads(capsys.readouterr().out)
    # the loss of each epoch's one step, taken before it: ½(w + b − 3)²
    w1, b1 = nesterov_by_hand(0.1, 0.5, 1)
    assert summary["train_loss"] == pytest.approx([0.5 * 2.0**2, 0.5 * (w1 + b1 - 3.0) ** 2], rel=1e-14)
    layer = loads(output.read_text(encoding="utf-8")).layers[0]
    assert (layer.weights[0, 0], layer.bias[0]) == pytest.approx(nesterov_by_hand(0.1, 0.5, 2), rel=1e-15)


def test_the_cli_help_lists_it_and_its_default_rate(with_nesterov, capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--optimizer {sgd,momentum,adam,nesterov}" in help_text
    assert "default 0.03 (sgd, momentum), 0.001 (adam), 0.02 (nesterov)" in help_text


PAGE = """
from ui.pages import train
train.render()
"""


def test_the_train_page_offers_it_and_steps_with_it(with_nesterov):
    # 2-2-1 (ReLU, sigmoid) on the XOR truth table; a batch of 10 > 4 rows: each Step is one
    # update with the mean gradient of the four rows (from tests/reference.py's plain loops).
    network = Network(
        input_size=2,
        layers=(
            Layer(weights=np.array([[0.5, -0.5], [0.25, 1.0]]), bias=np.array([0.0, 0.0]), activation="relu"),
            Layer(weights=np.array([[1.0], [2.0]]), bias=np.array([0.0]), activation="sigmoid"),
        ),
    )
    at = AppTest.from_string(PAGE, default_timeout=60)
    at.session_state[state.NETWORK] = network
    at.run()
    select = at.selectbox(key=state.TRAIN_OPTIMIZER)
    assert "Nesterov momentum" in select.options
    for key, value in (
        (state.TRAIN_DATASET_SELECT, "xor_gate"),
        (state.TRAIN_LOSS, "binary_cross_entropy"),
        (state.TRAIN_OPTIMIZER, "nesterov"),
    ):
        at.selectbox(key=key).set_value(value).run()
    next(w for w in at.number_input if w.key == state.TRAIN_LEARNING_RATE).set_value(0.5).run()
    assert not at.exception
    rate, mu = 0.5, 0.9  # the page's Settings keep μ at the Optimizer's default

    layers = [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]
    rows, targets = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [[0.0], [1.0], [1.0], [0.0]]
    velocity = None
    for _ in range(2):
        next(b for b in at.button if b.label == "Step").click().run()
        assert not at.exception, at.exception
        _, _, weight_gradients, bias_gradients = reference.backward_batch(layers, rows, targets, "binary_cross_entropy")
        gradients = [np.array(g) for pair in zip(weight_gradients, bias_gradients) for g in pair]
        parameters = [np.array(p) for weights, bias, _ in layers for p in (weights, bias)]
        velocity = (
            [-rate * g for g in gradients]
            if velocity is None
            else [mu * v - rate * g for v, g in zip(velocity, gradients)]
        )
        stepped = [p + mu * v - rate * g for p, v, g in zip(parameters, velocity, gradients)]
        layers = [(stepped[2 * k].tolist(), stepped[2 * k + 1].tolist(), layers[k][2]) for k in range(len(layers))]
        trained = at.session_state[state.NETWORK]
        for layer, (weights, bias, _) in zip(trained.layers, layers):
            np.testing.assert_allclose(layer.weights, weights, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(layer.bias, bias, rtol=1e-12, atol=1e-14)
    assert len(at.session_state[state.TRAIN_RUN].state.optimizer_state.slots) == 1


def test_switching_from_momentum_to_it_on_the_page_starts_its_memory_at_zero(with_nesterov):
    # Both remember one velocity per parameter: the page must still not hand momentum's to Nesterov.
    network = Network(2, (Layer(np.array([[0.5], [-0.25]]), np.array([0.1]), "sigmoid"),))
    dataset, train_part, test_part = training_run.built_in(training_run.DataChoice("xor_gate"))
    data = training_run.prepare(dataset, train_part, test_part, network)
    momentum = training_run.Settings(loss="binary_cross_entropy", optimizer="momentum", learning_rate=0.5)
    nesterov = replace(momentum, optimizer="nesterov")
    after_momentum = training_run.step(training_run.new_run(network, momentum, 0), momentum, data)
    assert np.any(after_momentum.state.optimizer_state.slots[0][0] != 0)
    switched = training_run.step(after_momentum, nesterov, data)
    fresh = training_run.step(training_run.new_run(after_momentum.network, nesterov, 0), nesterov, data)
    # each Step is the whole 4-row epoch (batch 10), so its mean gradient does not depend on the order
    assert switched.state.optimizer_state.steps == 1 and switched.state.optimizer_state.rule == "nesterov"
    for a, b in zip(switched.network.layers, fresh.network.layers):
        np.testing.assert_allclose(a.weights, b.weights, rtol=1e-13)
        np.testing.assert_allclose(a.bias, b.bias, rtol=1e-13)
