"""Step-through of a forward pass: layer by layer, and inside a layer neuron by neuron.

Step 0 shows only the input. Step k (1..step_count) computes the k-th non-input neuron, counting
the first weighted layer's neurons first. Each step knows which neuron it is, how far the pass
has got (for drawing the neurons after it as pending), and its arithmetic: the products wᵢ·xᵢ
one by one with the running sum, then + b, then a = f(z).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network, neuron_name
from mlpsim.explain.arithmetic import NeuronWorking, neuron_working, number, signed_sum


def step_count(network: Network) -> int:
    """Number of neuron steps: every neuron after the input layer."""
    return sum(layer.size for layer in network.layers)


@dataclass(frozen=True)
class Step:
    """One position in the walk. ``layer`` is 1-based (as W1 is layer 1); ``neuron`` 0-based.

    At step 0 (nothing computed yet) ``layer`` is 0 and ``neuron`` is the last input neuron, so
    ``computed_through`` means "the input layer and nothing after it".
    """

    index: int
    total: int
    layer: int
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
        return (self.layer, self.neuron)

    @property
    def selected(self) -> tuple[int, int] | None:
        """(position, index0) of the neuron this step computes; None at the start."""
        return None if self.is_start else (self.layer, self.neuron)


def step_at(network: Network, index: int) -> Step:
    """The step with number ``index`` (0..step_count); out-of-range numbers are clamped, so a
    step index kept from a bigger network still lands on a real step."""
    total = step_count(network)
    index = min(max(int(index), 0), total)
    if index == 0:
        return Step(index=0, total=total, layer=0, neuron=network.input_size - 1)
    remaining = index - 1
    for layer, params in enumerate(network.layers, start=1):
        if remaining < params.size:
            return Step(index=index, total=total, layer=layer, neuron=remaining)
        remaining -= params.size
    raise AssertionError("unreachable: index was clamped to the step count")


def first_step_of_layer(network: Network, layer: int) -> int:
    """Step number of neuron 1 of weighted layer ``layer`` (1-based)."""
    return 1 + sum(params.size for params in network.layers[: layer - 1])


@dataclass(frozen=True)
class RunningTerm:
    """One product wᵢ·xᵢ and the sum of the products up to and including it."""

    weight_name: str
    weight_value: float
    input_name: str
    input_value: float
    product: float
    running_sum: float


@dataclass(frozen=True)
class StepWorking:
    """Exactly what one step computes: the products with their running sum, + b, z, f(z)."""

    step: Step
    working: NeuronWorking
    running: tuple[RunningTerm, ...]
    softmax_z: tuple[float, ...]
    """The whole layer's z when the activation is softmax (a needs all of them), else ()."""

    @property
    def title(self) -> str:
        w = self.working
        return f"Step {self.step.index} of {self.step.total}: {w.layer_title} · {w.neuron_name} (layer {w.layer})"

    def lines(self) -> list[str]:
        """The step as plain text lines, in the order a person computes them."""
        w = self.working
        lines = [
            f"{term.weight_name} × {term.input_name} = {number(term.weight_value)} × {number(term.input_value)}"
            f" = {number(term.product)}   (running sum {number(term.running_sum)})"
            for term in self.running
        ]
        lines.append(f"Σ wᵢ·xᵢ = {number(w.weighted_sum)}")
        lines.append(
            f"z = Σ wᵢ·xᵢ + b{w.layer}[{w.neuron + 1}] = {signed_sum([w.weighted_sum, w.bias])} = {number(w.z)}"
        )
        if self.softmax_z:
            denominator = " + ".join(f"e^({number(z)})" for z in self.softmax_z)
            lines.append(f"a = softmax: e^({number(w.z)}) / ({denominator}) = {number(w.a)}")
        else:
            lines.append(f"a = {w.activation}({number(w.z)}) = {number(w.a)}")
        return lines


def step_working(network: Network, result: ForwardResult, step: Step) -> StepWorking | None:
    """The arithmetic of ``step`` for a single-input ``result``; None at step 0 (nothing to do)."""
    if step.is_start:
        return None
    working = neuron_working(network, result, step.layer, step.neuron)
    running, total = [], 0.0
    for term in working.terms:
        total += term.product
        running.append(
            RunningTerm(
                weight_name=term.weight_name,
                weight_value=term.weight_value,
                input_name=term.input_name,
                input_value=term.input_value,
                product=term.product,
                running_sum=total,
            )
        )
    softmax_z = tuple(float(z) for z in result.z[step.layer - 1]) if working.activation == "softmax" else ()
    return StepWorking(step=step, working=working, running=tuple(running), softmax_z=softmax_z)


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
