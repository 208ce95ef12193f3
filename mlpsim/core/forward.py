"""The forward pass: one loop over layers, z = Wᵀ·x + b, a = f(z)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import ForwardError, ValidationError
from mlpsim.core.network import Network, neuron_name, weight_name
from mlpsim.core.numbertext import LARGEST_TEXT, number


@dataclass(frozen=True, eq=False)
class ForwardResult:
    """Values of every layer for one input (shapes (N,)) or a batch (shapes (B, N)).

    inputs: (N0,) or (B, N0)
    z[k], a[k]: (N_{k+1},) or (B, N_{k+1}) for weighted layer k (0-based; z[0] belongs to W1)
    """

    inputs: np.ndarray
    z: tuple[np.ndarray, ...]
    a: tuple[np.ndarray, ...]

    @property
    def output(self) -> np.ndarray:
        return self.a[-1]

    def values(self, position: int) -> np.ndarray:
        """Activations of layer ``position`` with the input as position 0."""
        return self.inputs if position == 0 else self.a[position - 1]


def forward(network: Network, inputs: np.ndarray | None = None, through: int | None = None) -> ForwardResult:
    """Run ``inputs`` — (N0,) or (B, N0); the network's own input values if None — through the
    network, or through its first ``through`` weighted layers only (the later ones are not
    computed, so they cannot fail).

    Row-vector form: for a batch X (B×N0), Z = X·W + b, which is (Wᵀ·x + b)ᵀ for every row x.
    Raises ForwardError naming the layer, the neuron and the weights if a product wᵢ·xᵢ or z
    itself leaves the floating-point range. The result does not depend on the BLAS kernel beyond
    rounding: where a kernel's order of summation overflows a partial sum although z is finite,
    that z is computed again exactly (see _recomputed).
    """
    x = network.input_values if inputs is None else _checked_inputs(network, inputs)
    layers = network.layers if through is None else network.layers[:through]
    a = x
    zs, activations = [], []
    for k, layer in enumerate(layers, start=1):
        with np.errstate(all="ignore"):  # checked just below, and the layer is named
            z = a @ layer.weights + layer.bias
            # A finite sum proves every entry finite in one pass without a temporary array;
            # only when it is not (an entry is ±inf or NaN, or the sum itself overflowed) is
            # each entry checked.
            if not math.isfinite(z.sum()) and not np.isfinite(z).all():
                z = _recomputed(network, k, a, z)
        a = REGISTRY[layer.activation].function(z)
        zs.append(z)
        activations.append(a)
    return ForwardResult(inputs=x, z=tuple(zs), a=tuple(activations))


def _checked_inputs(network: Network, inputs: object) -> np.ndarray:
    try:
        x = np.asarray(inputs, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValidationError(f"input: expected numbers ({error})") from None
    if x.ndim not in (1, 2) or x.shape[-1] != network.input_size:
        raise ValidationError(
            f"input: expected {network.input_size} values (or a batch B×{network.input_size}), "
            f"got shape {'×'.join(map(str, x.shape)) or 'scalar'}"
        )
    if not np.isfinite(x).all():
        raise ValidationError("input: every value must be a finite number")
    return x


_SCALE = 2.0**-11
"""Scales the products of a neuron for an exact sum: 1,024 finite products (the largest layer
allowed), each below the largest double, cannot overflow a partial sum once multiplied by this
(math.fsum's partial sums are exact, and it raises on intermediate overflow)."""
_NAMED_TERMS = 3
"""How many out-of-range products an overflow message names before it says 'and N more'."""


def _recomputed(network: Network, k: int, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Layer k's z with every non-finite entry computed again exactly, or ForwardError.

    x: (N,) or (B, N), the layer's input; z: (M,) or (B, M), as the matrix product gave it.
    A kernel may overflow a partial sum where another, summing in another order, does not; so
    each non-finite entry is classified the same way whatever the kernel: a product wᵢ·xᵢ beyond
    the range, or an exact z beyond it, is an error (the first such entry, row by row, is
    named); otherwise the entry is the correctly rounded exact sum.
    """
    layer = network.layers[k - 1]
    rows = np.atleast_2d(x)
    fixed = np.array(np.atleast_2d(z))
    for row, j in np.argwhere(~np.isfinite(fixed)):
        with np.errstate(all="ignore"):
            products = rows[row] * layer.weights[:, j]
        if not np.isfinite(products).all():
            raise ForwardError(_products_message(network, k, rows[row], j, row if x.ndim == 2 else None))
        exact = math.fsum(np.append(products, layer.bias[j]) * _SCALE) / _SCALE
        if not math.isfinite(exact):
            raise ForwardError(_sum_message(network, k, rows[row], j, row if x.ndim == 2 else None))
        fixed[row, j] = exact
    return fixed.reshape(z.shape)


def _exact_z(layer_weights: np.ndarray, bias: float, x: np.ndarray) -> Fraction:
    return sum((Fraction(float(w)) * Fraction(float(v)) for w, v in zip(layer_weights, x)), Fraction(float(bias)))


def _decimal(value: Fraction) -> str:
    """A Fraction as a short decimal, however far beyond the double range: 0, 2e+308, -1.5e+400."""
    if value == 0:
        return "0"
    with localcontext() as context:
        context.prec = 6
        return format((Decimal(value.numerator) / Decimal(value.denominator)).normalize(), "g").replace("E", "e")


def _where(network: Network, k: int, j: int, row: int | None) -> str:
    batch = "" if row is None else f" (input row {row + 1})"
    return f"layer {k} ({network.layer_title(k)}): {neuron_name(k, j)}{batch}"


def _term(k: int, i: int, j: int, w: float, x: float) -> str:
    return f"{weight_name(k, i, j)}·{neuron_name(k - 1, i)} = {number(w)} × {number(x)}"


def _products_message(network: Network, k: int, x: np.ndarray, j: int, row: int | None) -> str:
    weights = network.layers[k - 1].weights[:, j]
    with np.errstate(all="ignore"):
        beyond = np.flatnonzero(~np.isfinite(x * weights))
    named = [_term(k, int(i), j, weights[i], x[i]) for i in beyond[:_NAMED_TERMS]]
    if len(beyond) > _NAMED_TERMS:
        named.append(f"{len(beyond) - _NAMED_TERMS} more")
    exact = _decimal(_exact_z(weights, network.layers[k - 1].bias[j], x))
    return (
        f"{_where(network, k, j, row)} cannot be computed in floating point: the product"
        f"{'s' if len(beyond) > 1 else ''} {_listed(named)} "
        f"{'are' if len(beyond) > 1 else 'is'} beyond {LARGEST_TEXT} (the exact z would be {exact}); "
        f"make the inputs to this layer or the weights W{k} smaller"
    )


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sum_message(network: Network, k: int, x: np.ndarray, j: int, row: int | None) -> str:
    weights = network.layers[k - 1].weights[:, j]
    bias = network.layers[k - 1].bias[j]
    largest = np.argsort(-np.abs(x * weights), kind="stable")[:_NAMED_TERMS]
    named = _listed([_term(k, int(i), j, weights[i], x[i]) for i in largest])
    return (
        f"{_where(network, k, j, row)}: z = Σ wᵢ·xᵢ + b is {_decimal(_exact_z(weights, bias, x))}, beyond "
        f"{LARGEST_TEXT}, although each product is within it (the largest: {named}); "
        f"make the inputs to this layer, the weights W{k} or the bias b{k} smaller"
    )
