"""The Train page driven through Streamlit's AppTest: dataset choice and the reshape offer,
Step, Epoch, Reset, Undo, divergence, CSV upload, a page switch. The weights after a step are
checked against tests/reference.py's plain loops (or numbers worked by hand here), never
against the page's own arithmetic."""

from __future__ import annotations

import math
import re

import numpy as np
import reference
from streamlit.testing.v1 import AppTest

from mlpsim.core.network import Layer, Network
from ui.session import state

PAGE = """
import streamlit as st
from ui.pages import simulator, train
(simulator.render if st.session_state.get("test_page") == "simulator" else train.render)()
"""
XOR_ROWS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_TARGETS = [[0.0], [1.0], [1.0], [0.0]]


def small_network() -> Network:
    """2-2-1: ReLU hidden, sigmoid output — small enough to work a step by hand."""
    return Network(
        input_size=2,
        layers=(
            Layer(weights=np.array([[0.5, -0.5], [0.25, 1.0]]), bias=np.array([0.0, 0.0]), activation="relu"),
            Layer(weights=np.array([[1.0], [2.0]]), bias=np.array([0.0]), activation="sigmoid"),
        ),
        name="small",
    )


def as_layers(network: Network):
    return [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]


def sgd_step(layers, xs, ys, loss: str, rate: float):
    """One plain gradient-descent step on the batch, from the reference's plain-loop gradients."""
    _, _, weight_gradients, bias_gradients = reference.backward_batch(layers, xs, ys, loss)
    stepped = []
    for (weights, bias, activation), gw, gb in zip(layers, weight_gradients, bias_gradients):
        stepped.append(
            (
                [[w - rate * g for w, g in zip(row, grow)] for row, grow in zip(weights, gw)],
                [b - rate * g for b, g in zip(bias, gb)],
                activation,
            )
        )
    return stepped


def assert_network_is(network: Network, layers) -> None:
    for layer, (weights, bias, _) in zip(network.layers, layers):
        np.testing.assert_allclose(layer.weights, weights, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer.bias, bias, rtol=1e-12, atol=1e-14)


def train_page(network: Network | None = None, **widgets) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=60)
    if network is not None:
        at.session_state[state.NETWORK] = network
    at.run()
    assert not at.exception
    for key, value in widgets.items():
        widget = (
            at.selectbox(key=key)
            if key in (state.TRAIN_DATASET_SELECT, state.TRAIN_LOSS, state.TRAIN_OPTIMIZER)
            else None
        )
        if widget is None:
            widget = next(w for w in [*at.number_input, *at.slider] if w.key == key)
        widget.set_value(value)
        at.run()
        assert not at.exception
    return at


def plain(text: str) -> str:
    """A message as the reader sees it: the page escapes Markdown in names it quotes."""
    return re.sub(r"\\(.)", r"\1", text)


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def run_of(at: AppTest):
    return at.session_state[state.TRAIN_RUN]


def heading(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### Epoch"))


def xor_gate_page(rate=0.5, **more) -> AppTest:
    return train_page(
        small_network(),
        **{
            state.TRAIN_DATASET_SELECT: "xor_gate",
            # Picking a dataset applies its declared settings (Adam for the gates): these tests
            # work plain gradient descent by hand.
            state.TRAIN_OPTIMIZER: "sgd",
            state.TRAIN_LOSS: "binary_cross_entropy",
            state.TRAIN_LEARNING_RATE: rate,
            **more,
        },
    )


def test_a_step_on_the_xor_truth_table_is_one_gradient_step_on_its_four_rows():
    at = xor_gate_page()
    assert at.selectbox(key=state.TRAIN_LOSS).options == [
        "Squared error",
        "Binary cross-entropy",
    ]  # for a sigmoid output
    click(at, "Step")
    # Batch 10 > 4 rows: one Step is the whole epoch, the mean gradient of all four rows.
    expected = sgd_step(as_layers(small_network()), XOR_ROWS, XOR_TARGETS, "binary_cross_entropy", 0.5)
    assert_network_is(at.session_state[state.NETWORK], expected)
    assert run_of(at).epoch == 1
    assert heading(at).startswith("### Epoch 1")


def test_a_step_is_one_mini_batch_in_the_seeded_order_and_epoch_finishes_the_epoch():
    network = Network(
        input_size=2,
        layers=(
            Layer(weights=np.array([[0.3, -0.2, 0.1], [0.4, 0.2, -0.3]]), bias=np.zeros(3), activation="tanh"),
            Layer(weights=np.array([[0.5], [-0.4], [0.3]]), bias=np.array([0.1]), activation="tanh"),
        ),
    )
    at = train_page(network, **{state.TRAIN_DATASET_SELECT: "circle", state.TRAIN_LOSS: "squared_error"})
    click(at, "Step")
    run = run_of(at)
    data = at.session_state[state.TRAIN_PREPARED][1]
    # The shuffle: numpy's PCG64 generator seeded with the data seed (0), one permutation per epoch.
    order = np.random.default_rng(0).permutation(len(data.train_rows))[:10]
    xs = data.train_rows.inputs[order].tolist()
    ys = data.train_rows.targets[order].tolist()
    assert set(np.unique(ys)) == {-1.0, 1.0}  # a tanh output trains on ±1, as the Playground
    assert_network_is(run.network, sgd_step(as_layers(network), xs, ys, "squared_error", 0.03))
    assert run.epoch == 0 and run.batches_done == 1
    assert "batch 1 of 25" in heading(at)
    click(at, "Epoch")
    assert run_of(at).epoch == 1 and run_of(at).batches_done == 0
    assert len(run_of(at).history) == 1


def test_reset_returns_to_the_starting_weights_and_the_same_seed_repeats_the_run():
    at = train_page(small_network(), **{state.TRAIN_DATASET_SELECT: "xor"})
    click(at, "Epoch")
    after_one = run_of(at).network
    click(at, "Epoch")
    click(at, "Reset")
    assert_network_is(at.session_state[state.NETWORK], as_layers(small_network()))
    assert heading(at).startswith("### Epoch 0")
    click(at, "Epoch")
    assert_network_is(run_of(at).network, as_layers(after_one))


def test_undo_takes_back_the_last_step_only():
    at = xor_gate_page()
    click(at, "Step")
    first = sgd_step(as_layers(small_network()), XOR_ROWS, XOR_TARGETS, "binary_cross_entropy", 0.5)
    click(at, "Step")
    click(at, "Undo")
    assert_network_is(at.session_state[state.NETWORK], first)
    assert run_of(at).epoch == 1
    click(at, "Undo")
    assert_network_is(at.session_state[state.NETWORK], as_layers(small_network()))
    assert next(b for b in at.button if b.label == "Undo").disabled


def test_the_one_step_tables_show_w_its_gradient_and_the_update_worked_by_hand():
    # Batch 1, data seed 2: the seeded shuffle (numpy's permutation(4) from PCG64(2): 3, 2, 0, 1)
    # puts training row 4 first, so the panel works out the step on x = (1, 1), y = 0.
    at = xor_gate_page(**{state.TRAIN_BATCH_SIZE: 1, state.TRAIN_SEED: 2})
    at.segmented_control(key=state.TRAIN_LAYER_INPUT).set_value(2).run()
    assert not at.exception
    w, gradient, updated = (table.value for table in at.table[:3])
    # By hand: z1 = (0.5 + 0.25, −0.5 + 1) = (0.75, 0.5) = a1 (ReLU); z2 = 0.75·1 + 0.5·2 = 1.75;
    # a2 = σ(1.75) = 1/(1 + e^−1.75) = 0.851953; δ2 = a2 − y = 0.851953 (cross-entropy with sigmoid);
    # ∂L/∂W2[1,1] = a1[1]·δ2 = 0.638965; W2[1,1]′ = 1 − 0.5 × 0.638965 = 0.680518;
    # ∂L/∂W2[2,1] = 0.5 × 0.851953 = 0.425976; W2[2,1]′ = 2 − 0.5 × 0.425976 = 1.78701.
    assert list(w.index) == ["N1", "N2"] and list(w.columns) == ["N1"]
    assert w.iloc[:, 0].tolist() == ["1", "2"]
    assert gradient.iloc[:, 0].tolist() == ["0.639", "0.426"]  # four significant digits in the tables
    assert updated.iloc[:, 0].tolist() == ["0.6805", "1.787"]
    texts = [line for t in at.text for line in t.value.splitlines()]
    assert "∂L/∂w = x·δ = N1 × δ2[1] = 0.75 × 0.851953 = 0.638965" in texts
    assert "w′ = w - η·g = 1 - 0.5 × 0.638965 = 0.680518" in texts


def test_divergence_stops_names_epoch_and_layer_keeps_finite_weights_and_the_page_goes_on():
    network = Network(
        input_size=2,
        layers=(
            Layer(weights=np.array([[0.5, -0.5], [0.25, 1.0]]), bias=np.zeros(2), activation="linear"),
            Layer(weights=np.array([[1.0], [2.0]]), bias=np.zeros(1), activation="linear"),
        ),
    )
    at = train_page(network, **{state.TRAIN_DATASET_SELECT: "plane", state.TRAIN_LEARNING_RATE: 50.0})
    click(at, "Epoch")
    message = plain(at.error[0].value)
    assert "Training stopped at epoch 1" in message and "layer" in message and "smaller learning rate" in message
    trained = at.session_state[state.NETWORK]
    assert all(np.isfinite(layer.weights).all() and np.isfinite(layer.bias).all() for layer in trained.layers)
    assert run_of(at).epoch == 0
    assert "Reset" in message
    at.number_input(key=state.TRAIN_LEARNING_RATE).set_value(0.001).run()
    click(at, "Reset")
    click(at, "Epoch")
    assert not at.error and run_of(at).epoch == 1
    assert math.isfinite(run_of(at).history[-1].test_loss)


def test_a_dataset_that_does_not_fit_offers_a_reshape_and_says_what_it_changed():
    at = train_page(small_network(), **{state.TRAIN_DATASET_SELECT: "iris"})
    assert "does not fit" in plain(at.warning[0].value)
    assert not [b for b in at.button if b.label == "Step"]
    click(at, "Reshape it")
    notice = plain(at.success[0].value)
    assert "2 → 4 neurons" in notice and "1 → 3 neuron" in notice and "sigmoid → softmax" in notice
    reshaped = at.session_state[state.NETWORK]
    assert reshaped.layer_sizes == (4, 2, 3) and reshaped.layers[-1].activation == "softmax"
    # The overlapping weights are kept, the new ones start at 0.
    np.testing.assert_array_equal(reshaped.layers[0].weights, [[0.5, -0.5], [0.25, 1.0], [0, 0], [0, 0]])
    assert at.selectbox(key=state.TRAIN_LOSS).value == "cross_entropy"
    click(at, "Epoch")
    assert run_of(at).epoch == 1 and run_of(at).history[0].test_accuracy is not None


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key=state.TRAIN_UPLOAD).upload(name, data, "text/csv").run()
    assert not at.exception
    return at


def test_csv_upload_good_then_bad_keeps_the_good_data():
    at = train_page(small_network(), **{state.TRAIN_DATASET_SELECT: "upload"})
    assert "Upload a CSV file" in plain(at.info[0].value)
    upload(at, "gate.csv", b"x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    assert "Loaded 4 rows from gate.csv" in plain(at.success[0].value)
    at.slider(key=state.TRAIN_TEST_PERCENT).set_value(0).run()
    click(at, "Step")
    # No test rows and batch 10 ≥ 4 rows: one Step is the mean gradient of all four rows.
    assert at.selectbox(key=state.TRAIN_LOSS).value == "squared_error"
    expected = sgd_step(as_layers(small_network()), XOR_ROWS, XOR_TARGETS, "squared_error", 0.03)
    assert_network_is(at.session_state[state.NETWORK], expected)
    upload(at, "bad.csv", b'x1,x2,label\n0,0,0\n0,"1,5",1\n')
    assert "row 3, column 2 (x2)" in plain(at.error[0].value) and "unchanged" in plain(at.error[0].value)
    assert at.session_state[state.TRAIN_UPLOADED][1].name == "gate.csv"
    upload(at, "wide.csv", b"a,b,c,d\n1,2,3,4\n")
    assert "the header has 4 columns" in plain(at.error[0].value)


def test_training_survives_a_switch_to_the_simulator_which_shows_the_trained_network():
    at = xor_gate_page(rate=0.25)
    click(at, "Epoch")
    trained = run_of(at).network
    at.session_state["test_page"] = "simulator"
    at.run()
    assert not at.exception
    assert at.session_state[state.NETWORK] is trained
    at.session_state["test_page"] = "train"
    at.run()
    assert heading(at).startswith("### Epoch 1")
    assert at.number_input(key=state.TRAIN_LEARNING_RATE).value == 0.25
    assert at.selectbox(key=state.TRAIN_DATASET_SELECT).value == "xor_gate"


def test_an_edit_elsewhere_starts_a_new_run_from_the_edited_network():
    at = xor_gate_page()
    click(at, "Epoch")
    edited = at.session_state[state.NETWORK].with_weight(2, 0, 0, 3.0)
    at.session_state[state.NETWORK] = edited
    at.run()
    assert "training starts from it now" in plain(at.info[0].value)
    assert heading(at).startswith("### Epoch 0")
    click(at, "Epoch")
    click(at, "Reset")
    assert at.session_state[state.NETWORK].layers[1].weights[0, 0] == 3.0


def test_play_sets_the_timer_and_pause_stops_it():
    at = xor_gate_page()
    click(at, "Play")
    assert at.session_state[state.TRAIN_PLAYING]
    assert [b for b in at.button if b.label == "Pause"]
    click(at, "Pause")
    assert not at.session_state[state.TRAIN_PLAYING]
    assert math.isfinite(run_of(at).network.layers[0].weights.sum())


def test_the_simulator_shows_the_truth_table_of_a_two_input_network():
    from mlpsim.io.presets import xor

    at = AppTest.from_string(PAGE, default_timeout=60)
    at.session_state["test_page"] = "simulator"
    at.session_state[state.NETWORK] = xor()
    at.session_state[state.TRUTH_TABLE_OPEN] = True
    at.run()
    assert not at.exception
    table = next(t.value for t in at.table if "IN1" in t.value.columns)
    assert table.values.tolist() == [[0, 0, "0"], [0, 1, "1"], [1, 0, "1"], [1, 1, "0"]]
