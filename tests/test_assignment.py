"""Setting one value by text, as the article writes the cells (the keyboard path to every cell)."""

from __future__ import annotations

import numpy as np
import pytest

from mlpsim.core.errors import ValidationError
from mlpsim.core.network import Layer, Network
from mlpsim.io.assignment import Assignment, parse_assignment
from mlpsim.io.presets import seed_example

SEED = seed_example()  # 3 → 4 → 2: W1 is 3×4, W2 is 4×2


@pytest.mark.parametrize(
    "text, expected",
    [
        ("W1[2,3] = 0.5", Assignment("weights", 1, 1, 2, "0.5")),
        ("w2[4, 2]=-7", Assignment("weights", 2, 3, 1, "-7")),
        ("  W 1 [ 3 , 4 ]  =  1e-5 ", Assignment("weights", 1, 2, 3, "1e-5")),
        ("b2[1] = -0.3", Assignment("bias", 2, 0, 0, "-0.3")),
        ("B1[4]=0", Assignment("bias", 1, 3, 0, "0")),
        ("IN2 = 1", Assignment("input", 0, 1, 0, "1")),
        ("in3=", Assignment("input", 0, 2, 0, "")),
    ],
)
def test_cells_as_the_article_writes_them(text, expected):
    assert parse_assignment(text, SEED) == expected


@pytest.mark.parametrize(
    "assignment, written",
    [
        (Assignment("weights", 1, 1, 2, "0.5"), "W1[2,3]"),
        (Assignment("bias", 2, 0, 0, "1"), "b2[1]"),
        (Assignment("input", 0, 2, 0, "1"), "IN3"),
    ],
)
def test_the_cell_is_written_back_1_based(assignment, written):
    assert assignment.cell == written


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Type a cell, '=' and a number"),
        ("   ", "Type a cell, '=' and a number"),
        ("W1[2,3] 0.5", "has no '='"),
        ("W1[2;3] = 1", "'W1[2;3]' is not a cell"),
        ("x2 = 1", "'x2' is not a cell"),
        ("W3[1,1] = 1", "W3[1,1]: this network has W1 to W2 and b1 to b2"),
        ("W0[1,1] = 1", "W0[1,1]: this network has W1 to W2"),
        ("W1[4,1] = 1", "W1[4,1]: W1 has 3 rows, from Input (IN1 to IN3)"),
        ("W1[1,5] = 1", "W1[1,5]: W1 has 4 columns, to Hidden 1 (N1 to N4)"),
        ("W2[5,1] = 1", "W2[5,1]: W2 has 4 rows, from Hidden 1 (N1 to N4)"),
        ("W1[0,1] = 1", "counted from 1"),
        ("b2[3] = 1", "b2[3]: b2 has 2 entries, for Output (N1 to N2)"),
        ("b3[1] = 1", "b3[1]: this network has W1 to W2"),
        ("IN4 = 1", "IN4: the input has Input (IN1 to IN3)"),
        ("IN0 = 1", "IN0: cells are counted from 1"),
        ("W1[" + "9" * 5000 + ",1] = 1", "is not a cell"),
    ],
)
def test_what_is_wrong_is_said(text, message):
    with pytest.raises(ValidationError) as raised:
        parse_assignment(text, SEED)
    assert message in str(raised.value)


def test_a_single_layer_network_names_its_only_matrix():
    network = Network(
        name="one",
        input_size=2,
        input_values=np.zeros(2),
        layers=(Layer(weights=np.ones((2, 1)), bias=np.zeros(1), activation="linear"),),
    )
    with pytest.raises(ValidationError) as raised:
        parse_assignment("W2[1,1] = 1", network)
    assert "this network has W1 and b1." in str(raised.value)
    with pytest.raises(ValidationError) as raised:
        parse_assignment("b1[2] = 1", network)
    assert "b1 has 1 entry, for Output (N1)" in str(raised.value)
