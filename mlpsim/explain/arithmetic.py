"""Worked arithmetic: the sums the seed article does with pen and paper, with the numbers in.

For one neuron: each term wᵢ·xᵢ, their sum, + b, z, and a = f(z). For one layer: the matrix form
Wᵀ·x + b = z → f → a. Each is plain data; ``mlpsim.explain.notation`` writes it in every medium
(``as_text``, ``as_latex``, ``as_markdown``, ``as_html``) in the one notation described there.
Layers are given by ``position`` (0 = input, 1 = the layer W1 feeds), neurons 0-based.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network, bias_name, neuron_name, weight_name
from mlpsim.core.numbertext import sum_text
from mlpsim.explain.notation import LATEX, TERMS_IN_ONE_LINE, TEXT, Medium, Rendered, applied

MATRIX_LATEX_MAX = 8
"""Layers with at most this many neurons on each side show their numbers in the matrix form."""


@dataclass(frozen=True)
class Term:
    """One incoming connection's contribution: weight × input."""

    input_name: str
    input_value: float
    weight_name: str
    weight_value: float
    product: float

    def line(self, medium: Medium = TEXT) -> str:
        """'W1[1,1] × IN1 = 0.5 × 8 = 4'."""
        return (
            f"{self.weight_name} × {self.input_name} = {medium.product(self.weight_value, self.input_value)}"
            f" = {medium.number(self.product)}"
        )


@dataclass(frozen=True)
class NeuronWorking(Rendered):
    """z = Σᵢ wᵢxᵢ + b and a = f(z) for neuron ``neuron`` (0-based) of layer ``position``."""

    title: str
    """'Hidden 1 · N2 (layer 1, activation relu)'."""
    position: int
    layer_title: str
    neuron: int
    neuron_name: str
    bias_name: str
    terms: tuple[Term, ...]
    weighted_sum: float
    bias: float
    z: float
    activation: str
    a: float
    layer_z: tuple[float, ...] = ()
    """Every z of the neuron's layer when its activation is not elementwise (softmax's a depends
    on all of them); () otherwise."""

    def names_line(self) -> str:
        """'z = W1[1,1] × IN1 + W1[2,1] × IN2 + b1[1]': the sum with names only."""
        return "z = " + " + ".join([*(f"{t.weight_name} × {t.input_name}" for t in self.terms), self.bias_name])

    def sum_line(self, medium: Medium = TEXT) -> str:
        """'Σ wᵢ·xᵢ = 4 + 0.9 + 1 = 5.9' (for many terms: their count and the total)."""
        products = [term.product for term in self.terms]
        symbol = r"\sum_i w_i x_i" if medium.latex else "Σ wᵢ·xᵢ"
        if len(products) > TERMS_IN_ONE_LINE:
            if medium.latex:
                return rf"\sum_{{i=1}}^{{{len(products)}}} w_i x_i = {medium.number(self.weighted_sum)}"
            printed = sum_text(products, self.weighted_sum)  # the listed products add up to it as printed
            return f"{symbol} = the {len(products)} products above {printed.relation} {printed.total}"
        return f"{symbol} = {medium.sum_line(products, self.weighted_sum)}"

    def z_line(self, medium: Medium = TEXT) -> str:
        """'z = Σ wᵢ·xᵢ + b1[1] = 5.9 + 0.14 = 6.04'."""
        symbols = r"\sum_i w_i x_i + b" if medium.latex else f"Σ wᵢ·xᵢ + {self.bias_name}"
        return f"z = {symbols} = {medium.sum_line([self.weighted_sum, self.bias], self.z)}"

    def a_line(self, medium: Medium = TEXT) -> str:
        """'a = f(z) = max(0, 6.04) = 6.04'."""
        return f"a = {applied(self.activation, self.z, self.a, self.layer_z, medium)}"

    def text_lines(self) -> list[str]:
        return [*(term.line() for term in self.terms), self.sum_line(), self.z_line(), self.a_line()]

    def latex_lines(self) -> list[str]:
        """One equation per step (the app typesets each with st.latex): the sum with the numbers
        in (while it fits on a line), Σ wᵢxᵢ, z and a."""
        lines = []
        if len(self.terms) <= TERMS_IN_ONE_LINE:
            products = " + ".join(LATEX.product(t.weight_value, t.input_value) for t in self.terms)
            lines.append(rf"z = \sum_i w_i x_i + b = {products} + {LATEX.factor(self.bias)}")
        return [*lines, self.sum_line(LATEX), self.z_line(LATEX), self.a_line(LATEX)]


def neuron_working(network: Network, result: ForwardResult, position: int, neuron: int) -> NeuronWorking:
    """The worked arithmetic of neuron ``neuron`` (0-based) of layer ``position`` (1..L; the
    input, position 0, computes nothing), for a single-input ``result``."""
    _check_position(network, position)
    params = network.layers[position - 1]
    if not 0 <= neuron < params.size:
        raise ValidationError(f"neuron {neuron + 1}: layer {position} has neurons 1..{params.size}")
    _check_single_input(result)
    x = result.values(position - 1)
    terms = tuple(
        Term(
            input_name=neuron_name(position - 1, i),
            input_value=float(x[i]),
            weight_name=weight_name(position, i, neuron),
            weight_value=float(params.weights[i, neuron]),
            product=float(params.weights[i, neuron] * x[i]),
        )
        for i in range(params.n_in)
    )
    z = result.z[position - 1]
    title = f"{network.layer_title(position)} · {neuron_name(position, neuron)}"
    return NeuronWorking(
        title=f"{title} (layer {position}, activation {params.activation})",
        position=position,
        layer_title=network.layer_title(position),
        neuron=neuron,
        neuron_name=neuron_name(position, neuron),
        bias_name=bias_name(position, neuron),
        terms=terms,
        weighted_sum=float(np.dot(x, params.weights[:, neuron])),
        bias=float(params.bias[neuron]),
        z=float(z[neuron]),
        activation=params.activation,
        a=float(result.a[position - 1][neuron]),
        layer_z=() if REGISTRY[params.activation].elementwise else tuple(float(value) for value in z),
    )


@dataclass(frozen=True, eq=False)
class LayerWorking(Rendered):
    """The matrix form of layer ``position``: z = Wᵀ·x + b, a = f(z).

    weights: (N, M); x: (N,); bias, z, a: (M,)
    """

    title: str
    """'Hidden 1 (layer 1): W1ᵀ (4×3) · x (3×1) + b (4×1) = z (4×1) → relu → a (4×1)'."""
    position: int
    layer_title: str
    activation: str
    weights: np.ndarray
    x: np.ndarray
    bias: np.ndarray
    z: np.ndarray
    a: np.ndarray

    @property
    def shapes_text(self) -> str:
        return shapes_text(self.position, self.weights.shape, self.activation)

    @property
    def small(self) -> bool:
        return max(self.weights.shape) <= MATRIX_LATEX_MAX

    def text_lines(self) -> list[str]:
        if not self.small:
            return []
        return [
            f"W{self.position}ᵀ = " + text_matrix(self.weights.T),
            "x = " + text_matrix(self.x[:, None]),
            "b = " + text_matrix(self.bias[:, None]),
            "z = " + text_matrix(self.z[:, None]),
            "a = " + text_matrix(self.a[:, None]),
        ]

    def latex_lines(self) -> list[str]:
        return [self.as_latex()]

    def as_latex(self) -> str:
        n, m = self.weights.shape
        name = self.activation.replace("_", r"\_")
        arrow = rf" \xrightarrow{{\ \mathrm{{{name}}}\ }} "
        if not self.small:
            return (
                rf"\underbrace{{W_{{{self.position}}}^\top}}_{{{m}\times{n}}}\,\underbrace{{x}}_{{{n}\times 1}}"
                rf" + \underbrace{{b}}_{{{m}\times 1}} = \underbrace{{z}}_{{{m}\times 1}}"
                rf"{arrow}\underbrace{{a}}_{{{m}\times 1}}"
            )
        return (
            f"{latex_matrix(self.weights.T)}{latex_matrix(self.x[:, None])} + {latex_matrix(self.bias[:, None])}"
            f" = {latex_matrix(self.z[:, None])}{arrow}{latex_matrix(self.a[:, None])}"
        )


def layer_working(network: Network, result: ForwardResult, position: int) -> LayerWorking:
    """The matrix form of layer ``position`` (1..L) for a single-input ``result``."""
    _check_position(network, position)
    _check_single_input(result)
    params = network.layers[position - 1]
    shapes = shapes_text(position, params.weights.shape, params.activation)
    return LayerWorking(
        title=f"{network.layer_title(position)} (layer {position}): {shapes}",
        position=position,
        layer_title=network.layer_title(position),
        activation=params.activation,
        weights=params.weights,
        x=result.values(position - 1),
        bias=params.bias,
        z=result.z[position - 1],
        a=result.a[position - 1],
    )


def shapes_text(position: int, shape: tuple[int, ...], activation: str) -> str:
    """'W1ᵀ (4×3) · x (3×1) + b (4×1) = z (4×1) → relu → a (4×1)' for W{position} of ``shape`` (N, M)."""
    n, m = shape
    return f"W{position}ᵀ ({m}×{n}) · x ({n}×1) + b ({m}×1) = z ({m}×1) → {activation} → a ({m}×1)"


def _check_position(network: Network, position: int) -> None:
    if not 1 <= position <= len(network.layers):
        raise ValidationError(
            f"layer position {position}: the layers after the input are 1..{len(network.layers)} (0 is the input)"
        )


def _check_single_input(result: ForwardResult) -> None:
    if result.inputs.ndim != 1:
        raise ValidationError(f"worked arithmetic is for one input vector; got a batch of {result.inputs.shape[0]}")


def text_matrix(matrix: np.ndarray) -> str:
    """'[1, 2; 3, 4]': a matrix on one line, rows separated by ';'."""
    return "[" + "; ".join(", ".join(TEXT.number(v) for v in row) for row in matrix) + "]"


def latex_matrix(matrix: np.ndarray) -> str:
    rows = r" \\ ".join(" & ".join(LATEX.number(v) for v in row) for row in matrix)
    return rf"\begin{{bmatrix}} {rows} \end{{bmatrix}}"
