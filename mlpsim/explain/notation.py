"""How worked arithmetic is written, once for every medium: plain text (the CLI, the step-through,
the Workshop's solutions), LaTeX (the app's panels, Jupyter), Markdown and HTML (worksheets).

One notation, the seed article's: a number is written by ``numbertext.number`` (6 significant
digits, ASCII minus); a product is ``w × x`` (``w \\cdot x`` in LaTeX) with a negative factor in
parentheses; a sum writes each term after the first with its own sign (``4 + 0.9 - 1.5``) and
adds up as printed (``numbertext.sum_text``); an activation is applied by writing its formula
with the numbers in (``a = f(z) = max(0, 6.04) = 6.04``), from the activation registry's
templates.

A working (a neuron's sum, a δ, a weight's update) is data with a ``title`` and two parallel
lists of lines, ``text_lines()`` and ``latex_lines()``; ``Rendered`` turns those into the four
media. Markdown and HTML are the text lines, escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mlpsim.core.activations import REGISTRY
from mlpsim.core.losses import LOSSES
from mlpsim.core.numbertext import number, sum_text

TERMS_IN_ONE_LINE = 12
"""A sum of more terms than this is not written out term by term (an 800-character line helps
nobody): the text gives the count and the total, the LaTeX the Σ."""


def _latex_from_text(text: str) -> str:
    """A number as number() wrote it, in LaTeX: 1.5e-07 → 1.5 \\times 10^{-7}."""
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


@dataclass(frozen=True)
class Medium:
    """What differs between plain text and LaTeX: how a number and the few symbols are written."""

    name: str
    times: str
    """Between two numbers: '×', '\\cdot'."""
    dot: str
    """Between two symbols: 'x·δ', 'x \\cdot \\delta'."""
    at_most: str
    delta: str
    eta: str
    prime: str
    latex: bool

    def partial(self, top: str, bottom: str) -> str:
        """'∂L/∂w', or its LaTeX fraction."""
        return rf"\frac{{\partial {top}}}{{\partial {bottom}}}" if self.latex else f"∂{top}/∂{bottom}"

    def from_text(self, text: str) -> str:
        """A number already written by number() (or numbertext.sum_text), in this medium."""
        return _latex_from_text(text) if self.latex else text

    def number(self, value: float) -> str:
        return self.from_text(number(value))

    def factor(self, value: float) -> str:
        """The number as a factor or a term after an operator: in parentheses unless ≥ 0."""
        return self.number(value) if value >= 0 else f"({self.number(value)})"

    def signed_sum(self, terms: Sequence[str]) -> str:
        """'0.186 + 0.604 - 0.06': each term (number() text) after the first with its own sign."""
        line = self.from_text(terms[0])
        for term in terms[1:]:
            line += f" - {self.from_text(term[1:])}" if term.startswith("-") else f" + {self.from_text(term)}"
        return line

    def sum_line(self, values: Sequence[float], total: float) -> str:
        """'4 + 0.9 + 1 = 5.9': the terms, '=' (or '≈' where no printing adds up) and the total."""
        printed = sum_text(values, total)
        relation = r"\approx" if self.latex and printed.relation == "≈" else printed.relation
        return f"{self.signed_sum(printed.terms)} {relation} {self.from_text(printed.total)}"

    def product(self, left: float, right: float) -> str:
        return f"{self.factor(left)} {self.times} {self.factor(right)}"


TEXT = Medium("text", times="×", dot="·", at_most="≤", delta="δ", eta="η", prime="′", latex=False)
LATEX = Medium(
    "latex", times=r"\cdot", dot=r" \cdot ", at_most=r"\le", delta=r"\delta", eta=r"\eta", prime="'", latex=True
)


class _Shown:
    """A number in a registry template: ``{z}`` writes it, ``{z:factor}`` in parentheses when
    negative."""

    def __init__(self, value: float, medium: Medium):
        self.value, self.medium = value, medium

    def __format__(self, spec: str) -> str:
        return self.medium.factor(self.value) if spec == "factor" else self.medium.number(self.value)


def _filled(template: str, medium: Medium, numbers: Mapping[str, float], texts: Mapping[str, str]) -> str:
    values: dict[str, object] = {name: _Shown(value, medium) for name, value in numbers.items()}
    return template.format_map({**values, **texts})


def exp_sum(layer_z: Sequence[float], medium: Medium) -> str:
    """Σₖ e^(zₖ) with every z of a layer written out, or the Σ for a large layer."""
    if len(layer_z) > TERMS_IN_ONE_LINE:
        return r"\sum_k e^{z_k}" if medium.latex else f"Σₖ e^(zₖ) over the {len(layer_z)} neurons of this layer"
    if medium.latex:
        return " + ".join(f"e^{{{medium.number(z)}}}" for z in layer_z)
    return " + ".join(f"e^({medium.number(z)})" for z in layer_z)


def activation_symbol(activation: str, medium: Medium) -> str:
    """The left side of the activation's formula: 'f(z)', or 'f(z)_j' for softmax."""
    entry = REGISTRY[activation]
    formula = entry.formula_latex if medium.latex else entry.formula_text
    return formula.split("=", 1)[0].strip()


def applied(activation: str, z: float, a: float, layer_z: Sequence[float], medium: Medium) -> str:
    """'f(z) = max(0, 6.04) = 6.04': the activation's formula with the numbers in, and a. The
    last '= a' is left out where the formula with the numbers in is a already (linear)."""
    entry = REGISTRY[activation]
    template = entry.applied_latex if medium.latex else entry.applied_text
    numbers = {"z": z, "minus_z": -z, **entry.parameters}
    worked = _filled(template, medium, numbers, {"exp_sum": exp_sum(layer_z, medium)})
    result = medium.number(a)
    tail = "" if worked == result else f" = {result}"
    return f"{activation_symbol(activation, medium)} = {worked}{tail}"


def derivative_worked(activation: str, z: float, a: float, value: float, medium: Medium) -> str:
    """f′(z) with the numbers, the way the activation's derivative formula computes it:
    'a·(1 - a) = 0.7 × 0.3 = 0.21', '1 (z = 6.04 > 0)'. Elementwise activations only."""
    entry = REGISTRY[activation]
    template = entry.derivative_worked_latex if medium.latex else entry.derivative_worked_text
    numbers = {"z": z, "minus_z": -z, "a": a, "one_minus_a": 1 - a, "value": value, **entry.parameters}
    return _filled(template, medium, numbers, {"relation": ">" if z > 0 else medium.at_most})


def _loss_worked(loss: str, template_of: str, z: float, a: float, y: float, value: float, medium: Medium) -> str:
    entry = LOSSES[loss]
    template = getattr(entry, f"{template_of}_worked_{'latex' if medium.latex else 'text'}")
    numbers = {"z": z, "a": a, "y": y, "one_minus_a": 1 - a, "one_minus_y": 1 - y, "a_minus_y": a - y, "value": value}
    return _filled(template, medium, numbers, {})


def loss_term_worked(loss: str, z: float, a: float, y: float, value: float, medium: Medium) -> str:
    """One output neuron's share of the loss with the numbers, from the loss registry's
    template: '½·(a - y)² = ½ × (0.75 - 1)² = 0.03125'."""
    return _loss_worked(loss, "term", z, a, y, value, medium)


def loss_gradient_worked(loss: str, z: float, a: float, y: float, value: float, medium: Medium) -> str:
    """∂L/∂a of one output neuron with the numbers: 'a - y = 0.75 - 1 = -0.25'."""
    return _loss_worked(loss, "gradient", z, a, y, value, medium)


def combined_delta_worked(loss: str, z: float, a: float, y: float, value: float, medium: Medium) -> str:
    """δ = ∂L/∂z of one output neuron where the loss and the activation cancel: 'a - y = …'."""
    return _loss_worked(loss, "combined", z, a, y, value, medium)


class Rendered:
    """The four renderings of a working made of a ``title`` and parallel text / LaTeX lines."""

    title: str

    def text_lines(self) -> list[str]:
        raise NotImplementedError

    def latex_lines(self) -> list[str]:
        raise NotImplementedError

    def as_text(self) -> str:
        return "\n".join([self.title, *("  " + line for line in self.text_lines())])

    def as_latex(self) -> str:
        return (
            r"\begin{aligned}"
            + r" \\ ".join(line.replace("=", "&=", 1) for line in self.latex_lines())
            + r"\end{aligned}"
        )

    def _repr_latex_(self) -> str:
        """Jupyter shows the working typeset."""
        return f"$${self.as_latex()}$$"

    def as_markdown(self) -> str:
        return "\n".join(
            [f"**{markdown_escape(self.title)}**", "", *(f"- {markdown_escape(line)}" for line in self.text_lines())]
        )

    def as_html(self) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.text_lines())
        return f'<section class="working"><h4>{html.escape(self.title)}</h4><ul>{items}</ul></section>'


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def markdown_escape(text: str) -> str:
    """Free text made inert in Markdown (no emphasis, links, tables or raw HTML), on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
