"""The digit reader on the Simulator page, through AppTest: test images, drawing, weight images."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from streamlit.testing.v1 import AppTest
from test_digit_reader import plain_forward

from mlpsim.io.presets import DIGIT_READER_NAME, digit_reader
from ui import digits, state

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


def test_a_stroke_inks_the_pixels_plotly_reports_and_nothing_else():
    # What plotly.js sends for clicks down column 3 of rows 0–5 (customdata = the pixel);
    # AppTest cannot send a chart selection, so the browser test draws for real.
    points = [{"customdata": k, "x": 3, "y": k // 8} for k in (3, 11, 19, 27, 35, 43)]
    points.append({"x": 0, "y": 0})  # a point without customdata (another trace) is ignored
    pixels = digits.stroke_pixels(points)
    assert pixels == [3, 11, 19, 27, 35, 43]
    drawn = digits.painted(np.zeros(64), pixels, digits.BRUSHES["Ink"])
    assert sorted(np.flatnonzero(drawn)) == pixels and drawn.max() == 1.0
    assert digits.painted(drawn, [3], digits.BRUSHES["Eraser"])[3] == 0.0


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
