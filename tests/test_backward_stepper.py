"""The backward step-through: its order, what each step highlights and leaves pending (worked out
by hand for the seed 3-4-2 network), and every number it shows checked against the plain-loop
backward pass in tests/reference.py — never against mlpsim's own backward()."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlpsim.core.backward import backward
from mlpsim.core.forward import forward
from mlpsim.core.losses import LOSSES
from mlpsim.core.network import Layer, Network
from mlpsim.explain.backward_stepper import (
    DELTA_STEP,
    LOSS_STEP,
    WEIGHTS_STEP,
    backward_step_at,
    backward_step_count,
    backward_step_working,
    first_weights_step,
    known_deltas,
)
from mlpsim.io.presets import seed_example
from tests import reference


def test_order_loss_then_deltas_backwards_then_weights_backwards():
    network = seed_example()  # 3-4-2: 6 non-input neurons, 12 steps after the loss
    assert backward_step_count(network) == 12
    walk = [backward_step_at(network, k) for k in range(13)]
    assert [(s.kind, s.position, s.neuron) for s in walk] == [
        (LOSS_STEP, 2, -1),
        (DELTA_STEP, 2, 0),
        (DELTA_STEP, 2, 1),
        (DELTA_STEP, 1, 0),
        (DELTA_STEP, 1, 1),
        (DELTA_STEP, 1, 2),
        (DELTA_STEP, 1, 3),
        (WEIGHTS_STEP, 2, 0),
        (WEIGHTS_STEP, 2, 1),
        (WEIGHTS_STEP, 1, 0),
        (WEIGHTS_STEP, 1, 1),
        (WEIGHTS_STEP, 1, 2),
        (WEIGHTS_STEP, 1, 3),
    ]
    assert first_weights_step(network) == 7
    assert walk[0].is_start and walk[12].is_last and walk[0].selected is None
    assert backward_step_at(network, -5).index == 0 and backward_step_at(network, 99).index == 12


def test_highlighted_edges_and_pending_neurons_follow_the_step():
    network = seed_example()
    loss = backward_step_at(network, 0)
    assert loss.edges == () and loss.pending == ((1, 0), (1, 1), (1, 2), (1, 3))
    output = backward_step_at(network, 2)  # δ of output N2: no weight used; hidden all pending
    assert output.selected == (2, 1) and output.edges == ()
    assert output.pending == ((1, 0), (1, 1), (1, 2), (1, 3))
    hidden = backward_step_at(network, 4)  # δ of hidden N2: W2[2,1], W2[2,2] and both output δ
    assert hidden.selected == (1, 1)
    assert hidden.edges == ((2, 1, 0), (2, 1, 1))
    assert hidden.pending == ((1, 2), (1, 3))
    weights = backward_step_at(network, 10)  # hidden N2's incoming W1[1,2], W1[2,2], W1[3,2]
    assert weights.selected == (1, 1)
    assert weights.edges == ((1, 0, 1), (1, 1, 1), (1, 2, 1))
    assert weights.pending == ()


def _reference_layers(network: Network):
    return [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]


def _networks():
    rng = np.random.default_rng(17)
    tanh = Network(
        2,
        (
            Layer(rng.normal(size=(2, 3)), rng.normal(size=3), "tanh"),
            Layer(rng.normal(size=(3, 2)), rng.normal(size=2), "leaky_relu"),
            Layer(rng.normal(size=(2, 2)), rng.normal(size=2), "linear"),
        ),
        input_values=np.array([0.7, -1.2]),
    )
    softmax = Network(
        3,
        (
            Layer(rng.normal(size=(3, 2)), rng.normal(size=2), "sigmoid"),
            Layer(rng.normal(size=(2, 3)), rng.normal(size=3), "softmax"),
        ),
        input_values=np.array([0.3, 0.9, -0.4]),
    )
    binary = Network(
        2,
        (
            Layer(rng.normal(size=(2, 2)), rng.normal(size=2), "relu"),
            Layer(rng.normal(size=(2, 1)), rng.normal(size=1), "sigmoid"),
        ),
        input_values=np.array([1.5, 0.5]),
    )
    return [
        (seed_example(), [1.0, 0.0], "squared_error"),
        (tanh, [0.5, -1.0], "squared_error"),
        (softmax, [0.0, 1.0, 0.0], "cross_entropy"),
        (softmax, [0.2, 0.3, 0.5], "squared_error"),  # softmax under squared error: the Jacobian sum
        (binary, [1.0], "binary_cross_entropy"),
    ]


@pytest.mark.parametrize("network, target, loss_name", _networks())
def test_every_number_matches_the_plain_loop_reference(network, target, loss_name):
    rate = 0.3
    y = np.array(target)
    loss = LOSSES[loss_name]
    result = forward(network)
    gradients = backward(network, y, loss=loss_name, result=result)
    layers = _reference_layers(network)
    x = network.input_values.tolist()
    value, deltas, weight_gradients, bias_gradients = reference.backward_one(layers, x, target, loss_name)
    zs, activations = reference.forward(layers, x)
    tol = dict(rel=1e-9, abs=1e-12)

    start = backward_step_working(network, result, gradients, y, loss, rate, backward_step_at(network, 0))
    assert start.gradient is None
    assert start.loss.total == pytest.approx(value, **tol)
    assert math.fsum(term.value for term in start.loss.terms) == pytest.approx(value, **tol)
    for k, term in enumerate(start.loss.terms):
        assert term.a == pytest.approx(activations[-1][k], **tol) and term.y == target[k]
        assert term.value == pytest.approx(reference.loss_value(loss_name, [activations[-1][k]], [target[k]]), **tol)

    for index in range(1, backward_step_count(network) + 1):
        step = backward_step_at(network, index)
        working = backward_step_working(network, result, gradients, y, loss, rate, step)
        k, j = step.position - 1, step.neuron
        assert working.loss.total == pytest.approx(value, **tol)
        if step.kind == DELTA_STEP:
            delta = working.gradient.delta
            assert delta.delta == pytest.approx(deltas[k][j], **tol)
            assert delta.z == pytest.approx(zs[k][j], **tol) and delta.a == pytest.approx(activations[k][j], **tol)
            if step.position == len(layers):
                assert working.running == ()
                if delta.derivative is not None:
                    assert delta.derivative == pytest.approx(reference.derivative(layers[k][2], zs[k][j]), **tol)
                    assert delta.dl_da == pytest.approx(
                        reference.loss_gradient(loss_name, activations[-1], target)[j], **tol
                    )
            else:
                following = layers[k + 1][0]
                products = [following[j][m] * deltas[k + 1][m] for m in range(len(deltas[k + 1]))]
                assert [t.product for t in working.running] == pytest.approx(products, **tol)
                assert [t.running_sum for t in working.running] == pytest.approx(np.cumsum(products), **tol)
                assert delta.total == pytest.approx(sum(products), **tol)
                assert delta.derivative == pytest.approx(reference.derivative(layers[k][2], zs[k][j]), **tol)
        else:
            assert working.running == ()
            source = x if k == 0 else activations[k - 1]
            for i, weight in enumerate(working.gradient.weights):
                assert weight.x == pytest.approx(source[i], **tol)
                assert weight.gradient == pytest.approx(weight_gradients[k][i][j], **tol)
                assert weight.updated == pytest.approx(layers[k][0][i][j] - rate * weight_gradients[k][i][j], **tol)
            bias = working.gradient.bias
            assert bias.gradient == pytest.approx(bias_gradients[k][j], **tol)
            assert bias.updated == pytest.approx(layers[k][1][j] - rate * bias_gradients[k][j], **tol)


def test_step_lines_read_like_the_hand_computation():
    # Seed 3-4-2, target (1, 0), squared error, η = 0.5. By hand: z1 = W1ᵀx + b1 =
    # (0.13 + 1 + 0.4 - 0.6, 0.14 + 4 + 0.9 + 1, 0.15 - 0.5 + 0.1 + 0.4, 0.16 + 1.5 - 0.6 + 1.4)
    # = (0.93, 6.04, 0.15, 2.46), all positive so ReLU keeps them.
    network = seed_example()
    result = forward(network)
    y = np.array([1.0, 0.0])
    gradients = backward(network, y, result=result)
    loss = LOSSES["squared_error"]

    def lines(index):
        return backward_step_working(network, result, gradients, y, loss, 0.5, backward_step_at(network, index))

    z_out = [
        0.1 + 0.93 * 0.2 + 6.04 * 0.1 + 0.15 * -0.4 + 2.46 * 0.3,
        -0.2 - 0.93 * 0.3 - 6.04 * 0.2 + 0.15 * 0.5 + 2.46 * 0.1,
    ]
    a_out = [1 / (1 + math.exp(-z)) for z in z_out]
    start = lines(0)
    assert start.title == "Step 0 of 12: the loss (squared error)"
    text = "\n".join(start.lines())
    assert f"N1: ½·(a - y)² = ½ × ({a_out[0]:.6g} - 1)² = {0.5 * (a_out[0] - 1) ** 2:.6g}" in text
    assert f"N2: ½·(a - y)² = ½ × ({a_out[1]:.6g} - 0)² = {0.5 * a_out[1] ** 2:.6g}" in text
    delta_out = [(a - t) * a * (1 - a) for a, t in zip(a_out, [1.0, 0.0])]
    hidden = lines(4)  # δ of hidden N2: W2[2,1]·δ2[1] + W2[2,2]·δ2[2], × ReLU′(6.04) = 1
    assert hidden.title == "Step 4 of 12: Hidden 1 · N2 (layer 1) · δ"
    text = "\n".join(hidden.lines())
    assert f"W2[2,1] × δ2[1] = 0.1 × ({delta_out[0]:.6g}) = {0.1 * delta_out[0]:.6g}" in text  # δ2[1] < 0
    assert "f′(z) = 1 (z = 6.04 > 0)" in text
    weights = lines(10)  # hidden N2's incoming weights: x · δ1[2], w − 0.5·g
    delta_hidden = 0.1 * delta_out[0] - 0.2 * delta_out[1]
    text = "\n".join(weights.lines())
    assert f"∂L/∂w = x·δ = IN2 × δ1[2] = 0.1 × ({delta_hidden:.6g}) = {0.1 * delta_hidden:.6g}" in text  # δ1[2] < 0
    assert f"w′ = w - η·g = 9 - 0.5 × ({0.1 * delta_hidden:.6g}) = {9 - 0.05 * delta_hidden:.6g}" in text


def test_known_deltas_are_pending_until_their_step():
    network = seed_example()
    result = forward(network)
    gradients = backward(network, np.array([1.0, 0.0]), result=result)
    names = [(title, name) for title, name, _ in known_deltas(network, gradients, backward_step_at(network, 0))]
    assert names[:3] == [("Output", "N1"), ("Output", "N2"), ("Hidden 1", "N1")]
    at_three = [value for *_, value in known_deltas(network, gradients, backward_step_at(network, 3))]
    assert [value is None for value in at_three] == [False, False, False, True, True, True]
    everything = known_deltas(network, gradients, backward_step_at(network, 7))
    assert all(value is not None for *_, value in everything)
