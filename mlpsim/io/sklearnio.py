"""scikit-learn in and out: a fitted MLPClassifier or MLPRegressor as a Network, and back.

scikit-learn keeps the article's orientation: ``coefs_[k]`` is N×M (row = source neuron) and
``intercepts_[k]`` has M entries, so layer k's weights and bias are copied as they are (float32
estimators are widened to float64 exactly). Its one hidden ``activation`` applies to every hidden
layer and ``out_activation_`` to the output: 'identity' → linear, 'logistic' → sigmoid, 'tanh',
'relu', 'softmax'. A binary classifier has one logistic output (the probability of classes_[1]);
a multi-class one a softmax output per class; a multi-label one a logistic output per label.

scikit-learn is imported only inside these functions: ``import mlpsim`` does not need it.
"""

from __future__ import annotations

import numpy as np

from mlpsim.core.errors import MlpsimError, ValidationError
from mlpsim.core.limits import DEFAULT_LIMITS, Limits
from mlpsim.core.network import Layer, Network

_FROM_SKLEARN = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu", "softmax": "softmax"}
_TO_SKLEARN = {name: sklearn_name for sklearn_name, name in _FROM_SKLEARN.items()}


def _neural_network():
    try:
        from sklearn import neural_network
    except ImportError:
        raise MlpsimError("scikit-learn is not installed: pip install 'mlpsim[sklearn]'") from None
    return neural_network


def from_sklearn(estimator, limits: Limits = DEFAULT_LIMITS) -> Network:
    """The network of a fitted ``MLPClassifier`` or ``MLPRegressor``; ValidationError for
    anything else, an unfitted estimator, or an activation mlpsim does not have."""
    neural_network = _neural_network()
    kinds = (neural_network.MLPClassifier, neural_network.MLPRegressor)
    if not isinstance(estimator, kinds):
        raise ValidationError(
            f"from_sklearn: expected an MLPClassifier or MLPRegressor, got {type(estimator).__name__}"
        )
    if not hasattr(estimator, "coefs_"):
        raise ValidationError(f"from_sklearn: this {type(estimator).__name__} is not fitted yet (call fit first)")
    names = [estimator.activation] * (len(estimator.coefs_) - 1) + [estimator.out_activation_]
    for position, name in enumerate(names, start=1):
        if name not in _FROM_SKLEARN:
            raise ValidationError(
                f"from_sklearn: layer {position} uses scikit-learn's {name!r} activation, which mlpsim does not have "
                f"(it has {', '.join(_FROM_SKLEARN)})"
            )
    limits.check_sizes([estimator.coefs_[0].shape[0], *(coefs.shape[1] for coefs in estimator.coefs_)], "from_sklearn")
    layers = tuple(
        Layer(
            weights=np.asarray(coefs, dtype=float),
            bias=np.asarray(intercepts, dtype=float),
            activation=_FROM_SKLEARN[name],
        )
        for coefs, intercepts, name in zip(estimator.coefs_, estimator.intercepts_, names)
    )
    return Network(input_size=estimator.coefs_[0].shape[0], layers=layers, name=type(estimator).__name__, limits=limits)


def to_sklearn(network: Network):
    """A fitted estimator computing ``network``: an MLPRegressor for a linear output, an
    MLPClassifier for a softmax (classes 0..M-1) or sigmoid one (one output: binary, classes 0
    and 1; more: multi-label). Its predict / predict_proba give the network's outputs.

    scikit-learn's MLP has one activation for all hidden layers and only linear, sigmoid or
    softmax outputs; any other network is refused with a ValidationError saying which layer.
    """
    neural_network = _neural_network()
    from sklearn.preprocessing import LabelBinarizer

    hidden = {layer.activation for layer in network.layers[:-1]}
    if len(hidden) > 1:
        raise ValidationError(
            f"to_sklearn: the hidden layers use {', '.join(sorted(hidden))}; scikit-learn's MLP has one activation "
            f"for all hidden layers"
        )
    hidden_activation = hidden.pop() if hidden else "relu"
    if hidden_activation not in _TO_SKLEARN or hidden_activation == "softmax":
        raise ValidationError(
            f"to_sklearn: scikit-learn's MLP has no {hidden_activation} hidden layers (linear, sigmoid, tanh or relu)"
        )
    output = network.layers[-1]
    outputs = output.size
    classes: np.ndarray  # a classifier's: the labels, or the indicator matrix of a multi-label one
    if output.activation == "linear":
        estimator = neural_network.MLPRegressor()
    elif output.activation == "softmax" and outputs >= 2:
        estimator = neural_network.MLPClassifier()
        classes = np.arange(outputs)
    elif output.activation == "sigmoid":
        estimator = neural_network.MLPClassifier()
        # One logistic output: a binary classifier; several: a multi-label one (an indicator matrix).
        classes = np.array([0, 1]) if outputs == 1 else np.eye(outputs, dtype=int)
    else:
        raise ValidationError(
            f"to_sklearn: a {output.activation} output layer of {outputs} neuron{'s' * (outputs != 1)}; scikit-learn's "
            f"MLP outputs are linear (regression), sigmoid or softmax over two or more neurons (classification)"
        )
    estimator.set_params(
        hidden_layer_sizes=tuple(layer.size for layer in network.layers[:-1]), activation=_TO_SKLEARN[hidden_activation]
    )
    # The attributes fit() would set, as scikit-learn's own _initialize sets them.
    estimator.coefs_ = [np.array(layer.weights) for layer in network.layers]
    estimator.intercepts_ = [np.array(layer.bias) for layer in network.layers]
    estimator.n_features_in_ = network.input_size
    estimator.n_layers_ = len(network.layers) + 1
    estimator.n_outputs_ = outputs
    estimator.out_activation_ = _TO_SKLEARN[output.activation]
    estimator.n_iter_ = 0
    estimator.t_ = 0
    if isinstance(estimator, neural_network.MLPClassifier):
        estimator._label_binarizer = LabelBinarizer().fit(classes)
        estimator.classes_ = estimator._label_binarizer.classes_
    return estimator
