"""The digit reader on the Simulator page, through AppTest: test images, drawing (the strokes the
canvas sends; tests/test_digit_browser.py draws for real), the output bars, weight images."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from streamlit.testing.v1 import AppTest
from test_digit_reader import plain_forward

from mlpsim.io.presets import DIGIT_READER_NAME, digit_reader
from ui.parts import digits, drawing_canvas
from ui.session import state

APP = Path(__file__).resolve().parents[1] / "app.py"


@pytest.fixture
def at():
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    app.selectbox(key=state.SOURCE_SELECT).select(DIGIT_READER_NAME).run()
    assert not app.exception
    return app


def held_out():
    data = load_digits()
    _, x, _, y = train_test_split(data.data / 16.0, data.target, test_size=0.25, random_state=0)
    # mlpsim's split keeps the test rows in file order
    _, order = train_test_split(np.arange(len(data.target)), test_size=0.25, random_state=0)
    sort = np.argsort(order)
    return x[sort], y[sort]


def reading(app) -> int:
    text = next(m.value for m in app.markdown if m.value.startswith("The network reads:"))
    return int(text.split("**")[1])


def test_a_picked_test_image_is_read_as_a_plain_numpy_forward_reads_it(at):
    images, labels = held_out()
    at.number_input(key=state.DIGIT_TEST_IMAGE).set_value(17).run()
    assert not at.exception
    network = at.session_state[state.NETWORK]
    assert np.array_equal(network.input_values, images[16])
    expected = int(np.argmax(plain_forward(digit_reader(), images[16][None, :])[0]))
    assert reading(at) == expected
    assert any(f"True label of test image 17: **{labels[16]}**" in m.value for m in at.markdown)


def test_strokes_from_the_browser_are_applied_once_each_in_order():
    # What drawing_canvas.js sends: every stroke not yet applied, numbered.
    payload = [
        {"sequence": 3, "pixels": [3, 11, 19], "value": 1.0},
        {"sequence": 4, "pixels": [11], "value": 0},  # the eraser, as JSON sends 0.0
        {"sequence": 2, "pixels": [60], "value": 1.0},  # applied already (2 ≤ applied): ignored
    ]
    strokes, latest = drawing_canvas.new_strokes(payload, 2, digits.SIDE, digits.BRUSHES.values())
    assert [(s.sequence, s.pixels, s.value) for s in strokes] == [(3, (3, 11, 19), 1.0), (4, (11,), 0.0)]
    assert latest == 4
    image = np.zeros(64)
    for stroke in strokes:
        image = digits.painted(image, stroke.pixels, stroke.value)
    assert sorted(np.flatnonzero(image)) == [3, 19] and image.max() == 1.0
    # The same message again (the page was busy and sent it twice) changes nothing.
    assert drawing_canvas.new_strokes(payload, latest, digits.SIDE, digits.BRUSHES.values()) == ([], 4)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "strokes",
        {"sequence": 5},
        [{"sequence": "5", "pixels": [1], "value": 1.0}],
        [{"sequence": True, "pixels": [1], "value": 1.0}],
        [{"sequence": 5, "pixels": [64, -1, 2.5, "3", None, True], "value": 1.0}],
        [{"sequence": 5, "pixels": [1], "value": 0.5}],  # no brush has this value
        [{"sequence": 5, "pixels": [1], "value": True}],
        [{"sequence": 5, "pixels": "1", "value": 1.0}],
    ],
)
def test_malformed_strokes_are_dropped_and_nothing_is_drawn(payload):
    strokes, latest = drawing_canvas.new_strokes(payload, 4, digits.SIDE, digits.BRUSHES.values())
    assert strokes == []
    # A numbered stroke that was dropped still counts as seen, so the browser stops sending it.
    numbered = isinstance(payload, list) and type(payload[0]["sequence"]) is int
    assert latest == (5 if numbered else 4)


def test_a_flood_of_strokes_is_cut_to_a_hand_s_worth():
    payload = [{"sequence": k, "pixels": [k % 64], "value": 1.0} for k in range(1, 10_001)]
    strokes, latest = drawing_canvas.new_strokes(payload, 0, digits.SIDE, digits.BRUSHES.values())
    assert len(strokes) == drawing_canvas.MAX_STROKES and latest == drawing_canvas.MAX_STROKES


def test_the_canvas_is_sent_the_input_and_the_brush():
    values = np.zeros(64)
    values[[0, 9]] = [1.0, 0.25]
    data = drawing_canvas.canvas_data(values, 8, digits.BRUSHES["Eraser"], 7)
    assert data == {
        "side": 8,
        "values": values.tolist(),
        "brush": 0.0,
        "applied": 7,
        "label": "Drawing, 8 by 8 pixels: draw with the mouse or a finger; with the keyboard, arrow keys move and Space inks",
    }
    assert drawing_canvas.canvas_data(np.zeros(9), 3, 1.0, 0)["label"].startswith("Drawing, 3 by 3 pixels:")


def bar_heights(svg: str) -> dict[int, float]:
    """{digit: bar height in px} from the <rect>s of output_bars_svg, by their tooltips."""
    bars = re.findall(r"<rect [^>]*height='([\d.]+)' fill='([^']+)'><title>digit (\d+): (-?[\d.]+)</title>", svg)
    return {int(digit): float(height) for height, _, digit, _ in bars}


def test_the_output_bars_are_as_tall_as_the_outputs_and_the_largest_is_marked():
    output = np.array([0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.85, 0.05, 0.0])
    svg = digits.output_bars_svg(output)
    heights = bar_heights(svg)
    full = digits.BARS_HEIGHT - digits.BARS_TOP - digits.BARS_BOTTOM  # the axis from 0 to 1, in px
    assert full == 130
    # by hand: 0.85 of 130 px is 110.5 px, 0.1 → 13 px, 0.05 → 6.5 px; a zero keeps a 0.5 px sliver
    assert heights == {0: 0.5, 1: 13.0, 2: 0.5, 3: 0.5, 4: 0.5, 5: 0.5, 6: 0.5, 7: 110.5, 8: 6.5, 9: 0.5}
    colours = re.findall(r"fill='([^']+)'><title>digit (\d+)", svg)
    assert [digit for colour, digit in colours if colour == digits.PREDICTED_COLOUR] == ["7"]
    assert "7: 85.0%" in svg and ">0.85</text>" in svg  # its accessible name and the value on the bar


def test_output_bars_of_an_edited_network_beyond_0_and_1_still_fit():
    # A network whose output activation was changed to linear: outputs from -2 to 3.
    svg = digits.output_bars_svg(np.array([-2.0, 3.0, 0.5]))
    heights = bar_heights(svg)
    full = digits.BARS_HEIGHT - digits.BARS_TOP - digits.BARS_BOTTOM
    assert heights[1] == pytest.approx(full * 3 / 5, abs=0.1) and heights[0] == pytest.approx(full * 2 / 5, abs=0.1)
    assert all(0 <= float(y) <= digits.BARS_HEIGHT for y in re.findall(r" y='(-?[\d.]+)'", svg))


def test_clear_empties_the_image_and_the_reading_follows(at):
    at.button(key=state.DIGIT_CLEAR).click().run()
    assert not at.exception
    assert not at.session_state[state.NETWORK].input_values.any()
    expected = int(np.argmax(plain_forward(digit_reader(), np.zeros((1, 64)))[0]))
    assert reading(at) == expected


def test_a_clicked_first_layer_neuron_shows_its_w1_column_as_the_image(at):
    at.session_state[state.SELECTED_NEURON] = (1, 4)  # N5 of Hidden 1
    at.run()
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    image = next(c for c in charts if "what N5 looks for" in json.dumps(c["layout"].get("title", {})))
    colours = image["data"][0]["marker"]["color"]
    shipped = Path(__file__).resolve().parents[1] / "mlpsim" / "preset_files" / "digit_reader.json"
    w1 = json.loads(shipped.read_text())["layers"][0]["weights"]
    # by hand: the pixel at row 2, column 5 (0-based) is input 2·8 + 5 = 21, W1[22, 5] in the article's 1-based names
    assert colours[21] == w1[21][4]
    assert colours == [row[4] for row in w1]
