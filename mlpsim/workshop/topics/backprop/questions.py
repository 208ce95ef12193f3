"""The questions of a backpropagation exercise: their codes (as in links), their text, and their
answer boxes with the exact expected values (from the core's backward pass) and what carrying 4
significant figures can add to each.

Codes (1-based numbers, as the article counts; a layer is its position after the input):
``loss``; ``d2.1`` δ of N1 in layer 2; ``g1.2.1`` ∂L/∂W1[2,1]; ``u1.2.1`` W1[2,1] after the
update; ``b2.1`` b2[1] after the update; ``G2`` the whole gradient matrix ∂L/∂W2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from mlpsim.core.errors import ValidationError
from mlpsim.core.network import Network, neuron_name, weight_name
from mlpsim.core.numbertext import number
from mlpsim.workshop.answers import Blank
from mlpsim.workshop.topics.backprop.carrying import BackpropCarry
from mlpsim.workshop.topics.backprop.generation import BackpropTask

_CODE = re.compile(
    r"^(?:(loss)|d(\d{1,2})\.(\d{1,4})|([gu])(\d{1,2})\.(\d{1,4})\.(\d{1,4})|b(\d{1,2})\.(\d{1,4})|G(\d{1,2}))$"
)
KINDS = ("loss", "delta", "gradient", "weight", "bias", "matrix")


@dataclass(frozen=True)
class BackpropQuestion:
    """One thing the learner is asked. ``layer`` is the weighted layer's position (1..L);
    ``neuron`` (the target j) and ``row`` (the source i) are 0-based. Kinds: 'loss', 'delta'
    (δ of a neuron), 'gradient' (∂L/∂W[i,j]), 'weight' (W[i,j] after the update), 'bias' (b[j]
    after the update), 'matrix' (every ∂L/∂W[i,j] of the layer)."""

    kind: str
    layer: int = 0
    neuron: int = 0
    row: int = 0

    @property
    def code(self) -> str:
        """Short form used in links: loss, d2.1, g1.2.1, u1.2.1, b2.1, G2 (1-based numbers)."""
        if self.kind == "loss":
            return "loss"
        if self.kind == "delta":
            return f"d{self.layer}.{self.neuron + 1}"
        if self.kind == "bias":
            return f"b{self.layer}.{self.neuron + 1}"
        if self.kind == "matrix":
            return f"G{self.layer}"
        letter = "g" if self.kind == "gradient" else "u"
        return f"{letter}{self.layer}.{self.row + 1}.{self.neuron + 1}"


def parse_backprop_question(code: str, network: Network) -> BackpropQuestion:
    """'d2.1' → BackpropQuestion('delta', 2, 0), checked against the network's shape."""
    match = _CODE.match(code.strip())
    if not match:
        raise ValidationError(
            f"question {code!r}: expected loss, d<layer>.<neuron>, g<layer>.<row>.<column>, "
            "u<layer>.<row>.<column>, b<layer>.<neuron> or G<layer>, e.g. d2.1"
        )
    loss, dl, dn, gu, gl, gr, gc, bl, bn, ml = match.groups()
    if loss:
        return BackpropQuestion("loss")
    if dl:
        question = BackpropQuestion("delta", int(dl), int(dn) - 1)
    elif gu:
        question = BackpropQuestion("gradient" if gu == "g" else "weight", int(gl), int(gc) - 1, int(gr) - 1)
    elif bl:
        question = BackpropQuestion("bias", int(bl), int(bn) - 1)
    else:
        question = BackpropQuestion("matrix", int(ml))
    count = len(network.layers)
    if not 1 <= question.layer <= count:
        raise ValidationError(f"question {code!r}: the network has layers 1..{count} after the input")
    layer = network.layers[question.layer - 1]
    if not 0 <= question.neuron < layer.size:
        raise ValidationError(f"question {code!r}: layer {question.layer} has neurons 1..{layer.size}")
    if question.kind in ("gradient", "weight") and not 0 <= question.row < layer.n_in:
        raise ValidationError(f"question {code!r}: W{question.layer} has rows 1..{layer.n_in}")
    return question


def possible_backprop_questions(network: Network) -> list[str]:
    """Every question code the network's shape allows, in the order the instructor reads them:
    the loss, the δs from the output back, then per layer each weight's gradient and update,
    each bias's update and the gradient matrix."""
    codes = ["loss"]
    for k in range(len(network.layers), 0, -1):
        codes += [f"d{k}.{j + 1}" for j in range(network.layers[k - 1].size)]
    for k, params in enumerate(network.layers, start=1):
        cells = [(i + 1, j + 1) for i in range(params.n_in) for j in range(params.size)]
        codes += [f"g{k}.{i}.{j}" for i, j in cells] + [f"u{k}.{i}.{j}" for i, j in cells]
        codes += [f"b{k}.{j + 1}" for j in range(params.size)] + [f"G{k}"]
    return codes


def default_backprop_questions(task: BackpropTask, seed: int) -> tuple[BackpropQuestion, ...]:
    """The loss; an output neuron's δ; a hidden neuron's δ (one that has one); the output layer's
    gradient matrix; the gradient of a weight into that hidden neuron from a non-zero input; and
    either that weight after the update or the output neuron's bias after it."""
    rng = np.random.default_rng([seed, 7])
    network, gradients = task.network, task.gradients
    count = len(network.layers)
    output = int(rng.integers(network.layers[-1].size))
    hidden_deltas = gradients.deltas[count - 2]
    candidates = np.flatnonzero(hidden_deltas)
    hidden = int(candidates[rng.integers(candidates.size)])
    rows = np.flatnonzero(network.input_values)
    row = int(rows[rng.integers(rows.size)])
    last: BackpropQuestion = (
        BackpropQuestion("weight", 1, hidden, row) if rng.integers(2) == 0 else BackpropQuestion("bias", count, output)
    )
    return (
        BackpropQuestion("loss"),
        BackpropQuestion("delta", count, output),
        BackpropQuestion("delta", count - 1, hidden),
        BackpropQuestion("matrix", count),
        BackpropQuestion("gradient", 1, hidden, row),
        last,
    )


def delta_name(layer: int, neuron: int) -> str:
    """'δ2[1]': δ of neuron 1 in layer 2 (both given as shown: layer 1-based, neuron 0-based)."""
    return f"δ{layer}[{neuron + 1}]"


def gradient_name(layer: int, row: int, column: int) -> str:
    return f"∂L/∂{weight_name(layer, row, column)}"


def backprop_question_text(question: BackpropQuestion, task: BackpropTask) -> str:
    network = task.network
    k, j, i = question.layer, question.neuron, question.row
    if question.kind == "loss":
        return "the loss L = ½ Σₖ (aₖ − yₖ)² of the network's output for the target y"
    title = network.layer_title(k)
    name = neuron_name(k, j)
    if question.kind == "delta":
        if k == len(network.layers):
            formula = f"δ = ∂L/∂z = (a − y)·f′(z), f = {network.layers[k - 1].activation}"
        else:
            formula = f"δ = (Σⱼ W{k + 1}[{j + 1},j]·δ{k + 1}[j])·f′(z), f = {network.layers[k - 1].activation}"
        return f"{delta_name(k, j)}, the δ of {name} in {title} (layer {k}): {formula}"
    if question.kind == "matrix":
        layer = network.layers[k - 1]
        source = "the input x" if k == 1 else f"a of {network.layer_title(k - 1)}"
        return (
            f"the whole gradient matrix ∂L/∂W{k} of {title} (layer {k}), {layer.n_in}×{layer.size} like W{k}: "
            f"entry [i,j] = xᵢ·δ{k}[j], with x = {source}"
        )
    rate = number(task.learning_rate)
    if question.kind == "bias":
        return f"b{k}[{j + 1}] after one gradient-descent step with η = {rate}: b − η·∂L/∂b, where ∂L/∂b = {delta_name(k, j)}"
    source = neuron_name(k - 1, i)
    weight = weight_name(k, i, j)
    if question.kind == "gradient":
        return f"the gradient {gradient_name(k, i, j)} of the weight {source} → {name} of {title}: {source} × {delta_name(k, j)}"
    return f"{weight} ({source} → {name} of {title}) after one gradient-descent step with η = {rate}: {weight} − η·{gradient_name(k, i, j)}"


def backprop_blanks(question: BackpropQuestion, task: BackpropTask, carry: BackpropCarry) -> tuple[Blank, ...]:
    """The answer boxes of a question with their exact expected values (core backward) and the
    error carrying 4 significant figures can add. Every backprop answer is checked to 3
    significant figures (``Blank.curved``)."""
    network, gradients, rate = task.network, task.gradients, task.learning_rate
    k, j, i = question.layer, question.neuron, question.row
    if question.kind == "loss":
        return (Blank("loss", "L", gradients.loss + 0.0, True, carry.loss),)
    if question.kind == "delta":
        return (
            Blank(
                question.code,
                delta_name(k, j),
                float(gradients.deltas[k - 1][j]) + 0.0,
                True,
                float(carry.deltas[k - 1][j]),
            ),
        )
    if question.kind == "bias":
        updated = float(network.layers[k - 1].bias[j] - rate * gradients.biases[k - 1][j])
        return (Blank(question.code, f"new b{k}[{j + 1}]", updated + 0.0, True, float(carry.biases[k - 1][j])),)
    if question.kind == "weight":
        updated = float(network.layers[k - 1].weights[i, j] - rate * gradients.weights[k - 1][i, j])
        return (
            Blank(question.code, f"new {weight_name(k, i, j)}", updated + 0.0, True, float(carry.weights[k - 1][i, j])),
        )
    if question.kind == "gradient":
        value = float(gradients.weights[k - 1][i, j])
        return (
            Blank(question.code, gradient_name(k, i, j), value + 0.0, True, float(carry.weight_gradients[k - 1][i, j])),
        )
    layer = network.layers[k - 1]
    return tuple(
        Blank(
            f"G{k}.{row + 1}.{column + 1}",
            gradient_name(k, row, column),
            float(gradients.weights[k - 1][row, column]) + 0.0,
            True,
            float(carry.weight_gradients[k - 1][row, column]),
        )
        for row in range(layer.n_in)
        for column in range(layer.size)
    )
