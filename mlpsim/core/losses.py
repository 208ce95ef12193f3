"""Loss functions: how far the output a is from the target y, per sample, and the output δ.

A sample's loss sums over the output neurons; a batch's loss is the mean over its samples.
Each loss knows which output activations it makes sense with (``pairs_with``); a pairing that
makes no sense is refused by ``check_pairing`` with the list of the ones that exist.

Shapes: z, a, y are (M,) for one sample or (B, M) for a batch; ``per_sample`` returns () or (B,).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import ValidationError


def _squared_error(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    difference = a - y
    return 0.5 * np.sum(difference * difference, axis=-1)


def _binary_cross_entropy(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    # −[y log σ(z) + (1 − y) log(1 − σ(z))] = log(1 + e^z) − y·z, from z: finite when a rounds
    # to 0 or 1, where the log-of-a form would take log(0).
    return np.sum(np.logaddexp(0.0, z) - y * z, axis=-1)


def _cross_entropy(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    # −Σ yₖ log aₖ with log aₖ = zₖ − logΣexp(z), the log-sum-exp taken after a shift by max z.
    top = np.max(z, axis=-1, keepdims=True)
    log_total = top + np.log(np.sum(np.exp(z - top), axis=-1, keepdims=True))
    return np.sum(y * (log_total - z), axis=-1)


def _squared_error_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return a - y


def _binary_cross_entropy_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    # −y/a + (1 − y)/(1 − a) = (a − y) / (a(1 − a)); infinite where a rounds to 0 or 1, which is
    # why the output δ is taken in its combined form a − y instead.
    with np.errstate(divide="ignore", invalid="ignore"):
        return (a - y) / (a * (1.0 - a))


def _cross_entropy_gradient(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -y / a


def _sigmoid_binary_cross_entropy_delta(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    # (a − y)/(a(1 − a)) · a(1 − a): the sigmoid's derivative cancels.
    return a - y


def _softmax_cross_entropy_delta(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Σⱼ (−yⱼ/aⱼ)·aⱼ(δᵢⱼ − aᵢ) = aᵢ·Σⱼyⱼ − yᵢ = aᵢ − yᵢ, since the targets sum to 1 (checked).
    return a - y


def _probabilities(y: np.ndarray) -> str | None:
    if (y < 0).any() or (y > 1).any():
        return "cross_entropy targets must be probabilities between 0 and 1 (one-hot for a class)"
    if not np.allclose(np.sum(y, axis=-1), 1.0, rtol=0, atol=1e-9):
        return "cross_entropy targets must sum to 1 for each sample (one-hot for a class)"
    return None


def _between_0_and_1(y: np.ndarray) -> str | None:
    if (y < 0).any() or (y > 1).any():
        return "binary_cross_entropy targets must be between 0 and 1"
    return None


@dataclass(frozen=True)
class Loss:
    """A loss L(a, y) per sample.

    per_sample(z, a, y) → (B,) or (); output_gradient(a, y) → ∂L/∂a, shape of a;
    combined_delta(a, y) → δ = ∂L/∂z directly, for the losses whose pairing cancels f′ (or the
    softmax Jacobian) so that δ = a − y; None: δ = ∂L/∂a through the activation's derivative.
    target_problem(y) → a sentence saying why targets do not suit the loss, or None.
    """

    name: str
    title: str
    formula_text: str
    formula_latex: str
    per_sample: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    output_gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]
    pairs_with: tuple[str, ...] | None
    """The output activations it fits; None: every activation in the registry."""
    combined_delta: Callable[[np.ndarray, np.ndarray], np.ndarray] | None
    target_problem: Callable[[np.ndarray], str | None] = lambda y: None  # squared error takes any targets

    def fits(self, activation: str) -> bool:
        return activation in (REGISTRY if self.pairs_with is None else self.pairs_with)

    def value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
        """The batch's loss: the mean of the per-sample losses (or the one sample's loss)."""
        return float(np.mean(self.per_sample(z, a, y)))

    def output_delta(self, activation: str, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """δ = ∂L/∂z of the output layer, per sample (not divided by the batch size)."""
        if self.combined_delta is not None:
            return self.combined_delta(a, y)
        return REGISTRY[activation].backward(z, a, self.output_gradient(a, y))


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "squared_error",
            "Squared error",
            "L = ½ Σₖ (aₖ − yₖ)²",
            r"L = \tfrac{1}{2} \sum_k (a_k - y_k)^2",
            _squared_error,
            _squared_error_gradient,
            None,
            combined_delta=None,
        ),
        Loss(
            "binary_cross_entropy",
            "Binary cross-entropy",
            "L = −Σₖ [yₖ log aₖ + (1 − yₖ) log(1 − aₖ)]",
            r"L = -\sum_k \left[ y_k \log a_k + (1 - y_k) \log(1 - a_k) \right]",
            _binary_cross_entropy,
            _binary_cross_entropy_gradient,
            ("sigmoid",),
            combined_delta=_sigmoid_binary_cross_entropy_delta,
            target_problem=_between_0_and_1,
        ),
        Loss(
            "cross_entropy",
            "Cross-entropy",
            "L = −Σₖ yₖ log aₖ",
            r"L = -\sum_k y_k \log a_k",
            _cross_entropy,
            _cross_entropy_gradient,
            ("softmax",),
            combined_delta=_softmax_cross_entropy_delta,
            target_problem=_probabilities,
        ),
    )
}


def pairings_text() -> str:
    """'squared_error with any output activation; binary_cross_entropy with sigmoid; …'"""
    parts = []
    for loss in LOSSES.values():
        partners = "any output activation" if loss.pairs_with is None else " or ".join(loss.pairs_with)
        parts.append(f"{loss.name} with {partners}")
    return "; ".join(parts)


def get_loss(name: str, output_activation: str) -> Loss:
    """The loss called ``name``, checked against the output layer's activation."""
    if name not in LOSSES:
        raise ValidationError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    loss = LOSSES[name]
    if not loss.fits(output_activation):
        raise ValidationError(
            f"loss {name} does not fit an output layer with activation {output_activation}; "
            f"the pairings are: {pairings_text()}"
        )
    return loss
