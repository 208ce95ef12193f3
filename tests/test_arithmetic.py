"""Worked arithmetic against the seed example worked by hand: the terms with their names, the
sum, the bias, z and a — as data, as text and as LaTeX (checked for structure)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import forward
from mlpsim.core.numbertext import number
from mlpsim.explain.arithmetic import layer_working, neuron_working
from mlpsim.io.presets import mnist_sized, seed_example


def seed_working(layer: int, neuron: int):
    network = seed_example()
    return neuron_working(network, forward(network), layer, neuron)


def assert_well_formed_latex(tex: str) -> None:
    """Braces balance (escaped ones aside), every \\begin has its \\end, no non-numbers leak in."""
    depth = 0
    for match in re.finditer(r"\\[{}]|[{}]", tex):
        if match.group() == "{":
            depth += 1
        elif match.group() == "}":
            depth -= 1
        assert depth >= 0, f"a }} closes nothing in {tex!r}"
    assert depth == 0, f"unclosed {{ in {tex!r}"
    open_environments = []
    for kind, name in re.findall(r"\\(begin|end)\{(\w+)\}", tex):
        if kind == "begin":
            open_environments.append(name)
        else:
            assert open_environments and open_environments.pop() == name, f"\\end{{{name}}} unmatched in {tex!r}"
    assert not open_environments
    assert not re.search(r"\b(nan|inf)\b", tex)
    assert not re.search(r"[\^_]\s*[\^_]", tex)
    assert "\n" not in tex


def test_terms_of_the_neuron_the_article_points_at():
    # Hidden N2: W1[1,2]·IN1 + W1[2,2]·IN2 + W1[3,2]·IN3 = 8·0.5 + 9·0.1 + 5·0.2 = 4 + 0.9 + 1 = 5.9
    working = seed_working(1, 1)
    assert (working.position, working.neuron, working.neuron_name, working.layer_title) == (1, 1, "N2", "Hidden 1")
    assert [(t.input_name, t.input_value, t.weight_name, t.weight_value) for t in working.terms] == [
        ("IN1", 0.5, "W1[1,2]", 8.0),
        ("IN2", 0.1, "W1[2,2]", 9.0),
        ("IN3", 0.2, "W1[3,2]", 5.0),
    ]
    assert [t.product for t in working.terms] == pytest.approx([4.0, 0.9, 1.0], abs=1e-15)
    assert working.weighted_sum == pytest.approx(5.9, abs=1e-15)
    assert working.bias == 0.14
    assert working.z == pytest.approx(6.04, abs=1e-15)
    assert working.activation == "relu"
    assert working.a == pytest.approx(6.04, abs=1e-15)


def test_text_of_a_hidden_neuron():
    lines = seed_working(1, 1).as_text().splitlines()
    assert lines == [
        "Hidden 1 · N2 (layer 1, activation relu)",
        "  W1[1,2] × IN1 = 8 × 0.5 = 4",
        "  W1[2,2] × IN2 = 9 × 0.1 = 0.9",
        "  W1[3,2] × IN3 = 5 × 0.2 = 1",
        "  Σ wᵢ·xᵢ = 4 + 0.9 + 1 = 5.9",
        "  z = Σ wᵢ·xᵢ + b1[2] = 5.9 + 0.14 = 6.04",
        "  a = f(z) = max(0, 6.04) = 6.04",
    ]


def test_text_of_an_output_neuron_with_negative_terms():
    # Output N1: 0.2·0.93 + 0.1·6.04 − 0.4·0.15 + 0.3·2.46 = 0.186 + 0.604 − 0.06 + 0.738 = 1.468; + 0.1 = 1.568
    working = seed_working(2, 0)
    assert [t.input_name for t in working.terms] == ["N1", "N2", "N3", "N4"]
    assert [t.product for t in working.terms] == pytest.approx([0.186, 0.604, -0.06, 0.738], abs=1e-15)
    sigmoid = 1 / (1 + math.exp(-1.568))
    assert working.a == pytest.approx(sigmoid, rel=1e-14)
    text = working.as_text()
    assert "  W2[3,1] × N3 = (-0.4) × 0.15 = -0.06" in text
    assert "  Σ wᵢ·xᵢ = 0.186 + 0.604 - 0.06 + 0.738 = 1.468" in text
    assert "  z = Σ wᵢ·xᵢ + b2[1] = 1.468 + 0.1 = 1.568" in text
    assert f"  a = f(z) = 1 / (1 + e^(-1.568)) = {sigmoid:.6g}" in text
    assert "−" not in text  # one minus sign throughout: the article's ASCII '-'


def test_text_of_a_neuron_with_negative_z():
    # Output N2: −0.279 − 1.208 + 0.075 + 0.246 = −1.166; − 0.2 = −1.366; a = 1 / (1 + e^1.366)
    text = seed_working(2, 1).as_text()
    assert "  z = Σ wᵢ·xᵢ + b2[2] = -1.166 - 0.2 = -1.366" in text
    assert f"  a = f(z) = 1 / (1 + e^(1.366)) = {1 / (1 + math.exp(1.366)):.6g}" in text


def test_latex_of_a_neuron_has_the_numbers_filled_in():
    working = seed_working(1, 1)
    lines = working.latex_lines()
    assert lines == [
        r"z = \sum_i w_i x_i + b = 8 \cdot 0.5 + 9 \cdot 0.1 + 5 \cdot 0.2 + 0.14",
        r"\sum_i w_i x_i = 4 + 0.9 + 1 = 5.9",
        r"z = \sum_i w_i x_i + b = 5.9 + 0.14 = 6.04",
        r"a = f(z) = \max(0,\ 6.04) = 6.04",
    ]
    for line in lines:
        assert_well_formed_latex(line)
    aligned = working.as_latex()
    assert aligned.startswith(r"\begin{aligned}") and aligned.endswith(r"\end{aligned}")
    assert aligned.count("&=") == 4
    assert_well_formed_latex(aligned)


def test_latex_puts_negative_numbers_in_brackets_and_signs_the_sigmoid_right():
    lines = seed_working(2, 1).latex_lines()
    assert r"(-0.3) \cdot 0.93" in lines[0]
    assert lines[0].endswith("+ (-0.2)")
    assert r"\frac{1}{1 + e^{1.366}}" in lines[-1]  # e^{-z} with z = -1.366
    assert r"\frac{1}{1 + e^{-1.568}}" in seed_working(2, 0).latex_lines()[-1]


@pytest.mark.parametrize("activation", sorted(REGISTRY))
@pytest.mark.parametrize("neuron", [0, 1])
def test_every_activation_gives_well_formed_text_and_latex(activation, neuron):
    network = seed_example().with_activation(2, activation)
    working = neuron_working(network, forward(network), 2, neuron)
    assert working.activation == activation
    text = working.as_text()
    assert text.splitlines()[-1].startswith("  a = ")
    assert text.splitlines()[-1].endswith(number(working.a))
    for line in working.latex_lines():
        assert_well_formed_latex(line)
    assert_well_formed_latex(working.as_latex())


def test_huge_and_tiny_numbers_are_written_as_powers_of_ten_in_latex():
    network = seed_example().with_weight(1, 0, 0, 3e120).with_weight(1, 1, 0, -2.5e-9)
    working = neuron_working(network, forward(network), 1, 0)
    tex = working.as_latex()
    assert r"3 \times 10^{120}" in tex
    assert r"(-2.5 \times 10^{-9})" in tex
    assert_well_formed_latex(tex)
    assert "3e+120 × 0.5 = 1.5e+120" in working.as_text()


def test_number_formatting():
    assert number(0.9299999999999998) == "0.93"
    assert number(0.0) == "0"
    assert number(-0.0) == "0"
    assert number(9.0) == "9"
    assert number(-1.5e-7) == "-1.5e-07"
    assert number(1 / 3) == "0.333333"


def test_layer_matrix_form_with_the_numbers():
    network = seed_example()
    working = layer_working(network, forward(network), 1)
    assert working.shapes_text == "W1ᵀ (4×3) · x (3×1) + b (4×1) = z (4×1) → relu → a (4×1)"
    assert working.as_text().splitlines() == [
        "Hidden 1 (layer 1): W1ᵀ (4×3) · x (3×1) + b (4×1) = z (4×1) → relu → a (4×1)",
        "  W1ᵀ = [2, 4, -3; 8, 9, 5; -1, 1, 2; 3, -6, 7]",  # row j of W1ᵀ = the weights into N{j}
        "  x = [0.5; 0.1; 0.2]",
        "  b = [0.13; 0.14; 0.15; 0.16]",
        "  z = [0.93; 6.04; 0.15; 2.46]",
        "  a = [0.93; 6.04; 0.15; 2.46]",
    ]
    tex = working.as_latex()
    assert r"\begin{bmatrix} 2 & 4 & -3 \\ 8 & 9 & 5 \\ -1 & 1 & 2 \\ 3 & -6 & 7 \end{bmatrix}" in tex
    assert r"\begin{bmatrix} 0.5 \\ 0.1 \\ 0.2 \end{bmatrix}" in tex
    assert r"\begin{bmatrix} 0.93 \\ 6.04 \\ 0.15 \\ 2.46 \end{bmatrix}" in tex
    assert r"\mathrm{relu}" in tex
    assert_well_formed_latex(tex)
    output = layer_working(network, forward(network), 2)
    assert output.shapes_text == "W2ᵀ (2×4) · x (4×1) + b (2×1) = z (2×1) → sigmoid → a (2×1)"
    assert "z = [1.568; -1.366]" in output.as_text()


def test_a_big_layer_shows_shapes_only():
    network = mnist_sized()
    result = forward(network)
    for layer, (n, m) in zip((1, 2, 3), ((784, 128), (128, 64), (64, 10))):
        working = layer_working(network, result, layer)
        assert working.shapes_text.startswith(f"W{layer}ᵀ ({m}×{n}) · x ({n}×1) + b ({m}×1) = z ({m}×1)")
        text = working.as_text()
        assert len(text.splitlines()) == 1
        tex = working.as_latex()
        assert "bmatrix" not in tex
        assert rf"_{{{m}\times{n}}}" in tex and rf"_{{{n}\times 1}}" in tex
        assert_well_formed_latex(tex)
    assert r"\mathrm{softmax}" in layer_working(network, result, 3).as_latex()


def test_leaky_relu_name_is_escaped_in_latex():
    network = seed_example().with_activation(1, "leaky_relu")
    tex = layer_working(network, forward(network), 1).as_latex()
    assert r"\mathrm{leaky\_relu}" in tex
    assert_well_formed_latex(tex)


def test_out_of_range_and_batch_requests_are_refused():
    network = seed_example()
    result = forward(network)
    with pytest.raises(ValidationError, match="layer position 3: the layers after the input are 1..2"):
        neuron_working(network, result, 3, 0)
    with pytest.raises(ValidationError, match="neuron 5: layer 1 has neurons 1..4"):
        neuron_working(network, result, 1, 4)
    with pytest.raises(ValidationError, match="layer position 0"):
        layer_working(network, result, 0)
    batch = forward(network, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="one input vector"):
        neuron_working(network, batch, 1, 0)
    with pytest.raises(ValueError, match="one input vector"):
        layer_working(network, batch, 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=8))
def test_every_printed_sum_adds_up_at_its_own_precision_or_says_approximately(values):
    from decimal import Decimal

    from mlpsim.core.numbertext import sum_text

    total = math.fsum(values)
    printed = sum_text(values, total)
    assert len(printed.terms) == len(values)
    if printed.relation == "=":
        shown = Decimal(printed.total)
        exact = sum(Decimal(term) for term in printed.terms)
        unit = Decimal(1).scaleb(shown.as_tuple().exponent)
        assert abs(exact - shown) <= unit / 2, (printed, exact)
        # and the printed total is the real total, to within its last digit
        assert abs(Decimal(total) - shown) <= unit, (printed, total)
    else:
        assert printed.relation == "≈" and float(printed.total) == total


def test_whole_numbers_and_negative_zero_print_as_themselves_in_a_fixed_point_sum():
    from mlpsim.core.numbertext import SumText, sum_text

    # 100 keeps its zeros and -0.0 prints as 0 (a fixed-decimal printing once wrote "1" and "-").
    assert sum_text([100.0, -0.0, 0.3], 100.3) == SumText(("100", "0", "0.3"), "=", "100.3")
    printed = sum_text([-927301.685717435, 621050.2364871823, -0.0], -927301.685717435 + 621050.2364871823)
    assert "-" not in printed.terms[2] and all(term not in ("", "-") for term in printed.terms)
