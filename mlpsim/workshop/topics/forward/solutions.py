"""Worked solutions and hint ladders of forward-pass questions, as lines of plain text."""

from __future__ import annotations

from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network, neuron_name, weight_name
from mlpsim.core.numbertext import number
from mlpsim.explain.arithmetic import LayerWorking, NeuronWorking, layer_working, neuron_working
from mlpsim.workshop.topic import Hint
from mlpsim.workshop.topics.forward.questions import Question


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
            neuron_working(network, result, k, question.neuron).terms[question.row].line(),
        ]
    if question.kind in ("z", "a"):
        steps = _neuron_steps(network, result, k, question.neuron)
        return steps[:-1] if question.kind == "z" else steps
    return _layer_steps(network, result, k)


def _layer_steps(network: Network, result: ForwardResult, position: int) -> list[str]:
    """Every neuron of layer ``position`` (1..L) worked out, then the layer's matrix form."""
    steps = []
    for j in range(network.layers[position - 1].size):
        steps.extend(_neuron_steps(network, result, position, j))
    steps.append(layer_working(network, result, position).as_text())
    return steps


def _neuron_steps(network: Network, result: ForwardResult, position: int, neuron: int) -> list[str]:
    """The neuron's worked sum (mlpsim.explain.arithmetic), one step per entry: its title, the
    products, Σ wᵢ·xᵢ, z, and a last."""
    working = neuron_working(network, result, position, neuron)
    return [working.title, *("    " + line for line in working.text_lines())]


def forward_pass_steps(network: Network, result: ForwardResult) -> list[str]:
    """The whole forward pass worked out as lines of text: every neuron of every layer, then the
    layer's matrix form."""
    return [step for k in range(1, len(network.layers) + 1) for step in _layer_steps(network, result, k)]


def forward_pass_workings(network: Network, result: ForwardResult) -> list[NeuronWorking | LayerWorking]:
    """The whole forward pass worked out: every neuron of every layer, then the layer's matrix
    form (each a working that renders itself in text, LaTeX, Markdown and HTML)."""
    workings: list[NeuronWorking | LayerWorking] = []
    for position, layer in enumerate(network.layers, start=1):
        workings.extend(neuron_working(network, result, position, j) for j in range(layer.size))
        workings.append(layer_working(network, result, position))
    return workings


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
    activation = f", then a = {working.activation}(z)" if with_activation else ""
    still = f"add {working.bias_name} = {number(working.bias)} for z" + (
        f", then apply {working.activation}" if with_activation else ""
    )
    return (
        f"{head} {working.names_line()}{activation}",
        f"{head} " + ", ".join(term.line() for term in working.terms),
        f"{head} {working.sum_line()}; now {still}",
    )
