"""Backpropagation against independent answers: Matt Mazur's "A Step by Step Backpropagation
Example" (mattmazur.com, 2015) checked by hand, the plain-loop reference in tests/reference.py
over random networks (hypothesis), and central finite differences against both."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlpsim.core.activations import LEAKY_RELU_SLOPE, REGISTRY
from mlpsim.core.backward import backward
from mlpsim.core.errors import GradientError, ValidationError
from mlpsim.core.forward import forward
from mlpsim.core.network import Layer, Network
from tests import reference

# ---- Mazur's 2-2-2 example -----------------------------------------------------------------------
# His names → the article's matrices (row = source, column = target):
#   w1: i1→h1, w2: i2→h1, w3: i1→h2, w4: i2→h2  ⇒ W1 = [[w1, w3], [w2, w4]]
#   w5: h1→o1, w6: h2→o1, w7: h1→o2, w8: h2→o2  ⇒ W2 = [[w5, w7], [w6, w8]]
# b1 = 0.35 is shared by both hidden neurons, b2 = 0.60 by both outputs; sigmoid everywhere,
# E = ½Σ(target − out)², η = 0.5, input (0.05, 0.10), target (0.01, 0.99).
W1 = [[0.15, 0.25], [0.20, 0.30]]
W2 = [[0.40, 0.50], [0.45, 0.55]]
X = [0.05, 0.10]
Y = [0.01, 0.99]
RATE = 0.5


def mazur_network(w1=W1, w2=W2) -> Network:
    return Network(
        input_size=2,
        layers=(
            Layer(np.array(w1), np.array([0.35, 0.35]), "sigmoid"),
            Layer(np.array(w2), np.array([0.6, 0.6]), "sigmoid"),
        ),
        input_values=np.array(X),
    )


def digits(value: float, printed: str) -> bool:
    """value agrees with the figure as printed, to the printed number of decimals (±1 in the last)."""
    decimals = len(printed.split(".")[1])
    return abs(value - float(printed)) <= 1.01 * 10 ** (-decimals)


def test_mazur_hand_computation_of_the_forward_pass():
    # By hand: net_h1 = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775; out_h1 = 1/(1 + e^−0.3775).
    net_h1 = 0.15 * 0.05 + 0.2 * 0.1 + 0.35
    out_h1 = 1 / (1 + math.exp(-net_h1))
    out_h2 = 1 / (1 + math.exp(-(0.25 * 0.05 + 0.3 * 0.1 + 0.35)))
    net_o1 = 0.4 * out_h1 + 0.45 * out_h2 + 0.6
    out_o1 = 1 / (1 + math.exp(-net_o1))
    out_o2 = 1 / (1 + math.exp(-(0.5 * out_h1 + 0.55 * out_h2 + 0.6)))
    result = forward(mazur_network())
    assert net_h1 == pytest.approx(0.3775, abs=1e-15)
    for value, printed in [
        (out_h1, "0.593269992"),
        (out_h2, "0.596884378"),
        (net_o1, "1.105905967"),
        (out_o1, "0.75136507"),
        (out_o2, "0.772928465"),
    ]:
        assert digits(value, printed), (value, printed)
    assert result.a[0].tolist() == pytest.approx([out_h1, out_h2], rel=1e-15)
    assert result.a[1].tolist() == pytest.approx([out_o1, out_o2], rel=1e-15)


def test_mazur_loss_deltas_gradients_and_updated_weights():
    gradients = backward(mazur_network(), np.array(Y))
    result = forward(mazur_network())
    (out_h1, out_h2), (out_o1, out_o2) = result.a[0].tolist(), result.a[1].tolist()
    # His E_o1 = 0.274811083, E_o2 = 0.023560026, E_total = 0.298371109.
    assert digits(0.5 * (0.01 - out_o1) ** 2, "0.274811083")
    assert digits(0.5 * (0.99 - out_o2) ** 2, "0.023560026")
    assert digits(gradients.loss, "0.298371109")
    # Output layer, by hand: δ_o1 = (out_o1 − 0.01)·out_o1·(1 − out_o1).
    assert digits(out_o1 - 0.01, "0.74136507")
    assert digits(out_o1 * (1 - out_o1), "0.186815602")
    delta_o1 = (out_o1 - 0.01) * out_o1 * (1 - out_o1)
    delta_o2 = (out_o2 - 0.99) * out_o2 * (1 - out_o2)
    assert digits(delta_o1, "0.138498562")
    assert gradients.deltas[1].tolist() == pytest.approx([delta_o1, delta_o2], rel=1e-14)
    # ∂E/∂w5 = δ_o1·out_h1 = 0.082167041; updates w − 0.5·g as he prints them.
    assert digits(gradients.weights[1][0, 0], "0.082167041")
    updated_w2 = np.array(W2) - RATE * gradients.weights[1]
    for (i, j), printed in {
        (0, 0): "0.35891648",
        (1, 0): "0.408666186",
        (0, 1): "0.511301270",
        (1, 1): "0.561370121",
    }.items():
        assert digits(updated_w2[i, j], printed), (i, j, updated_w2[i, j], printed)
    # Hidden layer: ∂E_total/∂out_h1 = δ_o1·w5 + δ_o2·w7 (the ORIGINAL w5, w7, as his text says).
    assert digits(delta_o1 * 0.4, "0.055399425")
    assert digits(delta_o2 * 0.5, "-0.019049119")
    upstream_h1 = delta_o1 * 0.4 + delta_o2 * 0.5
    assert digits(upstream_h1, "0.036350306")
    assert digits(out_h1 * (1 - out_h1), "0.241300709")
    delta_h1 = upstream_h1 * out_h1 * (1 - out_h1)
    delta_h2 = (delta_o1 * 0.45 + delta_o2 * 0.55) * out_h2 * (1 - out_h2)
    assert gradients.deltas[0].tolist() == pytest.approx([delta_h1, delta_h2], rel=1e-14)
    assert digits(gradients.weights[0][0, 0], "0.000438568")
    updated_w1 = np.array(W1) - RATE * gradients.weights[0]
    for (i, j), printed in {
        (0, 0): "0.149780716",
        (1, 0): "0.19956143",
        (0, 1): "0.24975114",
        (1, 1): "0.29950229",
    }.items():
        assert digits(updated_w1[i, j], printed), (i, j, updated_w1[i, j], printed)


def _mazur_round(w1: np.ndarray, w2: np.ndarray, hidden_uses_updated_w2: bool):
    """One round of his method by hand in numpy (biases fixed, as in his post)."""
    x, y = np.array(X), np.array(Y)
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731 — the textbook form, |z| < 3 here
    h = sigmoid(x @ w1 + 0.35)
    o = sigmoid(h @ w2 + 0.6)
    delta_o = (o - y) * o * (1 - o)
    new_w2 = w2 - RATE * np.outer(h, delta_o)
    delta_h = ((new_w2 if hidden_uses_updated_w2 else w2) @ delta_o) * h * (1 - h)
    return w1 - RATE * np.outer(x, delta_h), new_w2


def _error(w1, w2) -> float:
    return backward(mazur_network(w1, w2), np.array(Y)).loss


def test_where_mazurs_published_figures_disagree_with_his_own_method():
    """His text: "we use the original weights, not the updated weights, when we continue the
    backpropagation". With that method the error after the first round is 0.291027774, not the
    0.291027924 he prints; 0.291027924 is what one gets when the hidden δs use the ALREADY
    UPDATED w5..w8. His figures after 10,000 rounds (outputs 0.015912196 and 0.984065734) also
    match the updated-weights variant, not his stated method (0.0159136, 0.9840643). And the
    total error he prints for them, 0.0000351085, is not the error of his own printed outputs:
    ½(0.005912196² + 0.005934266²) = 0.0000350848."""
    stated = _mazur_round(np.array(W1), np.array(W2), hidden_uses_updated_w2=False)
    variant = _mazur_round(np.array(W1), np.array(W2), hidden_uses_updated_w2=True)
    core = backward(mazur_network(), np.array(Y))
    core_w1 = np.array(W1) - RATE * core.weights[0]
    core_w2 = np.array(W2) - RATE * core.weights[1]
    assert np.allclose(core_w1, stated[0], rtol=1e-15) and np.allclose(core_w2, stated[1], rtol=1e-15)
    assert digits(_error(*stated), "0.291027774")
    assert not digits(_error(*stated), "0.291027924")
    assert digits(_error(*variant), "0.291027924")
    published_outputs = (0.015912196, 0.984065734)
    assert 0.5 * ((published_outputs[0] - 0.01) ** 2 + (0.99 - published_outputs[1]) ** 2) == pytest.approx(
        3.50848e-5, rel=1e-5
    )
    w1, w2 = np.array(W1), np.array(W2)
    v1, v2 = np.array(W1), np.array(W2)
    for _ in range(10_000):
        w1, w2 = _mazur_round(w1, w2, hidden_uses_updated_w2=False)
        v1, v2 = _mazur_round(v1, v2, hidden_uses_updated_w2=True)
    stated_outputs = forward(mazur_network(w1, w2)).output
    variant_outputs = forward(mazur_network(v1, v2)).output
    assert stated_outputs.tolist() == pytest.approx([0.0159136, 0.9840643], abs=1e-7)
    assert variant_outputs.tolist() == pytest.approx(published_outputs, abs=2e-9)
    assert _error(w1, w2) == pytest.approx(3.51019e-5, rel=1e-5)


# ---- the plain-loop reference over random networks -------------------------------------------

PAIRINGS = [("squared_error", name) for name in REGISTRY] + [
    ("binary_cross_entropy", "sigmoid"),
    ("cross_entropy", "softmax"),
]


@st.composite
def problems(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    loss, output_activation = draw(st.sampled_from(PAIRINGS))
    hidden = draw(st.lists(st.sampled_from(sorted(REGISTRY)), min_size=len(sizes) - 2, max_size=len(sizes) - 2))
    activations = [*hidden, output_activation]
    values = st.floats(-2, 2, allow_nan=False)
    layers = []
    for n_in, n_out, name in zip(sizes, sizes[1:], activations):
        weights = [draw(st.lists(values, min_size=n_out, max_size=n_out)) for _ in range(n_in)]
        bias = draw(st.lists(values, min_size=n_out, max_size=n_out))
        layers.append((weights, bias, name))
    batch = draw(st.integers(1, 3))
    xs = [draw(st.lists(values, min_size=sizes[0], max_size=sizes[0])) for _ in range(batch)]
    m = sizes[-1]
    ys = []
    for _ in range(batch):
        if loss == "cross_entropy":
            raw = draw(st.lists(st.floats(0, 1), min_size=m, max_size=m))
            total = sum(raw)
            ys.append([1.0 / m] * m if total == 0 else [r / total for r in raw])
        elif loss == "binary_cross_entropy":
            ys.append(draw(st.lists(st.floats(0, 1), min_size=m, max_size=m)))
        else:
            ys.append(draw(st.lists(values, min_size=m, max_size=m)))
    return layers, xs, ys, loss


def _network(layers, input_size) -> Network:
    return Network(input_size, tuple(Layer(np.array(w), np.array(b), name) for w, b, name in layers))


def _close(actual, expected) -> bool:
    return np.allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=1e-9, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(problems())
def test_core_matches_the_plain_loop_reference(problem):
    layers, xs, ys, loss = problem
    network = _network(layers, len(xs[0]))
    core = backward(network, np.array(ys), np.array(xs), loss=loss)
    ref_loss, ref_deltas, ref_weights, ref_biases = reference.backward_batch(layers, xs, ys, loss)
    # The reference takes log(a) and log(1 - a) of a rounded a: near a saturated output it is
    # off by up to ε / min(a, 1 - a) per sample (the core works from z), so allow that much.
    outputs = [value for x in xs for value in reference.forward(layers, x)[1][-1]]
    conditioning = 1.0 / max(min(min(v, 1.0 - v) for v in outputs), 1e-300) if "entropy" in loss else 1.0
    assert math.isclose(core.loss, ref_loss, rel_tol=1e-9, abs_tol=1e-12 + 4e-16 * conditioning)
    for k in range(len(layers)):
        assert _close(core.weights[k], ref_weights[k]), k
        assert _close(core.biases[k], ref_biases[k]), k
        assert _close(core.deltas[k], ref_deltas[k]), k
        assert core.weights[k].shape == network.layers[k].weights.shape


def _kinked(layers, xs) -> bool:
    """True when some ReLU-family neuron's z is so near 0 that a finite difference straddles the kink."""
    for x in xs:
        zs, _ = reference.forward(layers, x)
        for (_, _, name), z in zip(layers, zs):
            if name in ("relu", "leaky_relu") and any(abs(v) < 1e-4 for v in z):
                return True
    return False


@settings(max_examples=60, deadline=None)
@given(problems())
def test_finite_differences_agree_with_the_core_and_the_reference(problem):
    layers, xs, ys, loss = problem
    assume(not _kinked(layers, xs))
    network = _network(layers, len(xs[0]))
    core = backward(network, np.array(ys), np.array(xs), loss=loss)
    _, _, ref_weights, ref_biases = reference.backward_batch(layers, xs, ys, loss)
    step = 1e-6
    for k, (weights, bias, _name) in enumerate(layers):
        for i in range(len(weights)):
            for j in range(len(bias)):

                def shifted(by):
                    copy = [([row[:] for row in w], b[:], n) for w, b, n in layers]
                    copy[k][0][i][j] += by
                    return reference.mean_loss(copy, xs, ys, loss)

                numeric = (shifted(step) - shifted(-step)) / (2 * step)
                assert math.isclose(numeric, core.weights[k][i, j], rel_tol=1e-4, abs_tol=1e-6), (k, i, j)
                assert math.isclose(numeric, ref_weights[k][i][j], rel_tol=1e-4, abs_tol=1e-6), (k, i, j)
        for j in range(len(bias)):
            copy_plus = [([row[:] for row in w], b[:], n) for w, b, n in layers]
            copy_minus = [([row[:] for row in w], b[:], n) for w, b, n in layers]
            copy_plus[k][1][j] += step
            copy_minus[k][1][j] -= step
            numeric = (reference.mean_loss(copy_plus, xs, ys, loss) - reference.mean_loss(copy_minus, xs, ys, loss)) / (
                2 * step
            )
            assert math.isclose(numeric, core.biases[k][j], rel_tol=1e-4, abs_tol=1e-6), (k, j)
            assert math.isclose(numeric, ref_biases[k][j], rel_tol=1e-4, abs_tol=1e-6), (k, j)


# ---- derivatives at the kinks, softmax's Jacobian, safety ------------------------------------


def test_documented_derivatives_at_zero():
    z = np.array([-1.0, 0.0, 1.0])
    relu = REGISTRY["relu"]
    leaky = REGISTRY["leaky_relu"]
    assert relu.derivative(z, relu.function(z)).tolist() == [0.0, 0.0, 1.0]  # ReLU′(0) = 0, as scikit-learn
    assert leaky.derivative(z, leaky.function(z)).tolist() == [LEAKY_RELU_SLOPE, LEAKY_RELU_SLOPE, 1.0]


@pytest.mark.parametrize("name", ["linear", "tanh", "sigmoid", "relu", "leaky_relu"])
def test_elementwise_derivatives_against_finite_differences(name):
    z = np.array([-3.0, -0.7, 0.4, 2.5])
    activation = REGISTRY[name]
    step = 1e-6
    numeric = (activation.function(z + step) - activation.function(z - step)) / (2 * step)
    assert np.allclose(activation.derivative(z, activation.function(z)), numeric, rtol=1e-7, atol=1e-9)


def test_softmax_backward_is_the_jacobian_product():
    z = np.array([0.3, -1.2, 2.0])
    a = REGISTRY["softmax"].function(z)
    g = np.array([0.5, -0.25, 1.5])
    jacobian = np.array([[a[j] * ((i == j) - a[i]) for j in range(3)] for i in range(3)])  # ∂aⱼ/∂zᵢ
    assert np.allclose(REGISTRY["softmax"].backward(z, a, g), jacobian @ g, rtol=1e-14)


def test_an_overflowing_gradient_names_the_layer_and_is_never_nan():
    # z stays finite (1e154 + 1e154) but ½(a − y)² overflows: the loss, then every δ.
    network = Network(1, (Layer(np.array([[1e154]]), np.array([1e154]), "linear"),))
    with pytest.raises(GradientError, match="loss is not finite"):
        backward(network, np.array([0.0]), np.array([1.0]))
    # A finite loss (z2 = ±1.5e298) whose hidden δ overflows: W2·δ2 = −1.5e308 − 1.5e308.
    network = Network(
        1,
        (
            Layer(np.array([[1.0]]), np.array([0.0]), "linear"),
            Layer(np.array([[1.5e308, -1.5e308]]), np.array([0.0, 0.0]), "sigmoid"),
        ),
    )
    with pytest.raises(GradientError, match=r"layer 1 \(Hidden 1\): δ overflowed"):
        backward(network, np.array([1.0, 0.0]), np.array([-1e-10]), loss="binary_cross_entropy")


def test_saturated_sigmoid_with_binary_cross_entropy_stays_finite():
    network = Network(1, (Layer(np.array([[1000.0]]), np.array([0.0]), "sigmoid"),))
    gradients = backward(network, np.array([0.0]), np.array([1.0]), loss="binary_cross_entropy")
    assert gradients.loss == pytest.approx(1000.0)  # −log(1 − σ(1000)) = log(1 + e^1000) ≈ 1000
    assert gradients.weights[0].tolist() == [[1.0]]  # (a − y)·x = (1 − 0)·1


def test_bad_targets_and_pairings_are_refused_with_a_message():
    network = mazur_network()
    with pytest.raises(ValidationError, match="expected 2 values"):
        backward(network, np.array([0.1, 0.2, 0.3]))
    with pytest.raises(ValidationError, match="finite"):
        backward(network, np.array([0.1, np.nan]))
    with pytest.raises(ValidationError, match="pairings are"):
        backward(network, np.array(Y), loss="cross_entropy")
    with pytest.raises(ValidationError, match="unknown loss"):
        backward(network, np.array(Y), loss="hinge")
