"""Worked arithmetic of the backward pass for one sample, as data with four renderings.

For an output neuron: ∂L/∂a, f′(z) and δ with the numbers (or δ = a − y where the loss and the
activation cancel). For a hidden neuron: δᵢ = (Σⱼ W[i,j]·δⱼ)·f′(zᵢ) with every term. For each
incoming weight: ∂L/∂W[i,j] = xᵢ·δⱼ and the update w − η·g = w′. For a layer: the matrix form
∇W = x·δᵀ and δ_prev = (W·δ) ⊙ f′(z_prev), with the numbers for small layers and the shapes
always. Each working is a ``notation.Rendered`` like the forward pass's NeuronWorking, so it is
written in the same notation by the same renderers: ``as_text()``, ``as_latex()``,
``as_markdown()`` and ``as_html()``;
names are 1-based as people write them (layer 2, N1, W2[1,1], δ2[1] = δ of N1 in layer 2), the
constructors take a layer ``position`` (0 = input) and a 0-based neuron index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpsim.core.activations import REGISTRY
from mlpsim.core.backward import Gradients
from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import ForwardResult
from mlpsim.core.losses import Loss
from mlpsim.core.network import Network, bias_name, neuron_name, weight_name
from mlpsim.core.numbertext import number
from mlpsim.explain.arithmetic import MATRIX_LATEX_MAX, latex_matrix, text_matrix
from mlpsim.explain.notation import (
    LATEX,
    TEXT,
    Medium,
    Rendered,
    combined_delta_worked,
    derivative_worked,
    loss_gradient_worked,
)


def _known(value: float | None) -> float:
    """f′(z) of an elementwise activation: the constructors set it whenever there is no Jacobian sum."""
    if value is None:
        raise AssertionError("an elementwise activation's working has its f′(z)")
    return value


def _delta_symbol(position: int, neuron: int, m: Medium) -> str:
    """'δ2[1]' (δ of N1 in layer 2), or its LaTeX."""
    return _delta_latex(position, neuron) if m.latex else _delta_name(position, neuron)


def _delta_name(position: int, neuron: int) -> str:
    return f"δ{position}[{neuron + 1}]"


def _delta_latex(position: int, neuron: int) -> str:
    return rf"\delta_{{{position},{neuron + 1}}}"


@dataclass(frozen=True)
class OutputDelta(Rendered):
    """δ of an output neuron. ``combined``: the loss's ∂L/∂a and f′ cancel to its combined δ
    (a − y for every pairing so far); otherwise ∂L/∂a, written by the loss's template, then
    through f′. ``jacobian_sum``: for a softmax output under a loss with no combined δ (squared error), Σₖ ∂L/∂aₖ·aₖ (δ = a·(∂L/∂a − that sum))."""

    position: int
    neuron: int
    title: str
    loss: str
    activation: str
    z: float
    a: float
    y: float
    dl_da: float
    derivative: float | None
    jacobian_sum: float | None
    combined: bool
    delta: float

    def text_lines(self) -> list[str]:
        return self._lines(TEXT)

    def latex_lines(self) -> list[str]:
        return self._lines(LATEX)

    def _lines(self, m: Medium) -> list[str]:
        name = _delta_symbol(self.position, self.neuron, m)
        if self.combined:
            why = "" if m.latex else f" ({self.loss} with {self.activation}: ∂L/∂a and the derivative cancel)"
            worked = combined_delta_worked(self.loss, self.z, self.a, self.y, self.delta, m)
            return [f"{name} = {m.partial('L', 'z')} = {worked}{why}"]
        upstream = m.partial("L", "a")
        jacobian = r"\sum_k \frac{\partial L}{\partial a_k} a_k" if m.latex else "Σₖ ∂L/∂aₖ·aₖ"
        return [
            f"{upstream} = {loss_gradient_worked(self.loss, self.z, self.a, self.y, self.dl_da, m)}",
            *_through_activation(m, self, upstream, self.dl_da, jacobian),
        ]


def _through_activation(
    m: Medium, working: OutputDelta | HiddenDelta, upstream_symbol: str, upstream: float, jacobian_symbol: str
) -> list[str]:
    """The last step of a δ, through the neuron's activation: f′(z) worked out and δ = upstream ·
    f′(z); or, for softmax (no elementwise f′), δ = a·(upstream − Σₖ gₖ·aₖ) over the layer.
    ``upstream_symbol`` is written as a factor (a sum in parentheses)."""
    name = _delta_symbol(working.position, working.neuron, m)
    times = m.dot if m.latex else f" {m.dot} "
    if working.jacobian_sum is not None:
        why = "" if m.latex else " (softmax: every a depends on every z)"
        return [
            f"{name} = a{times}({upstream_symbol} - {jacobian_symbol}) = {m.number(working.a)} {m.times} "
            f"({m.number(upstream)} - {m.factor(working.jacobian_sum)}) = {m.number(working.delta)}{why}"
        ]
    slope = _known(working.derivative)
    derivative = "f'(z)" if m.latex else "f′(z)"
    return [
        f"{derivative} = {derivative_worked(working.activation, working.z, working.a, slope, m)}",
        f"{name} = {upstream_symbol}{times}{derivative} = {m.product(upstream, slope)} = {m.number(working.delta)}",
    ]


@dataclass(frozen=True)
class DeltaTerm:
    """One outgoing connection's share of a hidden neuron's error: W[i,j] × δⱼ."""

    weight_name: str
    weight: float
    delta_name: str
    delta: float
    product: float


@dataclass(frozen=True)
class HiddenDelta(Rendered):
    """δᵢ = (Σⱼ W[i,j]·δⱼ)·f′(zᵢ). For a softmax hidden layer (no elementwise f′), ``jacobian_sum``
    is Σₖ gₖ·aₖ over the layer, with g = the bracket, and δᵢ = aᵢ·(gᵢ − that sum)."""

    position: int
    neuron: int
    title: str
    activation: str
    terms: tuple[DeltaTerm, ...]
    total: float
    z: float
    a: float
    derivative: float | None
    jacobian_sum: float | None
    delta: float

    def text_lines(self) -> list[str]:
        lines = [
            f"{t.weight_name} × {t.delta_name} = {TEXT.product(t.weight, t.delta)} = {number(t.product)}"
            for t in self.terms
        ]
        return [*lines, *self._sum_and_activation(TEXT)]

    def latex_lines(self) -> list[str]:
        return self._sum_and_activation(LATEX)

    def _sum_and_activation(self, m: Medium) -> list[str]:
        upstream = r"\textstyle\sum_j W_{ij}\,\delta_j" if m.latex else "Σⱼ W[i,j]·δⱼ"
        if m.latex:
            products = " + ".join(m.product(t.weight, t.delta) for t in self.terms)
            total = f"{products} = {m.number(self.total)}"
        else:
            total = m.sum_line([t.product for t in self.terms], self.total)
        jacobian = r"\sum_k g_k a_k" if m.latex else "Σₖ gₖ·aₖ"
        factor = rf"\big({upstream}\big)" if m.latex else f"({upstream})"
        return [f"{upstream} = {total}", *_through_activation(m, self, factor, self.total, jacobian)]


@dataclass(frozen=True)
class WeightStep(Rendered):
    """∂L/∂W[i,j] = xᵢ·δⱼ and w − η·g = w′ for one weight (``source_name`` None: the bias, x = 1)."""

    title: str
    source_name: str | None
    x: float
    delta_name: str
    delta: float
    gradient: float
    value: float
    learning_rate: float
    updated: float

    def text_lines(self) -> list[str]:
        return self._lines(TEXT)

    def latex_lines(self) -> list[str]:
        return self._lines(LATEX)

    def _lines(self, m: Medium) -> list[str]:
        """'∂L/∂w = x·δ = IN1 × δ1[1] = 0.05 × 0.0088 = 0.00044', then 'w′ = w - η·g = …'."""
        symbol = "b" if self.source_name is None else "w"
        if self.source_name is None:
            first = f"{m.partial('L', 'b')} = {m.delta if m.latex else self.delta_name} = {m.number(self.gradient)}"
        else:
            names = "" if m.latex else f" = {self.source_name} × {self.delta_name}"
            first = (
                f"{m.partial('L', 'w')} = x{m.dot}{m.delta}{names} = {m.product(self.x, self.delta)}"
                f" = {m.number(self.gradient)}"
            )
        return [
            first,
            f"{symbol}{m.prime} = {symbol} - {m.eta}{m.dot}g = {m.number(self.value)} - "
            f"{m.product(self.learning_rate, self.gradient)} = {m.number(self.updated)}",
        ]


@dataclass(frozen=True)
class NeuronGradient(Rendered):
    """One neuron's δ and the gradient and update of each incoming weight and of its bias."""

    title: str
    delta: OutputDelta | HiddenDelta
    weights: tuple[WeightStep, ...]
    bias: WeightStep

    def text_lines(self) -> list[str]:
        lines = list(self.delta.text_lines())
        for step in (*self.weights, self.bias):
            lines.append(step.title)
            lines.extend("  " + line for line in step.text_lines())
        return lines

    def latex_lines(self) -> list[str]:
        lines = list(self.delta.latex_lines())
        for step in (*self.weights, self.bias):
            lines.extend(step.latex_lines())
        return lines


@dataclass(frozen=True, eq=False)
class LayerGradient(Rendered):
    """The matrix form of one layer's backward step (rows as column vectors, one sample).

    x: (N,) the layer's input; delta: (M,); gradient: (N, M) = x·δᵀ; weights: (N, M);
    previous_derivative: (N,) f′(z_prev), previous_delta: (N,) = (W·δ) ⊙ f′(z_prev) — None
    for the first weighted layer (the input layer has no δ) or a softmax layer before it.
    """

    position: int
    title: str
    x: np.ndarray
    delta: np.ndarray
    gradient: np.ndarray
    weights: np.ndarray
    previous_derivative: np.ndarray | None
    previous_delta: np.ndarray | None

    @property
    def small(self) -> bool:
        return max(self.weights.shape) <= MATRIX_LATEX_MAX

    def _shape_lines(self) -> list[str]:
        n, m = self.weights.shape
        k = self.position
        lines = [f"∇W{k} = x · δ{k}ᵀ: ({n}×1) · (1×{m}) = ({n}×{m}), the shape of W{k}; ∇b{k} = δ{k} ({m}×1)"]
        if self.previous_delta is not None:
            lines.append(f"δ{k - 1} = (W{k} · δ{k}) ⊙ f′(z{k - 1}): ({n}×{m}) · ({m}×1) = ({n}×1), ⊙ ({n}×1)")
        return lines

    def text_lines(self) -> list[str]:
        lines = self._shape_lines()
        if self.small:
            k = self.position
            lines.append(f"x = {text_matrix(self.x[:, None])}, δ{k} = {text_matrix(self.delta[:, None])}")
            lines.append(f"∇W{k} = {text_matrix(self.gradient)}")
            if self.previous_delta is not None and self.previous_derivative is not None:
                lines.append(
                    f"W{k} · δ{k} = {text_matrix((self.weights @ self.delta)[:, None])}, "
                    f"f′(z{k - 1}) = {text_matrix(self.previous_derivative[:, None])}"
                )
                lines.append(f"δ{k - 1} = {text_matrix(self.previous_delta[:, None])}")
        return lines

    def latex_lines(self) -> list[str]:
        k = self.position
        n, m = self.weights.shape
        if not self.small:
            lines = [
                rf"\underbrace{{\nabla W_{{{k}}}}}_{{{n}\times{m}}} = \underbrace{{x}}_{{{n}\times 1}}\,"
                rf"\underbrace{{\delta_{{{k}}}^\top}}_{{1\times{m}}}"
            ]
            if self.previous_delta is not None:
                lines.append(
                    rf"\underbrace{{\delta_{{{k - 1}}}}}_{{{n}\times 1}} = (\underbrace{{W_{{{k}}}}}_{{{n}\times{m}}}\,"
                    rf"\underbrace{{\delta_{{{k}}}}}_{{{m}\times 1}}) \odot f'(z_{{{k - 1}}})"
                )
            return lines
        lines = [
            rf"\nabla W_{{{k}}} = x\,\delta_{{{k}}}^\top = {latex_matrix(self.x[:, None])}"
            rf"{latex_matrix(self.delta[None, :])} = {latex_matrix(self.gradient)}"
        ]
        if self.previous_delta is not None and self.previous_derivative is not None:
            lines.append(
                rf"\delta_{{{k - 1}}} = (W_{{{k}}}\,\delta_{{{k}}}) \odot f'(z_{{{k - 1}}}) = "
                rf"{latex_matrix((self.weights @ self.delta)[:, None])} \odot {latex_matrix(self.previous_derivative[:, None])}"
                rf" = {latex_matrix(self.previous_delta[:, None])}"
            )
        return lines


def neuron_gradient(
    network: Network,
    result: ForwardResult,
    gradients: Gradients,
    targets: np.ndarray,
    loss: Loss,
    position: int,
    neuron: int,
    learning_rate: float,
) -> NeuronGradient:
    """The worked backward step of neuron ``neuron`` (0-based) in layer ``position`` (1..L, the
    input has no δ), for a single-sample ``result`` and its ``gradients``."""
    _check_single(result)
    count = len(network.layers)
    if not 1 <= position <= count:
        raise ValidationError(f"layer position {position}: the layers with a δ are 1..{count} (0 is the input)")
    layer = network.layers[position - 1]
    if not 0 <= neuron < layer.size:
        raise ValidationError(f"neuron {neuron + 1}: layer {position} has neurons 1..{layer.size}")
    z = float(result.z[position - 1][neuron])
    a = float(result.a[position - 1][neuron])
    delta_value = float(gradients.deltas[position - 1][neuron])
    activation = REGISTRY[layer.activation]
    title = f"{network.layer_title(position)} · {neuron_name(position, neuron)} (layer {position}, {layer.activation})"
    if position == count:
        y = float(np.asarray(targets)[neuron])
        combined = loss.combined_delta is not None
        outputs = np.asarray(result.a[-1], dtype=float)
        upstream = loss.output_gradient(outputs, np.asarray(targets, dtype=float))
        dl_da = float(upstream[neuron])
        derivative = jacobian_sum = None
        if not combined:
            if activation.derivative is not None:
                derivative = float(activation.derivative(np.array([z]), np.array([a]))[0])
            else:
                jacobian_sum = float(np.sum(upstream * outputs))
        delta: OutputDelta | HiddenDelta = OutputDelta(
            position,
            neuron,
            f"δ of {neuron_name(position, neuron)}",
            loss.name,
            layer.activation,
            z,
            a,
            y,
            dl_da,
            derivative,
            jacobian_sum,
            combined,
            delta_value,
        )
    else:
        following = network.layers[position]
        next_deltas = gradients.deltas[position]
        terms = tuple(
            DeltaTerm(
                weight_name(position + 1, neuron, j),
                float(following.weights[neuron, j]),
                _delta_name(position + 1, j),
                float(next_deltas[j]),
                float(following.weights[neuron, j] * next_deltas[j]),
            )
            for j in range(following.size)
        )
        total = float(following.weights[neuron] @ next_deltas)
        derivative = jacobian_sum = None
        if activation.derivative is not None:
            derivative = float(activation.derivative(np.array([z]), np.array([a]))[0])
        else:
            jacobian_sum = float(np.sum((following.weights @ next_deltas) * result.a[position - 1]))
        delta = HiddenDelta(
            position,
            neuron,
            f"δ of {neuron_name(position, neuron)}",
            layer.activation,
            terms,
            total,
            z,
            a,
            derivative,
            jacobian_sum,
            delta_value,
        )
    x = result.values(position - 1)
    weight_steps = tuple(
        WeightStep(
            title=weight_name(position, i, neuron),
            source_name=neuron_name(position - 1, i),
            x=float(x[i]),
            delta_name=_delta_name(position, neuron),
            delta=delta_value,
            gradient=float(gradients.weights[position - 1][i, neuron]),
            value=float(layer.weights[i, neuron]),
            learning_rate=learning_rate,
            updated=float(layer.weights[i, neuron] - learning_rate * gradients.weights[position - 1][i, neuron]),
        )
        for i in range(layer.n_in)
    )
    bias_gradient = float(gradients.biases[position - 1][neuron])
    bias = WeightStep(
        title=bias_name(position, neuron),
        source_name=None,
        x=1.0,
        delta_name=_delta_name(position, neuron),
        delta=delta_value,
        gradient=bias_gradient,
        value=float(layer.bias[neuron]),
        learning_rate=learning_rate,
        updated=float(layer.bias[neuron] - learning_rate * bias_gradient),
    )
    return NeuronGradient(title, delta, weight_steps, bias)


def layer_gradient(network: Network, result: ForwardResult, gradients: Gradients, position: int) -> LayerGradient:
    """The matrix form of layer ``position``'s (1..L) backward step for a single-sample result."""
    _check_single(result)
    if not 1 <= position <= len(network.layers):
        raise ValidationError(f"layer position {position}: the weighted layers are 1..{len(network.layers)}")
    layer = network.layers[position - 1]
    previous_derivative = previous_delta = None
    before = REGISTRY[network.layers[position - 2].activation] if position > 1 else None
    if before is not None and before.derivative is not None:
        previous_derivative = before.derivative(result.z[position - 2], result.a[position - 2])
        previous_delta = gradients.deltas[position - 2]
    return LayerGradient(
        position=position,
        title=f"{network.layer_title(position)} (layer {position}), matrix form",
        x=result.values(position - 1),
        delta=gradients.deltas[position - 1],
        gradient=gradients.weights[position - 1],
        weights=layer.weights,
        previous_derivative=previous_derivative,
        previous_delta=previous_delta,
    )


def _check_single(result: ForwardResult) -> None:
    if result.inputs.ndim != 1:
        raise ValidationError(f"worked arithmetic is for one sample; got a batch of {result.inputs.shape[0]}")
