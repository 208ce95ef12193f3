"""The dataset registry is the one place a built-in dataset is declared.

Every built-in set's defaults learn it: its default network, trained a few epochs with its
default settings by the core's training function, ends with a lower loss than it began with,
every epoch finite. And a set declared here, in the test only, reaches ``load``, the CLI's train
command and the Train page's dataset select, and trains there, with nothing else changed.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import reference
from streamlit.testing.v1 import AppTest

from mlpsim.cli import main
from mlpsim.core.forward import forward
from mlpsim.core.losses import get_loss
from mlpsim.core.network import Layer, Network
from mlpsim.core.training import start, train
from mlpsim.data import datasets
from mlpsim.data.datasets import (
    CLASSIFICATION,
    DATASETS,
    REGRESSION,
    Dataset,
    DatasetSpec,
    DefaultNetwork,
    TrainingDefaults,
)
from mlpsim.io.fileformat import dumps, loads
from ui.session import state

ROWS_OF_WORK = 3000
"""Epochs per set: about this many row updates (at most 5 epochs), so digits' 1,348 training
rows get 2 epochs and the whole test stays within a couple of seconds."""


def mean_loss(spec: DatasetSpec, network: Network, inputs: np.ndarray, targets: np.ndarray) -> float:
    result = forward(network, inputs)
    loss = get_loss(spec.training.loss, network.layers[-1].activation)
    return float(np.mean(loss.per_sample(result.z[-1], result.a[-1], targets)))


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_built_in_dataset_learns_from_its_defaults(name):
    spec = DATASETS[name]
    data = datasets.load(name)
    assert data.name == name
    assert spec.task == (CLASSIFICATION if data.is_classification else REGRESSION)
    train_part, test_part = datasets.split(data, spec.training.test_fraction, seed=0)
    assert (test_part is None) == (spec.training.test_fraction == 0)
    network = spec.network.build(seed=0)
    rows = datasets.examples(train_part, network)  # raises if the default network does not fit
    epochs = max(1, min(5, ROWS_OF_WORK // len(rows)))
    config = spec.training.config(epochs)
    before = mean_loss(spec, network, rows.inputs, rows.targets)
    history = list(train(start(network, config, seed=0), config, rows))
    assert len(history) == epochs
    assert all(math.isfinite(p.train_loss) for p in history)
    after = mean_loss(spec, history[-1].state.network, rows.inputs, rows.targets)
    assert math.isfinite(after) and after < before, (before, [p.train_loss for p in history], after)


@pytest.mark.parametrize("name", list(DATASETS))
def test_points_and_noise_apply_exactly_to_the_sized_sets(name):
    spec = DATASETS[name]
    usual, fewer = datasets.load(name), datasets.load(name, points=40, noise=0.3)
    if spec.sized:
        assert len(fewer) == 40 != len(usual)
    else:
        np.testing.assert_array_equal(fewer.inputs, usual.inputs)
    assert spec.truth_table == (len(usual) == 4)


# ---- a dataset made in the test only -------------------------------------------------------------


def half_plane(points: int = 60, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Points in [−1, 1]², class 1 below the diagonal (x > y)."""
    xy = np.random.default_rng(seed).uniform(-1.0, 1.0, (points, 2))
    return Dataset("half_plane", "Test: the half plane x > y", xy, (xy[:, 0] > xy[:, 1]).astype(int), class_count=2)


HALF_PLANE = DatasetSpec(
    name="half_plane",
    title="Half plane (test)",
    task=CLASSIFICATION,
    generate=half_plane,
    sized=True,
    network=DefaultNetwork((2, 3, 1), ("tanh", "sigmoid")),
    training=TrainingDefaults("binary_cross_entropy", "sgd", 0.5, 10, 0.25),
)


@pytest.fixture
def with_half_plane(monkeypatch):
    monkeypatch.setitem(DATASETS, "half_plane", HALF_PLANE)


def small_network() -> Network:
    """2-2-1: ReLU hidden, sigmoid output, so a full-batch step is worked by tests/reference.py."""
    return Network(
        input_size=2,
        layers=(
            Layer(weights=np.array([[0.5, -0.5], [0.25, 1.0]]), bias=np.array([0.1, 0.0]), activation="relu"),
            Layer(weights=np.array([[1.0], [-2.0]]), bias=np.array([0.0]), activation="sigmoid"),
        ),
    )


def as_layers(network: Network):
    return [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]


def reference_step(network: Network, rows: Dataset, rate: float):
    """(mean loss before, layers after) of one full-batch gradient step under binary
    cross-entropy, from the reference's plain-loop gradients."""
    xs, ys = rows.inputs.tolist(), [[float(label)] for label in rows.labels]
    layers = as_layers(network)
    mean, _, weight_gradients, bias_gradients = reference.backward_batch(layers, xs, ys, "binary_cross_entropy")
    stepped = [
        (
            [[w - rate * g for w, g in zip(row, grow)] for row, grow in zip(weights, gw)],
            [b - rate * g for b, g in zip(bias, gb)],
            activation,
        )
        for (weights, bias, activation), gw, gb in zip(layers, weight_gradients, bias_gradients)
    ]
    return mean, stepped


def assert_network_is(network: Network, layers) -> None:
    for layer, (weights, bias, _) in zip(network.layers, layers):
        np.testing.assert_allclose(layer.weights, weights, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer.bias, bias, rtol=1e-12, atol=1e-14)


def test_a_dataset_made_in_the_test_loads_and_learns_from_its_defaults(with_half_plane):
    data = datasets.load("half_plane", points=30, seed=2)
    assert len(data) == 30 and data.labels.tolist() == (data.inputs[:, 0] > data.inputs[:, 1]).astype(int).tolist()
    assert "half_plane" in datasets.GENERATORS
    network = HALF_PLANE.network.build(seed=0)
    train_part, _ = datasets.split(datasets.load("half_plane"), HALF_PLANE.training.test_fraction, seed=0)
    rows = datasets.examples(train_part, network)
    config = HALF_PLANE.training.config(20)
    history = list(train(start(network, config), config, rows))
    assert history[-1].train_loss < history[0].train_loss and history[-1].train_accuracy > 0.8


def test_the_cli_trains_on_a_dataset_made_in_the_test(with_half_plane, tmp_path, capsys):
    network_file, output = tmp_path / "small.json", tmp_path / "trained.json"
    network_file.write_text(dumps(small_network()), encoding="utf-8")
    argv = ["train", str(network_file), "--data", "half_plane", "--points", "20", "--seed", "3", "-o", str(output)]
    assert main([*argv, "--test-fraction", "0", "--batch-size", "20", "--epochs", "1", "--learning-rate", "0.5"]) == 0
    summary = json.loads(capsys.readouterr().out)
    # one epoch = one step on all 20 rows (their order does not change a mean)
    loss, layers = reference_step(small_network(), half_plane(20, 0.0, 3), 0.5)
    assert summary["train_loss"] == pytest.approx([loss], rel=1e-12)
    assert_network_is(loads(output.read_text(encoding="utf-8")), layers)


PAGE = """
from ui.pages import train
train.render()
"""


def test_the_train_page_offers_a_dataset_made_in_the_test_and_trains_on_it(with_half_plane):
    at = AppTest.from_string(PAGE, default_timeout=60)
    at.session_state[state.NETWORK] = small_network()
    at.run()
    select = at.selectbox(key=state.TRAIN_DATASET_SELECT)
    assert "Half plane (test)" in select.options
    select.set_value("half_plane").run()
    at.selectbox(key=state.TRAIN_LOSS).set_value("binary_cross_entropy").run()
    sliders = {slider.key: slider for slider in at.slider}
    assert not sliders[state.TRAIN_POINTS].disabled and not sliders[state.TRAIN_NOISE].disabled  # sized
    sliders[state.TRAIN_POINTS].set_value(20).run()
    next(s for s in at.slider if s.key == state.TRAIN_TEST_PERCENT).set_value(0).run()
    for key, value in ((state.TRAIN_BATCH_SIZE, 20), (state.TRAIN_LEARNING_RATE, 0.5)):
        next(w for w in at.number_input if w.key == key).set_value(value).run()
    assert not at.exception, at.exception
    next(b for b in at.button if b.label == "Step").click().run()
    assert not at.exception, at.exception
    # the page's data seed is 0: the 20 rows half_plane(20, 0, 0) makes, all trained on at once
    _, layers = reference_step(small_network(), half_plane(20, 0.0, 0), 0.5)
    assert_network_is(at.session_state[state.NETWORK], layers)
