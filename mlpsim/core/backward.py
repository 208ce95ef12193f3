"""Backpropagation: δ of every non-input neuron and ∂L/∂W, ∂L/∂b of every layer.

Orientation as in the article: a layer's weights W are N×M (row i = source, column j = target),
and so is its gradient, ∂L/∂W[i,j] = xᵢ·δⱼ averaged over the batch. Matrix form per layer, for
one sample as column vectors: ∇W = x·δᵀ, ∇b = δ, δ_prev = (W·δ) ⊙ f′(z_prev). For a batch the
rows are samples (X is B×N, Δ is B×M): ∇W = Xᵀ·Δ / B, ∇b = mean of Δ's rows,
Δ_prev = (Δ·Wᵀ) ⊙ f′(Z_prev).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlpsim.core.activations import REGISTRY, Activation
from mlpsim.core.errors import GradientError, ValidationError
from mlpsim.core.forward import ForwardResult, forward
from mlpsim.core.losses import Loss, get_loss
from mlpsim.core.network import Network


@dataclass(frozen=True, eq=False)
class Gradients:
    """The backward pass for one sample (vectors) or a batch of B samples.

    loss: the sample's loss, or the batch's mean loss
    deltas[k]: (M,) or (B, M) — δ = ∂L/∂z of weighted layer k (0-based: deltas[0] is layer
               position 1), per sample, not averaged
    weights[k]: (N, M) — ∂L/∂W, the shape of W, averaged over the batch
    biases[k]: (M,) — ∂L/∂b, averaged over the batch
    """

    loss: float
    deltas: tuple[np.ndarray, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]


def backpropagate(
    weights: Sequence[np.ndarray],
    activations: Sequence[Activation],
    inputs: np.ndarray,
    z: Sequence[np.ndarray],
    a: Sequence[np.ndarray],
    output_delta: np.ndarray,
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """The backward sweep on plain arrays, batch form (rows are samples).

    weights[k]: (N_k, M_k); inputs: (B, N_0); z[k], a[k]: (B, M_k); output_delta: (B, M_L).
    Returns (deltas, weight gradients, bias gradients), one per layer, in forward order.
    No finiteness check here: callers decide how to report a non-finite value.
    """
    count = len(weights)
    batch = inputs.shape[0]
    deltas: list[np.ndarray] = [output_delta] * count
    weight_gradients: list[np.ndarray] = [output_delta] * count
    bias_gradients: list[np.ndarray] = [output_delta] * count
    delta = output_delta
    for k in range(count - 1, -1, -1):
        source = inputs if k == 0 else a[k - 1]
        deltas[k] = delta
        weight_gradients[k] = (source.T @ delta) / batch
        bias_gradients[k] = delta.sum(axis=0) / batch
        if k:
            delta = activations[k - 1].backward(z[k - 1], a[k - 1], delta @ weights[k].T)
    return deltas, weight_gradients, bias_gradients


def backward(
    network: Network,
    targets: np.ndarray,
    inputs: np.ndarray | None = None,
    loss: str | Loss = "squared_error",
    result: ForwardResult | None = None,
) -> Gradients:
    """Backpropagate ``targets`` — (M,) or (B, M) — for ``inputs`` — (N0,) or (B, N0); the
    network's own input values if None. ``result`` reuses a forward pass already made.

    Raises ValidationError for targets of the wrong shape or a loss that does not fit the output
    activation, and GradientError naming the layer when the loss, a δ or a gradient is not finite.
    """
    if isinstance(loss, str):
        loss = get_loss(loss, network.layers[-1].activation)
    result = forward(network, inputs) if result is None else result
    single = result.inputs.ndim == 1
    y = _checked_targets(network, targets, None if single else result.inputs.shape[0])
    problem = loss.target_problem(y)
    if problem:
        raise ValidationError(f"target: {problem}")
    x = result.inputs[None, :] if single else result.inputs
    zs = [z[None, :] if single else z for z in result.z]
    activations_out = [a[None, :] if single else a for a in result.a]
    y = y[None, :] if single else y
    activations = [REGISTRY[layer.activation] for layer in network.layers]
    with np.errstate(all="ignore"):  # every value is checked below and the layer named
        loss_value = loss.value(zs[-1], activations_out[-1], y)
        output_delta = loss.output_delta(network.layers[-1].activation, zs[-1], activations_out[-1], y)
        deltas, weight_gradients, bias_gradients = backpropagate(
            [layer.weights for layer in network.layers], activations, x, zs, activations_out, output_delta
        )
    if not math.isfinite(loss_value):
        raise GradientError(
            f"the loss is not finite ({loss_value}): the output is too far from the target to square "
            "in floating point; make the weights or inputs smaller"
        )
    for k in range(len(network.layers) - 1, -1, -1):
        for what, values in (
            ("δ", deltas[k]),
            (f"∂L/∂W{k + 1}", weight_gradients[k]),
            (f"∂L/∂b{k + 1}", bias_gradients[k]),
        ):
            if not np.isfinite(values).all():
                raise GradientError(
                    f"layer {k + 1} ({network.layer_title(k + 1)}): {what} overflowed beyond the floating-point "
                    f"range (1.8e308); make the weights after this layer or the inputs smaller"
                )
    if single:
        deltas = [delta[0] for delta in deltas]
    return Gradients(
        loss=loss_value, deltas=tuple(deltas), weights=tuple(weight_gradients), biases=tuple(bias_gradients)
    )


def _checked_targets(network: Network, targets: object, batch: int | None) -> np.ndarray:
    """``targets`` as floats of shape (M,) for one sample (batch None) or (batch, M)."""
    size = network.layers[-1].size
    try:
        y = np.asarray(targets, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValidationError(f"target: expected numbers ({error})") from None
    expected = (size,) if batch is None else (batch, size)
    if y.shape != expected:
        wanted = f"{size} values" if batch is None else f"{batch}×{size} (one row per input)"
        got = "×".join(map(str, y.shape)) or "a single number"
        raise ValidationError(f"target: expected {wanted} for the {size}-neuron output layer, got shape {got}")
    if not np.isfinite(y).all():
        raise ValidationError("target: every value must be a finite number")
    return y
