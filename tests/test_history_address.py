"""Nothing the user did is lost: Undo and Redo for every kind of change, Reset of a preset, the
address that follows the network (a reload reopens it, Back and Forward walk the states), and
sizes that are refused instead of truncated. Driven through AppTest; every expected number is
written here or computed by test_app's plain-loop forward pass."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from conftest import open_lazy_section
from streamlit.testing.v1 import AppTest
from test_app import (
    GOOD_FILE,
    SEED_B1,
    SEED_B2,
    SEED_W1,
    SEED_W2,
    SEED_X,
    _file,
    edit,
    notices,
    page_with_editor_callback,
    plain_forward,
    seed_layers,
    select_source,
    shown_output,
)

from mlpsim.core.network import Layer, Network
from mlpsim.io.presets import PRESETS, xor
from mlpsim.io.sharelink import decode, encode
from ui.common.tables import Table
from ui.session import state
from ui.session.history import MAX_BYTES, MAX_STEPS, History, Snapshot

APP = Path(__file__).resolve().parent.parent / "app.py"
SEED = "Seed example (3-4-2)"
SEED_OUTPUT = [1 / (1 + math.exp(-1.568)), 1 / (1 + math.exp(1.366))]  # z = 1.568, −1.366 by hand


@pytest.fixture
def at():
    app = AppTest.from_function(page_with_editor_callback, default_timeout=60)
    app.run()
    assert not app.exception
    return app


def click(app, key: str):
    return app.button(key=key).click().run()


def enabled(app, key: str) -> bool:
    return not app.button(key=key).proto.disabled


def sizes(app) -> tuple[int, ...]:
    return app.session_state[state.NETWORK].layer_sizes


def w1_edited(row: int, column: int, value: float) -> list[list[float]]:
    w1 = [list(r) for r in SEED_W1]
    w1[row][column] = value
    return w1


def test_nothing_to_undo_or_reset_at_first(at):
    assert not enabled(at, state.UNDO) and not enabled(at, state.REDO) and not enabled(at, state.RESET)
    assert shown_output(at) == pytest.approx(SEED_OUTPUT, abs=1e-6)


def test_undo_and_redo_a_cell_edit(at):
    edit(at, Table("weights", 1), {1: {"N2": 1.0}})  # W1[2,2]: 9 → 1
    edited = plain_forward(SEED_X, seed_layers(w1=w1_edited(1, 1, 1.0)))
    assert shown_output(at) == pytest.approx(edited, abs=1e-6)
    assert "edit of W1" in at.button(key=state.UNDO).help
    click(at, state.UNDO)
    assert at.session_state[state.NETWORK].layers[0].weights[1, 1] == 9.0
    assert shown_output(at) == pytest.approx(SEED_OUTPUT, abs=1e-6)
    assert any(text.startswith("Undone: edit of W1") for text in notices(at, "info"))
    assert not enabled(at, state.UNDO) and enabled(at, state.REDO)
    click(at, state.REDO)
    assert shown_output(at) == pytest.approx(edited, abs=1e-6)
    assert enabled(at, state.UNDO) and not enabled(at, state.REDO)


def test_undo_and_redo_sizes_activations_and_layers(at):
    at.number_input(key=state.LAYER_SIZE_PREFIX + "1").set_value(5).run()  # Hidden 1: 4 → 5
    at.selectbox(key=state.LAYER_ACTIVATION_PREFIX + "2").select("linear").run()
    at.button[[b.label for b in at.button].index("Add layer")].click().run()  # Hidden 2: 4 neurons, linear
    at.button(key=state.REMOVE_LAYER_PREFIX + "1").click().run()  # Hidden 1 out: 3-4-2, the new layer first
    steps = [(3, 4, 2), (3, 5, 4, 2), (3, 5, 2), (3, 5, 2), (3, 4, 2)]
    assert sizes(at) == steps[0]
    for expected in steps[1:]:
        click(at, state.UNDO)
        assert sizes(at) == expected
        assert at.number_input(key=state.LAYER_SIZE_PREFIX + "1").value == expected[1]  # fields follow
    # Back at the start: the seed example, sigmoid output, by hand.
    assert at.session_state[state.NETWORK].layers[1].activation == "sigmoid"
    assert shown_output(at) == pytest.approx(SEED_OUTPUT, abs=1e-6)
    click(at, state.REDO)  # Hidden 1 is 5 again, N5's weights 0: the output is unchanged
    assert sizes(at) == (3, 5, 2) and shown_output(at) == pytest.approx(SEED_OUTPUT, abs=1e-6)
    click(at, state.REDO)  # linear output: z itself
    assert at.selectbox(key=state.LAYER_ACTIVATION_PREFIX + "2").value == "linear"
    assert shown_output(at) == pytest.approx([1.568, -1.366], abs=1e-9)
    click(at, state.REDO)
    click(at, state.REDO)
    assert sizes(at) == (3, 4, 2) and at.session_state[state.NETWORK].layers[0].activation == "linear"
    assert not enabled(at, state.REDO)


def test_undo_a_file_opened_and_a_preset_switched(at):
    open_lazy_section(at, state.SAVE_SHARE_OPEN)
    at.file_uploader(key=state.UPLOAD).upload("mine.json", _file(GOOD_FILE), "application/json").run()
    assert shown_output(at) == [2.0 * 3.0 + 0.5 * -1.0 + 0.25]
    select_source(at, "XOR (2-2-1)")
    assert shown_output(at) == [1.0]
    click(at, state.UNDO)
    assert at.session_state[state.SOURCE] == "File: mine.json" and shown_output(at) == [5.75]
    assert at.selectbox(key=state.SOURCE_SELECT).value == "File: mine.json"
    click(at, state.UNDO)
    assert at.session_state[state.SOURCE] == SEED and shown_output(at) == pytest.approx(SEED_OUTPUT, abs=1e-6)
    at.run()  # the file still sitting in the uploader is not opened again
    assert at.session_state[state.SOURCE] == SEED
    click(at, state.REDO)
    click(at, state.REDO)
    assert at.session_state[state.SOURCE] == "XOR (2-2-1)" and shown_output(at) == [1.0]


def test_a_new_change_after_undo_drops_what_could_be_redone(at):
    edit(at, Table("bias", 1), {0: {"b": 1.0}})
    click(at, state.UNDO)
    assert enabled(at, state.REDO)
    edit(at, Table("input"), {0: {"x": 2.0}})
    assert not enabled(at, state.REDO)
    assert shown_output(at) == pytest.approx(plain_forward([2.0, 0.1, 0.2], seed_layers()), abs=1e-6)


def test_reset_puts_a_preset_back_and_undo_brings_the_edits_back(at):
    edit(at, Table("weights", 2), {0: {"N1": 0.0}})  # W2[1,1]: 0.2 → 0
    at.number_input(key=state.LAYER_SIZE_PREFIX + "0").set_value(4).run()
    assert enabled(at, state.RESET)
    click(at, state.RESET)
    network = at.session_state[state.NETWORK]
    assert network.layer_sizes == (3, 4, 2) and network.input_values.tolist() == SEED_X
    assert network.layers[0].weights.tolist() == SEED_W1 and network.layers[0].bias.tolist() == SEED_B1
    assert network.layers[1].weights.tolist() == SEED_W2 and network.layers[1].bias.tolist() == SEED_B2
    assert shown_output(at) == pytest.approx(SEED_OUTPUT, abs=1e-6)
    assert not enabled(at, state.RESET)
    click(at, state.UNDO)
    assert sizes(at) == (4, 4, 2) and at.session_state[state.NETWORK].layers[1].weights[0, 0] == 0.0
    select_source(at, "Random network")
    assert not enabled(at, state.RESET)  # only a preset has original numbers


def test_refused_sizes_say_why_and_the_field_shows_the_size_kept(at):
    field = state.LAYER_SIZE_PREFIX + "1"
    for typed, message in (
        (3.7, "Hidden 1: 3.7 is not a whole number of neurons. The size stays 4."),
        (0, "Hidden 1: 0 neurons is too few; a layer has at least 1. The size stays 4."),
        (-3, "Hidden 1: -3 neurons is too few; a layer has at least 1. The size stays 4."),
    ):
        at.number_input(key=field).set_value(typed).run()
        assert notices(at, "error") == [message]
        assert sizes(at) == (3, 4, 2)
        assert at.number_input(key=field).value == 4
    at.number_input(key=state.NEW_LAYER_SIZE).set_value(2.5).run()
    at.button[[b.label for b in at.button].index("Add layer")].click().run()
    assert "new layer: 2.5 is not a whole number of neurons. No layer was added." in notices(at, "error")
    assert sizes(at) == (3, 4, 2) and not enabled(at, state.UNDO)  # refusals are not changes
    at.run()
    assert not notices(at, "error")  # and their message does not stay


def test_the_address_is_the_presets_name_then_the_edited_network(at):
    assert at.query_params == {"preset": SEED}
    edit(at, Table("weights", 1), {1: {"N2": 1.0}})
    assert set(at.query_params) == {"net", "preset"} and at.query_params["preset"] == SEED
    linked = decode(at.query_params["net"])
    assert linked.layers[0].weights.tolist() == w1_edited(1, 1, 1.0)
    assert linked.layers[1].weights.tolist() == SEED_W2 and linked.input_values.tolist() == SEED_X
    network, history = at.session_state[state.NETWORK], at.session_state[state.HISTORY]
    at.run()  # the address the app wrote itself is not opened again
    assert at.session_state[state.NETWORK] is network and at.session_state[state.HISTORY] == history
    assert not notices(at, "success")
    select_source(at, "XOR (2-2-1)")
    assert at.query_params == {"preset": "XOR (2-2-1)"}


def test_a_reload_reopens_the_address():
    first = AppTest.from_function(page_with_editor_callback, default_timeout=60)
    first.run()
    edit(first, Table("bias", 1), {3: {"b": -10.0}})  # b1[4]: 0.16 → −10, so N4 = relu(2.3 − 10) = 0
    reloaded = AppTest.from_file(str(APP), default_timeout=60)
    reloaded.query_params.update(first.query_params)
    reloaded.run()
    expected = plain_forward(SEED_X, seed_layers(b1=[0.13, 0.14, 0.15, -10.0]))
    assert shown_output(reloaded) == pytest.approx(expected, abs=1e-6)
    assert reloaded.session_state[state.SOURCE] == SEED  # still the seed example, so Reset works
    click(reloaded, state.RESET)
    assert shown_output(reloaded) == pytest.approx(SEED_OUTPUT, abs=1e-6)
    assert reloaded.query_params == {"preset": SEED}


def back_to(app, address: dict[str, str]):
    """What the browser's Back or Forward does: rerun with that address."""
    app.query_params.clear()
    app.query_params.update(address)
    return app.run()


def test_back_and_forward_walk_the_states_as_undo_and_redo(at):
    start = dict(at.query_params)
    edit(at, Table("weights", 1), {0: {"N1": 0.0}})  # W1[1,1]: 2 → 0
    after_first = dict(at.query_params)
    edit(at, Table("input"), {2: {"x": 1.0}})
    back_to(at, after_first)
    assert at.session_state[state.NETWORK].input_values.tolist() == SEED_X
    assert shown_output(at) == pytest.approx(plain_forward(SEED_X, seed_layers(w1=w1_edited(0, 0, 0.0))), abs=1e-6)
    assert enabled(at, state.REDO) and at.query_params == after_first  # no new address written
    back_to(at, start)
    assert at.session_state[state.NETWORK] is PRESETS[SEED]()
    assert not enabled(at, state.UNDO)
    back_to(at, after_first)  # Forward
    assert at.session_state[state.NETWORK].layers[0].weights[0, 0] == 0.0
    assert at.session_state[state.NETWORK].input_values.tolist() == SEED_X
    # An address that is neither way (a pasted link) is opened as a new change, undoable.
    back_to(at, {"net": encode(xor())})
    assert shown_output(at) == [1.0] and at.session_state[state.SOURCE] == "Shared link"
    click(at, state.UNDO)
    assert at.session_state[state.NETWORK].layers[0].weights[0, 0] == 0.0
    assert at.query_params == after_first


def test_an_edit_arriving_with_the_address_from_before_the_last_edit_is_not_taken_for_back(at):
    # Two quick edits: the second's rerun was asked for before the browser had the address the
    # first one wrote, so it arrives with the older address. Both edits stay.
    before_first = dict(at.query_params)
    edit(at, Table("bias", 2), {0: {"b": 0.0}})
    at.query_params.clear()
    at.query_params.update(before_first)
    edit(at, Table("bias", 2), {1: {"b": 0.0}})
    assert at.session_state[state.NETWORK].layers[1].bias.tolist() == [0.0, 0.0]
    assert shown_output(at) == pytest.approx(plain_forward(SEED_X, seed_layers(b2=[0.0, 0.0])), abs=1e-6)
    assert len(at.session_state[state.HISTORY].past) == 2
    assert decode(at.query_params["net"]).layers[1].bias.tolist() == [0.0, 0.0]


def test_a_network_too_big_for_the_address_says_a_reload_loses_it(at):
    select_source(at, "Random 784-128-64-10 (untrained)")
    assert at.query_params == {"preset": "Random 784-128-64-10 (untrained)"}  # as it ships: its name is enough
    # As it ships, a reload reopens it, but not the edits to come: said from the start, so the
    # first edit does not push the page down.
    warning = [text for text in notices(at, "warning") if "reload" in text]
    assert warning and "loses your edits" in warning[0] and "Download it to keep them" in warning[0]
    edit(at, Table("input"), {0: {"x": 0.0}})
    assert at.query_params == {}  # no older state's address left behind to be reloaded
    warning = [text for text in notices(at, "warning") if "reload" in text]
    assert warning and "109,386 weights and biases" in warning[0] and "Download it to keep it" in warning[0]
    assert [button.label for button in at.get("download_button")] == ["Download this network"]


def test_picking_an_input_neuron_shows_its_value_and_that_it_has_no_sum(at):
    at.selectbox(key=state.NEURON_SELECT).select((0, 1)).run()
    assert any("IN2 · Input" in text.value and "x = 0.1" in text.value for text in at.markdown)
    assert any("no sum" in text.value for text in at.caption)
    assert not at.latex


def big_network(seed: int, layer: Layer | None = None) -> Network:
    """1000 inputs, one 1000×1000 layer (8 MB of weights), unless ``layer`` is given to share."""
    rng = np.random.default_rng(seed)
    layer = layer or Layer(weights=rng.normal(size=(1000, 1000)), bias=np.zeros(1000), activation="linear")
    return Network(input_size=1000, layers=(layer,), input_values=rng.normal(size=1000))


def test_history_is_bounded_in_steps_and_in_bytes():
    small = xor()
    history = History()
    for step in range(MAX_STEPS + 10):
        history = history.recorded(Snapshot(f"s{step}", small.with_input([step, 0])), f"change {step}", small)
    assert len(history.past) == MAX_STEPS and history.past[0].label == "change 10"  # oldest forgotten

    # Each snapshot of a fresh 1000×1000 network holds 8,000,000 + 8,000 + 8,000 bytes of its own.
    per_snapshot = 1000 * 1000 * 8 + 1000 * 8 + 1000 * 8
    history = History()
    for step in range(12):
        history = history.recorded(Snapshot("big", big_network(step)), f"change {step}", small)
    assert len(history.past) == MAX_BYTES // per_snapshot == 7
    assert history.past[-1].label == "change 11"

    # Snapshots sharing one layer (edits of the input only) cost their inputs alone.
    shared = big_network(0).layers[0]
    history = History()
    for step in range(20):
        history = history.recorded(Snapshot("big", big_network(step, shared)), f"change {step}", small)
    assert len(history.past) == 20
