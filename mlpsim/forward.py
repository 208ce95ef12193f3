"""The forward pass: one loop over layers, z = Wᵀ·x + b, a = f(z)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mlpsim.activations import ACTIVATIONS
from mlpsim.errors import ForwardError, ValidationError
from mlpsim.network import Network


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


def forward(network: Network, inputs: np.ndarray | None = None) -> ForwardResult:
    """Run ``inputs`` — (N0,) or (B, N0); the network's own input values if None — through the
    network.

    Row-vector form: for a batch X (B×N0), Z = X·W + b, which is (Wᵀ·x + b)ᵀ for every row x.
    Raises ForwardError naming the layer if z overflows or becomes NaN.
    """
    x = network.input_values if inputs is None else _checked_inputs(network, inputs)
    a = x
    zs, activations = [], []
    for k, layer in enumerate(network.layers, start=1):
        with np.errstate(all="ignore"):  # checked just below, and the layer is named
            z = a @ layer.weights + layer.bias
            # A finite sum proves every entry finite in one pass without a temporary array;
            # only when it is not (an entry is ±inf or NaN, or the sum itself overflowed) is
            # each entry checked.
            if not math.isfinite(z.sum()) and not np.isfinite(z).all():
                raise ForwardError(_overflow_message(network, k, z))
        a = ACTIVATIONS[layer.activation](z)
        zs.append(z)
        activations.append(a)
    return ForwardResult(inputs=x, z=tuple(zs), a=tuple(activations))


def _checked_inputs(network: Network, inputs) -> np.ndarray:
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


def _overflow_message(network: Network, k: int, z: np.ndarray) -> str:
    # Inputs, weights and biases are finite, so an infinite or NaN z (∞ − ∞) always means the sum
    # left the floating-point range somewhere in this layer.
    neuron = int(np.argwhere(~np.isfinite(z))[0][-1])
    kind = "became NaN (∞ − ∞)" if np.isnan(z).any() else "overflowed to infinity"
    return (
        f"layer {k} ({network.layer_title(k)}): z {kind} at N{neuron + 1} — |z| went beyond 1.8e308, "
        f"the floating-point range; make the inputs to this layer, the weights W{k} or the bias b{k} smaller"
    )
