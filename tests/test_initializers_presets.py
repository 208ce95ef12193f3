"""Seeded initialisers (same seed, same network; the ranges each promises) and the presets: the
seed article's example as it describes it, the logic gates' truth tables, the MNIST-sized one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlpsim.core.errors import LimitError, ValidationError
from mlpsim.core.forward import forward
from mlpsim.core.initializers import INITIALIZERS, initialized_network
from mlpsim.core.limits import Limits
from mlpsim.io.presets import PRESETS, and_gate, mnist_sized, or_gate, seed_example, xor


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_the_same_seed_gives_the_same_network(name):
    first = initialized_network([5, 7, 3], "tanh", name, seed=42)
    again = initialized_network([5, 7, 3], "tanh", name, seed=42)
    for a, b in zip(first.layers, again.layers):
        assert np.array_equal(a.weights, b.weights)
        assert a.bias.tolist() == [0.0] * a.size
    assert first.layer_sizes == (5, 7, 3)
    assert [layer.activation for layer in first.layers] == ["tanh", "tanh"]
    assert first.input_values.tolist() == [0.0] * 5
    if name != "zeros":
        other = initialized_network([5, 7, 3], "tanh", name, seed=43)
        assert not np.array_equal(first.layers[0].weights, other.layers[0].weights)


def test_zeros():
    network = initialized_network([4, 3, 2], "relu", "zeros")
    assert all(not layer.weights.any() for layer in network.layers)


def test_uniform_stays_within_minus_one_and_one():
    weights = initialized_network([400, 300, 1], "relu", "uniform", seed=1).layers[0].weights
    assert weights.min() >= -1.0 and weights.max() <= 1.0
    assert weights.min() < -0.99 and weights.max() > 0.99  # it does use the whole range
    assert abs(weights.mean()) < 0.01


def test_xavier_range_is_sqrt_six_over_fan_in_plus_fan_out():
    n_in, n_out = 400, 200
    weights = initialized_network([n_in, n_out, 1], "tanh", "xavier", seed=3).layers[0].weights
    limit = math.sqrt(6 / (n_in + n_out))  # 0.1
    assert np.abs(weights).max() <= limit
    assert np.abs(weights).max() > 0.99 * limit
    # a uniform distribution on [-L, L] has standard deviation L/√3
    assert weights.std() == pytest.approx(limit / math.sqrt(3), rel=0.02)
    assert abs(weights.mean()) < 0.01 * limit


def test_he_standard_deviation_is_sqrt_two_over_fan_in():
    n_in, n_out = 512, 256
    weights = initialized_network([n_in, n_out, 1], "relu", "he", seed=5).layers[0].weights
    assert weights.std() == pytest.approx(math.sqrt(2 / n_in), rel=0.02)
    assert abs(weights.mean()) < 0.01 * math.sqrt(2 / n_in)


def test_initialiser_arguments_are_checked():
    with pytest.raises(ValidationError, match="unknown initialiser 'glorot'; choose one of zeros, uniform, xavier, he"):
        initialized_network([2, 2], "relu", "glorot")
    with pytest.raises(ValidationError, match="activations: expected 2 names, got 1"):
        initialized_network([2, 3, 1], ["relu"], "xavier")
    with pytest.raises(LimitError, match="limit is 1,024 per layer"):
        initialized_network([2, 5000, 1])
    big = initialized_network([2000, 1], "linear", "zeros", limits=Limits(max_layer_size=2000))
    assert big.layer_sizes == (2000, 1)


# ---- presets ----------------------------------------------------------------------------------


def test_preset_table():
    assert list(PRESETS)[0] == "Seed example (3-4-2)"
    assert set(PRESETS) == {
        "Seed example (3-4-2)",
        "XOR (2-2-1)",
        "AND perceptron (2-1)",
        "OR perceptron (2-1)",
        "Digit reader (64-32-16-10, trained)",
        "Random 784-128-64-10 (untrained)",
    }
    for name, factory in PRESETS.items():
        assert factory().name == name


def test_the_seed_example_is_the_articles_network():
    network = seed_example()
    assert network.layer_sizes == (3, 4, 2)
    w1 = network.layers[0].weights
    assert w1.shape == (3, 4)
    assert w1.tolist() == [[2, 8, -1, 3], [4, 9, 1, -6], [-3, 5, 2, 7]]
    # "the largest number in the matrix is W22 which carries a value of 9": row 2, column 2 (1-based)
    largest = max((w1[i][j], i + 1, j + 1) for i in range(3) for j in range(4))
    assert largest == (9.0, 2, 2)
    assert network.layers[0].bias.tolist() == [0.13, 0.14, 0.15, 0.16]
    assert network.layers[0].activation == "relu"
    assert network.layers[1].weights.shape == (4, 2)
    assert network.input_values.tolist() == [0.5, 0.1, 0.2]


TRUTH = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]


def test_xor_truth_table_is_exact():
    network = xor()
    assert network.layer_sizes == (2, 2, 1)
    for x1, x2 in TRUTH:
        assert forward(network, [x1, x2]).output.tolist() == [float(x1 != x2)]
    batch = forward(network, np.array(TRUTH)).output
    assert batch.tolist() == [[0.0], [1.0], [1.0], [0.0]]


@pytest.mark.parametrize("factory, truth", [(and_gate, lambda a, b: a and b), (or_gate, lambda a, b: a or b)])
def test_gate_truth_tables(factory, truth):
    network = factory()
    assert network.layer_sizes == (2, 1)
    for x1, x2 in TRUTH:
        out = forward(network, [x1, x2]).output[0]
        if truth(x1, x2):
            assert out > 0.999
        else:
            assert out < 0.001


def test_the_random_mnist_sized_network_is_seeded():
    first, again = mnist_sized(), mnist_sized()
    assert first.layer_sizes == (784, 128, 64, 10)
    assert [layer.activation for layer in first.layers] == ["relu", "relu", "softmax"]
    for a, b in zip(first.layers, again.layers):
        assert np.array_equal(a.weights, b.weights)
    assert np.array_equal(first.input_values, again.input_values)
    assert first.input_values.min() >= 0.0 and first.input_values.max() < 1.0
    assert first.layers[0].weights.std() == pytest.approx(math.sqrt(2 / 784), rel=0.03)  # He
    assert not np.array_equal(mnist_sized(seed=1).layers[0].weights, first.layers[0].weights)
    output = forward(first).output
    assert output.shape == (10,) and math.isclose(float(output.sum()), 1.0, rel_tol=1e-12)
