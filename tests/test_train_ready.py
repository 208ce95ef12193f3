"""The Train page opens ready to Play (issue 25): a fresh session trains the circle's own
2-4-2-1 network with Playground's settings, one Epoch lowers the loss; a network that does not
fit is offered a reshape or the data's own small network, and the header names whichever is on
screen; picking a dataset applies its declared settings, and from them every built-in dataset
learns. Losses are worked with tests/reference.py's plain loops, and the bound each must beat is
worked here from the targets alone."""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference
from scipy.special import xlogy
from streamlit.testing.v1 import AppTest
from test_train_app import PAGE, click, plain, run_of, small_network

from mlpsim import training_run
from mlpsim.data.datasets import DATASETS
from ui.session import state


def fresh_page() -> AppTest:
    """A new session opening /train: nothing set, no link."""
    at = AppTest.from_string(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def header(at: AppTest) -> str:
    return next(plain(m.value) for m in at.markdown if "the network the Simulator shows" in m.value)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def fit_warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "does not fit" in w.value]


def train_loss(at: AppTest, network) -> float:
    """The mean loss over the training rows, by the reference's plain loops."""
    rows = at.session_state[state.TRAIN_PREPARED][1].train_rows
    return reference.mean_loss(
        reference.network_layers(network),
        rows.inputs.tolist(),
        rows.targets.tolist(),
        at.session_state[state.TRAIN_SETTINGS].loss,
    )


def test_a_fresh_page_shows_the_circle_and_its_own_network_ready_to_play():
    at = fresh_page()
    assert fit_warnings(at) == []
    assert not button(at, "Play").disabled and not button(at, "Epoch").disabled
    network = at.session_state[state.NETWORK]
    # Playground's default: circle, 2-4-2-1 tanh, η 0.03, batch 10, half the rows for testing.
    assert at.selectbox(key=state.TRAIN_DATASET_SELECT).value == "circle"
    assert network.layer_sizes == (2, 4, 2, 1)
    assert [layer.activation for layer in network.layers] == ["tanh", "tanh", "tanh"]
    assert at.selectbox(key=state.TRAIN_LOSS).value == "squared_error"
    assert at.selectbox(key=state.TRAIN_OPTIMIZER).value == "sgd"
    assert at.number_input(key=state.TRAIN_LEARNING_RATE).value == 0.03
    assert at.number_input(key=state.TRAIN_BATCH_SIZE).value == 10
    assert at.slider(key=state.TRAIN_TEST_PERCENT).value == 50
    assert len(at.session_state[state.TRAIN_PREPARED][1].train_rows) == 250  # 500 points, half kept
    assert header(at).startswith("Circle network (2-4-2-1) — ")
    assert any("Circle's defaults" in plain(c.value) and "in use" in c.value for c in at.caption)


def test_one_epoch_on_the_fresh_page_changes_the_weights_and_lowers_the_loss():
    at = fresh_page()
    before = at.session_state[state.NETWORK]
    loss_before = train_loss(at, before)
    click(at, "Epoch")
    after = at.session_state[state.NETWORK]
    assert run_of(at).epoch == 1
    assert any(not np.array_equal(a.weights, b.weights) for a, b in zip(before.layers, after.layers))
    loss_after = train_loss(at, after)
    assert math.isfinite(loss_after) and loss_after < loss_before


def test_the_simulator_shows_the_network_the_train_page_built():
    at = fresh_page()
    built = at.session_state[state.NETWORK]
    at.session_state["test_page"] = "simulator"
    at.run()
    assert not at.exception
    assert at.session_state[state.NETWORK] is built


def test_a_network_of_the_learners_own_that_fits_is_trained_as_it_is():
    at = AppTest.from_string(PAGE, default_timeout=60)
    at.session_state[state.NETWORK] = small_network()  # 2-2-1 sigmoid: fits the circle's two classes
    at.run()
    assert not at.exception and fit_warnings(at) == []
    assert at.session_state[state.NETWORK].name == "small"
    assert header(at).startswith("small · 2-2-1 — ")
    assert not button(at, "Play").disabled


def mine_on_iris() -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=60)
    at.session_state[state.NETWORK] = small_network()
    at.run()
    at.selectbox(key=state.TRAIN_DATASET_SELECT).set_value("iris").run()
    assert not at.exception
    assert fit_warnings(at) and not [b for b in at.button if b.label == "Play"]
    return at


def test_a_network_that_does_not_fit_is_offered_a_reshape_named_for_what_it_became():
    at = click(mine_on_iris(), "Reshape it")
    reshaped = at.session_state[state.NETWORK]
    assert reshaped.layer_sizes == (4, 2, 3)
    assert reshaped.name == "small, reshaped (4-2-3)"
    assert header(at).startswith("small, reshaped (4-2-3) — ")
    assert fit_warnings(at) == [] and not button(at, "Play").disabled


def test_a_network_that_does_not_fit_is_offered_the_datas_own_small_network():
    at = click(mine_on_iris(), "Start from a small network for this data")
    network = at.session_state[state.NETWORK]
    assert network.layer_sizes == (4, 8, 3)
    assert [layer.activation for layer in network.layers] == ["relu", "softmax"]
    assert header(at).startswith("Iris network (4-8-3) — ")
    assert at.selectbox(key=state.TRAIN_LOSS).value == "cross_entropy"
    assert at.selectbox(key=state.TRAIN_OPTIMIZER).value == "adam"
    assert at.number_input(key=state.TRAIN_LEARNING_RATE).value == 0.01
    assert fit_warnings(at) == [] and not button(at, "Play").disabled
    click(at, "Epoch")
    assert run_of(at).epoch == 1


def test_a_changed_setting_is_named_and_the_defaults_come_back_on_request():
    at = fresh_page()
    at.number_input(key=state.TRAIN_LEARNING_RATE).set_value(0.5).run()
    assert any("you changed η" in c.value for c in at.caption)
    click(at, "Use this dataset's defaults")
    assert at.number_input(key=state.TRAIN_LEARNING_RATE).value == 0.03
    assert any("in use" in c.value for c in at.caption)


def mean_loss(network, inputs: np.ndarray, targets: np.ndarray, loss: str) -> float:
    """The mean loss over the rows: outputs by the reference's plain loops, each loss from its
    formula with 0·ln 0 = 0 (a sigmoid saturated at exactly 1.0 on a row whose target is 1 costs
    nothing, where the reference's own formula would take ln 0)."""
    layers = reference.network_layers(network)
    a = np.array([reference.forward(layers, x)[1][-1] for x in inputs.tolist()])
    if loss == "squared_error":
        return float(np.mean(0.5 * np.sum((a - targets) ** 2, axis=1)))
    if loss == "binary_cross_entropy":
        return float(np.mean(-np.sum(xlogy(targets, a) + xlogy(1 - targets, 1 - a), axis=1)))
    return float(np.mean(-np.sum(xlogy(targets, a), axis=1)))


def best_constant_loss(loss: str, targets: np.ndarray) -> float:
    """The lowest mean loss of one output vector c given to every row, the best a network that
    ignored its inputs could do: for squared error c is the targets' mean, so the loss is half
    the summed variances; for (binary) cross-entropy c is the class frequencies, so the loss is
    their entropy (−p ln p − (1−p) ln(1−p) for one 0/1 output, −Σ pₖ ln pₖ for one-hot rows)."""
    if loss == "squared_error":
        return 0.5 * float(np.sum(np.var(targets, axis=0)))
    p = targets.mean(axis=0)
    if loss == "binary_cross_entropy":
        return float(np.sum(-(p * np.log(p) + (1 - p) * np.log(1 - p))))
    return float(-np.sum(p[p > 0] * np.log(p[p > 0])))


def epochs_for(name: str) -> int:
    """A few seconds of Play: 40 epochs; the spiral's 1.75 turns and the gates' four rows (one
    update an epoch) take 100."""
    return 100 if name == "spiral" or DATASETS[name].truth_table else 40


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_built_in_dataset_learns_from_its_defaults(name):
    """Picked on a fresh page, the data comes with its own network and declared settings, Play is
    ready, and after a few seconds' worth of epochs the training loss is below half the best
    constant prediction's: the network has learned from the inputs, not only the targets' mean."""
    at = fresh_page()
    if name != "circle":
        at.selectbox(key=state.TRAIN_DATASET_SELECT).set_value(name).run()
        assert not at.exception, at.exception
    assert fit_warnings(at) == [] and not button(at, "Play").disabled
    assert not [i for i in at.info if "network changed" in i.value]  # a new start, not an edit
    assert at.session_state[state.NETWORK].layer_sizes == DATASETS[name].network.layer_sizes
    defaults = DATASETS[name].training
    settings = at.session_state[state.TRAIN_SETTINGS]
    assert (settings.loss, settings.optimizer, settings.learning_rate, settings.batch_size) == (
        defaults.loss,
        defaults.optimizer,
        defaults.learning_rate,
        defaults.batch_size,
    )
    assert any(f"{DATASETS[name].short_title}'s defaults" in plain(c.value) and "in use" in c.value for c in at.caption)
    click(at, "Epoch")  # the page's own first epoch, then the rest through the same run
    data = at.session_state[state.TRAIN_PREPARED][1]
    run = run_of(at)
    for _ in range(epochs_for(name) - 1):
        outcome = training_run.finish_epoch(run, settings, data)
        assert isinstance(outcome, training_run.Run), outcome
        run = outcome
    rows = data.train_rows
    final = mean_loss(run.network, rows.inputs, rows.targets, settings.loss)
    bound = best_constant_loss(settings.loss, rows.targets)
    assert math.isfinite(final) and final < 0.5 * bound, (final, bound)
