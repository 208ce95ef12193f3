"""Loss functions: how far the output a is from the target y, per output neuron, per sample,
and the output δ — each loss declared once, as a ``Loss`` record in ``LOSSES``.

A sample's loss sums its output neurons' terms; a batch's loss is the mean over its samples.
Each loss knows which output activations it makes sense with (``pairs_with``); a pairing that
makes no sense is refused by ``get_loss`` with the list of the ones that exist, and
``default_loss`` picks the loss an output layer gets when nobody chose one.

Shapes: z, a, y are (M,) for one sample or (B, M) for a batch; ``terms`` returns the shape of a,
``per_sample`` () or (B,).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import ValidationError


def _squared_error(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    difference = a - y
    return 0.5 * (difference * difference)


def _binary_cross_entropy(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    # −[y log σ(z) + (1 − y) log(1 − σ(z))] = log(1 + e^z) − y·z, from z: finite when a rounds
    # to 0 or 1, where the log-of-a form would take log(0).
    return np.logaddexp(0.0, z) - y * z


def _cross_entropy(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    # −yₖ log aₖ with log aₖ = zₖ − logΣexp(z), the log-sum-exp taken after a shift by max z.
    top = np.max(z, axis=-1, keepdims=True)
    log_total = top + np.log(np.sum(np.exp(z - top), axis=-1, keepdims=True))
    return y * (log_total - z)


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


def _any_targets(y: np.ndarray) -> str | None:
    return None


@dataclass(frozen=True, kw_only=True)
class Loss:
    """A loss L(a, y): everything the product knows about it, so that a new loss is one entry.

    Every other module reads a loss's facts from here (``LOSSES[name]``, looked up when used),
    never by switching on its name.

    terms(z, a, y) → each output neuron's share of the sample's loss, the shape of a; a sample's
        loss is their sum (``per_sample``), a batch's the mean of those (``value``).
    output_gradient(a, y) → ∂L/∂a, the shape of a: what ``output_delta`` passes back through
        the output activation when there is no combined δ.
    combined_delta(a, y) → δ = ∂L/∂z directly, for a loss whose every pairing cancels f′ (or the
        softmax Jacobian) so that δ = a − y, exact where ∂L/∂a alone would divide by 0; None: δ
        is ∂L/∂a through the activation's derivative.
    pairs_with: the output activations it fits, and for which it is the one an output layer gets
        by default (``default_loss``); None: it fits every activation in the registry.
    target_problem(y) → a sentence saying why targets do not suit the loss, or None.
    Templates (``str.format`` with the numbers of one output neuron, each written by the medium:
    ``{a}``, or ``{y:factor}`` for a factor, in parentheses when negative — see
    ``mlpsim.explain.notation``; the numbers are ``{a}``, ``{y}``, ``{z}``, ``{one_minus_a}``,
    ``{one_minus_y}``, ``{a_minus_y}`` and ``{value}``, the result):
        term_worked_text / _latex: the neuron's term: '½·(a - y)² = ½ × ({a} - {y})² = {value}'.
        gradient_worked_text / _latex: ∂L/∂a: 'a - y = {a} - {y:factor} = {value}'.
        combined_worked_text / _latex: the combined δ (only with a combined_delta).
    """

    name: str
    title: str
    formula_text: str
    formula_latex: str
    terms: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    output_gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]
    pairs_with: tuple[str, ...] | None
    term_worked_text: str
    term_worked_latex: str
    gradient_worked_text: str
    gradient_worked_latex: str
    combined_delta: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    combined_worked_text: str = ""
    combined_worked_latex: str = ""
    target_problem: Callable[[np.ndarray], str | None] = _any_targets

    def __post_init__(self) -> None:
        if (self.combined_delta is None) == bool(self.combined_worked_text and self.combined_worked_latex):
            raise ValueError(f"loss {self.name}: a combined δ and its worked templates go together")

    def fits(self, activation: str) -> bool:
        return activation in (REGISTRY if self.pairs_with is None else self.pairs_with)

    def per_sample(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each sample's loss, the sum of its output neurons' terms: () or (B,)."""
        return np.sum(self.terms(z, a, y), axis=-1)

    def value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
        """The batch's loss: the mean of the per-sample losses (or the one sample's loss)."""
        return float(np.mean(self.per_sample(z, a, y)))

    def output_delta(self, activation: str, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """δ = ∂L/∂z of the output layer, per sample (not divided by the batch size)."""
        if self.combined_delta is not None:
            return self.combined_delta(a, y)
        return REGISTRY[activation].backward(z, a, self.output_gradient(a, y))


# Each δ = a − y below is one line a learner can check: the worked templates write it so.
_A_MINUS_Y_TEXT = "a - y = {a} - {y:factor} = {value}"

LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            name="squared_error",
            title="Squared error",
            formula_text="L = ½ Σₖ (aₖ − yₖ)²",
            formula_latex=r"L = \tfrac{1}{2} \sum_k (a_k - y_k)^2",
            terms=_squared_error,
            output_gradient=_squared_error_gradient,
            pairs_with=None,
            term_worked_text="½·(a - y)² = ½ × ({a} - {y})² = {value}",
            term_worked_latex=r"\tfrac{{1}}{{2}}(a - y)^2 = \tfrac{{1}}{{2}} \cdot ({a} - {y:factor})^2 = {value}",
            gradient_worked_text=_A_MINUS_Y_TEXT,
            gradient_worked_latex=_A_MINUS_Y_TEXT,
        ),
        Loss(
            name="binary_cross_entropy",
            title="Binary cross-entropy",
            formula_text="L = −Σₖ [yₖ log aₖ + (1 − yₖ) log(1 − aₖ)]",
            formula_latex=r"L = -\sum_k \left[ y_k \log a_k + (1 - y_k) \log(1 - a_k) \right]",
            terms=_binary_cross_entropy,
            output_gradient=_binary_cross_entropy_gradient,
            pairs_with=("sigmoid",),
            term_worked_text=(
                "-[y·ln a + (1 - y)·ln(1 - a)] = -[{y} × ln {a} + {one_minus_y} × ln {one_minus_a}] = {value}"
            ),
            term_worked_latex=(
                r"-[y \ln a + (1 - y) \ln(1 - a)] = -[{y} \cdot \ln {a} + {one_minus_y} \cdot \ln {one_minus_a}]"
                " = {value}"
            ),
            gradient_worked_text="(a - y) / (a·(1 - a)) = {a_minus_y:factor} / ({a} × {one_minus_a}) = {value}",
            gradient_worked_latex=r"\frac{{a - y}}{{a\,(1 - a)}} = \frac{{{a_minus_y}}}{{{a} \cdot {one_minus_a}}} = {value}",
            combined_delta=_sigmoid_binary_cross_entropy_delta,
            combined_worked_text=_A_MINUS_Y_TEXT,
            combined_worked_latex=_A_MINUS_Y_TEXT,
            target_problem=_between_0_and_1,
        ),
        Loss(
            name="cross_entropy",
            title="Cross-entropy",
            formula_text="L = −Σₖ yₖ log aₖ",
            formula_latex=r"L = -\sum_k y_k \log a_k",
            terms=_cross_entropy,
            output_gradient=_cross_entropy_gradient,
            pairs_with=("softmax",),
            term_worked_text="-y·ln a = -{y} × ln {a} = {value}",
            term_worked_latex=r"-y \ln a = -{y} \cdot \ln {a} = {value}",
            gradient_worked_text="-y / a = -{y} / {a} = {value}",
            gradient_worked_latex=r"-\frac{{y}}{{a}} = -\frac{{{y}}}{{{a}}} = {value}",
            combined_delta=_softmax_cross_entropy_delta,
            combined_worked_text=_A_MINUS_Y_TEXT,
            combined_worked_latex=_A_MINUS_Y_TEXT,
            target_problem=_probabilities,
        ),
    )
}
"""Name → loss, in the order people are offered them (the CLI's help, the pages' menus)."""


def pairings_text() -> str:
    """'squared_error with any output activation; binary_cross_entropy with sigmoid; …'"""
    parts = []
    for loss in LOSSES.values():
        partners = "any output activation" if loss.pairs_with is None else " or ".join(loss.pairs_with)
        parts.append(f"{loss.name} with {partners}")
    return "; ".join(parts)


def losses_for(activation: str) -> list[str]:
    """The names of the losses that fit an output layer with ``activation``, in menu order."""
    return [name for name, loss in LOSSES.items() if loss.fits(activation)]


def default_loss(activation: str, preferred: str | None = None) -> str:
    """The loss an output layer with ``activation`` gets: ``preferred`` when it fits; else the
    loss made for that activation (one that names it in ``pairs_with``: cross-entropy for
    softmax, binary cross-entropy for sigmoid); else the first that fits any output (squared
    error). The one answer to "which loss suits this output layer" for every page and command."""
    if preferred is not None and preferred in LOSSES and LOSSES[preferred].fits(activation):
        return preferred
    made_for = [name for name, loss in LOSSES.items() if loss.pairs_with is not None and activation in loss.pairs_with]
    return made_for[0] if made_for else loss_for_any_output()


def loss_for_any_output() -> str:
    """The first loss that fits every output activation (squared error): the default where no
    loss is made for the output, and the backward commands' default."""
    return next(name for name, loss in LOSSES.items() if loss.pairs_with is None)


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
