"""The worked arithmetic of the backward pass: Mazur's numbers (checked by hand in
test_backward.py) appear in every line, each rendering carries them, and names are escaped."""

from __future__ import annotations

import numpy as np
import pytest

from mlpsim.core.backward import backward
from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import forward
from mlpsim.core.losses import LOSSES
from mlpsim.core.network import Layer, Network
from mlpsim.explain.gradient_working import layer_gradient, neuron_gradient


def mazur():
    network = Network(
        2,
        (
            Layer(np.array([[0.15, 0.25], [0.2, 0.3]]), np.array([0.35, 0.35]), "sigmoid"),
            Layer(np.array([[0.4, 0.5], [0.45, 0.55]]), np.array([0.6, 0.6]), "sigmoid", name="Out <b>"),
        ),
        input_values=np.array([0.05, 0.1]),
    )
    target = np.array([0.01, 0.99])
    result = forward(network)
    return network, result, backward(network, target, result=result), target


def test_output_neuron_lines_carry_mazurs_numbers():
    network, result, gradients, target = mazur()
    working = neuron_gradient(network, result, gradients, target, LOSSES["squared_error"], 2, 0, 0.5)
    text = working.as_text()
    assert "∂L/∂a = a - y = 0.751365 - 0.01 = 0.741365" in text
    assert "f′(z) = a·(1 - a) = 0.751365 × 0.248635 = 0.186816" in text
    assert "δ2[1] = ∂L/∂a · f′(z) = 0.741365 × 0.186816 = 0.138499" in text
    assert "∂L/∂w = x·δ = N1 × δ2[1] = 0.59327 × 0.138499 = 0.082167" in text
    assert "w - η·g = 0.4 - 0.5 × 0.082167 = 0.358916" in text  # Mazur's w5⁺ = 0.35891648
    assert "b - η·g = 0.6 - 0.5 × 0.138499 = 0.530751" in text


def test_hidden_neuron_lines_show_every_term():
    network, result, gradients, target = mazur()
    text = neuron_gradient(network, result, gradients, target, LOSSES["squared_error"], 1, 0, 0.5).as_text()
    assert "W2[1,1] × δ2[1] = 0.4 × 0.138499 = 0.0553994" in text  # Mazur: 0.055399425
    assert "W2[1,2] × δ2[2] = 0.5 × (-0.0380982) = -0.0190491" in text  # Mazur: −0.019049119
    assert "Σⱼ W[i,j]·δⱼ = 0.0553994 - 0.0190491 = 0.0363503" in text  # Mazur: 0.036350306
    assert "f′(z) = a·(1 - a) = 0.59327 × 0.40673 = 0.241301" in text  # Mazur: 0.241300709
    assert "IN1 × δ1[1] = 0.05 × 0.00877135 = 0.000438568" in text  # Mazur: 0.000438568
    assert "w - η·g = 0.15 - 0.5 × 0.000438568 = 0.149781" in text  # Mazur: 0.149780716


def test_layer_matrix_form_numbers_and_shapes():
    network, result, gradients, _ = mazur()
    working = layer_gradient(network, result, gradients, 2)
    text = working.as_text()
    assert "∇W2 = x · δ2ᵀ: (2×1) · (1×2) = (2×2), the shape of W2" in text
    assert "∇W2 = [0.082167, -0.0226025; 0.0826676, -0.0227402]" in text
    assert "δ1 = [0.00877135; 0.00995425]" in text
    latex = working.as_latex()
    assert latex.startswith(r"\begin{aligned}") and r"\odot" in latex and "0.082167" in latex
    first = layer_gradient(network, result, gradients, 1).as_text()
    assert "δ0" not in first  # the input layer has no δ


def test_large_layers_show_shapes_only():
    rng = np.random.default_rng(0)
    network = Network(
        20,
        (
            Layer(rng.normal(size=(20, 12)), np.zeros(12), "relu"),
            Layer(rng.normal(size=(12, 3)), np.zeros(3), "linear"),
        ),
    )
    result = forward(network, rng.normal(size=20))
    gradients = backward(network, np.zeros(3), rng.normal(size=20), result=result)
    working = layer_gradient(network, result, gradients, 1)
    assert working.as_text().splitlines()[1:] == [
        "  ∇W1 = x · δ1ᵀ: (20×1) · (1×12) = (20×12), the shape of W1; ∇b1 = δ1 (12×1)"
    ]
    assert r"\underbrace" in working.as_latex()


def test_combined_and_jacobian_output_deltas():
    network = Network(
        2,
        (Layer(np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([0.0, 0.1]), "softmax"),),
        input_values=np.array([0.2, -0.4]),
    )
    result = forward(network)
    target = np.array([0.0, 1.0])
    a = result.output
    ce = neuron_gradient(
        network,
        result,
        backward(network, target, loss="cross_entropy", result=result),
        target,
        LOSSES["cross_entropy"],
        1,
        0,
        0.1,
    )
    assert ce.delta.combined and ce.delta.delta == pytest.approx(a[0])
    assert "= a - y =" in ce.as_text() and "cancel" in ce.as_text()
    se = neuron_gradient(
        network, result, backward(network, target, result=result), target, LOSSES["squared_error"], 1, 1, 0.1
    )
    # By hand: g = a − y; δ₂ = a₂·(g₂ − Σₖ gₖaₖ)
    g = a - target
    assert se.delta.jacobian_sum == pytest.approx(float(g @ a), rel=1e-14)
    assert se.delta.delta == pytest.approx(a[1] * (g[1] - g @ a), rel=1e-13)


def test_markdown_and_html_escape_names():
    network, result, gradients, target = mazur()
    working = neuron_gradient(network, result, gradients, target, LOSSES["squared_error"], 2, 1, 0.5)
    assert "<b>" not in working.as_html() and "&lt;b&gt;" in working.as_html()
    assert "Out \\<b\\>" in working.as_markdown()
    assert working.as_markdown().count("\n- ") == len(working.text_lines())


def test_positions_out_of_range_are_refused():
    network, result, gradients, target = mazur()
    with pytest.raises(ValidationError, match="0 is the input"):
        neuron_gradient(network, result, gradients, target, LOSSES["squared_error"], 0, 0, 0.5)
    with pytest.raises(ValidationError, match="layer 2 has neurons 1..2"):
        neuron_gradient(network, result, gradients, target, LOSSES["squared_error"], 2, 5, 0.5)
