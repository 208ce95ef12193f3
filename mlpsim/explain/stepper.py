"""Step-through of a forward pass: layer by layer, and inside a layer neuron by neuron.

Step 0 shows only the input. Step k (1..step_count) computes the k-th non-input neuron, counting
the first weighted layer's neurons first. Each step knows which neuron it is, how far the pass
has got (for drawing the neurons after it as pending), and its arithmetic: the products wᵢ·xᵢ
one by one with the running sum, then + b, then a = f(z).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network, neuron_name
from mlpsim.core.numbertext import number
from mlpsim.explain.arithmetic import NeuronWorking, neuron_working


def step_count(network: Network) -> int:
    """Number of neuron steps: every neuron after the input layer."""
    return sum(layer.size for layer in network.layers)


@dataclass(frozen=True)
class Step:
    """One place in the walk: neuron ``neuron`` (0-based) of layer ``position`` (1 = the layer
    W1 feeds). At step 0 (nothing computed yet) ``position`` is 0 and ``neuron`` is the last
    input neuron, so ``computed_through`` means "the input layer and nothing after it".
    """

    index: int
    total: int
    position: int
    neuron: int

    @property
    def is_start(self) -> bool:
        return self.index == 0

    @property
    def is_last(self) -> bool:
        return self.index == self.total

    @property
    def computed_through(self) -> tuple[int, int]:
        """(position, index0) of the last neuron whose value is known at this step."""
        return (self.position, self.neuron)

    @property
    def selected(self) -> tuple[int, int] | None:
        """(position, index0) of the neuron this step computes; None at the start."""
        return None if self.is_start else (self.position, self.neuron)


def step_at(network: Network, index: int) -> Step:
    """The step with number ``index`` (0..step_count); out-of-range numbers are clamped, so a
    step index kept from a bigger network still lands on a real step."""
    total = step_count(network)
    index = min(max(int(index), 0), total)
    if index == 0:
        return Step(index=0, total=total, position=0, neuron=network.input_size - 1)
    remaining = index - 1
    for position, params in enumerate(network.layers, start=1):
        if remaining < params.size:
            return Step(index=index, total=total, position=position, neuron=remaining)
        remaining -= params.size
    raise AssertionError("unreachable: index was clamped to the step count")


def first_step_of_layer(network: Network, position: int) -> int:
    """Step number of the first neuron of layer ``position`` (1..L)."""
    return 1 + sum(params.size for params in network.layers[: position - 1])


@dataclass(frozen=True)
class StepWorking:
    """Exactly what one step computes: the products with their running sum, + b, z, f(z)."""

    step: Step
    working: NeuronWorking
    running_sums: tuple[float, ...]
    """After each product of ``working.terms``, the sum of the products so far."""

    @property
    def title(self) -> str:
        w = self.working
        return f"Step {self.step.index} of {self.step.total}: {w.layer_title} · {w.neuron_name} (layer {w.position})"

    def lines(self) -> list[str]:
        """The step as plain text lines, in the order a person computes them: the neuron's worked
        sum (mlpsim.explain.arithmetic) with each product's running sum."""
        products = [
            f"{term.line()}   (running sum {number(running)})"
            for term, running in zip(self.working.terms, self.running_sums)
        ]
        return products + self.working.text_lines()[len(products) :]


def step_working(network: Network, result: ForwardResult, step: Step) -> StepWorking | None:
    """The arithmetic of ``step`` for a single-input ``result``; None at step 0 (nothing to do)."""
    if step.is_start:
        return None
    working = neuron_working(network, result, step.position, step.neuron)
    running = np.cumsum([term.product for term in working.terms])
    return StepWorking(step=step, working=working, running_sums=tuple(float(value) for value in running))


def known_values(network: Network, result: ForwardResult, step: Step) -> list[tuple[str, str, float | None]]:
    """(layer title, neuron name, value or None if still pending) for every neuron, input first."""
    rows: list[tuple[str, str, float | None]] = []
    for position, size in enumerate(network.layer_sizes):
        values = result.values(position)
        for index in range(size):
            known = (position, index) <= step.computed_through
            rows.append(
                (network.layer_title(position), neuron_name(position, index), float(values[index]) if known else None)
            )
    return rows
