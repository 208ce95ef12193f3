"""Activation functions f(z) and their derivatives f′(z), declared once each in a registry.

Every function takes z of shape (M,) or (B, M) and returns an array of the same shape. All are
finite and correct for every finite z (±1e308 included) and correct for ±inf, and none emits a
RuntimeWarning: intermediate overflow is either impossible by construction or silenced locally
(``np.errstate`` is thread-local, so other sessions are not affected).

Derivatives take (z, a) with a = f(z) already computed, because sigmoid′ = a(1 − a) and
tanh′ = 1 − a² are cheapest (and, as in scikit-learn, computed) from a. Choices at the kinks:
ReLU′(0) = 0 (scikit-learn's choice too: it zeroes the gradient where the output is 0) and leaky
ReLU′(0) = LEAKY_RELU_SLOPE (the forward pass uses the slope branch for z ≤ 0). Softmax is not
elementwise — each aⱼ depends on every z — so it has no f′(z) vector; its backward step goes
through the Jacobian, ∂aⱼ/∂zᵢ = aⱼ(δᵢⱼ − aᵢ), in ``Activation.backward``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

LEAKY_RELU_SLOPE = 0.01


def linear(z: np.ndarray) -> np.ndarray:
    return np.array(z, dtype=float, copy=True)


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def leaky_relu(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, LEAKY_RELU_SLOPE * z)


def tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)


def sigmoid(z: np.ndarray) -> np.ndarray:
    # 1/(1+e^-z) written as exp(-log(1+e^-z)): logaddexp never overflows, and stays accurate
    # for large negative z where 1 + tanh(z/2) would round to 0.
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis (the layer's neurons). +inf entries share all the mass."""
    z = np.asarray(z, dtype=float)
    top = np.max(z, axis=-1, keepdims=True)
    with np.errstate(over="ignore", invalid="ignore"):
        shifted = np.exp(z - top)  # -1e308 - 1e308 overflows to -inf; exp(-inf) = 0 is right
    if np.isfinite(top).all():
        # The common case, and the only one a forward pass meets (its z is finite): z - top is
        # never NaN and the largest entry contributes e^0 = 1, so the sum is at least 1.
        return shifted / shifted.sum(axis=-1, keepdims=True)
    shifted = np.where(np.isnan(shifted), 0.0, shifted)
    infinite = np.isposinf(z)
    any_infinite = infinite.any(axis=-1, keepdims=True)
    all_negative_infinite = np.isneginf(top)
    shifted = np.where(any_infinite, infinite.astype(float), shifted)
    shifted = np.where(all_negative_infinite, 1.0, shifted)  # every z = -inf: equal shares
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _linear_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones_like(a)


def _relu_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return (z > 0).astype(float)


def _leaky_relu_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.where(z > 0, 1.0, LEAKY_RELU_SLOPE)


def _tanh_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 1.0 - a * a


def _sigmoid_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return a * (1.0 - a)


@dataclass(frozen=True)
class Activation:
    """One activation: its function, its derivative, how people write them, and its properties.

    Every other module reads an activation's facts from here (``REGISTRY[name]``, looked up when
    used, never copied at import time), so a new activation is one entry.

    function(z) → a, same shape as z, (M,) or (B, M).
    derivative(z, a) → f′(z), same shape as z; None exactly when the activation is not
        elementwise (softmax), whose backward step is the Jacobian product in ``backward``.
    Templates (``str.format`` with the numbers, each written by the medium: ``{z}``, or
    ``{z:factor}`` for a factor, in parentheses when negative — see ``mlpsim.explain.notation``):
        applied_text / applied_latex: f with z's number in: 'max(0, {z})'; also ``{minus_z}``
            (−z), ``{exp_sum}`` (Σₖ e^(zₖ) over the layer, written out) and the parameters.
        derivative_worked_text / _latex: f′(z) with the numbers: '{a}·(1 - a) …'; also ``{a}``,
            ``{one_minus_a}``, ``{value}`` (f′(z)), ``{relation}`` ('>' or '≤' between z and 0).
    """

    name: str
    title: str
    """As the diagram's layer heading writes it: 'ReLU', 'leaky ReLU', 'sigmoid'."""
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray] | None
    formula_text: str
    formula_latex: str
    derivative_text: str
    derivative_latex: str
    applied_text: str
    applied_latex: str
    derivative_worked_text: str
    derivative_worked_latex: str
    elementwise: bool
    """Each aⱼ depends on zⱼ alone; False for softmax, whose every a depends on the whole layer."""
    curved: bool
    """True for a smooth curve (sigmoid, tanh): its values are checked to significant figures, and
    its slope is at most 1 but varies. False for piecewise linear f(z) = f′(z)·z (linear, ReLU,
    leaky ReLU), which keeps the decimals of z where its slope is 0 or 1."""
    parameters: Mapping[str, float] = field(default_factory=dict)
    """Fixed numbers in the formula, by the name its templates use: {'slope': 0.01}."""
    output_range: tuple[float | None, float | None] = (None, None)
    """(lowest, highest) value f can take; None where unbounded: sigmoid (0, 1), ReLU (0, None)."""

    def __post_init__(self) -> None:
        if self.elementwise != (self.derivative is not None):
            raise ValueError(f"activation {self.name}: an elementwise activation has a derivative, softmax none")

    def backward(self, z: np.ndarray, a: np.ndarray, upstream: np.ndarray) -> np.ndarray:
        """∂L/∂z from ∂L/∂a (``upstream``), all of shape (M,) or (B, M).

        Elementwise: ∂L/∂zⱼ = ∂L/∂aⱼ · f′(zⱼ). Softmax: ∂L/∂zᵢ = Σⱼ ∂L/∂aⱼ · aⱼ(δᵢⱼ − aᵢ)
        = aᵢ(∂L/∂aᵢ − Σⱼ ∂L/∂aⱼ·aⱼ), the Jacobian product without building the M×M matrix.
        """
        if self.derivative is not None:
            return upstream * self.derivative(z, a)
        return a * (upstream - np.sum(upstream * a, axis=-1, keepdims=True))

    def slope_bound(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """max |f′| over [low, high] (arrays of one shape): how much f can magnify a change of z
        there. Every registered f′ is monotone in |z| on each side of 0, so the largest value is
        at an end or at 0. Softmax: 1, which bounds its partial derivatives (they sum to ≤ 0.5)."""
        if self.derivative is None:
            return np.ones(np.shape(low))
        ends = [np.asarray(low, dtype=float), np.asarray(high, dtype=float)]
        ends.append(np.where((low <= 0) & (high >= 0), 0.0, ends[0]))
        slopes = [np.abs(self.derivative(end, self.function(end))) for end in ends]
        return np.maximum.reduce(slopes)

    def keeps_decimals(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """Where f(z) has no more decimals than z for every z in [low, high]: a piecewise linear
        f whose slope at both ends is 0 or 1 gives z or 0. Shape of low."""
        if self.curved or self.derivative is None:
            return np.zeros(np.shape(low), dtype=bool)
        kept = np.ones(np.shape(low), dtype=bool)
        for end in (np.asarray(low, dtype=float), np.asarray(high, dtype=float)):
            slope = self.derivative(end, self.function(end))
            kept &= (slope == 0) | (slope == 1)
        return kept


REGISTRY: dict[str, Activation] = {
    activation.name: activation
    for activation in (
        Activation(
            name="linear",
            title="linear",
            function=linear,
            derivative=_linear_derivative,
            formula_text="f(z) = z",
            formula_latex=r"f(z) = z",
            derivative_text="f′(z) = 1",
            derivative_latex=r"f'(z) = 1",
            applied_text="{z}",
            applied_latex="{z}",
            derivative_worked_text="{value}",
            derivative_worked_latex="{value}",
            elementwise=True,
            curved=False,
        ),
        Activation(
            name="relu",
            title="ReLU",
            function=relu,
            derivative=_relu_derivative,
            formula_text="f(z) = max(0, z)",
            formula_latex=r"f(z) = \max(0, z)",
            derivative_text="f′(z) = 1 if z > 0 else 0",
            derivative_latex=r"f'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}",
            applied_text="max(0, {z})",
            applied_latex=r"\max(0,\ {z})",
            derivative_worked_text="{value} (z = {z} {relation} 0)",
            derivative_worked_latex=r"{value} \quad (z = {z} {relation} 0)",
            elementwise=True,
            curved=False,
            output_range=(0.0, None),
        ),
        Activation(
            name="leaky_relu",
            title="leaky ReLU",
            function=leaky_relu,
            derivative=_leaky_relu_derivative,
            formula_text=f"f(z) = z if z > 0 else {LEAKY_RELU_SLOPE}·z",
            formula_latex=rf"f(z) = \begin{{cases}} z & z > 0 \\ {LEAKY_RELU_SLOPE}\,z & z \le 0 \end{{cases}}",
            derivative_text=f"f′(z) = 1 if z > 0 else {LEAKY_RELU_SLOPE}",
            derivative_latex=rf"f'(z) = \begin{{cases}} 1 & z > 0 \\ {LEAKY_RELU_SLOPE} & z \le 0 \end{{cases}}",
            applied_text="max({slope} × {z:factor}, {z})",
            applied_latex=r"\max({slope} \cdot {z:factor},\ {z})",
            derivative_worked_text="{value} (z = {z} {relation} 0)",
            derivative_worked_latex=r"{value} \quad (z = {z} {relation} 0)",
            elementwise=True,
            curved=False,
            parameters={"slope": LEAKY_RELU_SLOPE},
        ),
        Activation(
            name="tanh",
            title="tanh",
            function=tanh,
            derivative=_tanh_derivative,
            formula_text="f(z) = tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z))",
            formula_latex=r"f(z) = \tanh(z)",
            derivative_text="f′(z) = 1 − tanh²(z) = 1 − a²",
            derivative_latex=r"f'(z) = 1 - \tanh^2(z) = 1 - a^2",
            applied_text="tanh({z})",
            applied_latex=r"\tanh({z})",
            derivative_worked_text="1 - a² = 1 - {a:factor}² = {value}",
            derivative_worked_latex="1 - a^2 = 1 - {a:factor}^2 = {value}",
            elementwise=True,
            curved=True,
            output_range=(-1.0, 1.0),
        ),
        Activation(
            name="sigmoid",
            title="sigmoid",
            function=sigmoid,
            derivative=_sigmoid_derivative,
            formula_text="f(z) = 1 / (1 + e^(−z))",
            formula_latex=r"f(z) = \frac{1}{1 + e^{-z}}",
            derivative_text="f′(z) = f(z)·(1 − f(z)) = a·(1 − a)",
            derivative_latex=r"f'(z) = f(z)\,(1 - f(z)) = a\,(1 - a)",
            applied_text="1 / (1 + e^({minus_z}))",
            applied_latex=r"\frac{{1}}{{1 + e^{{{minus_z}}}}}",
            derivative_worked_text="a·(1 - a) = {a} × {one_minus_a:factor} = {value}",
            derivative_worked_latex=r"a\,(1 - a) = {a} \cdot {one_minus_a:factor} = {value}",
            elementwise=True,
            curved=True,
            output_range=(0.0, 1.0),
        ),
        Activation(
            name="softmax",
            title="softmax",
            function=softmax,
            derivative=None,
            formula_text="f(z)_j = e^(z_j) / Σ_k e^(z_k)",
            formula_latex=r"f(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}",
            derivative_text="∂a_j/∂z_i = a_j·(1 − a_i) if i = j else −a_j·a_i",
            derivative_latex=r"\frac{\partial a_j}{\partial z_i} = a_j\,(\delta_{ij} - a_i)",
            applied_text="e^({z}) / ({exp_sum})",
            applied_latex=r"\frac{{e^{{{z}}}}}{{{exp_sum}}}",
            derivative_worked_text="",
            derivative_worked_latex="",
            elementwise=False,
            curved=True,
            output_range=(0.0, 1.0),
        ),
    )
}
"""Name → activation, in the order people are offered them (the app's menus, a worksheet's list)."""
