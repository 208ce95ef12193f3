"""Fair rounding for backpropagation exercises: bounds on how far a learner who carries every value
they use again rounded to CARRIED_FIGURES significant figures can end up from the exact value.

The learner's steps, as the sheet and the hints lay them out (one sample, squared error):
forward, each product w·x, then z = Σ w·x + b, then a = f(z); at the output d = a − y, the loss
½ Σ d², f′(z) (sigmoid: 1 − a, then a·(1 − a)) and δ = d·f′(z); in a hidden layer each term
W[i,j]·δⱼ, their sum, then δᵢ = sum·f′(zᵢ); each gradient x·δ, each step η·g and the updated
w − η·g. Every one of those values may be rounded before it is used again; the bound covers a
learner who rounds any of them (or none) to CARRIED_FIGURES or more figures.

Bounds propagate as (exact value, largest error) pairs: a product x·y is off by
|x|·e_y + |y|·e_x + e_x·e_y, a sum by the sum of the errors, a(1 − a) by e·|1 − 2a| + e²,
sigmoid(z) by its steepest slope within z ± e times e, ReLU(z) by e (its slope flips only when
|z| ≤ e, which then costs a whole unit of f′). A rounding adds half a unit in the last carried
figure unless the value is exact already and has at most CARRIED_FIGURES figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpsim.core.network import Network

CARRIED_FIGURES = 4
"""The learner carries every value they reuse with this many significant figures (or more)."""


def _half_unit(magnitude: np.ndarray) -> np.ndarray:
    """Half a unit in the CARRIED_FIGURES-th significant figure of numbers up to ``magnitude``."""
    magnitude = np.asarray(magnitude, dtype=float)
    safe = np.where(magnitude > 0, magnitude, 1.0)
    return np.where(magnitude > 0, 0.5 * 10.0 ** (np.floor(np.log10(safe)) - CARRIED_FIGURES + 1), 0.0)


def has_short_figures(value: np.ndarray) -> np.ndarray:
    """Where ``value`` is a decimal with at most CARRIED_FIGURES significant figures (0 included)."""
    value = np.asarray(value, dtype=float)
    unit = 2 * _half_unit(np.abs(value))
    safe = np.where(unit > 0, unit, 1.0)
    scaled = value / safe
    return (value == 0) | (np.abs(scaled - np.round(scaled)) <= 1e-6 * np.maximum(1.0, np.abs(scaled)))


@dataclass(frozen=True, eq=False)
class Carried:
    """An exact value (any shape) and the most a learner's carried value of it can differ."""

    value: np.ndarray
    error: np.ndarray

    @staticmethod
    def exact(value) -> Carried:
        value = np.asarray(value, dtype=float)
        return Carried(value, np.zeros_like(value))

    def rounded(self) -> Carried:
        """What the learner may carry on: rounded to CARRIED_FIGURES figures unless exact and short."""
        exact_and_short = (self.error == 0) & has_short_figures(self.value)
        extra = np.where(exact_and_short, 0.0, _half_unit(np.abs(self.value) + self.error))
        return Carried(self.value, self.error + extra)

    def times(self, other: Carried) -> Carried:
        """Elementwise (numpy broadcasting) product, rounded."""
        return Carried(
            self.value * other.value,
            np.abs(self.value) * other.error + np.abs(other.value) * self.error + self.error * other.error,
        ).rounded()

    def plus(self, other: Carried) -> Carried:
        return Carried(self.value + other.value, self.error + other.error).rounded()

    def total(self, axis: int) -> Carried:
        """The sum along ``axis``, rounded."""
        return Carried(self.value.sum(axis=axis), self.error.sum(axis=axis)).rounded()


def _activated(activation: str, z: Carried) -> Carried:
    if activation == "linear":
        return z
    if activation == "relu":
        return Carried(np.maximum(z.value, 0.0), np.where(z.value + z.error > 0, z.error, 0.0))
    if activation == "sigmoid":
        nearest_zero = np.where(np.abs(z.value) <= z.error, 0.0, np.abs(z.value) - z.error)
        steepest = 1.0 / (1.0 + np.exp(-nearest_zero))
        return Carried(1.0 / (1.0 + np.exp(-z.value)), steepest * (1.0 - steepest) * z.error).rounded()
    raise ValueError(f"backprop exercises have no {activation} layers")


def _derivative(activation: str, z: Carried, a: Carried) -> Carried:
    """f′(z) as the learner computes it: 1, ReLU's 0 or 1 from z's sign, sigmoid's a·(1 − a)."""
    if activation == "linear":
        return Carried.exact(np.ones_like(z.value))
    if activation == "relu":
        flips = np.abs(z.value) <= z.error
        return Carried((z.value > 0).astype(float), np.where(flips, 1.0, 0.0))
    one_minus = Carried(1.0 - a.value, a.error).rounded()
    return a.times(one_minus)


@dataclass(frozen=True, eq=False)
class BackpropCarry:
    """Bounds per weighted layer (index position − 1): z, a, f′ and δ are (M,); the weight
    gradients and updated weights (N, M) like W; the updated biases (M,); ``loss`` a number.
    ``carried`` lists every value the learner uses again, to tell whether all are short."""

    z: tuple[np.ndarray, ...]
    a: tuple[np.ndarray, ...]
    derivatives: tuple[np.ndarray, ...]
    deltas: tuple[np.ndarray, ...]
    weight_gradients: tuple[np.ndarray, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    loss: float
    carried: tuple[Carried, ...]

    @property
    def every_value_short(self) -> bool:
        """Whether every carried value is exact with at most CARRIED_FIGURES figures: no answer
        then needs more than the plain tolerance."""
        return all(not np.any(c.error) and bool(np.all(has_short_figures(c.value))) for c in self.carried)


def carried_backward(network: Network, target: np.ndarray, learning_rate: float) -> BackpropCarry:
    """Worst-case errors of the learner's forward pass, loss, δs, gradients and updates for the
    network's own input values and ``target`` (M_L,)."""
    carried: list[Carried] = []
    x = Carried.exact(network.input_values)
    zs, activations = [], []
    for layer in network.layers:
        products = Carried.exact(layer.weights).times(Carried(x.value[:, None], x.error[:, None]))
        z = products.total(axis=0).plus(Carried.exact(layer.bias))
        a = _activated(layer.activation, z)
        carried += [products, z, a]
        zs.append(z)
        activations.append(a)
        x = a
    count = len(network.layers)
    difference = Carried(activations[-1].value - np.asarray(target, dtype=float), activations[-1].error).rounded()
    squares = difference.times(difference)
    loss = Carried(np.asarray(0.5 * squares.value.sum()), np.asarray(0.5 * squares.error.sum()))
    carried += [difference, squares]
    derivatives: list[Carried] = [difference] * count
    deltas: list[Carried] = [difference] * count
    for k in range(count - 1, -1, -1):
        layer = network.layers[k]
        derivatives[k] = _derivative(layer.activation, zs[k], activations[k])
        if k == count - 1:
            upstream = difference
        else:
            following = network.layers[k + 1]
            terms = Carried.exact(following.weights).times(
                Carried(deltas[k + 1].value[None, :], deltas[k + 1].error[None, :])
            )
            upstream = terms.total(axis=1)
            carried += [terms, upstream]
        if np.any(derivatives[k].error):
            deltas[k] = upstream.times(derivatives[k])
        else:  # f′ is exactly 0 or 1 (linear, ReLU away from its kink): δ is the sum or 0, copied
            deltas[k] = Carried(upstream.value * derivatives[k].value, upstream.error * derivatives[k].value)
        carried += [derivatives[k], deltas[k]]
    gradients, weights, biases = [], [], []
    rate = Carried.exact(learning_rate)
    for k, layer in enumerate(network.layers):
        source = Carried.exact(network.input_values) if k == 0 else activations[k - 1]
        gradient = Carried(source.value[:, None], source.error[:, None]).times(
            Carried(deltas[k].value[None, :], deltas[k].error[None, :])
        )
        step = rate.times(gradient)
        bias_step = rate.times(deltas[k])
        gradients.append(gradient.error)
        weights.append(Carried(layer.weights - step.value, step.error).error)
        biases.append(Carried(layer.bias - bias_step.value, bias_step.error).error)
        carried += [gradient, step, bias_step]
    return BackpropCarry(
        z=tuple(z.error for z in zs),
        a=tuple(a.error for a in activations),
        derivatives=tuple(d.error for d in derivatives),
        deltas=tuple(d.error for d in deltas),
        weight_gradients=tuple(gradients),
        weights=tuple(weights),
        biases=tuple(biases),
        loss=float(loss.error),
        carried=tuple(carried),
    )
