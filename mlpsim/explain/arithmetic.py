"""Worked arithmetic: the sums the seed article does with pen and paper, with the numbers in.

For one neuron: each term wᵢ·xᵢ, their sum, + b, z, and a = f(z). For one layer: the matrix form
Wᵀ·x + b = z → f → a. Each is plain data with ``as_text()`` and ``as_latex()`` renderings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlpsim.core.activations import FORMULAS_LATEX
from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network, neuron_name, weight_name
from mlpsim.core.numbertext import number, sum_text

TERMS_IN_ONE_LINE = 12
"""A neuron with more inputs than this has its products listed one per line, and the Σ line
gives only their total (an 800-character line helps nobody)."""
MATRIX_LATEX_MAX = 8
"""Layers with at most this many neurons on each side show their numbers in the matrix form."""


def signed_sum(values: Sequence[float] | Sequence[str]) -> str:
    """'0.186 + 0.604 - 0.06': each term after the first written with its own sign (the
    article's ASCII minus, as number() writes a negative number). Numbers are written by
    number(); texts are taken as they are."""
    texts = [value if isinstance(value, str) else number(value) for value in values]
    line = texts[0]
    for text in texts[1:]:
        line += f" - {text[1:]}" if text.startswith("-") else f" + {text}"
    return line


def sum_line(values: Sequence[float], total: float) -> str:
    """'4 + 0.9 + 1 = 5.9': a sum that adds up as printed (see numbertext.sum_text)."""
    printed = sum_text(values, total)
    return f"{signed_sum(printed.terms)} {printed.relation} {printed.total}"


def latex_number(value: float) -> str:
    """number(value) as LaTeX: 1.5e-07 → 1.5 \\times 10^{-7}."""
    text = number(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def signed_latex(value: float) -> str:
    """latex_number(value), in parentheses when negative (so it can follow a + or ·)."""
    return latex_number(value) if value >= 0 else f"({latex_number(value)})"


@dataclass(frozen=True)
class Term:
    """One incoming connection's contribution: weight × input."""

    input_name: str
    input_value: float
    weight_name: str
    weight_value: float
    product: float


@dataclass(frozen=True)
class NeuronWorking:
    """z = Σᵢ wᵢxᵢ + b and a = f(z) for one neuron (``layer`` 1-based, ``neuron`` 0-based)."""

    layer: int
    layer_title: str
    neuron: int
    neuron_name: str
    terms: tuple[Term, ...]
    weighted_sum: float
    bias: float
    z: float
    activation: str
    a: float
    layer_z: tuple[float, ...] = ()
    """Every z of the neuron's layer, for a softmax neuron (whose a depends on all of them)."""

    def as_text(self) -> str:
        lines = [f"{self.layer_title} · {self.neuron_name} (layer {self.layer}, activation {self.activation})"]
        for term in self.terms:
            lines.append(
                f"  {term.weight_name} × {term.input_name} = {number(term.weight_value)} × "
                f"{number(term.input_value)} = {number(term.product)}"
            )
        products = [term.product for term in self.terms]
        if len(products) > TERMS_IN_ONE_LINE:
            printed = sum_text(products, self.weighted_sum)
            lines.append(f"  Σ wᵢ·xᵢ = the {len(products)} products above {printed.relation} {printed.total}")
        else:
            lines.append(f"  Σ wᵢ·xᵢ = {sum_line(products, self.weighted_sum)}")
        lines.append(f"  z = Σ wᵢ·xᵢ + b = {sum_line([self.weighted_sum, self.bias], self.z)}")
        applied = self._applied_text()
        lines.append(f"  a = {applied}" if self.activation == "linear" else f"  a = {applied} = {number(self.a)}")
        return "\n".join(lines)

    def _applied_text(self) -> str:
        z = number(self.z)
        if self.activation == "softmax":
            return f"e^({z}) / ({self._softmax_denominator()})"
        return {
            "linear": f"z = {z}",
            "relu": f"max(0, {z})",
            "leaky_relu": f"leaky_relu({z})",
            "tanh": f"tanh({z})",
            "sigmoid": f"1 / (1 + e^(-{z}))" if self.z >= 0 else f"1 / (1 + e^({number(-self.z)}))",
        }[self.activation]

    def _softmax_denominator(self) -> str:
        """Σₖ e^(zₖ) with every z of the layer written out (a softmax neuron depends on them all)."""
        if len(self.layer_z) > TERMS_IN_ONE_LINE:
            return f"Σₖ e^(zₖ) over the {len(self.layer_z)} neurons of this layer"
        return " + ".join(f"e^({number(z)})" for z in self.layer_z)

    def latex_lines(self) -> list[str]:
        """One LaTeX equation per step (the app typesets each with st.latex)."""
        sum_terms = " + ".join(
            rf"{signed_latex(t.weight_value)} \cdot {signed_latex(t.input_value)}" for t in self.terms
        )
        products = " + ".join(signed_latex(t.product) for t in self.terms)
        z = latex_number(self.z)
        applied = {
            "linear": rf"f({z}) = {z}",
            "relu": rf"\max(0,\ {z})",
            "leaky_relu": rf"\mathrm{{leaky\_relu}}({z})",
            "tanh": rf"\tanh({z})",
            "sigmoid": rf"\frac{{1}}{{1 + e^{{{latex_number(-self.z)}}}}}",
            "softmax": rf"\frac{{e^{{{z}}}}}{{\sum_k e^{{z_k}}}}",
        }[self.activation]
        return [
            rf"z = \sum_i w_i x_i + b = {sum_terms} + {signed_latex(self.bias)}",
            rf"z = {products} + {signed_latex(self.bias)} = {latex_number(self.weighted_sum)} + "
            rf"{signed_latex(self.bias)} = {z}",
            rf"a = {FORMULAS_LATEX[self.activation].split('=', 1)[0].strip()} = {applied} = {latex_number(self.a)}",
        ]

    def as_latex(self) -> str:
        return (
            r"\begin{aligned}"
            + r" \\ ".join(line.replace("=", "&=", 1) for line in self.latex_lines())
            + r"\end{aligned}"
        )

    def _repr_latex_(self) -> str:
        """Jupyter shows the worked sum typeset."""
        return f"$${self.as_latex()}$$"


def neuron_working(network: Network, result: ForwardResult, layer: int, neuron: int) -> NeuronWorking:
    """The worked arithmetic of neuron ``neuron`` (0-based) of weighted layer ``layer`` (1-based,
    as W1 is layer 1), for a single-input ``result``."""
    _check_layer(network, layer)
    params = network.layers[layer - 1]
    if not 0 <= neuron < params.size:
        raise ValidationError(f"neuron {neuron + 1}: layer {layer} has neurons 1..{params.size}")
    _check_single_input(result)
    x = result.values(layer - 1)
    terms = tuple(
        Term(
            input_name=neuron_name(layer - 1, i),
            input_value=float(x[i]),
            weight_name=weight_name(layer, i, neuron),
            weight_value=float(params.weights[i, neuron]),
            product=float(params.weights[i, neuron] * x[i]),
        )
        for i in range(params.n_in)
    )
    return NeuronWorking(
        layer=layer,
        layer_title=network.layer_title(layer),
        neuron=neuron,
        neuron_name=neuron_name(layer, neuron),
        terms=terms,
        weighted_sum=float(np.dot(x, params.weights[:, neuron])),
        bias=float(params.bias[neuron]),
        z=float(result.z[layer - 1][neuron]),
        activation=params.activation,
        a=float(result.a[layer - 1][neuron]),
        layer_z=tuple(float(z) for z in result.z[layer - 1]) if params.activation == "softmax" else (),
    )


@dataclass(frozen=True, eq=False)
class LayerWorking:
    """The matrix form of one layer: z = Wᵀ·x + b, a = f(z).

    weights: (N, M); x: (N,); bias, z, a: (M,)
    """

    layer: int
    layer_title: str
    activation: str
    weights: np.ndarray
    x: np.ndarray
    bias: np.ndarray
    z: np.ndarray
    a: np.ndarray

    @property
    def shapes_text(self) -> str:
        n, m = self.weights.shape
        return f"W{self.layer}ᵀ ({m}×{n}) · x ({n}×1) + b ({m}×1) = z ({m}×1) → {self.activation} → a ({m}×1)"

    @property
    def small(self) -> bool:
        return max(self.weights.shape) <= MATRIX_LATEX_MAX

    def as_text(self) -> str:
        lines = [f"{self.layer_title} (layer {self.layer}): {self.shapes_text}"]
        if self.small:
            lines.append(f"W{self.layer}ᵀ = " + _text_matrix(self.weights.T))
            lines.append("x = " + _text_matrix(self.x[:, None]))
            lines.append("b = " + _text_matrix(self.bias[:, None]))
            lines.append("z = " + _text_matrix(self.z[:, None]))
            lines.append("a = " + _text_matrix(self.a[:, None]))
        return "\n".join(lines)

    @property
    def _activation_latex(self) -> str:
        return self.activation.replace("_", r"\_")

    def as_latex(self) -> str:
        n, m = self.weights.shape
        if not self.small:
            return (
                rf"\underbrace{{W_{{{self.layer}}}^\top}}_{{{m}\times{n}}}\,\underbrace{{x}}_{{{n}\times 1}}"
                rf" + \underbrace{{b}}_{{{m}\times 1}} = \underbrace{{z}}_{{{m}\times 1}}"
                rf" \xrightarrow{{\ \mathrm{{{self._activation_latex}}}\ }} \underbrace{{a}}_{{{m}\times 1}}"
            )
        return (
            f"{_latex_matrix(self.weights.T)}{_latex_matrix(self.x[:, None])} + {_latex_matrix(self.bias[:, None])}"
            f" = {_latex_matrix(self.z[:, None])}"
            rf" \xrightarrow{{\ \mathrm{{{self._activation_latex}}}\ }} {_latex_matrix(self.a[:, None])}"
        )

    def _repr_latex_(self) -> str:
        """Jupyter shows the layer's matrix form typeset."""
        return f"$${self.as_latex()}$$"


def layer_working(network: Network, result: ForwardResult, layer: int) -> LayerWorking:
    """The matrix form of weighted layer ``layer`` (1-based) for a single-input ``result``."""
    _check_layer(network, layer)
    _check_single_input(result)
    params = network.layers[layer - 1]
    return LayerWorking(
        layer=layer,
        layer_title=network.layer_title(layer),
        activation=params.activation,
        weights=params.weights,
        x=result.values(layer - 1),
        bias=params.bias,
        z=result.z[layer - 1],
        a=result.a[layer - 1],
    )


def _check_layer(network: Network, layer: int) -> None:
    if not 1 <= layer <= len(network.layers):
        raise ValidationError(f"layer {layer}: the network has weighted layers 1..{len(network.layers)}")


def _check_single_input(result: ForwardResult) -> None:
    if result.inputs.ndim != 1:
        raise ValidationError(f"worked arithmetic is for one input vector; got a batch of {result.inputs.shape[0]}")


def _text_matrix(matrix: np.ndarray) -> str:
    return "[" + "; ".join(", ".join(number(v) for v in row) for row in matrix) + "]"


def _latex_matrix(matrix: np.ndarray) -> str:
    rows = r" \\ ".join(" & ".join(latex_number(v) for v in row) for row in matrix)
    return rf"\begin{{bmatrix}} {rows} \end{{bmatrix}}"
