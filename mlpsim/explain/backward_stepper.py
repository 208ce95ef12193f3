"""Step-through of a backward pass for one sample and a chosen target, after the forward one.

Step 0 is the loss: each output neuron's share of it and their sum. Then one step per neuron,
backwards — the output layer's neurons first (∂L/∂a, f′(z), δ), then each hidden layer from the
last to the first (Σⱼ W[i,j]·δⱼ term by term with its running sum, × f′(z), δ) — and then one
step per neuron for the weights coming into it, again output layer first: each weight's gradient
xᵢ·δⱼ and its update w − η·g, and the bias's. For a network with S non-input neurons that is
2·S steps after step 0.

Each step knows which neuron it is about, which edges' numbers it uses (for the diagram), and
which hidden neurons are still pending (their δ not computed yet). Output neurons are never
pending: the backward pass starts from all their values. The arithmetic is
mlpsim.explain.gradient_working's, so the page and the Train page write it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpsim.core.backward import Gradients
from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import ForwardResult
from mlpsim.core.losses import Loss
from mlpsim.core.network import Network, neuron_name
from mlpsim.explain.gradient_working import HiddenDelta, NeuronGradient, neuron_gradient
from mlpsim.explain.notation import LATEX, TEXT, Medium, Rendered, loss_term_worked

LOSS_STEP, DELTA_STEP, WEIGHTS_STEP = "loss", "delta", "weights"


def backward_step_count(network: Network) -> int:
    """The last step's number: a δ step and a weights step for every non-input neuron."""
    return 2 * sum(layer.size for layer in network.layers)


@dataclass(frozen=True)
class BackwardStep:
    """One position in the backward walk.

    kind: LOSS_STEP (index 0), DELTA_STEP or WEIGHTS_STEP; position: the neuron's layer (1..L,
    0 = input; L at the loss step); neuron: 0-based (-1 at the loss step); sizes: the network's
    layer sizes, input first.
    """

    index: int
    total: int
    kind: str
    position: int
    neuron: int
    sizes: tuple[int, ...]

    @property
    def is_start(self) -> bool:
        return self.index == 0

    @property
    def is_last(self) -> bool:
        return self.index == self.total

    @property
    def selected(self) -> tuple[int, int] | None:
        """(position, index0) of the neuron this step is about; None at the loss step."""
        return None if self.kind == LOSS_STEP else (self.position, self.neuron)

    def delta_known(self, position: int, index: int) -> bool:
        """Whether neuron (position, index)'s δ is computed at this step (the input has none)."""
        if position == 0 or self.kind == LOSS_STEP:
            return False
        if self.kind == WEIGHTS_STEP:
            return True
        return position > self.position or (position == self.position and index <= self.neuron)

    @property
    def pending(self) -> tuple[tuple[int, int], ...]:
        """(position, index0) of the hidden neurons whose δ is still to come."""
        output = len(self.sizes) - 1
        return tuple(
            (position, index)
            for position in range(1, output)
            for index in range(self.sizes[position])
            if not self.delta_known(position, index)
        )

    @property
    def edges(self) -> tuple[tuple[int, int, int], ...]:
        """(position, source index0, target index0) of the edges whose weights this step uses:
        a hidden δ, its outgoing edges (W[i,j] of the next layer); a weights step, the neuron's
        incoming edges; none for the loss and an output δ."""
        if self.kind == DELTA_STEP and self.position < len(self.sizes) - 1:
            return tuple((self.position + 1, self.neuron, j) for j in range(self.sizes[self.position + 1]))
        if self.kind == WEIGHTS_STEP:
            return tuple((self.position, i, self.neuron) for i in range(self.sizes[self.position - 1]))
        return ()


def backward_step_at(network: Network, index: int) -> BackwardStep:
    """The step with number ``index`` (0..backward_step_count); out-of-range numbers are clamped,
    so a step kept from a bigger network still lands on a real step."""
    sizes = tuple(network.layer_sizes)
    total = backward_step_count(network)
    index = min(max(int(index), 0), total)
    count = len(network.layers)
    if index == 0:
        return BackwardStep(0, total, LOSS_STEP, count, -1, sizes)
    remaining = index - 1
    for kind in (DELTA_STEP, WEIGHTS_STEP):
        for position in range(count, 0, -1):
            if remaining < sizes[position]:
                return BackwardStep(index, total, kind, position, remaining, sizes)
            remaining -= sizes[position]
    raise AssertionError("unreachable: index was clamped to the step count")


def first_weights_step(network: Network) -> int:
    """Number of the first weights step (the output layer's N1): every δ is known from there."""
    return 1 + sum(layer.size for layer in network.layers)


@dataclass(frozen=True)
class LossTerm:
    """One output neuron's share of the loss: its z and a, its target y and the term's value."""

    neuron_name: str
    z: float
    a: float
    y: float
    value: float


@dataclass(frozen=True)
class LossWorking(Rendered):
    """The loss of one sample, output neuron by output neuron, with the loss named; each term is
    written by the loss's own template (``mlpsim.core.losses``)."""

    loss: str
    title: str
    formula: str
    terms: tuple[LossTerm, ...]
    total: float

    def lines(self) -> list[str]:
        """The loss as plain text lines: the formula, one line per output neuron, the sum."""
        return [f"{self.title} ({self.loss}): {self.formula}", *self.text_lines()]

    def text_lines(self) -> list[str]:
        return self._lines(TEXT)

    def latex_lines(self) -> list[str]:
        return self._lines(LATEX)

    def _lines(self, m: Medium) -> list[str]:
        lines = [
            f"{_term_name(term.neuron_name, m)}: {loss_term_worked(self.loss, term.z, term.a, term.y, term.value, m)}"
            for term in self.terms
        ]
        return [*lines, f"L = {m.sum_line([term.value for term in self.terms], self.total)}"]


def _term_name(neuron: str, m: Medium) -> str:
    return rf"\text{{{neuron}}}" if m.latex else neuron


def loss_working(network: Network, result: ForwardResult, targets: np.ndarray, loss: Loss, total: float) -> LossWorking:
    """Each output neuron's term of ``loss`` for ``targets`` — (M,) — and ``total``, the loss the
    backward pass computed (its stable form: the printed terms add up to it)."""
    z = np.asarray(result.z[-1], dtype=float)
    a = np.asarray(result.a[-1], dtype=float)
    y = np.asarray(targets, dtype=float)
    values = loss.terms(z, a, y)
    terms = tuple(
        LossTerm(neuron_name(len(network.layers), k), float(z[k]), float(a[k]), float(y[k]), float(values[k]))
        for k in range(a.size)
    )
    return LossWorking(loss.name, loss.title, loss.formula_text, terms, float(total))


@dataclass(frozen=True)
class RunningDeltaTerm:
    """One outgoing connection's W[i,j]·δⱼ and the sum of the terms up to and including it."""

    weight_name: str
    weight: float
    delta_name: str
    delta: float
    product: float
    running_sum: float


@dataclass(frozen=True)
class BackwardStepWorking:
    """What one step computes: the loss (LOSS_STEP) or one neuron's backward working.

    loss: the loss, at every step (the page keeps it in view); gradient: the neuron's δ and its
    incoming weights' gradients and updates (None at the loss step); running: a hidden δ's terms
    W[i,j]·δⱼ with their running sum (() otherwise).
    """

    step: BackwardStep
    loss: LossWorking
    gradient: NeuronGradient | None
    running: tuple[RunningDeltaTerm, ...]
    layer_title: str

    @property
    def title(self) -> str:
        step = self.step
        head = f"Step {step.index} of {step.total}: "
        if step.kind == LOSS_STEP:
            return head + f"the loss ({self.loss.title.lower()})"
        name = neuron_name(step.position, step.neuron)
        what = "δ" if step.kind == DELTA_STEP else "weight gradients and updates"
        return head + f"{self.layer_title} · {name} (layer {step.position}) · {what}"

    def lines(self) -> list[str]:
        """The step as plain text lines, in the order a person computes them."""
        if self.gradient is None:
            return self.loss.lines()
        if self.step.kind == DELTA_STEP:
            return self.gradient.delta.text_lines()
        lines = []
        for weight in (*self.gradient.weights, self.gradient.bias):
            lines.append(weight.title)
            lines += ["  " + line for line in weight.text_lines()]
        return lines


def backward_step_working(
    network: Network,
    result: ForwardResult,
    gradients: Gradients,
    targets: np.ndarray,
    loss: Loss,
    learning_rate: float,
    step: BackwardStep,
) -> BackwardStepWorking:
    """The arithmetic of ``step`` for a single-sample ``result``, its ``gradients`` for
    ``targets`` — (M,) — under ``loss``, and the update with ``learning_rate``."""
    if result.inputs.ndim != 1:
        raise ValidationError(f"the step-through is for one sample; got a batch of {result.inputs.shape[0]}")
    working = loss_working(network, result, targets, loss, gradients.loss)
    if step.kind == LOSS_STEP:
        return BackwardStepWorking(step, working, None, (), network.layer_title(step.position))
    gradient = neuron_gradient(network, result, gradients, targets, loss, step.position, step.neuron, learning_rate)
    running: list[RunningDeltaTerm] = []
    if step.kind == DELTA_STEP and isinstance(gradient.delta, HiddenDelta):
        total = 0.0
        for term in gradient.delta.terms:
            total += term.product
            running.append(
                RunningDeltaTerm(term.weight_name, term.weight, term.delta_name, term.delta, term.product, total)
            )
    return BackwardStepWorking(step, working, gradient, tuple(running), network.layer_title(step.position))


def known_deltas(network: Network, gradients: Gradients, step: BackwardStep) -> list[tuple[str, str, float | None]]:
    """(layer title, neuron name, δ or None while pending) for every non-input neuron, output
    layer first (the order the step-through computes them)."""
    rows: list[tuple[str, str, float | None]] = []
    for position in range(len(network.layers), 0, -1):
        deltas = gradients.deltas[position - 1]
        for index in range(network.layer_sizes[position]):
            known = step.delta_known(position, index)
            rows.append(
                (network.layer_title(position), neuron_name(position, index), float(deltas[index]) if known else None)
            )
    return rows
