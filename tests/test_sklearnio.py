"""scikit-learn in and out: mlpsim's forward pass against the estimator's own predict and
predict_proba, both ways, and the networks scikit-learn cannot hold refused by name."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from conftest import ROOT
from sklearn.neural_network import MLPClassifier, MLPRegressor

from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import forward
from mlpsim.core.network import Layer, Network
from mlpsim.io.sklearnio import from_sklearn, to_sklearn

RNG = np.random.default_rng(3)
INPUTS = RNG.normal(size=(150, 4))
TESTS = RNG.normal(size=(400, 4))


def fitted(estimator, targets):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: a few iterations are enough here
        return estimator.fit(INPUTS, targets)


BINARY = (INPUTS[:, 0] > INPUTS[:, 1]).astype(int)
THREE_CLASSES = np.digitize(INPUTS[:, 2], [-0.5, 0.5])
MULTI_LABEL = (INPUTS[:, :3] > 0).astype(int)


@pytest.mark.parametrize(
    ("estimator", "targets", "activations"),
    [
        (MLPClassifier((6,), max_iter=60, random_state=0), BINARY, ["relu", "sigmoid"]),
        (
            MLPClassifier((6, 5), activation="tanh", max_iter=60, random_state=0),
            THREE_CLASSES,
            ["tanh", "tanh", "softmax"],
        ),
        (MLPClassifier((5,), activation="logistic", max_iter=60, random_state=0), MULTI_LABEL, ["sigmoid", "sigmoid"]),
        (
            MLPClassifier((5,), activation="identity", max_iter=60, random_state=0),
            np.array(["no", "yes"])[BINARY],
            ["linear", "sigmoid"],
        ),
    ],
)
def test_classifier_probabilities_are_the_networks_outputs(estimator, targets, activations):
    estimator = fitted(estimator, targets)
    network = from_sklearn(estimator)
    assert [layer.activation for layer in network.layers] == activations
    assert np.array_equal(network.layers[0].weights, estimator.coefs_[0])  # N×M, as it is
    output = forward(network, TESTS).output
    probabilities = estimator.predict_proba(TESTS)
    # A binary classifier's one logistic output is the probability of classes_[1].
    expected = probabilities[:, 1:] if output.shape[1] == 1 else probabilities
    np.testing.assert_allclose(output, expected, rtol=1e-12, atol=1e-15)
    back = to_sklearn(network)
    np.testing.assert_allclose(back.predict_proba(TESTS), probabilities, rtol=1e-12, atol=1e-15)
    # Labels: the estimator's own (strings here for one case); the round trip numbers them 0..M-1.
    codes = (
        np.searchsorted(estimator.classes_, estimator.predict(TESTS))
        if estimator.predict(TESTS).ndim == 1
        else estimator.predict(TESTS)
    )
    assert np.array_equal(back.predict(TESTS), codes)


@pytest.mark.parametrize("targets", [INPUTS[:, 0] - 2 * INPUTS[:, 3], INPUTS[:, :2] * 3])
def test_regressor_predictions_are_the_networks_outputs(targets):
    estimator = fitted(MLPRegressor(hidden_layer_sizes=(7, 3), activation="tanh", max_iter=60, random_state=0), targets)
    network = from_sklearn(estimator)
    assert [layer.activation for layer in network.layers] == ["tanh", "tanh", "linear"]
    prediction = estimator.predict(TESTS)
    np.testing.assert_allclose(
        forward(network, TESTS).output.reshape(prediction.shape), prediction, rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(to_sklearn(network).predict(TESTS), prediction, rtol=1e-12, atol=1e-14)


def test_a_network_by_hand_predicts_in_scikit_learn_what_the_sums_give():
    # x = [1, 2]: hidden z = [1·1 + 2·(−1) + 0.5, 1·2 + 2·0 − 1] = [−0.5, 1] → relu [0, 1];
    # output z = [0·3 + 1·(−1), 0·1 + 1·2] + [0, 0.5] = [−1, 2.5] → softmax.
    network = Network(
        2,
        (
            Layer(np.array([[1.0, 2.0], [-1.0, 0.0]]), np.array([0.5, -1.0]), "relu"),
            Layer(np.array([[3.0, 1.0], [-1.0, 2.0]]), np.array([0.0, 0.5]), "softmax"),
        ),
    )
    estimator = to_sklearn(network)
    expected = np.exp([-1.0, 2.5]) / np.exp([-1.0, 2.5]).sum()
    np.testing.assert_allclose(estimator.predict_proba([[1.0, 2.0]])[0], expected, rtol=1e-14)
    assert estimator.predict([[1.0, 2.0]]).tolist() == [1]


def linear_layers(*activations):
    sizes = [3, 4, 4, 2][: len(activations) + 1]
    return Network(3, tuple(Layer(np.ones((n, m)), np.zeros(m), a) for n, m, a in zip(sizes, sizes[1:], activations)))


@pytest.mark.parametrize(
    ("network", "message"),
    [
        (
            linear_layers("relu", "tanh", "linear"),
            "the hidden layers use relu, tanh; scikit-learn's MLP has one activation",
        ),
        (linear_layers("leaky_relu", "linear"), "scikit-learn's MLP has no leaky_relu hidden layers"),
        (linear_layers("relu", "tanh"), "a tanh output layer of 4 neurons; scikit-learn's MLP outputs are linear"),
        (Network(2, (Layer(np.ones((2, 1)), np.zeros(1), "softmax"),)), "a softmax output layer of 1 neuron;"),
    ],
)
def test_networks_scikit_learn_cannot_hold_are_refused(network, message):
    with pytest.raises(ValidationError, match="^to_sklearn: " + message.replace("(", r"\(")):
        to_sklearn(network)


def test_what_from_sklearn_refuses():
    with pytest.raises(ValidationError, match="^from_sklearn: this MLPClassifier is not fitted yet"):
        from_sklearn(MLPClassifier())
    with pytest.raises(ValidationError, match="^from_sklearn: expected an MLPClassifier or MLPRegressor, got dict$"):
        from_sklearn({})
    poisson = fitted(MLPRegressor(loss="poisson", hidden_layer_sizes=(3,), max_iter=5), np.abs(INPUTS[:, 0]))
    with pytest.raises(ValidationError, match="^from_sklearn: layer 2 uses scikit-learn's 'exp' activation"):
        from_sklearn(poisson)


def test_importing_mlpsim_needs_neither_scikit_learn_nor_onnx():
    code = (
        "import sys, mlpsim, mlpsim.cli, mlpsim.io.onnxio, mlpsim.io.sklearnio\n"
        "loaded = [name for name in ('sklearn', 'onnx', 'onnxruntime') if name in sys.modules]\n"
        "assert not loaded, loaded"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
