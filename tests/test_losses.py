"""The three losses against values worked by hand, their finite behaviour where a saturates,
and the refusal of pairings that make no sense."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
import reference
from streamlit.testing.v1 import AppTest

from mlpsim.cli import main
from mlpsim.core.activations import REGISTRY
from mlpsim.core.backward import backward
from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import forward
from mlpsim.core.losses import LOSSES, Loss, default_loss, get_loss, losses_for, pairings_text
from mlpsim.core.network import Layer, Network
from mlpsim.core.optimizers import Optimizer
from mlpsim.core.training import Examples, TrainingConfig, start, train
from mlpsim.explain.backward_stepper import backward_step_at, backward_step_working
from mlpsim.io.fileformat import dumps
from ui.session import state as ui_state


def strict(function, *arrays):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            return function(*(a if isinstance(a, str) else np.asarray(a, dtype=float) for a in arrays))


def test_squared_error_is_half_the_sum_of_squares_and_the_batch_mean():
    loss = LOSSES["squared_error"]
    a, y = np.array([[0.75, 0.25], [0.0, 1.0]]), np.array([[0.0, 1.0], [0.0, 1.0]])
    # ½(0.75² + 0.75²) = 0.5625 and 0 → mean 0.28125
    assert strict(loss.per_sample, a, a, y).tolist() == [0.5625, 0.0]
    assert loss.value(a, a, y) == 0.28125
    assert strict(loss.output_gradient, a, y).tolist() == [[0.75, -0.75], [0.0, 0.0]]


def test_binary_cross_entropy_from_z_by_hand():
    loss = LOSSES["binary_cross_entropy"]
    z = np.array([[0.0], [2.0]])
    a = REGISTRY["sigmoid"].function(z)
    y = np.array([[1.0], [0.0]])
    # z = 0, y = 1: −log ½ = log 2;  z = 2, y = 0: −log(1 − σ(2)) = log(1 + e²)
    expected = [math.log(2), math.log(1 + math.exp(2))]
    assert strict(loss.per_sample, z, a, y).tolist() == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("z", [-1000.0, -40.0, 40.0, 1000.0, 1e308, -1e308])
def test_binary_cross_entropy_stays_finite_when_the_sigmoid_saturates(z):
    loss = LOSSES["binary_cross_entropy"]
    zs = np.array([[z], [z]])
    a = REGISTRY["sigmoid"].function(zs)
    values = strict(loss.per_sample, zs, a, np.array([[0.0], [1.0]]))
    # log(1 + e^z) − y·z: ≈ max(z, 0) for y = 0 and ≈ max(−z, 0) for y = 1
    assert values.tolist() == pytest.approx([max(z, 0.0), max(-z, 0.0)], rel=1e-12, abs=1e-17)
    assert strict(loss.output_delta, "sigmoid", zs, a, np.array([[0.0], [1.0]])).tolist() == [[a[0, 0]], [a[1, 0] - 1]]


def test_cross_entropy_from_z_by_log_sum_exp():
    loss = LOSSES["cross_entropy"]
    z = np.array([1000.0, 1001.0, 1002.0])
    a = REGISTRY["softmax"].function(z)
    y = np.array([0.0, 0.0, 1.0])
    # −log(e² / (1 + e + e²)) = log(1 + e + e²) − 2, shift by 1000 cancels
    expected = math.log(1 + math.e + math.e**2) - 2
    assert strict(loss.per_sample, z, a, y) == pytest.approx(expected, rel=1e-13)
    # A class with probability rounding to 0: −log a would be inf; from z it is 2000 exactly-ish.
    z = np.array([0.0, -2000.0])
    value = strict(loss.per_sample, z, REGISTRY["softmax"].function(z), np.array([0.0, 1.0]))
    assert value == pytest.approx(2000.0, rel=1e-15)


def test_cross_entropy_delta_is_a_minus_y_for_one_hot_targets():
    loss = LOSSES["cross_entropy"]
    z = np.array([[0.5, -1.0, 2.0]])
    a = REGISTRY["softmax"].function(z)
    y = np.array([[0.0, 1.0, 0.0]])
    assert np.array_equal(loss.output_delta("softmax", z, a, y), a - y)
    # The long way: −y/a through the softmax Jacobian, built entry by entry.
    g = -y[0] / a[0]
    jacobian = np.array([[a[0, j] * ((i == j) - a[0, i]) for j in range(3)] for i in range(3)])
    assert np.allclose(jacobian @ g, (a - y)[0], rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize(
    "loss, activation",
    [
        ("cross_entropy", "linear"),
        ("cross_entropy", "sigmoid"),
        ("binary_cross_entropy", "softmax"),
        ("binary_cross_entropy", "tanh"),
        ("binary_cross_entropy", "relu"),
    ],
)
def test_pairings_that_make_no_sense_are_refused_naming_the_ones_that_exist(loss, activation):
    with pytest.raises(ValidationError) as error:
        get_loss(loss, activation)
    message = str(error.value)
    assert activation in message and loss in message
    assert "binary_cross_entropy with sigmoid" in message and "cross_entropy with softmax" in message
    assert "squared_error with any output activation" in message


def test_every_output_activation_pairs_with_squared_error():
    for name in REGISTRY:
        assert get_loss("squared_error", name).name == "squared_error"
    assert pairings_text().count(";") == 2


def test_targets_that_do_not_suit_the_loss_are_explained():
    assert LOSSES["squared_error"].target_problem(np.array([[-5.0, 7.0]])) is None
    assert "between 0 and 1" in LOSSES["binary_cross_entropy"].target_problem(np.array([[1.5]]))
    assert LOSSES["binary_cross_entropy"].target_problem(np.array([[0.25], [1.0]])) is None
    assert "sum to 1" in LOSSES["cross_entropy"].target_problem(np.array([[0.5, 0.25]]))
    assert "probabilities" in LOSSES["cross_entropy"].target_problem(np.array([[1.5, -0.5]]))
    assert LOSSES["cross_entropy"].target_problem(np.array([[0.0, 1.0], [0.3, 0.7]])) is None


def absolute_error() -> Loss:
    """A loss made only here: L = Σₖ |aₖ − yₖ|, ∂L/∂a = sign(a − y), no combined δ."""
    return Loss(
        name="absolute_error",
        title="Absolute error",
        formula_text="L = Σₖ |aₖ − yₖ|",
        formula_latex=r"L = \sum_k |a_k - y_k|",
        terms=lambda z, a, y: np.abs(a - y),
        output_gradient=lambda a, y: np.sign(a - y),
        pairs_with=None,
        term_worked_text="|a - y| = |{a} - {y:factor}| = {value}",
        term_worked_latex="|a - y| = |{a} - {y:factor}| = {value}",
        gradient_worked_text="sign(a - y) = sign({a} - {y:factor}) = {value}",
        gradient_worked_latex=r"\operatorname{{sign}}(a - y) = \operatorname{{sign}}({a} - {y:factor}) = {value}",
    )


def two_two_one() -> Network:
    return Network(
        input_size=2,
        input_values=np.array([1.0, 2.0]),
        layers=(
            Layer(weights=np.array([[0.5, -0.3], [0.2, 0.4]]), bias=np.array([0.1, -0.1]), activation="tanh"),
            Layer(weights=np.array([[1.0], [-2.0]]), bias=np.array([0.3]), activation="linear"),
        ),
    )


def finite_difference_w1(network: Network, x: np.ndarray, y: np.ndarray, step: float = 1e-6) -> np.ndarray:
    """∂L/∂W1 by central differences of the batch loss, computed with a plain forward loop."""
    gradient = np.zeros_like(network.layers[0].weights)
    for i in range(gradient.shape[0]):
        for j in range(gradient.shape[1]):
            values = []
            for sign in (1, -1):
                layers = [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]
                layers[0][0][i][j] += sign * step
                outputs = [reference.forward(layers, row)[1][-1] for row in x.tolist()]
                values.append(
                    sum(sum(abs(a - t) for a, t in zip(out, target)) for out, target in zip(outputs, y.tolist()))
                )
            values = [value / len(x) for value in values]
            gradient[i, j] = (values[0] - values[1]) / (2 * step)
    return gradient


def test_a_loss_declared_with_its_own_gradient_backpropagates_that_gradient(monkeypatch):
    """A loss that is not squared error must not be trained with squared error's a − y (which
    gave [[1.1, 3.2], [2.2, 6.4]] for absolute error where finite differences give the true
    gradient): backward and training both use the loss's own ∂L/∂a."""
    loss = absolute_error()
    monkeypatch.setitem(LOSSES, loss.name, loss)
    network = two_two_one()
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    y = np.array([[3.0], [-2.0]])  # far from the outputs: |a − y| is smooth there
    expected = finite_difference_w1(network, x, y)
    gradients = backward(network, y, x, loss=loss)
    np.testing.assert_allclose(gradients.weights[0], expected, rtol=1e-6, atol=1e-9)
    # One full-batch step of plain gradient descent, through the training loop, by name.
    config = TrainingConfig(
        loss="absolute_error", optimizer=Optimizer("sgd", learning_rate=0.1), batch_size=2, epochs=1, shuffle=False
    )
    (progress,) = list(train(start(network, config), config, Examples(x, y)))
    np.testing.assert_allclose(
        progress.state.network.layers[0].weights, network.layers[0].weights - 0.1 * expected, rtol=1e-6, atol=1e-9
    )


# ---- the loss registry: an entry made only here reaches every surface ----------------------------
# The absolute-error loss above, on two_two_one() at its input (1, 2) with target 3, worked by hand:
# z1 = W1ᵀx + b1 = (0.5 + 0.4 + 0.1, −0.3 + 0.8 − 0.1) = (1, 0.4); a1 = (tanh 1, tanh 0.4);
# z2 = a2 = 1·tanh 1 − 2·tanh 0.4 + 0.3 (linear output); L = |a2 − 3| = 3 − a2, as a2 < 3;
# ∂L/∂a2 = sign(a2 − 3) = −1 and δ2 = −1 (f′ = 1); δ1 = W2·δ2 ⊙ (1 − a1²).
A_HIDDEN = (math.tanh(1.0), math.tanh(0.4))
A_OUT = A_HIDDEN[0] - 2 * A_HIDDEN[1] + 0.3
DELTA_HIDDEN = (-1 * (1 - A_HIDDEN[0] ** 2), 2 * (1 - A_HIDDEN[1] ** 2))


@pytest.fixture
def with_absolute_error(monkeypatch):
    monkeypatch.setitem(LOSSES, "absolute_error", absolute_error())


def finite_differences(network: Network, rows=None, targets=((3.0,),), step: float = 1e-6):
    """(∂L/∂W, ∂L/∂b) of every layer: L = the mean over ``rows`` (default: the network's input)
    of Σ|a − y| by a plain forward loop, each entry nudged both ways."""
    rows = [network.input_values.tolist()] if rows is None else rows

    def loss(layers) -> float:
        total = 0.0
        for x, y in zip(rows, targets):
            outputs = reference.forward(layers, list(x))[1][-1]
            total += sum(abs(a - t) for a, t in zip(outputs, y))
        return total / len(rows)

    result = []
    for k, layer in enumerate(network.layers):
        gradients = []
        for values in (layer.weights, layer.bias):
            gradient = np.zeros_like(values)
            for index in np.ndindex(values.shape):
                ends = []
                for sign in (1, -1):
                    layers = [[layer.weights.copy(), layer.bias.copy(), layer.activation] for layer in network.layers]
                    (layers[k][0] if values is layer.weights else layers[k][1])[index] += sign * step
                    ends.append(loss([(w.tolist(), b.tolist(), f) for w, b, f in layers]))
                gradient[index] = (ends[0] - ends[1]) / (2 * step)
            gradients.append(gradient)
        result.append((gradients[0], gradients[1]))
    return result


def test_a_loss_made_in_the_test_is_offered_and_is_nobody_s_default(with_absolute_error):
    assert "absolute_error" in losses_for("tanh") and "absolute_error" in losses_for("softmax")
    assert default_loss("linear") == "squared_error"
    assert default_loss("sigmoid") == "binary_cross_entropy" and default_loss("softmax") == "cross_entropy"
    assert default_loss("sigmoid", preferred="absolute_error") == "absolute_error"
    assert default_loss("softmax", preferred="binary_cross_entropy") == "cross_entropy"  # does not fit
    assert "absolute_error with any output activation" in pairings_text()


def test_a_loss_made_in_the_test_reaches_backward_the_cli_and_the_worked_text(with_absolute_error, tmp_path, capsys):
    network = two_two_one()
    expected = finite_differences(network)
    gradients = backward(network, np.array([3.0]), loss="absolute_error")
    assert gradients.loss == pytest.approx(3 - A_OUT, rel=1e-14)
    for (weights, bias), got_weights, got_bias in zip(expected, gradients.weights, gradients.biases):
        np.testing.assert_allclose(got_weights, weights, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(got_bias, bias, rtol=1e-6, atol=1e-9)

    path = tmp_path / "absolute.json"
    path.write_text(dumps(network), encoding="utf-8")
    assert main(["backprop", str(path), "--target", "3", "--loss", "absolute_error", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["loss"] == pytest.approx(3 - A_OUT, rel=1e-14)
    for (weights, bias), layer in zip(expected, printed["layers"]):
        np.testing.assert_allclose(layer["weight_gradient"], weights, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(layer["bias_gradient"], bias, rtol=1e-6, atol=1e-9)

    assert (
        main(["backprop", str(path), "--target", "3", "--loss", "absolute_error", "--layer", "2", "--neuron", "1"]) == 0
    )
    worked = capsys.readouterr().out
    # ∂L/∂a by the loss's own template, never squared error's a − y = −2.7 nor a cross-entropy line
    assert f"  ∂L/∂a = sign(a - y) = sign({A_OUT:.6g} - 3) = -1\n" in worked
    assert "  δ2[1] = ∂L/∂a · f′(z) = (-1) × 1 = -1\n" in worked
    assert "a - y =" not in worked and "ln" not in worked
    assert (
        main(["backprop", str(path), "--target", "3", "--loss", "absolute_error", "--layer", "1", "--neuron", "2"]) == 0
    )
    assert f"  δ1[2] = (Σⱼ W[i,j]·δⱼ) · f′(z) = 2 × {1 - A_HIDDEN[1] ** 2:.6g} = {DELTA_HIDDEN[1]:.6g}\n" in (
        capsys.readouterr().out
    )


def test_a_loss_made_in_the_test_is_written_by_the_step_through_in_its_own_terms(with_absolute_error):
    network = two_two_one()
    loss = LOSSES["absolute_error"]
    result = forward(network)
    gradients = backward(network, np.array([3.0]), loss=loss, result=result)

    def step(index: int):
        return backward_step_working(
            network, result, gradients, np.array([3.0]), loss, 0.1, backward_step_at(network, index)
        )

    first = step(0)
    assert first.title == "Step 0 of 6: the loss (absolute error)"
    assert first.lines() == [
        "Absolute error (absolute_error): L = Σₖ |aₖ − yₖ|",
        f"N1: |a - y| = |{A_OUT:.6g} - 3| = {3 - A_OUT:.6g}",
        f"L = {3 - A_OUT:.6g} = {3 - A_OUT:.6g}",
    ]
    assert first.loss.latex_lines()[0] == rf"\text{{N1}}: |a - y| = |{A_OUT:.6g} - 3| = {3 - A_OUT:.6g}"
    output_delta = step(1)
    assert output_delta.lines() == [
        f"∂L/∂a = sign(a - y) = sign({A_OUT:.6g} - 3) = -1",
        "f′(z) = 1",
        "δ2[1] = ∂L/∂a · f′(z) = (-1) × 1 = -1",
    ]
    assert output_delta.gradient is not None
    assert output_delta.gradient.delta.latex_lines()[0] == (
        rf"\frac{{\partial L}}{{\partial a}} = \operatorname{{sign}}(a - y) = \operatorname{{sign}}({A_OUT:.6g} - 3) = -1"
    )
    # the update of W2[1,1] at step 4: w − η·g with g = a1[1]·δ2 = −tanh 1
    assert f"  w′ = w - η·g = 1 - 0.1 × (-{A_HIDDEN[0]:.6g}) = {1 + 0.1 * A_HIDDEN[0]:.6g}" in step(4).lines()


def test_a_loss_made_in_the_test_is_offered_on_the_train_page(with_absolute_error):
    at = AppTest.from_string("from ui.pages import train\ntrain.render()", default_timeout=60)
    at.session_state[ui_state.NETWORK] = two_two_one()
    at.run()
    assert not at.exception
    menu = at.selectbox(key=ui_state.TRAIN_LOSS)
    assert menu.options == ["Squared error", "Absolute error"] and menu.value == "squared_error"
    # The dataset first: picking it applies its declared settings (the gate's Adam among them).
    at.selectbox(key=ui_state.TRAIN_DATASET_SELECT).set_value("xor_gate").run()
    at.selectbox(key=ui_state.TRAIN_LOSS).set_value("absolute_error").run()
    at.selectbox(key=ui_state.TRAIN_OPTIMIZER).set_value("sgd").run()
    next(w for w in at.number_input if w.key == ui_state.TRAIN_LEARNING_RATE).set_value(0.1).run()
    assert not at.exception and at.selectbox(key=ui_state.TRAIN_LOSS).value == "absolute_error"
    next(b for b in at.button if b.label == "Step").click().run()
    assert not at.exception
    # Batch 10 > the truth table's 4 rows: one Step is one SGD step on the mean |a − y| of all
    # four (a linear output's targets are 0 and 1), by finite differences, not by a − y.
    rows, targets = [[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]]
    expected = finite_differences(two_two_one(), rows, targets)
    stepped = at.session_state[ui_state.NETWORK]
    for layer, before, (weights, bias) in zip(stepped.layers, two_two_one().layers, expected):
        np.testing.assert_allclose(layer.weights, before.weights - 0.1 * weights, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(layer.bias, before.bias - 0.1 * bias, rtol=1e-6, atol=1e-9)
