"""The Simulator page driven through Streamlit's AppTest: presets, shape changes that keep edits,
activations, file import, share links, neuron selection — numbers checked against a plain
Python forward pass written here."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import open_lazy_section
from streamlit.testing.v1 import AppTest

from mlpsim.core.network import Layer, Network
from mlpsim.io.presets import xor
from mlpsim.io.sharelink import encode
from tests import reference
from ui.common.tables import Table, fold_edits, parse_cell
from ui.session import state

APP = Path(__file__).resolve().parent.parent / "app.py"
SEED_X = [0.5, 0.1, 0.2]
SEED_W1 = [[2.0, 8.0, -1.0, 3.0], [4.0, 9.0, 1.0, -6.0], [-3.0, 5.0, 2.0, 7.0]]
SEED_B1 = [0.13, 0.14, 0.15, 0.16]
SEED_W2 = [[0.2, -0.3], [0.1, -0.2], [-0.4, 0.5], [0.3, 0.1]]
SEED_B2 = [0.1, -0.2]


def plain_forward(x, layers):
    """layers: [(W as list of rows, b, activation)]; the output list by tests/reference.py's loops."""
    return reference.forward(layers, x)[1][-1]


def seed_layers(w1=SEED_W1, b1=SEED_B1, w2=SEED_W2, b2=SEED_B2, f2="sigmoid"):
    return [(w1, b1, "relu"), (w2, b2, f2)]


@pytest.fixture
def at():
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    assert not app.exception
    return app


def shown_output(app) -> list[float]:
    for table in app.table:
        if list(table.value.columns) == ["a"]:
            return [float(v) for v in table.value["a"]]
    raise AssertionError("no output table on the page")


def notices(app, kind: str) -> list[str]:
    """Texts of the page's st.error/st.info/... boxes, with the Markdown escaping undone."""
    return [re.sub(r"\\(.)", r"\1", element.value) for element in getattr(app, kind)]


def select_source(app, name: str):
    return app.selectbox(key=state.SOURCE_SELECT).select(name).run()


def test_seed_example_output_matches_hand_computation(at):
    # Hidden: z = [0.93, 6.04, 0.15, 2.46]; output z = [1.568, -1.366] → sigmoid.
    expected = [1 / (1 + math.exp(-1.568)), 1 / (1 + math.exp(1.366))]
    assert shown_output(at) == pytest.approx(expected, abs=1e-6)
    assert shown_output(at) == pytest.approx(plain_forward(SEED_X, seed_layers()), abs=1e-6)
    assert not notices(at, "error")


def test_presets_switch(at):
    select_source(at, "XOR (2-2-1)")
    assert shown_output(at) == [1.0]  # x = (1, 0): N1 = 1, N2 = 0, out = 1 − 0
    select_source(at, "AND perceptron (2-1)")
    assert shown_output(at) == pytest.approx([1 / (1 + math.exp(-10.0))], abs=1e-6)  # 20 + 20 − 30


def test_neuron_selection_shows_its_worked_arithmetic(at):
    at.selectbox(key=state.NEURON_SELECT).select((1, 1)).run()
    assert at.session_state[state.SELECTED_NEURON] == (1, 1)
    latex = " ".join(element.value for element in at.latex)
    # N2 of Hidden 1: 8·0.5 + 9·0.1 + 5·0.2 = 5.9, + 0.14 = 6.04, relu → 6.04
    assert "8 \\cdot 0.5" in latex and "9 \\cdot 0.1" in latex and "5 \\cdot 0.2" in latex
    assert "5.9" in latex and "6.04" in latex
    chart = at.get("plotly_chart")[0].proto
    figure = json.loads(chart.spec)
    assert figure["data"], "the diagram is drawn"
    # What Streamlit would set on the mounted chart (a changed layout is a second full draw), and
    # no Streamlit theme (its template object is one too).
    assert (figure["layout"]["clickmode"], figure["layout"]["dragmode"], figure["layout"]["hovermode"]) == (
        "event+select",
        "pan",
        "closest",
    )
    assert chart.theme == ""


def page_with_editor_callback():
    """The Simulator page, preceded by what a browser edit does: the editor's recorded edits put
    under its current key, then its real on_change callback (AppTest cannot type into a grid)."""
    import streamlit as st

    from ui.pages import simulator
    from ui.parts import editors
    from ui.session import state, workspace

    workspace.ensure_defaults()
    pending = st.session_state.pop("test_pending_edit", None)
    if pending is not None:
        table, edited_rows = pending
        key = editors.editor_key(table, state.current_network())
        st.session_state[key] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
        editors._on_edit(table, key)
    simulator.render()


@pytest.fixture
def edit_app():
    app = AppTest.from_function(page_with_editor_callback, default_timeout=60)
    app.run()
    assert not app.exception
    return app


def edit(app, table: Table, edited_rows):
    app.session_state["test_pending_edit"] = (table, edited_rows)
    return app.run()


def test_edits_survive_resize_and_preset_switch_and_back(edit_app):
    at = edit_app
    edit(at, Table("weights", 1), {1: {"N2": 1.0}})  # W1[2,2]: 9 → 1
    edit(at, Table("bias", 2), {0: {"b": 0.5}})  # b2[1]: 0.1 → 0.5, a second edit in a row
    edit(at, Table("weights", 1), {1: {"N2": 1.0}})  # the same edit again changes nothing
    w1 = [row[:] for row in SEED_W1]
    w1[1][1] = 1.0
    edited = plain_forward(SEED_X, seed_layers(w1=w1, b2=[0.5, -0.2]))
    assert shown_output(at) == pytest.approx(edited, abs=1e-6)

    at.number_input(key=state.LAYER_SIZE_PREFIX + "1").set_value(5).run()
    assert any("Added N5" in text for text in notices(at, "info"))
    grown = at.session_state[state.NETWORK]
    assert grown.layer_sizes == (3, 5, 2)
    assert grown.layers[0].weights[1, 1] == 1.0 and grown.layers[0].weights[:, 4].tolist() == [0, 0, 0]
    # The new N5 has zero weights in and out: the output is the edited one.
    assert shown_output(at) == pytest.approx(edited, abs=1e-6)

    select_source(at, "XOR (2-2-1)")
    assert shown_output(at) == [1.0]
    edit(at, Table("input"), {1: {"x": 1.0}})  # XOR(1, 1) = 0
    assert shown_output(at) == [0.0]
    select_source(at, "Seed example (3-4-2)")
    back = at.session_state[state.NETWORK]
    assert back.layer_sizes == (3, 5, 2) and back.layers[0].weights[1, 1] == 1.0
    assert back.layers[1].bias.tolist() == [0.5, -0.2]
    assert shown_output(at) == pytest.approx(edited, abs=1e-6)
    select_source(at, "XOR (2-2-1)")
    assert shown_output(at) == [0.0]  # XOR kept its own edit too
    select_source(at, "Seed example (3-4-2)")

    at.number_input(key=state.LAYER_SIZE_PREFIX + "1").set_value(3).run()
    assert any("Removed N4, N5" in text for text in notices(at, "info"))
    w1_cut = [row[:3] for row in w1]
    assert shown_output(at) == pytest.approx(
        plain_forward(SEED_X, seed_layers(w1=w1_cut, b1=SEED_B1[:3], w2=SEED_W2[:3], b2=[0.5, -0.2])), abs=1e-6
    )


def test_invalid_cells_are_named_and_the_rest_of_the_edit_applied(edit_app):
    at = edit_app
    edit(at, Table("weights", 1), {0: {"N1": "abc", "N2": 0.0}, 2: {"N4": "1e400"}})
    errors = notices(at, "error")
    assert any(
        text.startswith("W1[1,1] (IN1 → N1): 'abc' is not a number") and text.endswith("; it keeps its value 2")
        for text in errors
    )
    assert any(text.startswith("W1[3,4] (IN3 → N4): '1e400' is beyond the largest number") for text in errors)
    w1 = [row[:] for row in SEED_W1]
    w1[0][1] = 0.0
    assert shown_output(at) == pytest.approx(plain_forward(SEED_X, seed_layers(w1=w1)), abs=1e-6)
    at.run()
    assert not notices(at, "error")  # a message is shown once, not on every rerun


def test_fold_applies_valid_cells_and_names_invalid_ones():
    network = xor()
    fold = fold_edits(
        network,
        Table("weights", 1),
        {0: {"N1": "abc", "N2": 3.5}, 1: {"N1": None, "N2": "1e400"}},
    )
    assert fold.network.layers[0].weights.tolist() == [[1.0, 3.5], [1.0, 1.0]]
    assert fold.changed == ("W1[1,2] (IN1 → N2)",)
    assert len(fold.errors) == 3
    assert fold.errors[0].startswith("W1[1,1] (IN1 → N1): 'abc' is not a number (digits 0-9,")
    assert fold.errors[0].endswith("; it keeps its value 1")
    assert fold.errors[1].startswith("W1[2,1] (IN2 → N1): empty cell")
    assert (
        "W1[2,2] (IN2 → N2): '1e400' is beyond the largest number a double holds, ±1.7976931348623157e308"
        in fold.errors[2]
    )
    assert fold_edits(network, Table("input"), {1: {"x": float("nan")}}).errors[0].startswith("input IN2:")
    again = fold_edits(fold.network, Table("weights", 1), {0: {"N2": 3.5}})
    assert again.network is fold.network and again.changed == ()  # an edit folded twice changes nothing
    with pytest.raises(ValueError):
        parse_cell(True)


def test_activation_change(at):
    at.selectbox(key=state.LAYER_ACTIVATION_PREFIX + "2").select("linear").run()
    assert shown_output(at) == pytest.approx([1.568, -1.366], abs=1e-9)


def test_add_and_remove_hidden_layer(at):
    at.button[[b.label for b in at.button].index("Add layer")].click().run()
    grown = at.session_state[state.NETWORK]
    assert grown.layer_sizes == (3, 4, 4, 2) and grown.layers[1].activation == "linear"
    # Identity weights, zero bias, linear: the output is the seed example's.
    assert shown_output(at) == pytest.approx(plain_forward(SEED_X, seed_layers()), abs=1e-6)
    at.button(key=state.REMOVE_LAYER_PREFIX + "2").click().run()
    assert at.session_state[state.NETWORK].layer_sizes == (3, 4, 2)
    assert shown_output(at) == pytest.approx(plain_forward(SEED_X, seed_layers()), abs=1e-6)


def test_size_beyond_the_limit_is_refused_with_a_message(at):
    at.number_input(key=state.LAYER_SIZE_PREFIX + "0").set_value(5000).run()
    assert any("1,024" in text and "unchanged" not in text and "stays 3" in text for text in notices(at, "error"))
    assert at.session_state[state.NETWORK].layer_sizes == (3, 4, 2)
    assert at.number_input(key=state.LAYER_SIZE_PREFIX + "0").value == 3


def test_random_network_from_sizes_initialiser_and_seed(at):
    select_source(at, "Random network")
    # The default form (3, 4, 2, relu, xavier, seed 0) with a random, non-zero input.
    network = at.session_state[state.NETWORK]
    assert network.layer_sizes == (3, 4, 2) and network.name == "Random 3-4-2"
    x = network.input_values.tolist()
    assert all(0 < value < 1 for value in x)
    layers = [(layer.weights.tolist(), layer.bias.tolist(), "relu") for layer in network.layers]
    assert shown_output(at) == pytest.approx(plain_forward(x, layers), abs=1e-6)
    assert any(value != 0 for value in shown_output(at))
    at.text_input(key=state.RANDOM_SIZES).set_value("2, 3, 1").run()
    at.selectbox(key=state.RANDOM_INITIALIZER).select("zeros").run()
    at.button[[b.label for b in at.button].index("Create")].click().run()
    network = at.session_state[state.NETWORK]
    assert network.layer_sizes == (2, 3, 1)
    assert all(value != 0 for value in network.input_values)
    assert shown_output(at) == [0.0]  # zero weights, zero biases, relu
    at.text_input(key=state.RANDOM_SIZES).set_value("2, x").run()
    at.button[[b.label for b in at.button].index("Create")].click().run()
    assert any("entry 2 ('x') is not a whole number" in text for text in notices(at, "error"))
    assert at.session_state[state.NETWORK] is network


def _file(document) -> bytes:
    return json.dumps(document).encode()


GOOD_FILE = {
    "format": "mlpsim.network",
    "version": 1,
    "name": "<b>bold</b> *stars* [link](http://x)",
    "input": {"size": 2, "values": [3.0, -1.0]},
    "layers": [{"size": 1, "activation": "linear", "weights": [[2.0], [0.5]], "bias": [0.25]}],
}


def test_good_file_is_imported_once_and_its_name_shown_literally(at):
    open_lazy_section(at, state.SAVE_SHARE_OPEN)
    at.file_uploader(key=state.UPLOAD).upload("mine.json", _file(GOOD_FILE), "application/json").run()
    assert shown_output(at) == [2.0 * 3.0 + 0.5 * -1.0 + 0.25]
    assert any("Loaded mine.json" in text for text in notices(at, "success"))
    header = [m.value for m in at.markdown if "stars" in m.value][0]
    assert "\\<b\\>bold\\</b\\>" in header and "\\*stars\\*" in header and "\\[link\\]" in header
    # An edit after the import is not undone by the file still sitting in the uploader.
    edited = fold_edits(at.session_state[state.NETWORK], Table("bias", 1), {0: {"b": 1.25}}).network
    at.session_state[state.NETWORK] = edited
    at.run()
    assert shown_output(at) == [2.0 * 3.0 + 0.5 * -1.0 + 1.25]


def test_bad_file_is_refused_and_the_network_kept(at):
    bad = json.loads(json.dumps(GOOD_FILE))
    bad["layers"][0]["weights"][1][0] = "x"
    before = at.session_state[state.NETWORK]
    open_lazy_section(at, state.SAVE_SHARE_OPEN)
    at.file_uploader(key=state.UPLOAD).upload("bad.json", _file(bad), "application/json").run()
    errors = notices(at, "error")
    assert any("bad.json was not loaded: layers[0].weights[1][0]: expected a finite number" in text for text in errors)
    assert at.session_state[state.NETWORK] is before
    assert shown_output(at) == pytest.approx(plain_forward(SEED_X, seed_layers()), abs=1e-6)


def test_share_link_loads_through_query_params():
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.query_params["net"] = encode(xor())
    app.run()
    assert shown_output(app) == [1.0]
    assert app.session_state[state.SOURCE] == "Shared link"
    assert not [box for box in app.text_input if "?net=" in box.value]  # drawn only once opened
    open_lazy_section(app, state.SAVE_SHARE_OPEN)
    link = [box.value for box in app.text_input if "?net=" in box.value][0]
    assert link.endswith("?net=" + encode(xor()))


def test_bad_share_link_is_refused_and_the_seed_example_kept():
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.query_params["net"] = encode(xor())[:-10]
    app.run()
    assert any(
        text.startswith("This share link cannot be opened: share link: damaged") for text in notices(app, "error")
    )
    assert shown_output(app) == pytest.approx(plain_forward(SEED_X, seed_layers()), abs=1e-6)


def test_large_network_offers_the_file_instead_of_a_link(at):
    select_source(at, "Random 784-128-64-10 (untrained)")
    open_lazy_section(at, state.SAVE_SHARE_OPEN)
    warnings = notices(at, "warning")
    assert any("109,386 weights and biases: too many for a share link" in text for text in warnings)
    assert not [box for box in at.text_input if "?net=" in box.value]
    assert sum(shown_output(at)) == pytest.approx(1.0)  # softmax output


def test_overflow_is_reported_and_the_tables_stay(at):
    huge = Network(
        input_size=2,
        input_values=np.array([1e300, 1e300]),
        layers=(Layer(weights=np.array([[1e300], [1e300]]), bias=np.array([0.0]), activation="linear"),),
    )
    at.session_state[state.NETWORK] = huge
    at.run()
    # 1e300 × 1e300 = 1e600: each product is beyond the range of a double
    assert any(
        "layer 1 (Output): N1 cannot be computed in floating point: the products W1[1,1]·IN1 = 1e+300 × 1e+300" in text
        for text in notices(at, "error")
    )
    assert not at.exception
    assert len(at.dataframe) == 3  # the input, weights and bias editors are still there (no output)


def test_preset_link_opens_that_preset():
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.query_params["preset"] = "XOR (2-2-1)"
    app.run()
    assert shown_output(app) == [1.0]
    assert app.selectbox(key=state.SOURCE_SELECT).value == "XOR (2-2-1)"
    other = AppTest.from_file(str(APP), default_timeout=60)
    other.query_params["preset"] = "<script>"
    other.run()
    assert any("no preset called '<script>'" in text for text in notices(other, "error"))


def test_diagram_click_points_name_their_neuron():
    from ui.parts.results import neuron_from_customdata

    assert neuron_from_customdata([1, 3]) == (1, 3)
    assert neuron_from_customdata({"1": 2, "0": 2}) == (2, 2)  # plotly.js typed-array rows arrive as objects
    assert neuron_from_customdata(None) is None
    assert neuron_from_customdata([1]) is None


def test_matrix_form_of_the_selected_layer(at):
    at.segmented_control(key=state.widget_key(state.TABLE_LAYER)).set_value(2).run()
    assert not [element for element in at.latex if "bmatrix" in element.value]  # drawn only once opened
    open_lazy_section(at, state.MATRIX_FORM_OPEN)
    shapes = [element.value for element in at.text if "W2ᵀ" in element.value]
    assert shapes == ["W2ᵀ (2×4) · x (4×1) + b (2×1) = z (2×1) → sigmoid → a (2×1)"]
    matrix = [element.value for element in at.latex if "bmatrix" in element.value][0]
    # Wᵀ of W2, row by row: (0.2, 0.1, −0.4, 0.3) and (−0.3, −0.2, 0.5, 0.1); x = the hidden a.
    assert "0.2 & 0.1 & -0.4 & 0.3" in matrix and "-0.3 & -0.2 & 0.5 & 0.1" in matrix
    assert "0.93 \\\\ 6.04 \\\\ 0.15 \\\\ 2.46" in matrix


def test_editors_show_numbers_as_text_and_read_what_was_typed():
    from ui.common.tables import text_frame

    edited = xor().with_weight(1, 0, 1, 1.5e-7)
    text = text_frame(Table("weights", 1), edited)
    assert text.to_numpy().tolist() == [["1", "1.5e-07"], ["1", "1"]]
    assert list(text.index) == ["IN1", "IN2"] and list(text.columns) == ["N1", "N2"]
    # The text is cached per layer: the untouched network still shows its own numbers.
    assert text_frame(Table("weights", 1), xor()).to_numpy().tolist() == [["1", "1"], ["1", "1"]]
    bias = text_frame(Table("bias", 1), edited)
    assert bias.to_numpy().tolist() == [["0"], ["-1"]] and list(bias.columns) == ["b"]
    assert text_frame(Table("input"), edited).to_numpy().tolist() == [["1"], ["0"]]
    assert parse_cell("1e-5") == (1e-5, "") and parse_cell("−4") == (-4.0, "") and parse_cell(" 2.5 ") == (2.5, "")
    # The decimal comma is read as on the Workshop page, with a note saying so.
    assert parse_cell("1,5") == (1.5, "read '1,5' as 1.5 (decimal comma)")
    assert parse_cell("1.7976931348623157e308") == (1.7976931348623157e308, "")
    for refused in ("1_000", "١٢", "１２", "1,2,3", "nan"):
        with pytest.raises(ValueError, match="is not a number"):
            parse_cell(refused)


def test_an_invalid_limit_setting_is_named_on_the_page_not_a_traceback(monkeypatch):
    import mlpsim.core.limits

    monkeypatch.setattr(
        mlpsim.core.limits, "ENVIRONMENT_PROBLEM", "MLPSIM_MAX_LAYERS='many': expected a whole number (digits 0-9)"
    )
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not app.exception
    assert [error.value for error in app.error] == [
        "mlpsim cannot start: MLPSIM_MAX_LAYERS='many': expected a whole number (digits 0-9)"
    ]
