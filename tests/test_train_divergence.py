"""A bad learning rate is a lesson, not a crash: the Train page turned up to η 10, 100 and 1e6
on every 2-D built-in dataset keeps every view drawn, with no exception element, the
divergence message naming the epoch, finite weights, and Undo and Reset working; and the
pictures' functions given a network whose grid pass overflows, or produces NaN, return their
fallback without raising or warning (pytest turns a RuntimeWarning into an error).

Whether a view should have fallen back is decided here independently of the page: a plain
numpy pass over the same plane, overflow warnings silenced, says whether any value is
non-finite."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest
from test_train_app import click, plain, run_of, train_page

from mlpsim import training_run
from mlpsim.core.activations import REGISTRY
from mlpsim.core.network import Layer, Network
from mlpsim.data.datasets import DATASETS, Dataset
from mlpsim.io.presets import seed_example
from mlpsim.render import train_views
from ui.session import state

PLANE_DATASETS = (
    "circle",
    "xor",
    "gaussians",
    "spiral",
    "plane",
    "multi_gaussian",
    "moons",
    "and_gate",
    "or_gate",
    "xor_gate",
    "nand_gate",
)
RATES = (10.0, 100.0, 1e6)
EPOCHS_TRIED = 3
STOPPED = re.compile(r"Training stopped at epoch (\d+), batch (\d+): a value in layer (\d+) \(")


def plain_pass_overflows(network: Network, grid: np.ndarray) -> bool:
    """Whether some product wᵢ·aᵢ, some z or some activation of the pass over ``grid`` (P, 2)
    is not finite, by plain numpy term by term (the rule the page's pass follows whatever the
    BLAS kernel: a product beyond the double range is an overflow even where a fused
    multiply-add would absorb it)."""
    a = grid
    with np.errstate(all="ignore"):
        for layer in network.layers:
            products = a[:, :, None] * layer.weights[None, :, :]  # (P, N, M)
            a = REGISTRY[layer.activation].function(products.sum(axis=1) + layer.bias)
            if not (np.isfinite(products).all() and np.isfinite(a).all()):
                return True
    return False


def stop_message(at) -> str | None:
    """The divergence message, if the page shows one (the one-step panel may show its own error)."""
    return next((plain(e.value) for e in at.error if "Training stopped" in e.value), None)


def html_of(at) -> str:
    return "".join(element.proto.body for element in at.get("html"))


def curves_svg_of(at) -> str:
    encoded = re.search(r'alt="Loss and accuracy per epoch"[^>]*src="data:image/svg\+xml;base64,([^"]+)"', html_of(at))
    assert encoded is not None
    return base64.b64decode(encoded.group(1)).decode()


def assert_every_view_drawn(at, dataset_inputs: np.ndarray) -> None:
    assert not at.exception, at.exception
    network = at.session_state[state.NETWORK]
    assert all(np.isfinite(layer.weights).all() and np.isfinite(layer.bias).all() for layer in network.layers)
    page = html_of(at)
    assert "Loss and accuracy per epoch" in page
    counter = next(m.value for m in at.markdown if m.value.startswith("### Epoch"))
    assert not re.search(r"\d{12}", counter), counter  # a loss of 1e246 is not written with 247 digits
    plane = train_views.plane_for(dataset_inputs)
    if plain_pass_overflows(network, plane.grid):
        assert "No picture: over this plane" in page and "Decision boundary" not in page
    else:
        assert 'alt="Decision boundary over the input plane' in page and "No picture" not in page
    assert at.get("plotly_chart"), "the diagram is drawn"
    assert at.subheader and at.subheader[-1].value == "One step, every number"


def reshaped_seed(name: str) -> tuple[Network, str]:
    """The seed example reshaped for the dataset, as the page offers, and the loss it picks:
    its large weights and ReLU hidden layer are what blew up on XOR at η 100 in the issue."""
    dataset = training_run.built_in(training_run.DataChoice(name))[0]
    reshape = training_run.reshape_for(seed_example(), dataset)
    return reshape.network, reshape.loss


@pytest.mark.parametrize("start_from", ["declared", "reshaped seed"])
@pytest.mark.parametrize("name", PLANE_DATASETS)
def test_turning_the_rate_up_on_every_plane_dataset_leaves_every_view_drawn_and_undo_and_reset_work(name, start_from):
    if start_from == "declared":
        at = train_page(DATASETS[name].network.build(seed=0), **{state.TRAIN_DATASET_SELECT: name})
    else:
        network, loss = reshaped_seed(name)
        at = train_page(network, **{state.TRAIN_DATASET_SELECT: name, state.TRAIN_LOSS: loss})
    inputs = at.session_state[state.TRAIN_PREPARED][1].dataset.inputs
    start = at.session_state[state.NETWORK]
    for rate in RATES:
        at.number_input(key=state.TRAIN_LEARNING_RATE).set_value(rate).run()
        assert not at.exception
        for _ in range(EPOCHS_TRIED):
            click(at, "Epoch")
            if stop_message(at):
                break
        assert_every_view_drawn(at, inputs)
        message = stop_message(at)
        if message is not None:  # it diverged: the message names the epoch it stopped in, the next one
            stopped = STOPPED.search(message)
            assert stopped is not None, message
            assert int(stopped.group(1)) == run_of(at).epoch + 1
            assert 1 <= int(stopped.group(3)) <= len(start.layers)
            # The curve marks where the loss left the chart: the red ∞ at the last epoch on the axis.
            svg = curves_svg_of(at)
            assert "∞</text>" in svg and f">{run_of(at).epoch + 1}</text>" in svg
        click(at, "Undo")
        assert_every_view_drawn(at, inputs)
        assert stop_message(at) is None
        click(at, "Reset")
        assert_every_view_drawn(at, inputs)
        after_reset = at.session_state[state.NETWORK]
        for layer, first in zip(after_reset.layers, start.layers):
            np.testing.assert_array_equal(layer.weights, first.weights)
        assert run_of(at).epoch == 0


def test_eta_100_on_xor_with_the_reshaped_seed_network_diverges_and_the_page_says_where():
    """The issue's case: the seed example reshaped for XOR (ReLU hidden, sigmoid out) at η 100."""
    choice = training_run.DataChoice("xor", 500, 0.0, 50, 0)
    reshape = training_run.reshape_for(seed_example(), training_run.built_in(choice)[0])
    at = train_page(
        reshape.network,
        **{state.TRAIN_DATASET_SELECT: "xor", state.TRAIN_LOSS: reshape.loss, state.TRAIN_LEARNING_RATE: 100.0},
    )
    inputs = at.session_state[state.TRAIN_PREPARED][1].dataset.inputs
    for _ in range(8):
        click(at, "Epoch")
        if stop_message(at):
            break
    assert STOPPED.search(stop_message(at) or ""), "η 100 with ReLU on XOR overflows within eight epochs"
    assert_every_view_drawn(at, inputs)
    click(at, "Undo")
    assert_every_view_drawn(at, inputs)
    click(at, "Reset")
    assert_every_view_drawn(at, inputs)
    assert run_of(at).epoch == 0 and stop_message(at) is None


def test_a_step_that_diverges_names_its_epoch_and_batch_and_undo_returns_the_step_before():
    at = train_page(DATASETS["plane"].network.build(seed=0), **{state.TRAIN_DATASET_SELECT: "plane"})
    inputs = at.session_state[state.TRAIN_PREPARED][1].dataset.inputs
    at.number_input(key=state.TRAIN_LEARNING_RATE).set_value(1e6).run()
    for _ in range(30):
        before = run_of(at)
        click(at, "Step")
        if stop_message(at):
            break
    stopped = STOPPED.search(stop_message(at) or "")
    assert stopped is not None, "a Step at η 1e6 on the plane overflows within 30 mini-batches"
    run = run_of(at)
    assert (int(stopped.group(1)), int(stopped.group(2))) == (run.epoch + 1, run.batches_done + 1)
    assert_every_view_drawn(at, inputs)
    click(at, "Undo")
    assert_every_view_drawn(at, inputs)
    assert stop_message(at) is None
    undone = run_of(at)
    assert (undone.epoch, undone.batches_done) == (before.epoch, before.batches_done)
    for layer, kept in zip(undone.network.layers, before.network.layers):
        np.testing.assert_array_equal(layer.weights, kept.weights)


# ---- the pictures' functions with networks that overflow or produce NaN ----------------------


def huge_network() -> Network:
    """Weights of 1e170: each is finite, every product of two is beyond the double range."""
    return Network(
        input_size=2,
        layers=(
            Layer(np.full((2, 3), 1e170), np.zeros(3), "linear"),
            Layer(np.full((3, 1), 1e170), np.zeros(1), "linear"),
        ),
    )


def nan_network() -> Network:
    """Near the corner (1.2, 1.2) the first neuron's z, 1e308·x + 1e308·y, is beyond the double
    range, and the next layer's weight 0 times that infinity is NaN."""
    return Network(
        input_size=2,
        layers=(
            Layer(np.array([[1e308], [1e308]]), np.zeros(1), "linear"),
            Layer(np.array([[0.0]]), np.zeros(1), "tanh"),
        ),
    )


def corner_points() -> Dataset:
    inputs = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    return Dataset("corners", "three corners", inputs, labels=np.array([0, 1, 1]), class_count=2)


@pytest.mark.parametrize("network", [huge_network(), nan_network()], ids=["overflow", "nan"])
def test_a_grid_pass_that_overflows_gives_the_sentence_instead_of_the_pictures(network):
    points = corner_points()
    plane = train_views.plane_for(points.inputs)
    assert plain_pass_overflows(network, plane.grid)  # the premise, by plain numpy
    result = train_views.plane_pass(network, plane)
    assert isinstance(result, str) and result.startswith("No picture")
    largest = max(float(np.abs(layer.weights).max()) for layer in network.layers)
    assert f"{largest:.3g}" in result
    box = train_views.no_picture_html(result)
    assert "No picture" in box and "<img" not in box


def test_pictures_of_values_near_the_largest_double_are_drawn_without_overflow():
    """A pass that succeeds with values up to 1.68e308 (a linear output): the ramp and the
    thumbnails' 4×4 means would overflow if computed in the values' own units."""
    network = Network(input_size=2, layers=(Layer(np.array([[1.4e307], [0.0]]), np.zeros(1), "linear"),))
    points = Dataset("wide", "two points", np.array([[-10.0, 0.0], [10.0, 1.0]]), targets=np.array([[-1.0], [1.0]]))
    plane = train_views.plane_for(points.inputs)  # x from −12 to 12: outputs up to ±1.68e308
    result = train_views.plane_pass(network, plane)
    assert not isinstance(result, str)
    png = train_views.boundary_png(network, plane, result, points, None, scale=1)
    maps = train_views.neuron_maps(network, result)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and maps[0][0][:8] == b"\x89PNG\r\n\x1a\n"
    # The ramp's ends by hand: the lowest value is full orange, the highest full blue.
    top = float(np.abs(result.a[0]).max())
    np.testing.assert_array_equal(
        train_views.colours(np.array([-top, top]), -top, top), [[245, 147, 34], [8, 119, 189]]
    )


def record(epoch: int, train_loss: float) -> training_run.EpochRecord:
    return training_run.EpochRecord(epoch, train_loss, None, None, None)


def polyline_points(svg: str) -> list[list[tuple[float, float]]]:
    return [
        [tuple(map(float, pair.split(","))) for pair in points.split()]
        for points in re.findall(r'<polyline[^>]*points="([^"]*)"', svg)
    ]


def test_the_loss_curve_draws_its_finite_part_and_marks_where_the_loss_left_the_chart():
    # 200 × 172: the plot is x 44…156, y 60…134 (margins 44, 44, 60, 38; the loss axis from 0 to
    # 1.05 × the largest, 2.1).
    history = [record(1, 1.0), record(2, 2.0), record(3, float("inf"))]
    svg = train_views.curves_svg(history, width=200, height=172)
    assert "nan" not in svg.lower() and "inf" not in svg.lower()
    loss, escape = polyline_points(svg)
    # Epochs 1 and 2 of 3 across 112 px; losses 1 and 2 of 2.1 down 74 px.
    expected = [(44 + 112 / 3, 60 + 74 * (1 - 1 / 2.1)), (44 + 224 / 3, 60 + 74 * (1 - 2 / 2.1))]
    assert np.allclose(loss, expected, atol=0.051)  # the SVG's numbers have one decimal
    # The red dashed line climbs from the last finite point to above the plot at epoch 3.
    assert escape[0] == loss[-1] and escape[1] == (156.0, 56.0)  # 4 above the plot's top
    assert "∞</text>" in svg


def test_a_stopped_run_without_a_non_finite_record_is_marked_at_the_epoch_it_stopped_in():
    svg = train_views.curves_svg([record(1, 0.5), record(2, 1e300)], width=200, height=172, diverged_at=3)
    assert "inf" not in svg.lower()
    *_, escape = polyline_points(svg)
    assert escape[-1] == (156.0, 56.0)  # epoch 3 is the axis's right end
    assert ">3</text>" in svg and "∞</text>" in svg
    # The huge axis carries its power of ten in its title, so the ticks fit beside the axis.
    assert ">×1e300</text>" in svg
    ticks = re.findall(r'<text x="40" [^>]*>([^<]*)</text>', svg)
    assert len(ticks) == 3 and ticks[0] == "0" and all(len(tick) <= 4 for tick in ticks)
    # A loss at the largest double: the axis top stays finite.
    assert "inf" not in train_views.curves_svg([record(1, 1.7e308)], diverged_at=2).lower()
