"""The activation registry is the one place an activation is declared: an entry made here, in the
test only (softplus, f = ln(1 + eᶻ), f′ = sigmoid), reaches the forward pass, the CLI's explain
and backprop, the diagram, the step-through and a worksheet with nothing else changed."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from mlpsim.cli import main
from mlpsim.core.activations import REGISTRY, Activation, sigmoid
from mlpsim.core.forward import forward
from mlpsim.core.network import Layer, Network
from mlpsim.explain.stepper import step_at, step_working
from mlpsim.io.fileformat import dumps
from mlpsim.render.figure import network_figure
from mlpsim.workshop.topics.forward import generation
from mlpsim.workshop.worksheet import build_worksheet, worksheet_html, worksheet_markdown

SOFTPLUS = Activation(
    name="softplus",
    title="softplus",
    function=lambda z: np.logaddexp(0.0, z),
    derivative=lambda z, a: sigmoid(z),
    formula_text="f(z) = ln(1 + e^z)",
    formula_latex=r"f(z) = \ln(1 + e^{z})",
    derivative_text="f′(z) = 1 / (1 + e^(−z))",
    derivative_latex=r"f'(z) = \frac{1}{1 + e^{-z}}",
    applied_text="ln(1 + e^({z}))",
    applied_latex=r"\ln(1 + e^{{{z}}})",
    derivative_worked_text="1 / (1 + e^({minus_z})) = {value}",
    derivative_worked_latex=r"\frac{{1}}{{1 + e^{{{minus_z}}}}} = {value}",
    elementwise=True,
    curved=True,
    output_range=(0.0, None),
)


def softplus(z: float) -> float:
    return math.log(1.0 + math.exp(z))


@pytest.fixture
def with_softplus(monkeypatch):
    monkeypatch.setitem(REGISTRY, "softplus", SOFTPLUS)


def network() -> Network:
    """2 inputs → 2 softplus → 1 softplus, numbers chosen so every z is worked below by hand."""
    return Network(
        input_size=2,
        input_values=np.array([1.0, -2.0]),
        layers=(
            Layer(weights=np.array([[0.5, 1.0], [0.25, 0.5]]), bias=np.array([0.5, 0.0]), activation="softplus"),
            Layer(weights=np.array([[1.0], [-1.0]]), bias=np.array([0.25]), activation="softplus"),
        ),
    )


# by hand: z1 = 0.5·1 + 0.25·(−2) + 0.5 = 0.5, z2 = 1·1 + 0.5·(−2) + 0 = 0
Z_HIDDEN = [0.5, 0.0]
A_HIDDEN = [softplus(0.5), softplus(0.0)]
Z_OUT = A_HIDDEN[0] - A_HIDDEN[1] + 0.25
A_OUT = softplus(Z_OUT)


def run(argv, capsys) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out


def test_a_registry_entry_made_in_the_test_reaches_every_surface(with_softplus, tmp_path, capsys):
    net = network()
    result = forward(net)
    assert result.z[0].tolist() == pytest.approx(Z_HIDDEN, abs=1e-15)
    assert result.a[0].tolist() == pytest.approx(A_HIDDEN, rel=1e-14)
    assert result.output.tolist() == pytest.approx([A_OUT], rel=1e-14)

    path = tmp_path / "softplus.json"
    path.write_text(dumps(net), encoding="utf-8")
    explained = run(["explain", str(path), "--layer", "1", "--neuron", "1"], capsys)
    assert f"  a = f(z) = ln(1 + e^(0.5)) = {softplus(0.5):.6g}" in explained
    # backprop: δ of the output under squared error = (a − y)·f′(z), f′ = sigmoid
    backprop = run(["backprop", str(path), "--target", "0", "--layer", "2", "--neuron", "1"], capsys)
    slope = 1 / (1 + math.exp(-Z_OUT))
    assert f"f′(z) = 1 / (1 + e^(-{Z_OUT:.6g})) = {slope:.6g}" in backprop
    assert f"= {A_OUT * slope:.6g}" in backprop

    figure = network_figure(net, result)
    headings = " ".join(a.text for a in figure.layout.annotations)
    assert "softplus" in headings

    step = step_working(net, result, step_at(net, 3))
    assert step.lines()[-1] == f"a = f(z) = ln(1 + e^({Z_OUT:.6g})) = {A_OUT:.6g}"
    assert step.working.latex_lines()[-1] == rf"a = f(z) = \ln(1 + e^{{{Z_OUT:.6g}}}) = {A_OUT:.6g}"


def test_a_worksheet_defines_and_works_a_registry_entry_made_in_the_test(with_softplus, monkeypatch):
    easy = generation.DIFFICULTIES["easy"]
    monkeypatch.setitem(generation.DIFFICULTIES, "easy", replace(easy, output_activations=("softplus",)))
    sheet = build_worksheet(3, "easy", count=2)
    assert all(exercise.network.layers[-1].activation == "softplus" for exercise in sheet.exercises)
    assert sheet.activations == ("relu", "softplus")
    page, markdown = worksheet_html(sheet), worksheet_markdown(sheet)
    assert "<b>softplus</b>: f(z) = ln(1 + e^z)" in page
    assert "- softplus: f(z) = ln(1 + e^z)" in markdown
    exercise = sheet.exercises[0]
    z = float(exercise.result.z[-1][0])
    assert f"<li>a = f(z) = ln(1 + e^({z:.6g})) = {softplus(z):.6g}</li>" in page
    assert "ln\\(1 \\+ e^\\(" in markdown
    # a curved activation's value is written and checked to 3 significant figures
    (blank,) = [b for b in exercise.all_blanks() if b.id == "out.1"]
    assert blank.curved and blank.expected == pytest.approx(softplus(z), rel=1e-14)
