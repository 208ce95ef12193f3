"""The Train page's one-step panel works out the step that Step then makes: the same rows, the
same mean gradient, the same W′ — read as the learner reads them (the tables' text) and checked
against tests/reference.py's plain loops over the rows in numpy's seeded order (the core's
shuffle: one ``permutation`` per epoch from a PCG64 generator seeded with the data seed)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import reference
from conftest import open_lazy_section
from streamlit.testing.v1 import AppTest

from mlpsim import training_run
from mlpsim.core.losses import get_loss
from mlpsim.core.network import Layer, Network
from mlpsim.render import train_views
from mlpsim.training_run import Run
from ui.session import state

PAGE = """
from ui.pages import train
train.render()
"""
XOR_ROWS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_TARGETS = [[0.0], [1.0], [1.0], [0.0]]
SEED = 2
RATE = 0.5
LOSS = "binary_cross_entropy"


def small_network() -> Network:
    """2-2-1: ReLU hidden, sigmoid output."""
    return Network(
        input_size=2,
        layers=(
            Layer(weights=np.array([[0.5, -0.5], [0.25, 1.0]]), bias=np.array([0.1, -0.2]), activation="relu"),
            Layer(weights=np.array([[1.0], [2.0]]), bias=np.array([0.0]), activation="sigmoid"),
        ),
        name="small",
    )


def as_layers(network: Network):
    return [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]


def epoch_orders(count: int) -> list[np.ndarray]:
    """The first ``count`` epochs' orders of the 4 rows, as numpy draws them for the data seed."""
    rng = np.random.default_rng(SEED)
    return [rng.permutation(4) for _ in range(count)]


def mean_gradients(layers, rows):
    """(weight gradients, bias gradients) of the reference's plain loops, averaged over ``rows`` (0-based)."""
    _, _, weights, biases = reference.backward_batch(
        layers, [XOR_ROWS[r] for r in rows], [XOR_TARGETS[r] for r in rows], LOSS
    )
    return weights, biases


def sgd(layers, rows, rate: float = RATE):
    weights, biases = mean_gradients(layers, rows)
    return [
        (
            [[w - rate * g for w, g in zip(row, grow)] for row, grow in zip(layer[0], gw)],
            [b - rate * g for b, g in zip(layer[1], gb)],
            layer[2],
        )
        for layer, gw, gb in zip(layers, weights, biases)
    ]


def shown(value: float) -> str:
    """A number as the tables print it: four significant digits."""
    return "0" if value == 0 else f"{value:.4g}"


def page(**widgets) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=60)
    at.session_state[state.NETWORK] = small_network()
    at.run()
    settings = {
        state.TRAIN_DATASET_SELECT: "xor_gate",
        state.TRAIN_LOSS: LOSS,
        # Picking the gate applies its declared Adam: these tests work plain gradient descent.
        state.TRAIN_OPTIMIZER: "sgd",
        state.TRAIN_LEARNING_RATE: RATE,
        state.TRAIN_SEED: SEED,
        **widgets,
    }
    for key, value in settings.items():
        if key in (state.TRAIN_DATASET_SELECT, state.TRAIN_LOSS, state.TRAIN_OPTIMIZER):
            at.selectbox(key=key).set_value(value)
        else:
            next(w for w in [*at.number_input, *at.slider] if w.key == key).set_value(value)
        at.run()
        assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def layer(at: AppTest, position: int) -> None:
    at.segmented_control(key=state.TRAIN_LAYER_INPUT).set_value(position).run()
    assert not at.exception, at.exception


def run_of(at: AppTest) -> Run:
    return at.session_state[state.TRAIN_RUN]


def next_step_text(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "The next Step" in m.value)


def rows_shown(at: AppTest) -> list[int]:
    """The 1-based training rows the panel says the next Step trains, in its order."""
    return [int(n) for n in re.findall(r"\d+", next_step_text(at).split(":", 1)[1])]


def tables_text(at: AppTest, position: int) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """W, ∂L/∂W and W′ of layer ``position`` as the panel shows them."""
    layer(at, position)
    w, gradient, updated = (table.value for table in at.table[:3])
    return w.values.tolist(), gradient.values.tolist(), updated.values.tolist()


def text_of(matrix) -> list[list[str]]:
    return [[shown(v) for v in row] for row in matrix]


@pytest.mark.parametrize("batch", [1, 3, 10], ids=["batch 1", "batch 3", "full batch"])
def test_step_makes_the_step_the_panel_works_out_and_the_panel_moves_on(batch):
    at = page(**{state.TRAIN_BATCH_SIZE: batch})
    first_epoch, second_epoch = epoch_orders(2)
    batches = -(-4 // batch)
    # The seeded shuffle puts training row 4 first (permutation of PCG64(2): 3, 2, 0, 1).
    assert first_epoch.tolist() == [3, 2, 0, 1]
    layers = as_layers(small_network())
    taken = 0
    for step in range(batches + 1):  # every batch of epoch 1, then the first of epoch 2
        epoch, order = (1, first_epoch) if step < batches else (2, second_epoch)
        begin = taken % 4
        rows = order[begin : begin + batch].tolist()
        assert rows_shown(at) == [r + 1 for r in rows]
        number = step % batches + 1
        assert f"batch {number} of {batches} of epoch {epoch}" in next_step_text(at)
        # The row worked out neuron by neuron is one of the batch's, and the diagram is coloured for it.
        chosen = at.selectbox(key=state.TRAIN_SAMPLE_INPUT).value
        assert chosen - 1 in rows
        assert any(f"coloured for training sample {chosen};" in c.value for c in at.caption)
        expected = sgd(layers, rows)
        weights_mean, _ = mean_gradients(layers, rows)
        panel = {}
        for position in (1, 2):
            w, gradient, updated = tables_text(at, position)
            assert w == text_of(layers[position - 1][0])
            assert gradient == text_of(weights_mean[position - 1])
            assert updated == text_of(expected[position - 1][0])
            panel[position] = updated
        before: Run = run_of(at)
        click(at, "Step")
        after = run_of(at).network
        # The page's weights after Step: to 1e-12 the reference's step on those rows, and to
        # the last digit shown the panel's W′ (the W table now shows them).
        for k, (weights, bias, _) in enumerate(expected):
            np.testing.assert_allclose(after.layers[k].weights, weights, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(after.layers[k].bias, bias, rtol=1e-12, atol=1e-14)
        for position in (1, 2):
            assert tables_text(at, position)[0] == panel[position]
        # And bit for bit the panel's own arrays: the panel and Step are one computation.
        data = at.session_state[state.TRAIN_PREPARED][1]
        settings = at.session_state[state.TRAIN_SETTINGS]
        worked = train_views.batch_step(
            before.network,
            np.array(rows),
            data.train_rows.inputs[rows],
            data.train_rows.targets[rows],
            get_loss(LOSS, "sigmoid"),
            settings.optimizer_object(),
            training_run.optimizer_memory(before, settings),
        )
        for k in range(2):
            np.testing.assert_array_equal(worked.updated[k], after.layers[k].weights)
            np.testing.assert_array_equal(worked.updated_biases[k], after.layers[k].bias)
        layers = [(w, b, a) for w, b, a in expected]
        taken += len(rows)
    assert run_of(at).epoch == (2 if batches == 1 else 1)  # the last Step took epoch 2's first batch


def test_batch_three_offers_each_rows_gradient_and_works_out_the_row_chosen():
    at = page(**{state.TRAIN_BATCH_SIZE: 3})
    layer(at, 2)
    rows = [4, 3, 1]  # the first batch of the shuffle 3, 2, 0, 1 (1-based)
    select = at.selectbox(key=state.TRAIN_SAMPLE_INPUT)
    assert select.options == [f"training row {r}" for r in rows]
    open_lazy_section(at, state.TRAIN_ROW_GRADIENTS_OPEN)
    assert not at.exception
    per_row = [table.value.values.tolist() for table in at.table[3:6]]
    layers = as_layers(small_network())
    for r, table in zip(rows, per_row):
        _, _, weights, _ = reference.backward_one(layers, XOR_ROWS[r - 1], XOR_TARGETS[r - 1], LOSS)
        assert table == text_of(weights[1])
    # The second row of the batch (training row 3, x = (1, 0), y = 1) worked neuron by neuron:
    # its own δ of the output neuron, as the reference's loops give it.
    at.selectbox(key=state.TRAIN_SAMPLE_INPUT).set_value(3).run()
    assert not at.exception
    assert at.session_state[state.TRAIN_SAMPLE] == 3
    _, deltas, _, _ = reference.backward_one(layers, XOR_ROWS[2], XOR_TARGETS[2], LOSS)
    texts = "\n".join(t.value for t in at.text)
    assert f"{deltas[1][0]:.6g}" in texts
    assert any("averages ∂L/∂w over the batch's 3 rows" in c.value for c in at.caption)


def test_with_momentum_and_l2_the_panel_names_the_rule_and_shows_the_update_step_makes():
    rate, mu, l2 = 0.5, 0.9, 0.01
    at = page(**{state.TRAIN_BATCH_SIZE: 1, state.TRAIN_OPTIMIZER: "momentum", state.TRAIN_L2: l2})
    captions = " ".join(c.value for c in at.caption)
    assert "Momentum" in captions and "not update by plain W − η·∂L/∂W" in captions
    # By hand from the reference's gradients: g = ∂L/∂W + λ₂·W (biases unregularised),
    # v ← μ·v − η·g, W ← W + v; two Steps, rows 4 then 3 of the shuffle.
    layers = as_layers(small_network())
    velocities = [(np.zeros_like(np.array(w)), np.zeros_like(np.array(b))) for w, b, _ in layers]
    for row in (3, 2):
        weights_g, bias_g = mean_gradients(layers, [row])
        stepped = []
        for k, (w, b, a) in enumerate(layers):
            w, b = np.array(w), np.array(b)
            vw = mu * velocities[k][0] - rate * (np.array(weights_g[k]) + l2 * w)
            vb = mu * velocities[k][1] - rate * np.array(bias_g[k])
            velocities[k] = (vw, vb)
            stepped.append(((w + vw).tolist(), (b + vb).tolist(), a))
        assert tables_text(at, 1)[2] == text_of(stepped[0][0])
        assert tables_text(at, 2)[2] == text_of(stepped[1][0])
        click(at, "Step")
        after = run_of(at).network
        for k, (w, b, _) in enumerate(stepped):
            np.testing.assert_allclose(after.layers[k].weights, w, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(after.layers[k].bias, b, rtol=1e-12, atol=1e-14)
        layers = stepped


def test_a_batch_grown_past_the_rows_left_says_the_next_step_only_ends_the_epoch():
    at = page(**{state.TRAIN_BATCH_SIZE: 1})
    click(at, "Step")  # row 4 of the shuffle 3, 2, 0, 1 (1-based: 4, 3, 1, 2)
    next(w for w in at.number_input if w.key == state.TRAIN_BATCH_SIZE).set_value(10).run()
    assert not at.exception
    # Batch 10 from row 10 of the epoch: no row is left, so Step trains nothing and ends epoch 1.
    assert "trains no row" in at.info[0].value and "ends that epoch" in at.info[0].value
    trained = run_of(at).network
    click(at, "Step")
    assert run_of(at).epoch == 1 and run_of(at).batches_done == 0
    for k in range(2):
        np.testing.assert_array_equal(run_of(at).network.layers[k].weights, trained.layers[k].weights)
    # Epoch 2: all four rows in its own shuffle.
    assert rows_shown(at) == [r + 1 for r in epoch_orders(2)[1]]
    assert "batch 1 of 1 of epoch 2" in next_step_text(at)
