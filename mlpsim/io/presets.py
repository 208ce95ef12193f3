"""Ready-made networks: the seed article's example, logic gates, a trained digit reader, and an
untrained MNIST-sized network."""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from mlpsim.core.initializers import initialized_network
from mlpsim.core.network import Layer, Network
from mlpsim.io import fileformat


def seed_example() -> Network:
    """The seed article's 3 → 4 → 2 network: W1 is 3×4 with its largest weight, 9, at W1[2,2]
    (IN2 → N2), and hidden biases 0.13, 0.14, 0.15, 0.16."""
    return Network(
        name="Seed example (3-4-2)",
        input_size=3,
        input_values=np.array([0.5, 0.1, 0.2]),
        layers=(
            Layer(
                weights=np.array([[2.0, 8.0, -1.0, 3.0], [4.0, 9.0, 1.0, -6.0], [-3.0, 5.0, 2.0, 7.0]]),
                bias=np.array([0.13, 0.14, 0.15, 0.16]),
                activation="relu",
            ),
            Layer(
                weights=np.array([[0.2, -0.3], [0.1, -0.2], [-0.4, 0.5], [0.3, 0.1]]),
                bias=np.array([0.1, -0.2]),
                activation="sigmoid",
            ),
        ),
    )


def xor() -> Network:
    """2-2-1 XOR with ReLU: N1 = x1 + x2, N2 = max(0, x1 + x2 − 1), out = N1 − 2·N2 (exact 0/1)."""
    return Network(
        name="XOR (2-2-1)",
        input_size=2,
        input_values=np.array([1.0, 0.0]),
        layers=(
            Layer(weights=np.array([[1.0, 1.0], [1.0, 1.0]]), bias=np.array([0.0, -1.0]), activation="relu"),
            Layer(weights=np.array([[1.0], [-2.0]]), bias=np.array([0.0]), activation="linear"),
        ),
    )


def _gate(name: str, bias: float) -> Network:
    # sigmoid(20·x1 + 20·x2 + bias): bias −30 fires only for (1, 1); −10 for any 1.
    return Network(
        name=name,
        input_size=2,
        input_values=np.array([1.0, 1.0]),
        layers=(Layer(weights=np.array([[20.0], [20.0]]), bias=np.array([bias]), activation="sigmoid"),),
    )


def and_gate() -> Network:
    return _gate("AND perceptron (2-1)", -30.0)


def or_gate() -> Network:
    return _gate("OR perceptron (2-1)", -10.0)


def random_network(
    layer_sizes: Sequence[int], activations: Sequence[str] | str = "relu", initializer: str = "xavier", seed: int = 0
) -> Network:
    """A network named 'Random 3-4-2' with seeded weights (``initialized_network``), zero
    biases, and a seeded random input in [0, 1): non-zero, so the output shows what the
    weights do (with a zero input every weighted sum is just the bias)."""
    network = initialized_network(layer_sizes, activations, initializer=initializer, seed=seed)
    rng = np.random.default_rng(seed + 1)
    return replace(
        network, name=f"Random {'-'.join(map(str, layer_sizes))}", input_values=rng.uniform(0.0, 1.0, layer_sizes[0])
    )


DIGIT_READER_NAME = "Digit reader (64-32-16-10, trained)"
DIGIT_READER_FILE = importlib.resources.files("mlpsim") / "preset_files" / "digit_reader.json"
"""Shipped inside the package; ``scripts/train_digit_reader.py`` regenerates it bit for bit."""
DIGIT_SPLIT_SEED = 0
DIGIT_TEST_FRACTION = 0.25
"""The digit reader's test rows: ``datasets.split(datasets.digits(), 0.25, seed=0)``."""


def digit_reader() -> Network:
    """A 64-32-16-10 network (ReLU, ReLU, softmax) trained by mlpsim's own training code on
    scikit-learn's digits. Its inputs are raw pixels divided by 16 — ink in [0, 1], row by row
    from the top-left of the 8×8 image — NOT standardised, so a drawn digit goes in as it is.
    Output k is the probability of digit k; it opens with the first test image as its input."""
    return fileformat.loads(DIGIT_READER_FILE.read_bytes())


MNIST_SIZED_NAME = "Random 784-128-64-10 (untrained)"


def mnist_sized(seed: int = 0) -> Network:
    """A seeded random, untrained 784-128-64-10 network (He weights, ReLU, softmax) with a random
    input in [0, 1): the size of an MNIST reader, not one (its outputs are all about 0.1)."""
    network = random_network([784, 128, 64, 10], ["relu", "relu", "softmax"], initializer="he", seed=seed)
    return replace(network, name=MNIST_SIZED_NAME)


PRESETS: dict[str, Callable[[], Network]] = {
    name: functools.cache(build)
    for name, build in {
        "Seed example (3-4-2)": seed_example,
        "XOR (2-2-1)": xor,
        "AND perceptron (2-1)": and_gate,
        "OR perceptron (2-1)": or_gate,
        DIGIT_READER_NAME: digit_reader,
        MNIST_SIZED_NAME: mnist_sized,
    }.items()
}
"""Name → the preset. Each is built once per process: a Network is immutable, so every session
can share one copy, and with it the per-layer caches of the diagram and the tables."""
