"""Backpropagation exercise tasks: a small network, its input, a target and a learning rate,
generated from a seed and a difficulty; the same pair always gives the same task.

The loss is always squared error for one sample, L = ½ Σₖ (aₖ − yₖ)² (the core's
``squared_error``), stated on every sheet. Easy and medium numbers keep every value a learner
carries exact with at most 4 significant figures (whole-number inputs; whole or one-decimal
weights; ReLU and linear only); hard ones bring in a sigmoid layer, whose values the learner
rounds (mlpsim.workshop.topics.backprop.carrying bounds what that rounding can cost).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpsim.core.backward import Gradients, backward
from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import ForwardResult, forward
from mlpsim.core.losses import LOSSES, Loss
from mlpsim.core.network import Layer, Network
from mlpsim.workshop.topic import checked_seed
from mlpsim.workshop.topics.backprop.carrying import carried_backward

LOSS_NAME = "squared_error"
LOSS_FORMULA = "L = ½ Σₖ (aₖ − yₖ)²"
LOSS_TEXT = f"{LOSS_FORMULA}, summed over the output neurons, for this one input (squared error)"
"""The loss as every backprop sheet and page states it."""


@dataclass(frozen=True)
class BackpropDifficulty:
    """What a backprop difficulty promises. Ranges are inclusive, on a grid of their step;
    ``layer_activations`` lists the (hidden, output) pairs that may appear."""

    name: str
    sizes: tuple[tuple[int, ...], ...]
    input_range: tuple[float, float, float]
    """(low, high, step)"""
    weight_range: tuple[float, float, float]
    bias_range: tuple[float, float, float]
    layer_activations: tuple[tuple[str, str], ...]
    target_ranges: dict[str, tuple[float, float, float]]
    """(low, high, step) of the targets, by output activation."""
    learning_rates: tuple[float, ...]
    largest: float
    """No z, a, δ or gradient is larger than this in size."""
    short_values: bool
    """Every value the learner carries is exact with at most 4 significant figures."""
    description: str


BACKPROP_DIFFICULTIES: dict[str, BackpropDifficulty] = {
    "easy": BackpropDifficulty(
        name="easy",
        sizes=((2, 2, 1), (2, 3, 1)),
        input_range=(0, 2, 1),
        weight_range=(-2, 2, 1),
        bias_range=(-1, 1, 1),
        layer_activations=(("relu", "linear"),),
        target_ranges={"linear": (0, 4, 1)},
        learning_rates=(0.1,),
        largest=20.0,
        short_values=True,
        description="2 inputs, one hidden layer of 2–3 ReLU neurons, one linear output; whole numbers: "
        "inputs 1…2, weights −2…2, biases −1…1, target 0…4; learning rate 0.1",
    ),
    "medium": BackpropDifficulty(
        name="medium",
        sizes=((2, 2, 1), (2, 2, 2), (3, 2, 1)),
        input_range=(-2, 2, 1),
        weight_range=(-1, 1, 0.1),
        bias_range=(-0.5, 0.5, 0.1),
        layer_activations=(("relu", "linear"), ("linear", "linear"), ("relu", "relu")),
        target_ranges={"linear": (-1, 1, 0.1), "relu": (0, 1, 0.1)},
        learning_rates=(0.1, 0.5),
        largest=10.0,
        short_values=True,
        description="2–3 inputs, one hidden layer of 2 (ReLU or linear), 1–2 outputs (linear or ReLU); "
        "whole-number inputs −2…2 (not 0), one-decimal weights −1…1, biases −0.5…0.5, targets −1…1; "
        "learning rate 0.1 or 0.5",
    ),
    "hard": BackpropDifficulty(
        name="hard",
        sizes=((2, 2, 1), (2, 2, 2), (2, 3, 2)),
        input_range=(-1, 1, 0.1),
        weight_range=(-1, 1, 0.1),
        bias_range=(-0.5, 0.5, 0.1),
        layer_activations=(("relu", "sigmoid"), ("sigmoid", "linear")),
        target_ranges={"sigmoid": (0, 1, 1), "linear": (-1, 1, 0.5)},
        learning_rates=(0.5, 1.0),
        largest=5.0,
        short_values=False,
        description="2 inputs, one hidden layer of 2–3, 1–2 outputs, one layer sigmoid (hidden ReLU with a "
        "sigmoid output, or a sigmoid hidden layer with a linear output); one decimal place: inputs (not 0) and "
        "weights −1…1, biases −0.5…0.5; targets 0 or 1 (sigmoid) or −1…1 in halves; learning rate 0.5 or 1",
    ),
}

SIGMOID_Z_LIMIT = 2.5
"""A sigmoid's z stays within ±this, so a·(1 − a) is at least 0.07 (not a vanishing gradient)."""
SMALLEST_DIFFERENCE = 0.1
"""Every output is at least this far from its target: the error has something to carry back."""
_ATTEMPTS = 500


@dataclass(frozen=True, eq=False)
class BackpropTask:
    """A network with its input values, the target (M_L,) and the learning rate; the forward
    pass and the gradients (core) of that one sample under squared error."""

    network: Network
    target: np.ndarray
    learning_rate: float
    result: ForwardResult
    gradients: Gradients

    @property
    def loss(self) -> Loss:
        return LOSSES[LOSS_NAME]


def checked_backprop_difficulty(name: str) -> BackpropDifficulty:
    if name not in BACKPROP_DIFFICULTIES:
        raise ValidationError(f"difficulty {name!r}: choose one of {', '.join(BACKPROP_DIFFICULTIES)}")
    return BACKPROP_DIFFICULTIES[name]


def _grid(rng: np.random.Generator, bounds: tuple[float, float, float], shape) -> np.ndarray:
    """Uniform draws from low, low+step, ..., high, rounded so 0.1-steps print as one decimal."""
    low, high, step = bounds
    count = int(round((high - low) / step)) + 1
    return np.round(low + rng.integers(0, count, size=shape) * step, 1) + 0.0  # + 0.0: no -0.0


def _draw(rng: np.random.Generator, spec: BackpropDifficulty, seed: int) -> tuple[Network, np.ndarray, float]:
    sizes = spec.sizes[int(rng.integers(len(spec.sizes)))]
    hidden, output = spec.layer_activations[int(rng.integers(len(spec.layer_activations)))]
    layers = tuple(
        Layer(
            weights=_grid(rng, spec.weight_range, (sizes[k - 1], sizes[k])),
            bias=_grid(rng, spec.bias_range, (sizes[k],)),
            activation=output if k == len(sizes) - 1 else hidden,
        )
        for k in range(1, len(sizes))
    )
    network = Network(
        input_size=sizes[0],
        layers=layers,
        input_values=_grid(rng, spec.input_range, (sizes[0],)),
        name=f"Backprop exercise {seed} ({spec.name})",
    )
    target = _grid(rng, spec.target_ranges[output], (sizes[-1],))
    rate = spec.learning_rates[int(rng.integers(len(spec.learning_rates)))]
    return network, target, rate


def _is_workable(spec: BackpropDifficulty, task: BackpropTask) -> bool:
    """No input is 0; every output is SMALLEST_DIFFERENCE or more from its target and has a
    δ; every hidden layer has a neuron with a δ; no sigmoid saturates; nothing is larger than
    the difficulty allows; and on easy and medium every carried value is short."""
    network, result, gradients = task.network, task.result, task.gradients
    if not np.all(network.input_values):
        return False
    if np.any(np.abs(result.output - task.target) < SMALLEST_DIFFERENCE) or not np.all(gradients.deltas[-1]):
        return False
    if not all(np.any(delta) for delta in gradients.deltas[:-1]):
        return False
    for layer, z in zip(network.layers, result.z):
        if layer.activation == "sigmoid" and np.any(np.abs(z) > SIGMOID_Z_LIMIT):
            return False
        if layer.activation == "relu" and np.any(np.abs(z) < 1e-9):
            return False  # z = 0 (up to float noise): f′(0) is a convention, not something to work out
    values = [*result.z, *result.a, *gradients.deltas, *gradients.weights]
    if max(float(np.max(np.abs(v))) for v in values) > spec.largest:
        return False
    return not spec.short_values or carried_backward(network, task.target, task.learning_rate).every_value_short


def generate_backprop_task(seed: int, difficulty: str) -> BackpropTask:
    """The backprop task for (seed, difficulty); the same pair always gives the same task."""
    spec = checked_backprop_difficulty(difficulty)
    seed = checked_seed(seed)
    rng = np.random.default_rng([seed, list(BACKPROP_DIFFICULTIES).index(spec.name), 17])
    for _ in range(_ATTEMPTS):
        network, target, rate = _draw(rng, spec, seed)
        result = forward(network)
        task = BackpropTask(network, target, rate, result, backward(network, target, loss=LOSS_NAME, result=result))
        if _is_workable(spec, task):
            return task
    return task
