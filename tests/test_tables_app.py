"""The Simulator's tables as the article draws them (AppTest): the table beside W_k is layer k's
input, each axis of W_k names its layer, and the keyboard box sets any weight, bias or input.
Expected numbers are worked by hand or by the plain loops below."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.session import state

APP = Path(__file__).resolve().parent.parent / "app.py"
SEED_X = [0.5, 0.1, 0.2]
SEED_W1 = [[2.0, 8.0, -1.0, 3.0], [4.0, 9.0, 1.0, -6.0], [-3.0, 5.0, 2.0, 7.0]]
SEED_B1 = [0.13, 0.14, 0.15, 0.16]
SEED_W2 = [[0.2, -0.3], [0.1, -0.2], [-0.4, 0.5], [0.3, 0.1]]
SEED_B2 = [0.1, -0.2]


def seed_output(x=SEED_X, w1=SEED_W1, b2=SEED_B2) -> list[float]:
    hidden = [max(0.0, sum(w1[i][j] * x[i] for i in range(3)) + SEED_B1[j]) for j in range(4)]
    return [1 / (1 + math.exp(-(sum(SEED_W2[i][j] * hidden[i] for i in range(4)) + b2[j]))) for j in range(2)]


def shown_output(app) -> list[float]:
    return [float(v) for v in next(t for t in app.table if list(t.value.columns) == ["a"]).value["a"]]


def unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def index_label(grid) -> str:
    return json.loads(grid.proto.columns)["_index"]["label"]


@pytest.fixture
def at():
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    assert not app.exception
    return app


def test_beside_w2_is_hidden_1s_a_read_only(at):
    at.segmented_control(key=state.widget_key(state.TABLE_LAYER)).set_value(2).run()
    beside = at.dataframe[0]
    # Hidden 1's a by hand: N1 = 2·0.5 + 4·0.1 − 3·0.2 + 0.13 = 0.93, N2 = 4 + 0.9 + 1 + 0.14 = 6.04,
    # N3 = −0.5 + 0.1 + 0.4 + 0.15 = 0.15, N4 = 1.5 − 0.6 + 1.4 + 0.16 = 2.46 (all positive: ReLU keeps them).
    assert list(beside.value.index) == ["N1", "N2", "N3", "N4"] and list(beside.value.columns) == ["a"]
    assert list(beside.value["a"]) == pytest.approx([0.93, 6.04, 0.15, 2.46])
    assert index_label(beside) == "Hidden 1"
    assert beside.proto.editing_mode == 0  # a read-only st.dataframe, not an editor
    headings = [unescaped(m.value) for m in at.markdown]
    assert "**x = a of Hidden 1 (4) · computed**" in headings


def test_beside_w1_is_the_editable_input(at):
    beside = at.dataframe[0]
    assert list(beside.value.index) == ["IN1", "IN2", "IN3"] and list(beside.value["x"]) == ["0.5", "0.1", "0.2"]
    assert beside.proto.editing_mode != 0


def test_each_axis_of_w_names_its_layer(at):
    headings = [unescaped(m.value) for m in at.markdown]
    assert "**W1 (3×4) · row = from, column = to**" in headings
    assert index_label(at.dataframe[1]) == "from Input ↓" and "to Hidden 1 →" in [c.value for c in at.caption]
    at.segmented_control(key=state.widget_key(state.TABLE_LAYER)).set_value(2).run()
    headings = [unescaped(m.value) for m in at.markdown]
    assert "**W2 (4×2) · row = from, column = to**" in headings
    assert index_label(at.dataframe[1]) == "from Hidden 1 ↓" and "to Output →" in [c.value for c in at.caption]
    assert list(at.dataframe[1].value.index) == ["N1", "N2", "N3", "N4"]
    assert list(at.dataframe[1].value.columns) == ["N1", "N2"]
    assert index_label(at.dataframe[2]) == "Output"


def type_into_box(app, text: str):
    return app.text_input(key=state.KEYBOARD_EDIT).input(text).run()


def test_the_box_sets_a_weight_a_bias_and_an_input(at):
    type_into_box(at, "W1[2,2] = 1")
    w1 = [row[:] for row in SEED_W1]
    w1[1][1] = 1.0
    assert shown_output(at) == pytest.approx(seed_output(w1=w1), rel=1e-5)
    assert shown_output(at) == pytest.approx(
        [1 / (1 + math.exp(-1.488)), 1 / (1 + math.exp(1.206))], rel=1e-5
    )  # N2 = 5.24
    assert at.dataframe[1].value.iloc[1, 1] == "1"
    assert [unescaped(s.value) for s in at.success] == ["W1[2,2] (IN2 → N2) = 1"]
    assert at.text_input(key=state.KEYBOARD_EDIT).value == ""  # emptied for the next one

    type_into_box(at, "b2[1] = -0.3")
    assert shown_output(at) == pytest.approx(seed_output(w1=w1, b2=[-0.3, -0.2]), rel=1e-5)
    assert at.segmented_control(key=state.widget_key(state.TABLE_LAYER)).value == 2  # the edited table is shown
    assert at.dataframe[2].value.iloc[0, 0] == "-0.3"

    type_into_box(at, "in2=1")
    assert shown_output(at) == pytest.approx(seed_output(x=[0.5, 1.0, 0.2], w1=w1, b2=[-0.3, -0.2]), rel=1e-5)
    assert at.segmented_control(key=state.widget_key(state.TABLE_LAYER)).value == 1
    assert list(at.dataframe[0].value["x"]) == ["0.5", "1", "0.2"]
    assert not at.error


@pytest.mark.parametrize(
    "text, message",
    [
        ("W3[1,1] = 1", "W3[1,1]: this network has W1 to W2 and b1 to b2."),
        (
            "W1[1,1] = abc",
            "W1[1,1] (IN1 → N1): 'abc' is not a number (digits 0-9, a point for decimals, an optional exponent: -1.25, 3e-4); it keeps its value 2",
        ),
        ("W1[1,1] 5", "has no '='"),
    ],
)
def test_a_refused_entry_says_why_and_keeps_the_text_and_the_network(at, text, message):
    type_into_box(at, text)
    assert any(message in unescaped(e.value) for e in at.error), [e.value for e in at.error]
    assert at.text_input(key=state.KEYBOARD_EDIT).value == text
    assert shown_output(at) == pytest.approx(seed_output(), rel=1e-5)
    at.run()
    assert not at.error  # said once, not left standing
