"""Worked solutions and hint ladders of forward-pass questions, as lines of plain text."""

from __future__ import annotations

from dataclasses import dataclass

from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network, neuron_name, weight_name
from mlpsim.explain.arithmetic import NeuronWorking, layer_working, neuron_working, number
from mlpsim.workshop.questions import Question


def solution_steps(question: Question, network: Network, result: ForwardResult) -> list[str]:
    """The worked arithmetic, one step per entry, ending with the answer (*Show solution*)."""
    k = question.layer
    if question.kind == "w":
        x = result.values(k - 1)[question.row]
        w = network.layers[k - 1].weights[question.row, question.neuron]
        name = weight_name(k, question.row, question.neuron)
        source = neuron_name(k - 1, question.row)
        where = "the input" if k == 1 else f"the output a of {source} in {network.layer_title(k - 1)}"
        return [
            f"{source} is {where}: {source} = {number(x)}; {name} is row {question.row + 1}, column "
            f"{question.neuron + 1} of W{k}: {name} = {number(w)}",
            f"{name} × {source} = {number(w)} × {number(x)} = {number(w * x)}",
        ]
    if question.kind in ("z", "a"):
        steps = _neuron_steps(network, result, k, question.neuron)
        return steps[:-1] if question.kind == "z" else steps
    return _layer_steps(network, result, k)


def _layer_steps(network: Network, result: ForwardResult, layer: int) -> list[str]:
    """Every neuron of weighted layer ``layer`` worked out, then the layer's matrix form."""
    steps = []
    for j in range(network.layers[layer - 1].size):
        steps.extend(_neuron_steps(network, result, layer, j))
    steps.append(layer_working(network, result, layer).as_text())
    return steps


def _neuron_steps(network: Network, result: ForwardResult, layer: int, neuron: int) -> list[str]:
    working = neuron_working(network, result, layer, neuron)
    names = " + ".join(f"{t.weight_name}·{t.input_name}" for t in working.terms)
    bias_name = f"b{layer}[{neuron + 1}]"
    products = " + ".join(f"({number(t.weight_value)})·({number(t.input_value)})" for t in working.terms)
    sums = " + ".join(f"({number(t.product)})" for t in working.terms)
    indent = "    "
    lines = [
        f"{working.layer_title} · {working.neuron_name}: z = {names} + {bias_name}",
        f"{indent}z = {products} + ({number(working.bias)}) = {sums} + ({number(working.bias)})",
        f"{indent}z = {number(working.weighted_sum)} + ({number(working.bias)}) = {number(working.z)}",
    ]
    if working.activation == "softmax":
        lines.append(f"{indent}a = e^z / Σₖ e^(zₖ) over the layer = {number(working.a)}")
    else:
        lines.append(f"{indent}a = {working.activation}({number(working.z)}) = {number(working.a)}")
    return lines


def forward_pass_steps(network: Network, result: ForwardResult) -> list[str]:
    """The whole forward pass worked out: every neuron of every layer, then the layer's matrix form."""
    return [step for k in range(1, len(network.layers) + 1) for step in _layer_steps(network, result, k)]


@dataclass(frozen=True)
class Hint:
    """One rung of a question's hint ladder: what it gives (``title``) and its lines of text."""

    title: str
    lines: tuple[str, ...]


def hint_ladder(question: Question, network: Network, result: ForwardResult) -> tuple[Hint, ...]:
    """Hints that lead to the answer without giving it, one rung at a time.

    For a z or a (of one neuron or of every neuron of a layer): the formula with names only, then
    the products wᵢ·xᵢ with their numbers, then their sum Σ wᵢ·xᵢ; adding the bias (and applying
    the activation) is left to the learner. For a weight's contribution w·x: the formula, then the
    two numbers (their product is the answer, so it is only in the solution)."""
    k = question.layer
    if question.kind == "w":
        name = weight_name(k, question.row, question.neuron)
        source = neuron_name(k - 1, question.row)
        where = "the input" if k == 1 else f"the output a of {source} in {network.layer_title(k - 1)}"
        x = result.values(k - 1)[question.row]
        w = network.layers[k - 1].weights[question.row, question.neuron]
        return (
            Hint(
                "the formula",
                (
                    f"{name} × {source}: the weight in row {question.row + 1}, column "
                    f"{question.neuron + 1} of W{k}, times {source} ({where})",
                ),
            ),
            Hint("the numbers", (f"{name} = {number(w)} and {source} = {number(x)}",)),
        )
    neurons = [question.neuron] if question.kind in ("z", "a") else range(network.layers[k - 1].size)
    rungs = [_neuron_rungs(neuron_working(network, result, k, j), question.kind != "z") for j in neurons]
    formulas, products, sums = (tuple(lines) for lines in zip(*rungs))
    return Hint("the formula", formulas), Hint("the products", products), Hint("the sum", sums)


def _neuron_rungs(working: NeuronWorking, with_activation: bool) -> tuple[str, str, str]:
    """One neuron's line on each rung: the formula, the products, their sum."""
    head = f"{working.layer_title} · {working.neuron_name}:"
    bias_name = f"b{working.layer}[{working.neuron + 1}]"
    names = " + ".join(f"{t.weight_name}·{t.input_name}" for t in working.terms)
    activation = f", then a = {working.activation}(z)" if with_activation else ""
    products = ", ".join(
        f"{t.weight_name}·{t.input_name} = ({number(t.weight_value)})·({number(t.input_value)}) = {number(t.product)}"
        for t in working.terms
    )
    terms = " + ".join(f"({number(t.product)})" for t in working.terms)
    still = f"add {bias_name} = {number(working.bias)} for z" + (
        f", then apply {working.activation}" if with_activation else ""
    )
    return (
        f"{head} z = {names} + {bias_name}{activation}",
        f"{head} {products}",
        f"{head} Σ wᵢ·xᵢ = {terms} = {number(working.weighted_sum)}; now {still}",
    )
