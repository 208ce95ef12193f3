"""The questions of a forward-pass exercise: their codes (as in links), their text, and their
answer boxes with the exact expected values and what carrying 4 decimals can add to each."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network, neuron_name, weight_name
from mlpsim.workshop.answers import Blank
from mlpsim.workshop.topics.forward.carrying import carried_errors

_CODE = re.compile(r"^(?:(z|a)(\d{1,2})\.(\d{1,4})|L(\d{1,2})|out|w(\d{1,2})\.(\d{1,4})\.(\d{1,4}))$")


@dataclass(frozen=True)
class Question:
    """One thing the learner is asked. ``layer`` is 1-based (W1 is layer 1); ``neuron`` and
    ``row`` are 0-based. kind 'w' asks for W{layer}[row+1, neuron+1] × x_row."""

    kind: str
    layer: int = 0
    neuron: int = 0
    row: int = 0

    @property
    def code(self) -> str:
        """Short form used in links: z1.2, a1.2, L1, out, w1.2.3 (1-based numbers)."""
        if self.kind in ("z", "a"):
            return f"{self.kind}{self.layer}.{self.neuron + 1}"
        if self.kind == "layer":
            return f"L{self.layer}"
        if self.kind == "out":
            return "out"
        return f"w{self.layer}.{self.row + 1}.{self.neuron + 1}"


def parse_question(code: str, network: Network) -> Question:
    """'z1.2' → Question('z', 1, 1), checked against the network's shape."""
    match = _CODE.match(code.strip())
    if not match:
        raise ValidationError(
            f"question {code!r}: expected z<layer>.<neuron>, a<layer>.<neuron>, L<layer>, out "
            "or w<layer>.<row>.<column>, e.g. z1.2"
        )
    zk, zl, zn, ll, wl, wr, wc = match.groups()
    if zk:
        question = Question(zk, int(zl), int(zn) - 1)
    elif ll:
        question = Question("layer", int(ll))
    elif wl:
        question = Question("w", int(wl), int(wc) - 1, int(wr) - 1)
    else:
        return Question("out", len(network.layers))
    _check_in_network(question, network, code)
    return question


def possible_questions(network: Network) -> list[str]:
    """Every question code the network's shape allows, in the order the instructor reads them:
    per layer each weight's contribution, each neuron's z and a, the layer; then the output."""
    codes = []
    for k, params in enumerate(network.layers, start=1):
        codes += [f"w{k}.{i + 1}.{j + 1}" for i in range(params.n_in) for j in range(params.size)]
        codes += [f"{kind}{k}.{j + 1}" for j in range(params.size) for kind in ("z", "a")]
        codes.append(f"L{k}")
    return codes + ["out"]


def _check_in_network(question: Question, network: Network, code: str) -> None:
    if not 1 <= question.layer <= len(network.layers):
        raise ValidationError(f"question {code!r}: the network has layers 1..{len(network.layers)} after the input")
    params = network.layers[question.layer - 1]
    if not 0 <= question.neuron < params.size:
        raise ValidationError(f"question {code!r}: layer {question.layer} has neurons 1..{params.size}")
    if question.kind == "w" and not 0 <= question.row < params.n_in:
        raise ValidationError(f"question {code!r}: W{question.layer} has rows 1..{params.n_in}")


def default_questions(network: Network, seed: int) -> tuple[Question, ...]:
    """A weight's contribution, one hidden neuron's z and a, the hidden layer, the output."""
    rng = np.random.default_rng([seed, 7])
    first = network.layers[0]
    neuron = int(rng.integers(first.size))
    rows = np.flatnonzero(network.input_values * first.weights[:, neuron])
    rows = rows if rows.size else np.arange(first.n_in)
    row = int(rows[rng.integers(rows.size)])
    questions = [Question("w", 1, neuron, row), Question("z", 1, neuron), Question("a", 1, neuron)]
    if len(network.layers) > 1:
        questions.append(Question("layer", 1))
    questions.append(Question("out", len(network.layers)))
    return tuple(questions)


def question_text(question: Question, network: Network) -> str:
    k = question.layer
    title = network.layer_title(k)
    name = neuron_name(k, question.neuron)
    if question.kind == "z":
        return f"z of {name} in {title} (layer {k}): z = Σ wᵢ·xᵢ + b"
    if question.kind == "a":
        return f"a of {name} in {title} (layer {k}): a = {network.layers[k - 1].activation}(z)"
    if question.kind == "layer":
        return f"every output a of {title} (layer {k}, activation {network.layers[k - 1].activation})"
    if question.kind == "out":
        return f"the network's output: a of every neuron in {title} (activation {network.layers[-1].activation})"
    source = neuron_name(k - 1, question.row)
    return (
        f"the contribution of weight {weight_name(k, question.row, question.neuron)} "
        f"({source} → {name} of {title}): {weight_name(k, question.row, question.neuron)} × {source}"
    )


def blanks(question: Question, network: Network, result: ForwardResult) -> tuple[Blank, ...]:
    """The answer boxes of a question with their exact expected values (from the core) and the
    error carrying 4 decimals can add to each."""
    k = question.layer
    params = network.layers[k - 1]
    curved = REGISTRY[params.activation].curved
    carried = carried_errors(network, result)
    j = question.neuron
    if question.kind == "z":
        return (
            Blank(
                question.code, f"z({neuron_name(k, j)})", float(result.z[k - 1][j]), False, float(carried.z[k - 1][j])
            ),
        )
    if question.kind == "a":
        return (
            Blank(
                question.code, f"a({neuron_name(k, j)})", float(result.a[k - 1][j]), curved, float(carried.a[k - 1][j])
            ),
        )
    if question.kind == "w":
        product = float(params.weights[question.row, j] * result.values(k - 1)[question.row])
        return (
            Blank(
                question.code,
                f"{weight_name(k, question.row, j)} × {neuron_name(k - 1, question.row)}",
                product,
                False,
                float(carried.products[k - 1][question.row, j]),
            ),
        )
    prefix = "out" if question.kind == "out" else f"L{k}"
    return tuple(
        Blank(
            f"{prefix}.{j + 1}",
            f"a({neuron_name(k, j)})",
            float(result.a[k - 1][j]),
            curved,
            float(carried.a[k - 1][j]),
        )
        for j in range(params.size)
    )
