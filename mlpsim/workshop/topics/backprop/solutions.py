"""Worked solutions and hint ladders of backpropagation questions, as lines of plain text.

The backward steps are the core's numbers worked by mlpsim.explain.gradient_working (one
neuron's δ, each weight's gradient and update, a layer's matrix form); the forward pass that
comes first is the forward exercises' own worked solution (mlpsim.workshop.topics.forward.solutions).
Hints climb three rungs: the formula with names only, then the numbers plugged in, then the
first step of the result — never the answer itself on the first rung.
"""

from __future__ import annotations

from collections.abc import Iterable

from mlpsim.core.activations import REGISTRY
from mlpsim.core.network import neuron_name, weight_name
from mlpsim.core.numbertext import number
from mlpsim.explain.gradient_working import NeuronGradient, layer_gradient, neuron_gradient
from mlpsim.workshop.topic import Hint
from mlpsim.workshop.topics.backprop.generation import LOSS_TEXT, BackpropTask
from mlpsim.workshop.topics.backprop.questions import BackpropQuestion, delta_name, gradient_name
from mlpsim.workshop.topics.forward.solutions import forward_pass_steps


def worked_neuron(task: BackpropTask, layer: int, neuron: int) -> NeuronGradient:
    """The worked backward step of one neuron (layer 1..L, neuron 0-based)."""
    return neuron_gradient(
        task.network, task.result, task.gradients, task.target, task.loss, layer, neuron, task.learning_rate
    )


def _vector(values: Iterable[float]) -> str:
    return "(" + ", ".join(number(v) for v in values) + ")"


def loss_lines(task: BackpropTask) -> list[str]:
    """L = ½ × ((a₁ − y₁)² + …) with the numbers, then its value."""
    outputs, target = task.result.output, task.target
    squares = " + ".join(f"({number(a)} − {number(y)})²" for a, y in zip(outputs, target))
    differences = " + ".join(f"({number(a - y)})²" for a, y in zip(outputs, target))
    return [
        f"Loss: {LOSS_TEXT}",
        f"    a = {_vector(outputs)}, y = {_vector(target)}",
        f"    L = ½ × ({squares}) = ½ × ({differences}) = ½ × {number(2 * task.gradients.loss)} = {number(task.gradients.loss)}",
    ]


def forward_summary(task: BackpropTask) -> str:
    """One line with every layer's z and a, the values the backward steps use."""
    network, result = task.network, task.result
    parts = [
        f"{network.layer_title(k)}: z = {_vector(result.z[k - 1])}, a = {_vector(result.a[k - 1])}"
        for k in range(1, len(network.layers) + 1)
    ]
    return "From the forward pass: " + "; ".join(parts)


def _delta_chain(task: BackpropTask, layer: int, neurons: Iterable[int]) -> list[str]:
    """The worked δ of ``neurons`` of ``layer``, after the δs of the later layers they need."""
    count = len(task.network.layers)
    lines = [] if layer == count else _delta_chain(task, layer + 1, range(task.network.layers[layer].size))
    for j in neurons:
        working = worked_neuron(task, layer, j).delta
        lines.append(f"{working.title} ({task.network.layer_title(layer)}, layer {layer}):")
        lines.extend("    " + line for line in working.text_lines())
    return lines


def backprop_solution_steps(question: BackpropQuestion, task: BackpropTask) -> list[str]:
    """The worked arithmetic, ending with the answer (*Show solution*)."""
    if question.kind == "loss":
        return forward_pass_steps(task.network, task.result) + loss_lines(task)
    k, j, i = question.layer, question.neuron, question.row
    steps = [forward_summary(task)]
    if question.kind == "matrix":
        steps += _delta_chain(task, k, range(task.network.layers[k - 1].size))
        steps.append(layer_gradient(task.network, task.result, task.gradients, k).as_text())
        return steps
    steps += _delta_chain(task, k, [j])
    if question.kind == "delta":
        return steps
    working = worked_neuron(task, k, j)
    step = working.bias if question.kind == "bias" else working.weights[i]
    lines = step.text_lines()
    steps.append(f"{step.title}:")
    steps.extend("    " + line for line in (lines[:1] if question.kind == "gradient" else lines))
    return steps


def backward_pass_steps(task: BackpropTask) -> list[str]:
    """The whole exercise worked: the forward pass, the loss, then every neuron backwards from
    the output (δ, each weight's gradient and update, the bias's), each layer in matrix form."""
    steps = forward_pass_steps(task.network, task.result) + loss_lines(task)
    for k in range(len(task.network.layers), 0, -1):
        for j in range(task.network.layers[k - 1].size):
            steps.append(worked_neuron(task, k, j).as_text())
        steps.append(layer_gradient(task.network, task.result, task.gradients, k).as_text())
    return steps


def _derivative_text(activation: str) -> str:
    return REGISTRY[activation].derivative_text


def _delta_formula(task: BackpropTask, layer: int, neuron: int) -> str:
    """δ of a neuron with names only: (a − y)·f′(z) or (Σⱼ W[i,j]·δⱼ)·f′(z)."""
    if layer == len(task.network.layers):
        return "(a − y)·f′(z)"
    following = task.network.layers[layer]
    terms = " + ".join(f"{weight_name(layer + 1, neuron, j)}·{delta_name(layer + 1, j)}" for j in range(following.size))
    return f"({terms})·f′(z)"


def _delta_plugged(task: BackpropTask, layer: int, neuron: int) -> str:
    """δ of a neuron with the numbers in, f′ not yet worked: (0.55 − 0.4) × f′(1.9)."""
    network, result, gradients = task.network, task.result, task.gradients
    z = number(result.z[layer - 1][neuron])
    if layer == len(network.layers):
        a, y = result.a[-1][neuron], task.target[neuron]
        return f"({number(a)} − {number(y)}) × f′({z})"
    following = network.layers[layer]
    terms = " + ".join(
        f"({number(following.weights[neuron, j])})·({number(gradients.deltas[layer][j])})"
        for j in range(following.size)
    )
    return f"({terms}) × f′({z})"


def _delta_first_step(task: BackpropTask, layer: int, neuron: int) -> str:
    """The first number of a δ: a − y, or the sum Σⱼ W[i,j]·δⱼ."""
    network, result, gradients = task.network, task.result, task.gradients
    if layer == len(network.layers):
        return f"a − y = {number(result.a[-1][neuron] - task.target[neuron])}"
    total = float(network.layers[layer].weights[neuron] @ gradients.deltas[layer])
    return f"Σⱼ W{layer + 1}[{neuron + 1},j]·δ{layer + 1}[j] = {number(total)}"


def backprop_hint_ladder(question: BackpropQuestion, task: BackpropTask) -> tuple[Hint, ...]:
    """Three rungs: the formula, the numbers plugged in, the first step of the result."""
    network, result, gradients = task.network, task.result, task.gradients
    rate = number(task.learning_rate)
    if question.kind == "loss":
        return (
            Hint(
                "the formula",
                (
                    f"{LOSS_TEXT}: work out every output a (the forward pass), subtract its target, square, add up, halve",
                ),
            ),
            Hint("the numbers", (f"a = {_vector(result.output)}, y = {_vector(task.target)}",)),
            Hint(
                "the first step",
                (f"a − y = {_vector(result.output - task.target)}; now square each, add them up and halve the sum",),
            ),
        )
    k, j, i = question.layer, question.neuron, question.row
    activation = network.layers[k - 1].activation
    if question.kind == "delta":
        return (
            Hint(
                "the formula",
                (f"{delta_name(k, j)} = {_delta_formula(task, k, j)}, {activation}: {_derivative_text(activation)}",),
            ),
            Hint("the numbers", (f"{delta_name(k, j)} = {_delta_plugged(task, k, j)}",)),
            Hint("the first step", (f"{_delta_first_step(task, k, j)}; now multiply by f′(z)",)),
        )
    if question.kind == "matrix":
        layer = network.layers[k - 1]
        inputs = result.values(k - 1)
        deltas = gradients.deltas[k - 1]
        source = "the input" if k == 1 else f"a of {network.layer_title(k - 1)}"
        return (
            Hint(
                "the formula",
                (
                    f"∂L/∂W{k}[i,j] = xᵢ·δ{k}[j]: row i is input i of this layer ({source}), column j is the δ of "
                    f"neuron j; together x·δ{k}ᵀ, {layer.n_in}×{layer.size} like W{k}",
                ),
            ),
            Hint(
                "the numbers",
                (
                    f"x = {_vector(inputs)}",
                    *(f"{delta_name(k, c)} = {_delta_plugged(task, k, c)}" for c in range(layer.size)),
                ),
            ),
            Hint(
                "the first step",
                (
                    f"δ{k} = {_vector(deltas)}; row 1: {number(inputs[0])} × {delta_name(k, 0)} first, then every other entry",
                ),
            ),
        )
    source = "1" if question.kind == "bias" else neuron_name(k - 1, i)
    x = 1.0 if question.kind == "bias" else float(result.values(k - 1)[i])
    delta = float(gradients.deltas[k - 1][j])
    gradient = "∂L/∂b" if question.kind == "bias" else gradient_name(k, i, j)
    product = (
        f"{gradient} = {delta_name(k, j)}" if question.kind == "bias" else f"{gradient} = {source} × {delta_name(k, j)}"
    )
    plugged = f"{delta_name(k, j)} = {_delta_plugged(task, k, j)}"
    if question.kind == "gradient":
        return (
            Hint("the formula", (f"{product}, with {delta_name(k, j)} = {_delta_formula(task, k, j)}",)),
            Hint("the numbers", (f"{source} = {number(x)}; {plugged}",)),
            Hint("the first step", (f"{delta_name(k, j)} = {number(delta)}; now multiply by {source}",)),
        )
    name = f"b{k}[{j + 1}]" if question.kind == "bias" else weight_name(k, i, j)
    value = float(network.layers[k - 1].bias[j] if question.kind == "bias" else network.layers[k - 1].weights[i, j])
    step = float(gradients.biases[k - 1][j] if question.kind == "bias" else gradients.weights[k - 1][i, j])
    return (
        Hint("the formula", (f"new {name} = {name} − η·{gradient}, {product}",)),
        Hint("the numbers", (f"{name} = {number(value)}, η = {rate}, x = {number(x)}; {plugged}",)),
        Hint("the first step", (f"{gradient} = {number(step)}; now subtract η × {number(step)} from {number(value)}",)),
    )
