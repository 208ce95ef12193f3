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

from collections.abc import Callable
from dataclasses import dataclass

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
    """One activation: its function, its derivative and how people write them.

    derivative(z, a) → f′(z), same shape as z; None when the activation is not elementwise
    (softmax), whose backward step is the Jacobian product in ``backward``.
    """

    name: str
    title: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray] | None
    formula_text: str
    formula_latex: str
    derivative_text: str
    derivative_latex: str

    @property
    def elementwise(self) -> bool:
        return self.derivative is not None

    def backward(self, z: np.ndarray, a: np.ndarray, upstream: np.ndarray) -> np.ndarray:
        """∂L/∂z from ∂L/∂a (``upstream``), all of shape (M,) or (B, M).

        Elementwise: ∂L/∂zⱼ = ∂L/∂aⱼ · f′(zⱼ). Softmax: ∂L/∂zᵢ = Σⱼ ∂L/∂aⱼ · aⱼ(δᵢⱼ − aᵢ)
        = aᵢ(∂L/∂aᵢ − Σⱼ ∂L/∂aⱼ·aⱼ), the Jacobian product without building the M×M matrix.
        """
        if self.derivative is not None:
            return upstream * self.derivative(z, a)
        return a * (upstream - np.sum(upstream * a, axis=-1, keepdims=True))


REGISTRY: dict[str, Activation] = {
    activation.name: activation
    for activation in (
        Activation(
            "linear",
            "Linear",
            linear,
            _linear_derivative,
            "f(z) = z",
            r"f(z) = z",
            "f′(z) = 1",
            r"f'(z) = 1",
        ),
        Activation(
            "relu",
            "ReLU",
            relu,
            _relu_derivative,
            "f(z) = max(0, z)",
            r"f(z) = \max(0, z)",
            "f′(z) = 1 if z > 0 else 0",
            r"f'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}",
        ),
        Activation(
            "leaky_relu",
            "Leaky ReLU",
            leaky_relu,
            _leaky_relu_derivative,
            f"f(z) = z if z > 0 else {LEAKY_RELU_SLOPE}·z",
            rf"f(z) = \begin{{cases}} z & z > 0 \\ {LEAKY_RELU_SLOPE}\,z & z \le 0 \end{{cases}}",
            f"f′(z) = 1 if z > 0 else {LEAKY_RELU_SLOPE}",
            rf"f'(z) = \begin{{cases}} 1 & z > 0 \\ {LEAKY_RELU_SLOPE} & z \le 0 \end{{cases}}",
        ),
        Activation(
            "tanh",
            "tanh",
            tanh,
            _tanh_derivative,
            "f(z) = tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z))",
            r"f(z) = \tanh(z)",
            "f′(z) = 1 − tanh²(z) = 1 − a²",
            r"f'(z) = 1 - \tanh^2(z) = 1 - a^2",
        ),
        Activation(
            "sigmoid",
            "Sigmoid",
            sigmoid,
            _sigmoid_derivative,
            "f(z) = 1 / (1 + e^(−z))",
            r"f(z) = \frac{1}{1 + e^{-z}}",
            "f′(z) = f(z)·(1 − f(z)) = a·(1 − a)",
            r"f'(z) = f(z)\,(1 - f(z)) = a\,(1 - a)",
        ),
        Activation(
            "softmax",
            "Softmax",
            softmax,
            None,
            "f(z)_j = e^(z_j) / Σ_k e^(z_k)",
            r"f(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}",
            "∂a_j/∂z_i = a_j·(1 − a_i) if i = j else −a_j·a_i",
            r"\frac{\partial a_j}{\partial z_i} = a_j\,(\delta_{ij} - a_i)",
        ),
    )
}

# Views of the registry under the names the rest of the code has always used.
ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {name: a.function for name, a in REGISTRY.items()}
FORMULAS_TEXT: dict[str, str] = {name: a.formula_text for name, a in REGISTRY.items()}
FORMULAS_LATEX: dict[str, str] = {name: a.formula_latex for name, a in REGISTRY.items()}
