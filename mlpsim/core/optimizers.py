"""Optimisers: how a gradient changes the weights, with optional L1/L2 regularisation.

With g = ∂L/∂w for the batch (its mean loss) and η the learning rate:
- sgd:      w ← w − η·g
- momentum: v ← μ·v − η·g, then w ← w + v (classical momentum, v starts at 0)
- adam:     m ← β₁·m + (1 − β₁)·g, v ← β₂·v + (1 − β₂)·g², t ← t + 1,
            m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), w ← w − η·m̂ / (√v̂ + ε)
            (Kingma & Ba 2015, Algorithm 1; defaults η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8)
Regularisation adds λ₁·Σ|w| + ½·λ₂·Σw² over the weights (never the biases) to the batch's
loss, so before the optimiser the weights' gradient becomes g + λ₁·sign(w) + λ₂·w (sign(0) = 0).
Every parameter — each W and each b — is updated by the same rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from mlpsim.core.errors import ValidationError

DEFAULT_LEARNING_RATES = {"sgd": 0.03, "momentum": 0.03, "adam": 0.001}
"""Playground's default rate for the two plain rules; Adam's own default for Adam."""


@dataclass(frozen=True, eq=False)
class OptimizerState:
    """What an optimiser remembers between steps, as a value.

    steps: updates made so far (Adam's t)
    slots: per remembered quantity (momentum: the velocities v; adam: m, then v), one array per
           parameter in the order W1, b1, W2, b2, …, each the shape of its parameter
    """

    steps: int = 0
    slots: tuple[tuple[np.ndarray, ...], ...] = ()

    def copy(self) -> OptimizerState:
        return OptimizerState(self.steps, tuple(tuple(np.array(a) for a in slot) for slot in self.slots))


@dataclass(frozen=True)
class Optimizer:
    name: str = "sgd"
    learning_rate: float = field(default=None)  # type: ignore[assignment]  # None: DEFAULT_LEARNING_RATES
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    l1: float = 0.0
    l2: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in DEFAULT_LEARNING_RATES:
            raise ValidationError(f"unknown optimiser {self.name!r}; choose one of {', '.join(DEFAULT_LEARNING_RATES)}")
        if self.learning_rate is None:
            object.__setattr__(self, "learning_rate", DEFAULT_LEARNING_RATES[self.name])
        _check_number("learning rate", self.learning_rate, above=0.0)
        _check_number("momentum", self.momentum, at_least=0.0, below=1.0)
        _check_number("beta1", self.beta1, at_least=0.0, below=1.0)
        _check_number("beta2", self.beta2, at_least=0.0, below=1.0)
        _check_number("epsilon", self.epsilon, above=0.0)
        _check_number("l1", self.l1, at_least=0.0)
        _check_number("l2", self.l2, at_least=0.0)

    def initial_state(self, parameters: Sequence[np.ndarray]) -> OptimizerState:
        slot_count = {"sgd": 0, "momentum": 1, "adam": 2}[self.name]
        return OptimizerState(0, tuple(tuple(np.zeros_like(p) for p in parameters) for _ in range(slot_count)))

    def update(
        self,
        parameters: list[np.ndarray],
        gradients: list[np.ndarray],
        slots: tuple[tuple[np.ndarray, ...], ...],
        steps: int,
    ) -> None:
        """One step, in place on ``parameters`` and ``slots`` (the training loop's private copies).

        parameters, gradients: W1, b1, W2, b2, … (weights at even positions); ``steps`` is the
        number of updates before this one. Regularisation is added to the weights' gradients.
        """
        rate = self.learning_rate
        if self.l1 or self.l2:
            gradients = list(gradients)
            for k in range(0, len(parameters), 2):
                weights = parameters[k]
                if self.l2:
                    gradients[k] = gradients[k] + self.l2 * weights
                if self.l1:
                    gradients[k] = gradients[k] + self.l1 * np.sign(weights)
        if self.name == "sgd":
            for parameter, gradient in zip(parameters, gradients):
                parameter -= rate * gradient
        elif self.name == "momentum":
            mu = self.momentum
            for parameter, gradient, velocity in zip(parameters, gradients, slots[0]):
                velocity *= mu
                velocity -= rate * gradient
                parameter += velocity
        else:
            t = steps + 1
            b1, b2 = self.beta1, self.beta2
            m_correction = 1.0 - b1**t
            v_correction = 1.0 - b2**t
            for parameter, gradient, m, v in zip(parameters, gradients, slots[0], slots[1]):
                m *= b1
                m += (1.0 - b1) * gradient
                v *= b2
                v += (1.0 - b2) * (gradient * gradient)
                parameter -= rate * (m / m_correction) / (np.sqrt(v / v_correction) + self.epsilon)


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
