"""The training loop against scikit-learn as an independent implementation (weights to 1e-10
relative), optimiser formulas worked by hand, determinism, pause/resume, immutability,
divergence, and learning that works (XOR, digits, spiral)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

from mlpsim.core.initializers import initialized_network
from mlpsim.core.network import Layer, Network
from mlpsim.core.optimizers import Optimizer
from mlpsim.core.training import Examples, TrainingConfig, TrainingDiverged, start, train
from mlpsim.data.datasets import examples, load, split

# ---- scikit-learn as the reference ---------------------------------------------------------------
# Exact settings (see docs/training.md): solver='sgd', learning_rate='constant', alpha=0,
# shuffle=False, nesterovs_momentum=False, tol=0 with n_iter_no_change huge (it never stops
# early), early_stopping=False, warm_start=True. A first fit(max_iter=1) builds coefs_; they are
# overwritten in place with our starting weights; fit(max_iter=E) then runs E epochs with a new
# optimiser (velocities 0), as our loop does from a fresh state.

PAIRINGS = {
    "regressor": (MLPRegressor, "linear", "squared_error"),
    "binary": (MLPClassifier, "sigmoid", "binary_cross_entropy"),
    "multiclass": (MLPClassifier, "softmax", "cross_entropy"),
}


def _problem(kind: str, rng: np.random.Generator, rows: int = 37):
    x = rng.normal(size=(rows, 3))
    if kind == "regressor":
        y = rng.normal(size=(rows, 2))
        return x, y, y
    if kind == "binary":
        labels = np.arange(rows) % 2
        return x, labels, labels[:, None].astype(float)
    labels = np.arange(rows) % 3
    return x, labels, np.eye(3)[labels]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
@pytest.mark.parametrize("kind", sorted(PAIRINGS))
@pytest.mark.parametrize("batch_size", [37, 10])
def test_weights_agree_with_scikit_learn(kind, optimizer, batch_size):
    estimator, output_activation, loss = PAIRINGS[kind]
    rng = np.random.default_rng(7)
    x, fit_y, targets = _problem(kind, rng)
    momentum = 0.9 if optimizer == "momentum" else 0.0
    model = estimator(
        hidden_layer_sizes=(5, 4),
        activation="tanh",
        solver="sgd",
        learning_rate="constant",
        learning_rate_init=0.05,
        alpha=0.0,
        batch_size=batch_size,
        shuffle=False,
        momentum=momentum,
        nesterovs_momentum=False,
        max_iter=1,
        tol=0.0,
        n_iter_no_change=10**9,
        early_stopping=False,
        warm_start=True,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: one epoch is meant to be too few
        model.fit(x, fit_y)
    weights = [rng.uniform(-1, 1, c.shape) for c in model.coefs_]
    biases = [rng.uniform(-1, 1, b.shape) for b in model.intercepts_]
    for array, value in zip(model.coefs_ + model.intercepts_, weights + biases):
        array[...] = value
    epochs = 4
    model.set_params(max_iter=epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, fit_y)
    assert model.n_iter_ == epochs
    activations = ["tanh", "tanh", output_activation]
    network = Network(3, tuple(Layer(w, b, a) for w, b, a in zip(weights, biases, activations)))
    config = TrainingConfig(
        loss=loss,
        optimizer=Optimizer(optimizer, 0.05, momentum=0.9),
        batch_size=batch_size,
        epochs=epochs,
        shuffle=False,
    )
    history = list(train(start(network, config), config, Examples(x, targets)))
    trained = history[-1].state.network
    for layer, coefs, intercepts in zip(trained.layers, model.coefs_, model.intercepts_):
        assert layer.weights.shape == coefs.shape  # the same N×M orientation
        assert np.allclose(layer.weights, coefs, rtol=1e-10, atol=0)
        assert np.allclose(layer.bias, intercepts, rtol=1e-10, atol=0)
    # scikit-learn's reported squared-error loss also averages over the outputs (½·mean), while
    # its gradient is that of ½·Σ over the outputs — ours; they differ by the number of outputs.
    outputs = targets.shape[1] if kind == "regressor" else 1
    ours = [p.train_loss for p in history]
    assert np.allclose(ours, np.array(model.loss_curve_[-epochs:]) * outputs, rtol=1e-10)


# ---- optimiser formulas by hand ---------------------------------------------------------------


def _one_weight_network(w: float, b: float) -> Network:
    return Network(1, (Layer(np.array([[w]]), np.array([b]), "linear"),))


def _run(network, optimizer, x, y, epochs, batch_size=None):
    config = TrainingConfig(optimizer=optimizer, batch_size=batch_size or len(x), epochs=epochs, shuffle=False)
    return list(train(start(network, config), config, Examples(np.array(x), np.array(y))))


def test_adam_two_steps_by_hand():
    # L = ½(w·1 + b − 3)², start w = 1, b = 0: g = (w + b − 3)·(1, 1).
    optimizer = Optimizer("adam", learning_rate=0.1)
    history = _run(_one_weight_network(1.0, 0.0), optimizer, [[1.0]], [[3.0]], epochs=2)
    params = [1.0, 0.0]
    moments = [[0.0, 0.0], [0.0, 0.0]]
    for t in (1, 2):
        g = params[0] + params[1] - 3.0
        for k in range(2):
            moments[0][k] = 0.9 * moments[0][k] + 0.1 * g
            moments[1][k] = 0.999 * moments[1][k] + 0.001 * g * g
            m_hat = moments[0][k] / (1 - 0.9**t)
            v_hat = moments[1][k] / (1 - 0.999**t)
            params[k] -= 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8)
    w, b = params
    network = history[-1].state.network
    assert network.layers[0].weights[0, 0] == pytest.approx(w, rel=1e-14)
    assert network.layers[0].bias[0] == pytest.approx(b, rel=1e-14)
    # The first Adam step moves every parameter by ≈ η (m̂/√v̂ = ±1): 1 → 1.1.
    assert history[0].state.network.layers[0].weights[0, 0] == pytest.approx(1.1, rel=1e-7)


def test_momentum_by_hand():
    # v ← 0.5·v − 0.1·g, w ← w + v for w and for b, both with g = w·1 + b − 3.
    history = _run(_one_weight_network(1.0, 0.0), Optimizer("momentum", 0.1, momentum=0.5), [[1.0]], [[3.0]], epochs=3)
    w, b, vw, vb = 1.0, 0.0, 0.0, 0.0
    for _ in range(3):
        g = w + b - 3.0
        vw, vb = 0.5 * vw - 0.1 * g, 0.5 * vb - 0.1 * g
        w, b = w + vw, b + vb
    layer = history[-1].state.network.layers[0]
    assert (layer.weights[0, 0], layer.bias[0]) == pytest.approx((w, b), rel=1e-15)


@pytest.mark.parametrize("l1, l2", [(0.2, 0.0), (0.0, 0.3), (0.2, 0.3)])
def test_regularisation_enters_the_weights_gradient_only(l1, l2):
    # g_w = (w + b − 3)·x + λ₁·sign(w) + λ₂·w;  g_b = (w + b − 3)  (biases are not regularised)
    history = _run(_one_weight_network(-2.0, 0.5), Optimizer("sgd", 0.1, l1=l1, l2=l2), [[1.0]], [[3.0]], epochs=1)
    error = -2.0 + 0.5 - 3.0
    w = -2.0 - 0.1 * (error + l1 * -1.0 + l2 * -2.0)
    b = 0.5 - 0.1 * error
    layer = history[-1].state.network.layers[0]
    assert (layer.weights[0, 0], layer.bias[0]) == pytest.approx((w, b), rel=1e-15)


# ---- determinism, resuming, immutability ------------------------------------------------------


def _moons_run(seed: int, epochs: int = 6):
    dataset = load("moons", points=120, noise=0.2, seed=3)
    network = initialized_network([2, 6, 1], ["tanh", "sigmoid"], "xavier", seed=4)
    train_set, test_set = split(dataset, 0.25, seed=5)
    config = TrainingConfig(loss="binary_cross_entropy", optimizer=Optimizer("adam", 0.01), batch_size=8, epochs=epochs)
    return network, config, examples(train_set, network), examples(test_set, network)


def _weights(network: Network) -> list[bytes]:
    return [array.tobytes() for layer in network.layers for array in (layer.weights, layer.bias)]


def test_the_same_seed_gives_the_same_run_bit_for_bit_and_another_seed_another():
    network, config, rows, test = _moons_run(0)
    first = list(train(start(network, config, seed=11), config, rows, test))
    second = list(train(start(network, config, seed=11), config, rows, test))
    other = list(train(start(network, config, seed=12), config, rows, test))
    assert _weights(first[-1].state.network) == _weights(second[-1].state.network)
    assert [p.train_loss for p in first] == [p.train_loss for p in second]
    assert _weights(first[-1].state.network) != _weights(other[-1].state.network)


def test_a_resumed_run_is_the_run_never_interrupted():
    network, config, rows, test = _moons_run(0)
    whole = list(train(start(network, config, seed=11), config, rows, test))
    halfway = None
    for progress in train(start(network, config, seed=11), config, rows, test):
        if progress.epoch == 3:
            halfway = progress.state
            break  # a caller stopping the generator: pause
    resumed = list(train(halfway, config, rows, test))
    assert [p.epoch for p in resumed] == [4, 5, 6]
    assert _weights(resumed[-1].state.network) == _weights(whole[-1].state.network)
    assert [p.test_loss for p in resumed] == [p.test_loss for p in whole[3:]]


def test_networks_and_states_are_never_changed_by_training():
    network, config, rows, test = _moons_run(0)
    before = _weights(network)
    state = start(network, config, seed=1)
    history = list(train(state, config, rows, test))
    assert _weights(network) == before and state.epoch == 0
    kept = _weights(history[0].state.network)
    list(train(history[0].state, config, rows, test))
    assert _weights(history[0].state.network) == kept
    for progress in history:
        for layer in progress.state.network.layers:
            assert not layer.weights.flags.writeable


# ---- divergence ------------------------------------------------------------------------------


def test_divergence_stops_at_the_first_non_finite_step_and_keeps_the_last_finite_network():
    # w ← w − η·(w + b − y)·x on rows x = 1 with η = 1e10: |w| grows ~1e10-fold per step.
    x = [[1.0], [1.0], [1.0]]
    y = [[1.0], [2.0], [3.0]]
    rate = 1e10
    with pytest.raises(TrainingDiverged) as caught:
        _run(_one_weight_network(0.5, 0.0), Optimizer("sgd", rate), x, y, epochs=50, batch_size=1)
    # The same steps by hand, to the first one whose loss ½·error², gradient or new weights leave
    # the floating-point range: here the loss, evaluated as ½·(error²), once error² > 1.8e308.
    w, b, step = 0.5, 0.0, 0
    with np.errstate(all="ignore"):
        while True:
            row = step % 3
            error = np.float64(w) + b - y[row][0]
            new_w, new_b = w - rate * error, b - rate * error
            if not all(map(math.isfinite, (0.5 * (error * error), error, new_w, new_b))):
                break
            w, b, step = new_w, new_b, step + 1
    diverged = caught.value
    assert (diverged.epoch, diverged.batch) == (step // 3 + 1, step % 3 + 1)
    kept = diverged.last_state.network.layers[0]
    assert (kept.weights[0, 0], kept.bias[0]) == (w, b)
    assert diverged.layer == 1 and "the loss in layer 1 (Output)" in str(diverged)
    assert "learning rate" in str(diverged) and f"epoch {diverged.epoch}, batch {diverged.batch}" in str(diverged)


def test_divergence_names_the_layer():
    dataset = load("circle", points=40, seed=0)
    network = initialized_network([2, 4, 1], ["relu", "linear"], "xavier", seed=0)
    config = TrainingConfig(optimizer=Optimizer("sgd", 1e6), batch_size=5, epochs=40)
    with pytest.raises(TrainingDiverged) as caught:
        list(train(start(network, config), config, examples(dataset, network)))
    assert caught.value.layer in (1, 2)
    assert f"layer {caught.value.layer}" in str(caught.value)
    for layer in caught.value.last_state.network.layers:
        assert np.isfinite(layer.weights).all() and np.isfinite(layer.bias).all()


# ---- learning works --------------------------------------------------------------------------


def test_xor_truth_table_reaches_100_percent():
    dataset = load("xor_gate")
    network = initialized_network([2, 4, 1], ["tanh", "sigmoid"], "xavier", seed=1)
    config = TrainingConfig(loss="binary_cross_entropy", optimizer=Optimizer("sgd", 0.5), batch_size=4, epochs=2000)
    *_, last = train(start(network, config, seed=0), config, examples(dataset, network))
    assert last.train_accuracy == 1.0


def test_digits_64_32_10_reaches_95_percent_test_accuracy_within_30_epochs():
    dataset = load("digits")
    network = initialized_network([64, 32, 10], ["relu", "softmax"], "he", seed=1)
    train_set, test_set = split(dataset, 0.2, seed=0)
    config = TrainingConfig(loss="cross_entropy", optimizer=Optimizer("adam", 0.01), batch_size=32, epochs=30)
    history = list(
        train(start(network, config, seed=0), config, examples(train_set, network), examples(test_set, network))
    )
    assert len(history) == 30
    assert max(p.test_accuracy for p in history) >= 0.95
    assert history[-1].test_accuracy >= 0.95


def test_spiral_is_learnt_by_a_playground_sized_network():
    # Playground allows up to 6 hidden layers of 8; three of 8, tanh, ±1 labels, squared error.
    dataset = load("spiral", seed=0)
    network = initialized_network([2, 8, 8, 8, 1], "tanh", "xavier", seed=1)
    train_set, test_set = split(dataset, 0.5, seed=0)
    # Batch 25 rather than Playground's 10: with 10, Adam at η = 0.01 has a bumpy stretch around
    # epoch 250 whose path depends on float rounding (it differs between BLAS kernels).
    config = TrainingConfig(loss="squared_error", optimizer=Optimizer("adam", 0.01), batch_size=25, epochs=300)
    *_, last = train(start(network, config, seed=0), config, examples(train_set, network), examples(test_set, network))
    assert last.train_accuracy >= 0.95
    assert last.test_accuracy >= 0.9


def test_rows_that_do_not_fit_the_network_are_refused():
    network = initialized_network([2, 3, 1], ["tanh", "sigmoid"])
    config = TrainingConfig(loss="binary_cross_entropy")
    with pytest.raises(Exception, match="3 inputs and 1 targets per row, but the network takes 2 inputs"):
        next(train(start(network, config), config, Examples(np.zeros((4, 3)), np.zeros((4, 1)))))
