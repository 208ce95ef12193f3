"""Exercise networks: a small network generated from a seed and a difficulty, the same pair
always giving the same network.

Numbers are small integers or have one decimal place. Sigmoid and tanh appear only in the output
layer, so every hidden value is an exact decimal; a leaky ReLU's 0.01·z gives it up to 7 places on
hard sheets, so the learner is told to carry 4 (mlpsim.workshop.topics.forward.carrying).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import forward
from mlpsim.core.network import Layer, Network
from mlpsim.workshop.topic import checked_seed


@dataclass(frozen=True)
class Difficulty:
    """What a difficulty promises: layer sizes to choose from, number ranges (inclusive, on a grid
    of ``step``) and the activations that may appear."""

    name: str
    sizes: tuple[tuple[int, ...], ...]
    input_range: tuple[float, float]
    weight_range: tuple[float, float]
    bias_range: tuple[float, float]
    step: float
    hidden_activations: tuple[str, ...]
    output_activations: tuple[str, ...]
    description: str


DIFFICULTIES: dict[str, Difficulty] = {
    "easy": Difficulty(
        name="easy",
        sizes=((2, 2, 1), (2, 3, 1)),
        input_range=(0, 3),
        weight_range=(-3, 3),
        bias_range=(-2, 2),
        step=1,
        hidden_activations=("relu",),
        output_activations=("linear", "relu"),
        description="2 inputs, one hidden layer of 2–3; whole numbers: inputs 0…3, weights −3…3, "
        "biases −2…2; ReLU, output linear or ReLU",
    ),
    "medium": Difficulty(
        name="medium",
        sizes=((2, 3, 2), (3, 3, 2), (3, 2, 2)),
        input_range=(-1, 1),
        weight_range=(-4, 4),
        bias_range=(-1, 1),
        step=0.1,
        hidden_activations=("relu", "linear"),
        output_activations=("linear", "relu", "sigmoid"),
        description="2–3 inputs, one hidden layer of 2–3, 2 outputs; one decimal place: inputs "
        "−1…1, weights −4…4, biases −1…1; ReLU or linear, output linear, ReLU or sigmoid",
    ),
    "hard": Difficulty(
        name="hard",
        sizes=((3, 4, 2), (3, 3, 3, 2), (2, 3, 3, 2)),
        input_range=(-2, 2),
        weight_range=(-2, 2),
        bias_range=(-1, 1),
        step=0.1,
        hidden_activations=("relu", "leaky_relu", "linear"),
        output_activations=("sigmoid", "tanh"),
        description="2–3 inputs, one or two hidden layers of 3–4, 2 outputs; one decimal place: "
        "inputs −2…2, weights −2…2, biases −1…1; ReLU, leaky ReLU or linear, output sigmoid or tanh",
    ),
}

_ATTEMPTS = 200
"""Redraws allowed to avoid a dull network (a ReLU layer whose neurons all output 0)."""


def _grid(rng: np.random.Generator, low: float, high: float, step: float, shape) -> np.ndarray:
    """Uniform draws from low, low+step, ..., high, rounded so 0.1-steps print as one decimal."""
    count = int(round((high - low) / step)) + 1
    values = low + rng.integers(0, count, size=shape) * step
    return np.round(values, 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def generate_network(seed: int, difficulty: str) -> Network:
    """The exercise network for (seed, difficulty); the same pair always gives the same network."""
    spec = checked_difficulty(difficulty)
    seed = checked_seed(seed)
    rng = np.random.default_rng([seed, list(DIFFICULTIES).index(spec.name)])
    for _ in range(_ATTEMPTS):
        network = _draw_network(rng, spec, seed)
        if _is_interesting(network):
            return network
    return network


def _draw_network(rng: np.random.Generator, spec: Difficulty, seed: int) -> Network:
    sizes = spec.sizes[int(rng.integers(len(spec.sizes)))]
    layers = []
    for k in range(1, len(sizes)):
        last = k == len(sizes) - 1
        choices = spec.output_activations if last else spec.hidden_activations
        layers.append(
            Layer(
                weights=_grid(rng, *spec.weight_range, spec.step, (sizes[k - 1], sizes[k])),
                bias=_grid(rng, *spec.bias_range, spec.step, (sizes[k],)),
                activation=choices[int(rng.integers(len(choices)))],
            )
        )
    return Network(
        input_size=sizes[0],
        layers=tuple(layers),
        input_values=_grid(rng, *spec.input_range, spec.step, (sizes[0],)),
        name=f"Exercise {seed} ({spec.name})",
    )


CURVED_Z_LIMIT = 3.0
"""Sigmoid/tanh outputs are drawn with |z| ≤ this, so their values are not all 0, 1 or ±1."""


def _is_interesting(network: Network) -> bool:
    """Some input is not 0, every hidden layer has a neuron with z > 0, and a sigmoid/tanh
    output layer is not saturated."""
    result = forward(network)
    if not np.any(network.input_values):
        return False
    if REGISTRY[network.layers[-1].activation].curved and np.any(np.abs(result.z[-1]) > CURVED_Z_LIMIT):
        return False
    return all(np.any(result.z[k] > 0) for k in range(len(network.layers) - 1))


def checked_difficulty(name: str) -> Difficulty:
    """The Difficulty called ``name``; ValidationError listing the choices otherwise."""
    if name not in DIFFICULTIES:
        raise ValidationError(f"difficulty {name!r}: choose one of {', '.join(DIFFICULTIES)}")
    return DIFFICULTIES[name]
