"""The Train page's pure pieces: the plane's batched pass against per-point plain loops, the
colour ramp, the confusion matrix and the worst-classified rows by hand, the reshape proposal,
Steps against Epochs, the frame's time budget, and the truth table against hand-known gates."""

from __future__ import annotations

import math
import re
import threading
import time
import zlib

import numpy as np
import pytest
import reference

from mlpsim import training_run
from mlpsim.core.initializers import initialized_network
from mlpsim.core.network import Layer, Network
from mlpsim.data.datasets import Dataset
from mlpsim.io.presets import and_gate, xor
from mlpsim.render import train_views
from ui.parts import train_tables, truth_table


def two_input_network() -> Network:
    return initialized_network([2, 8, 8, 1], ["tanh", "tanh", "tanh"], "xavier", seed=3)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def png_pixels(data: bytes) -> np.ndarray:
    width, height = png_size(data)
    start = data.index(b"IDAT") + 4
    length = int.from_bytes(data[start - 8 : start - 4], "big")
    raw = np.frombuffer(zlib.decompress(data[start : start + length]), dtype=np.uint8)
    return raw.reshape(height, 1 + 4 * width)[:, 1:].reshape(height, width, 4)


def test_the_plane_pass_gives_every_neuron_the_value_a_plain_loop_gives_at_that_point():
    network = two_input_network()
    inputs = np.array([[-2.0, -1.0], [3.0, 4.0]])
    plane = train_views.plane_for(inputs)
    assert plane.grid.shape == (100 * 100, 2)
    # 10 % margins: x from −2.5 to 3.5, y from −1.5 to 4.5; row-major with y outer.
    assert plane.xs[0] == pytest.approx(-2.5) and plane.xs[-1] == pytest.approx(3.5)
    assert plane.ys[0] == pytest.approx(-1.5) and plane.ys[-1] == pytest.approx(4.5)
    result = train_views.plane_pass(network, plane)
    layers = [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]
    for row, column in ((0, 0), (37, 81), (99, 99)):
        point = [plane.xs[column], plane.ys[row]]
        np.testing.assert_allclose(plane.grid[row * 100 + column], point)
        _, activations = reference.forward(layers, point)
        for k, values in enumerate(activations):
            np.testing.assert_allclose(result.a[k][row * 100 + column], values, rtol=1e-12, atol=1e-15)


def test_every_neuron_gets_a_thumbnail_of_its_block_means_top_row_first():
    network = two_input_network()
    plane = train_views.plane_for(np.array([[-1.0, -1.0], [1.0, 1.0]]))
    result = train_views.plane_pass(network, plane)
    maps = train_views.neuron_maps(network, result)
    assert [len(images) for images in maps] == [8, 8, 1]
    assert all(png_size(image) == (25, 25) for images in maps for image in images)
    # The output's top-left thumbnail pixel is the mean of the 4×4 grid block with the largest
    # y and the smallest x, coloured on tanh's range [−1, 1].
    output = result.a[-1][:, 0].reshape(100, 100)
    block_mean = output[96:100, 0:4].mean()
    expected = train_views.colours(np.array(block_mean), -1.0, 1.0)
    np.testing.assert_array_equal(png_pixels(maps[2][0])[0, 0, :3], expected)


def test_the_boundary_picture_is_the_output_per_cell_with_each_point_drawn_where_it_lies():
    network = two_input_network()
    inputs = np.array([[-1.0, -1.0], [1.0, 1.0], [0.5, -0.25]])
    part = Dataset("three", "three points", inputs, np.array([0, 1, 1]), None, 2)
    plane = train_views.plane_for(inputs)
    result = train_views.plane_pass(network, plane)
    pixels = png_pixels(train_views.boundary_png(network, plane, result, part, None, scale=3))[:, :, :3]
    assert pixels.shape == (300, 300, 3)
    # Cell (row j of y, column i of x) is the 3×3 block whose top row is 3·(99 − j): y runs up.
    output = result.a[-1][:, 0].reshape(100, 100)
    for j, i in ((99, 50), (60, 99), (0, 0)):
        top, left = 3 * (99 - j), 3 * i
        expected = train_views.colours(np.array(output[j, i]), -1.0, 1.0)
        away = [np.hypot(x - left - 1, y - top - 1) for x, y in ((16, 283), (283, 16), (183, 208))]
        if min(away) > 6:  # not under a point's marker
            np.testing.assert_array_equal(pixels[top : top + 3, left : left + 3], np.broadcast_to(expected, (3, 3, 3)))
    # (0.5, −0.25) lies 25 % of the way right of the centre...: x from −1.2 to 1.2 over cells
    # 0..99, so column (0.5 + 1.2) / 2.4 · 99 = 70.1 → pixel 3·70.1 + 1 ≈ 211; y: row of cell
    # (−0.25 + 1.2) / 2.4 · 99 = 39.2 → pixel 3·(99 − 39.2) + 1 ≈ 180. Its centre has its class
    # colour (blue, class 1), its rim the train points' white ring.
    assert pixels[180, 211].tolist() == [8, 119, 189]
    assert pixels[180, 211 + 4].tolist() == [255, 255, 255]
    # (−1, −1), class 0, near the bottom-left corner: orange.
    column, row = round(3 * (0.2 / 2.4 * 99) + 1), round(3 * (99 - 0.2 / 2.4 * 99) + 1)
    assert pixels[row, column].tolist() == [245, 147, 34]


def test_the_curves_picture_draws_each_recorded_figure_on_its_axis():
    records = [training_run.EpochRecord(e, 1.0 / e, 2.0 / e, None, None) for e in range(1, 11)]
    svg = train_views.curves_svg(records, width=200, height=130)
    lines = re.findall(r'<polyline[^>]*points="([^"]*)"', svg)
    assert len(lines) == 2  # train and test loss; no accuracy recorded
    # Axes: left 44, right 44 → 112 px wide over epochs 0..10; top 60 (two legend rows and
    # "loss"), bottom 38 → 32 px tall over loss 0..2.1 (the largest loss, 2.0, plus 5 %, to two
    # digits).
    train_points = [tuple(map(float, point.split(","))) for point in lines[0].split()]
    assert train_points[0] == pytest.approx((44 + 112 * 1 / 10, 60 + 32 * (1 - 1.0 / 2.1)), abs=0.06)
    assert train_points[-1] == pytest.approx((44 + 112, 60 + 32 * (1 - 0.1 / 2.1)), abs=0.06)
    assert "test loss" in svg and "train accuracy" not in svg and ">100%<" not in svg
    long = [training_run.EpochRecord(e, 1.0, None, 0.5, None) for e in range(1, 5001)]
    long_lines = re.findall(r'points="([^"]*)"', train_views.curves_svg(long))
    assert [len(line.split()) for line in long_lines] == [train_views.CURVE_POINTS] * 2
    assert long_lines[0].split()[-1].startswith(f"{44 + 300 - 88:.1f},")  # the last epoch is drawn


def test_the_play_lane_gives_one_session_a_turn_at_a_time_and_says_who_waits():
    lane = training_run.Lane()
    inside, most_inside, behind = [0], [0], []
    counter = threading.Lock()

    def frame():
        with lane.turn(poll=lambda: None, interval=0.01) as waiting:
            with counter:
                inside[0] += 1
                most_inside[0] = max(most_inside[0], inside[0])
            behind.append(waiting)
            time.sleep(0.02)
            with counter:
                inside[0] -= 1

    threads = [threading.Thread(target=frame) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most_inside[0] == 1 and len(behind) == 6
    assert max(behind) >= 1 and behind[-1] == 0


class RerunRequested(Exception):
    """Stands for Streamlit's rerun request, raised from a yield point."""


def test_a_waiting_session_is_polled_and_an_exception_from_the_poll_leaves_the_lane_free():
    lane = training_run.Lane(share=1.0)  # no rest between turns
    polls = []

    def poll():
        polls.append(1)
        raise RerunRequested

    with lane.turn(poll=lambda: None):
        with pytest.raises(RerunRequested):
            with lane.turn(poll=poll, interval=0.01):
                pass
    assert polls == [1]
    with lane.turn(poll=poll, interval=0.01) as waiting:  # free again: no poll needed
        assert waiting == 0


def test_the_colour_ramp_runs_orange_grey_blue():
    ramp = train_views.colours(np.array([-1.0, 0.0, 1.0, 5.0, 0.5]), -1.0, 1.0)
    assert ramp[0].tolist() == [245, 147, 34]
    assert ramp[1].tolist() == [232, 234, 235]
    assert ramp[2].tolist() == [8, 119, 189]
    assert ramp[3].tolist() == [8, 119, 189]  # clipped
    assert ramp[4].tolist() == [round(232 + (8 - 232) / 2), round(234 + (119 - 234) / 2), round(235 + (189 - 235) / 2)]


def test_confusion_matrix_and_worst_classified_by_hand():
    labels = np.array([0, 1, 2, 2, 1])
    predicted = np.array([0, 2, 2, 1, 1])
    assert train_views.confusion(labels, predicted, 3).tolist() == [[1, 0, 0], [0, 1, 1], [0, 1, 1]]
    outputs = np.array([[0.9, 0.05, 0.05], [0.1, 0.3, 0.6], [0.1, 0.1, 0.8], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1]])
    worst = train_views.worst_classified(labels, outputs, count=2)
    assert worst == [(3, 2, 1, 0.1), (1, 1, 2, 0.3)]


def test_step_tables_are_in_the_articles_orientation_with_the_changed_cells_marked():
    network = Network(
        input_size=3,
        layers=(
            Layer(weights=np.array([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]]), bias=np.zeros(2), activation="relu"),
            Layer(weights=np.array([[1.0], [1.0]]), bias=np.zeros(1), activation="linear"),
        ),
    )
    # x = (1, 0, 1): z1 = (3, −1) → a1 = (3, 0); out = 3; squared error with y = 2: δ2 = 1;
    # δ1 = (1·1·1, 1·1·0) = (1, 0) (N2 is off); ∂L/∂W1 = x·δ1ᵀ: column 1 = (1, 0, 1), column 2 = 0.
    from mlpsim.core.losses import get_loss

    worked = train_views.sample_step(
        network, np.array([1.0, 0.0, 1.0]), np.array([2.0]), get_loss("squared_error", "linear"), 0.1
    )
    w, gradient, updated, changed = train_tables.step_tables(network, worked, 1)
    assert list(w.index) == ["IN1", "IN2", "IN3"] and list(w.columns) == ["N1", "N2"]
    assert gradient.values.tolist() == [["1", "0"], ["0", "0"], ["1", "0"]]
    assert updated.values.tolist() == [["0.9", "0"], ["0", "1"], ["1.9", "-1"]]
    assert changed.tolist() == [[True, False], [False, False], [True, False]]


def test_reshape_for_iris_digits_and_regression_says_what_changed():
    start = initialized_network([2, 4, 1], ["relu", "tanh"], "xavier", seed=0)
    iris = training_run.built_in(training_run.DataChoice("iris"))[0]
    fitted = training_run.reshape_for(start, iris)
    assert fitted.network.layer_sizes == (4, 4, 3) and fitted.network.layers[-1].activation == "softmax"
    assert fitted.loss == "cross_entropy"
    assert fitted.changes[:3] == (
        "input layer: 2 → 4 neurons (one per feature)",
        "output layer: 1 → 3 neuron(s) for 3 classes",
        "output activation: tanh → softmax",
    )
    # A tanh output on two classes is kept, with squared error on ±1 (the Playground's pairing).
    circle = training_run.built_in(training_run.DataChoice("circle"))[0]
    assert training_run.reshape_for(start, circle).loss == "squared_error"
    assert training_run.reshape_for(start, circle).network is start
    plane = training_run.built_in(training_run.DataChoice("plane"))[0]
    regression = training_run.reshape_for(start, plane)
    assert regression.network.layers[-1].activation == "linear" and regression.loss == "squared_error"


def test_steps_through_an_epoch_are_the_epoch_and_a_changed_optimiser_starts_its_memory_at_zero():
    network = two_input_network()
    dataset, train_part, test_part = training_run.built_in(training_run.DataChoice("xor", points=200))
    data = training_run.prepare(dataset, train_part, test_part, network)
    settings = training_run.Settings(batch_size=7)
    whole = training_run.finish_epoch(training_run.new_run(network, settings, 5), settings, data)
    stepped = training_run.new_run(network, settings, 5)
    for _ in range(training_run.batch_count(data.train_rows, settings)):
        stepped = training_run.step(stepped, settings, data)
    assert stepped.epoch == whole.epoch == 1
    for a, b in zip(stepped.network.layers, whole.network.layers):
        np.testing.assert_array_equal(a.weights, b.weights)
    assert stepped.history[0].train_loss == pytest.approx(whole.history[0].train_loss, rel=1e-12)
    assert stepped.history[0].test_loss == whole.history[0].test_loss
    adam = training_run.Settings(optimizer="adam", learning_rate=0.01)
    moved = training_run.step(stepped, adam, data)
    assert len(moved.state.optimizer_state.slots) == 2 and moved.state.optimizer_state.steps == 1


@pytest.mark.timing
def test_a_frame_starts_no_new_epoch_after_its_budget():
    network = initialized_network([64, 32, 10], ["relu", "softmax"], "xavier", seed=0)
    dataset, train_part, test_part = training_run.built_in(training_run.DataChoice("digits", test_percent=20))
    data = training_run.prepare(dataset, train_part, test_part, network)
    settings = training_run.Settings(loss="cross_entropy", batch_size=10, epochs_per_frame=100)
    began = time.perf_counter()
    run = training_run.epochs(training_run.new_run(network, settings, 0), settings, data, 100, budget_seconds=0.05)
    elapsed = time.perf_counter() - began
    one_epoch = elapsed / run.epoch
    assert 1 <= run.epoch < 100
    assert elapsed < 0.05 + 2 * one_epoch + 0.05  # the epoch running when the budget ran out finishes


def test_truth_tables_of_the_xor_and_and_presets():
    frame = truth_table.truth_table(xor(), "XOR")
    assert frame[["IN1", "IN2"]].values.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert frame["N1"].tolist() == ["0", "1", "1", "0"]  # the preset is exact: N1 − 2·N2
    assert frame["gives it"].tolist() == ["✓"] * 4
    gate = truth_table.truth_table(and_gate(), "OR")
    sigmoid = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731 — sigmoid(20·x1 + 20·x2 − 30)
    assert gate["N1"].tolist() == [f"{sigmoid(v):.6g}" for v in (-30, -10, -10, 10)]
    assert gate["gives it"].tolist() == ["✓", "✗", "✗", "✓"]  # AND weights do not make OR
    three = truth_table.truth_rows(3)
    assert three.tolist()[:3] == [[0, 0, 0], [0, 0, 1], [0, 1, 0]] and len(three) == 8


def test_a_truth_table_split_keeps_every_row_for_training():
    dataset = Dataset(
        "xor_gate", "", np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0]), class_count=2
    )
    train_part, test_part = training_run.split(dataset, 50, 0)
    assert test_part is None and len(train_part) == 4


def test_the_confusion_table_reads_true_classes_down_and_predictions_across():
    matrix = np.array([[3, 1, 0], [0, 2, 2], [1, 0, 0]])
    table = train_views.confusion_html(matrix)
    rows = re.findall(r"<tr><th[^>]*>(\d)</th>(.*?)</tr>", table)
    assert [label for label, _ in rows] == ["0", "1", "2"]
    assert [[int(n) for n in re.findall(r">(\d+)</td>", cells)] for _, cells in rows] == matrix.tolist()
    # Shaded by the share of its row: 3 of 4 → 0.75, 2 of 4 → 0.50, 1 of 1 → 1.00.
    assert "rgba(8,119,189,0.75)" in rows[0][1] and "rgba(8,119,189,0.50)" in rows[1][1]
    assert "rgba(8,119,189,1.00)" in rows[2][1]


@pytest.mark.timing
def test_the_play_lane_rests_so_that_turns_take_at_most_its_share_of_the_time():
    lane = training_run.Lane(share=0.5)
    began = time.monotonic()
    for _ in range(4):
        with lane.turn(poll=lambda: None, interval=0.005):
            time.sleep(0.05)
    elapsed = time.monotonic() - began
    # Four turns of 50 ms, each but the last followed by a 50 ms rest before the next turn.
    assert 0.35 - 0.01 <= elapsed < 0.5
