"""Optimisers: how a gradient changes the weights, with optional L1/L2 regularisation.

With g = ∂L/∂w for the batch (its mean loss) and η the learning rate:
- sgd:      w ← w − η·g
- momentum: v ← μ·v − η·g, then w ← w + v (classical momentum, v starts at 0)
- adam:     m ← β₁·m + (1 − β₁)·g, v ← β₂·v + (1 − β₂)·g², t ← t + 1,
            m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), w ← w − η·m̂ / (√v̂ + ε)
            (Kingma & Ba 2015, Algorithm 1; defaults η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8)
Regularisation adds λ₁·Σ|w| + ½·λ₂·Σw² over the weights (never the biases) to the batch's
loss, so before the optimiser the weights' gradient becomes g + λ₁·sign(w) + λ₂·w (sign(0) = 0).
Every parameter — each W and each b — is updated by the same rule. Each rule is one
``OptimizerRule`` in ``OPTIMIZERS``: its name, title, default η, memory slots and update.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from mlpsim.core.errors import ValidationError

Slots = tuple[tuple[np.ndarray, ...], ...]
"""An optimiser's memory: per remembered quantity, one array per parameter (W1, b1, W2, b2, …)."""


@dataclass(frozen=True, eq=False)
class OptimizerState:
    """What an optimiser remembers between steps, as a value.

    steps: updates made so far (Adam's t)
    slots: per remembered quantity (``OptimizerRule.slots``: momentum's velocities v; Adam's m,
           then v), one array per parameter in the order W1, b1, W2, b2, …, each the shape of
           its parameter
    """

    steps: int = 0
    slots: Slots = ()
    rule: str = ""
    """The name of the rule (a key of OPTIMIZERS) whose memory this is; '' when not known."""

    def copy(self) -> OptimizerState:
        return OptimizerState(self.steps, tuple(tuple(np.array(a) for a in slot) for slot in self.slots), self.rule)


UpdateRule = Callable[["Optimizer", list[np.ndarray], list[np.ndarray], Slots, int], None]
"""update(settings, parameters, gradients, slots, steps): one step, in place on ``parameters``
and ``slots``; ``steps`` is the number of updates before this one; the settings give η and the
rule's own numbers (μ, β₁, β₂, ε)."""


@dataclass(frozen=True)
class OptimizerRule:
    """One optimiser, declared once: what it is called, what it remembers and how it steps.

    Every other module reads an optimiser's facts from ``OPTIMIZERS[name]`` (looked up when
    used, never copied at import time), so a new optimiser is one entry.
    """

    name: str
    title: str
    """As the Train page's select shows it: 'SGD', 'Adam'."""
    default_learning_rate: float
    """η when none is given."""
    slots: tuple[str, ...]
    """The names of what it remembers between steps, one array per parameter each: () for
    plain SGD, ('v',) for momentum's velocities, ('m', 'v') for Adam's moments."""
    update: UpdateRule
    formula_text: str
    """The rule in one line of text: 'w ← w − η·g'."""
    plain_descent: bool = False
    """Its step is w − η·g exactly (no memory, no rescaling): the update the worked arithmetic
    writes, so a panel can show it as W′ = W − η·∂L/∂W."""


def _sgd(
    settings: Optimizer, parameters: list[np.ndarray], gradients: list[np.ndarray], slots: Slots, steps: int
) -> None:
    rate = settings.learning_rate
    for parameter, gradient in zip(parameters, gradients):
        parameter -= rate * gradient


def _momentum(
    settings: Optimizer, parameters: list[np.ndarray], gradients: list[np.ndarray], slots: Slots, steps: int
) -> None:
    rate, mu = settings.learning_rate, settings.momentum
    for parameter, gradient, velocity in zip(parameters, gradients, slots[0]):
        velocity *= mu
        velocity -= rate * gradient
        parameter += velocity


def _adam(
    settings: Optimizer, parameters: list[np.ndarray], gradients: list[np.ndarray], slots: Slots, steps: int
) -> None:
    rate = settings.learning_rate
    t = steps + 1
    b1, b2 = settings.beta1, settings.beta2
    m_correction = 1.0 - b1**t
    v_correction = 1.0 - b2**t
    for parameter, gradient, m, v in zip(parameters, gradients, slots[0], slots[1]):
        m *= b1
        m += (1.0 - b1) * gradient
        v *= b2
        v += (1.0 - b2) * (gradient * gradient)
        parameter -= rate * (m / m_correction) / (np.sqrt(v / v_correction) + settings.epsilon)


OPTIMIZERS: dict[str, OptimizerRule] = {
    rule.name: rule
    for rule in (
        # Playground's default rate for the two plain rules; Adam's own default for Adam.
        OptimizerRule("sgd", "SGD", 0.03, (), _sgd, "w ← w − η·g", plain_descent=True),
        OptimizerRule("momentum", "Momentum", 0.03, ("v",), _momentum, "v ← μ·v − η·g, w ← w + v"),
        OptimizerRule(
            "adam",
            "Adam",
            0.001,
            ("m", "v"),
            _adam,
            "m ← β₁·m + (1 − β₁)·g, v ← β₂·v + (1 − β₂)·g², w ← w − η·m̂ / (√v̂ + ε)",
        ),
    )
}
"""name → rule, in the order the CLI and the Train page offer them."""


@dataclass(frozen=True)
class Optimizer:
    """The optimiser settings a run uses: which rule (``name``, a key of OPTIMIZERS), η, the
    rules' own numbers, and L1/L2 regularisation (applied here, the same for every rule)."""

    name: str = "sgd"
    learning_rate: float = field(default=None)  # type: ignore[assignment]  # None: the rule's default
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    l1: float = 0.0
    l2: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ValidationError(f"unknown optimiser {self.name!r}; choose one of {', '.join(OPTIMIZERS)}")
        if self.learning_rate is None:
            object.__setattr__(self, "learning_rate", self.rule.default_learning_rate)
        _check_number("learning rate", self.learning_rate, above=0.0)
        _check_number("momentum", self.momentum, at_least=0.0, below=1.0)
        _check_number("beta1", self.beta1, at_least=0.0, below=1.0)
        _check_number("beta2", self.beta2, at_least=0.0, below=1.0)
        _check_number("epsilon", self.epsilon, above=0.0)
        _check_number("l1", self.l1, at_least=0.0)
        _check_number("l2", self.l2, at_least=0.0)

    @property
    def rule(self) -> OptimizerRule:
        return OPTIMIZERS[self.name]

    def initial_state(self, parameters: Sequence[np.ndarray]) -> OptimizerState:
        """Nothing remembered yet: every slot of the rule zero, one array per parameter."""
        slots = tuple(tuple(np.zeros_like(p) for p in parameters) for _ in self.rule.slots)
        return OptimizerState(0, slots, self.name)

    def update(self, parameters: list[np.ndarray], gradients: list[np.ndarray], slots: Slots, steps: int) -> None:
        """One step, in place on ``parameters`` and ``slots`` (the training loop's private copies).

        parameters, gradients: W1, b1, W2, b2, … (weights at even positions); ``steps`` is the
        number of updates before this one. Regularisation is added to the weights' gradients,
        then the rule steps.
        """
        if self.l1 or self.l2:
            gradients = list(gradients)
            for k in range(0, len(parameters), 2):
                weights = parameters[k]
                if self.l2:
                    gradients[k] = gradients[k] + self.l2 * weights
                if self.l1:
                    gradients[k] = gradients[k] + self.l1 * np.sign(weights)
        self.rule.update(self, parameters, gradients, slots, steps)


def _check_number(
    label: str, value: object, above: float | None = None, at_least: float | None = None, below: float | None = None
) -> None:
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or (above is not None and not value > above)
        or (at_least is not None and not value >= at_least)
        or (below is not None and not value < below)
    ):
        bounds = [
            f"> {above:g}" if above is not None else "",
            f"≥ {at_least:g}" if at_least is not None else "",
            f"< {below:g}" if below is not None else "",
        ]
        raise ValidationError(f"{label}: expected a number {' and '.join(b for b in bounds if b)}, got {value!r}")
