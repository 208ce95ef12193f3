"""Activation functions f(z), as a name → function table: adding one is one line.

Every function takes z of shape (M,) or (B, M) and returns an array of the same shape. All are
finite and correct for every finite z (±1e308 included) and correct for ±inf, and none emits a
RuntimeWarning: intermediate overflow is either impossible by construction or silenced locally
(``np.errstate`` is thread-local, so other sessions are not affected).
"""

from __future__ import annotations

from typing import Callable

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


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": linear,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "softmax": softmax,
}

FORMULAS_TEXT: dict[str, str] = {
    "linear": "f(z) = z",
    "relu": "f(z) = max(0, z)",
    "leaky_relu": f"f(z) = z if z > 0 else {LEAKY_RELU_SLOPE}·z",
    "tanh": "f(z) = tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z))",
    "sigmoid": "f(z) = 1 / (1 + e^(−z))",
    "softmax": "f(z)_j = e^(z_j) / Σ_k e^(z_k)",
}

FORMULAS_LATEX: dict[str, str] = {
    "linear": r"f(z) = z",
    "relu": r"f(z) = \max(0, z)",
    "leaky_relu": rf"f(z) = \begin{{cases}} z & z > 0 \\ {LEAKY_RELU_SLOPE}\,z & z \le 0 \end{{cases}}",
    "tanh": r"f(z) = \tanh(z)",
    "sigmoid": r"f(z) = \frac{1}{1 + e^{-z}}",
    "softmax": r"f(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}",
}
