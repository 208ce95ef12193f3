"""AppTest of the Workshop's backward step-through on the seed 3-4-2 network: every number the
page shows is checked against the plain-loop backward pass in tests/reference.py."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlpsim.core.network import Layer, Network
from mlpsim.io.presets import seed_example
from tests import reference
from tests.test_workshop_app import PAGE, TIMEOUT, arithmetic, button, texts
from ui.session import state

RATE = 0.5
TARGET = [1.0, 0.0]


def backward_page(network: Network | None = None, step: int = 0) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=TIMEOUT)
    at.session_state[state.WORKSHOP_MODE] = "Backward pass"
    at.session_state[state.WORKSHOP_BACKWARD_STEP] = step
    if network is not None:
        at.session_state[state.NETWORK] = network
    return at.run()


def seed_reference(target=TARGET, loss="squared_error"):
    network = seed_example()
    layers = [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]
    x = network.input_values.tolist()
    zs, activations = reference.forward(layers, x)
    return layers, x, zs, activations, reference.backward_one(layers, x, target, loss)


def shown(text: str) -> float:
    return float(text)


def test_loss_then_deltas_then_weights_with_the_reference_numbers():
    at = backward_page()
    assert not at.exception
    layers, x, zs, activations, (loss, deltas, weight_gradients, bias_gradients) = seed_reference()
    assert "Step 0 of 12: the loss (squared error)" in texts(at.subheader)
    table = at.dataframe[0].value
    assert list(table["neuron"]) == ["N1", "N2"]
    assert [shown(v) for v in table["a"]] == pytest.approx(activations[1], rel=1e-5)
    assert [shown(v) for v in table["term"]] == pytest.approx(
        [0.5 * (a - y) ** 2 for a, y in zip(activations[1], TARGET)], rel=1e-5
    )
    assert f"= {loss:.6g}" in arithmetic(at)

    button(at, "Next ▶", nth=0).click().run()
    assert "Step 1 of 12: Output · N1 (layer 2) · δ" in texts(at.subheader)
    assert f"δ2[1] = ∂L/∂a · f′(z) = ({activations[1][0] - 1:.6g}) × " in arithmetic(at)
    assert f"= {deltas[1][0]:.6g}" in arithmetic(at)

    at.slider(key=state.widget_key(state.WORKSHOP_BACKWARD_STEP)).set_value(
        4
    ).run()  # hidden N2: W2[2,1]·δ2[1] + W2[2,2]·δ2[2]
    assert "Step 4 of 12: Hidden 1 · N2 (layer 1) · δ" in texts(at.subheader)
    terms = at.dataframe[0].value
    products = [layers[1][0][1][j] * deltas[1][j] for j in range(2)]
    assert list(terms["weight"]) == ["W2[2,1]", "W2[2,2]"]
    assert [shown(v) for v in terms["W·δ"]] == pytest.approx(products, rel=1e-5)
    assert [shown(v) for v in terms["running sum"]] == pytest.approx([products[0], sum(products)], rel=1e-5)
    assert f"= {deltas[0][1]:.6g}" in arithmetic(at)

    at.slider(key=state.widget_key(state.WORKSHOP_BACKWARD_STEP)).set_value(10).run()  # weights into hidden N2
    assert "Step 10 of 12: Hidden 1 · N2 (layer 1) · weight gradients and updates" in texts(at.subheader)
    weights = at.dataframe[0].value
    assert list(weights["weight"]) == ["W1[1,2]", "W1[2,2]", "W1[3,2]", "b1[2]"]
    expected = [weight_gradients[0][i][1] for i in range(3)] + [bias_gradients[0][1]]
    assert [shown(v) for v in weights["g = x·δ"]] == pytest.approx(expected, rel=1e-5)
    before = [layers[0][0][i][1] for i in range(3)] + [layers[0][1][1]]
    assert [shown(v) for v in weights["w − 0.5·g"]] == pytest.approx(
        [w - RATE * g for w, g in zip(before, expected)], rel=1e-5
    )
    button(at, "Next ▶", nth=0).click().run()
    button(at, "Next ▶", nth=0).click().run()
    button(at, "Next ▶", nth=0).click().run()  # already at the end: stays
    assert at.slider(key=state.widget_key(state.WORKSHOP_BACKWARD_STEP)).value == 12
    button(at, "↺ Reset", nth=0).click().run()
    assert at.slider(key=state.widget_key(state.WORKSHOP_BACKWARD_STEP)).value == 0


def test_the_diagram_rings_the_neuron_and_draws_the_edges_it_uses():
    at = backward_page(step=4)  # δ of hidden N2: its outgoing W2[2,1] = 0.1 and W2[2,2] = -0.2
    traces = {t["name"]: t for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]}
    assert "edges used" in traces and "selected neuron" in traces
    assert traces["weights"]["hovertext"] == ["<b>W2[2,1]</b> = 0.1<br>N2 → N1", "<b>W2[2,2]</b> = -0.2<br>N2 → N2"]
    assert traces["pending neurons"]["customdata"] == [[1, 2], [1, 3]]  # hidden N3, N4: δ still to come


def test_target_loss_and_learning_rate_change_the_numbers():
    at = backward_page(step=12)  # the last step: the weights into hidden N4
    at.number_input(key=f"{state.WORKSHOP_TARGET_PREFIX}2:0").set_value(0.0).run()
    at.number_input(key=f"{state.WORKSHOP_TARGET_PREFIX}2:1").set_value(1.0).run()
    at.number_input(key=state.widget_key(state.WORKSHOP_LEARNING_RATE)).set_value(0.1).run()
    assert not at.exception
    layers, *_, (loss, deltas, weight_gradients, bias_gradients) = seed_reference(target=[0.0, 1.0])
    weights = at.dataframe[0].value
    expected = [weight_gradients[0][i][3] for i in range(3)] + [bias_gradients[0][3]]
    assert [shown(v) for v in weights["g = x·δ"]] == pytest.approx(expected, rel=1e-5)
    before = [layers[0][0][i][3] for i in range(3)] + [layers[0][1][3]]
    assert [shown(v) for v in weights["w − 0.1·g"]] == pytest.approx(
        [w - 0.1 * g for w, g in zip(before, expected)], rel=1e-5
    )


def test_cross_entropy_needs_targets_that_sum_to_one():
    softmax = Network(
        2,
        (Layer(np.array([[0.5, -0.5, 0.2], [0.1, 0.3, -0.4]]), np.zeros(3), "softmax"),),
        input_values=np.array([1.0, 2.0]),
    )
    at = backward_page(softmax)
    assert (
        len(at.selectbox(key=state.widget_key(state.WORKSHOP_LOSS)).options) == 2
    )  # squared error and cross-entropy fit softmax
    at.selectbox(key=state.widget_key(state.WORKSHOP_LOSS)).set_value("cross_entropy").run()
    assert not at.error
    layers = [(softmax.layers[0].weights.tolist(), [0.0, 0.0, 0.0], "softmax")]
    value, *_ = reference.backward_one(layers, [1.0, 2.0], [1.0, 0.0, 0.0], "cross_entropy")
    assert f"= {value:.6g}" in arithmetic(at)
    at.number_input(key=f"{state.WORKSHOP_TARGET_PREFIX}3:1").set_value(1.0).run()
    assert "must sum to 1" in at.error[0].value
    assert not at.exception
