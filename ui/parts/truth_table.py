"""The truth-table view: every 0/1 combination of a 2–4-input network's inputs with its
outputs at once, so hand-designed AND/OR/XOR weights can be checked in one look. The table is
a pure function; ``render`` shows it (the Simulator page calls it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import ForwardError
from mlpsim.core.forward import forward
from mlpsim.core.network import Network, neuron_name
from mlpsim.core.numbertext import number
from ui.session import state

INPUTS_SHOWN = (2, 3, 4)
GATES = {"AND": (0, 0, 0, 1), "OR": (0, 1, 1, 1), "XOR": (0, 1, 1, 0), "NAND": (1, 1, 1, 0)}
"""The two-input gates' expected outputs, rows in the table's order (00, 01, 10, 11)."""
NO_GATE = "—"


def truth_rows(input_size: int) -> np.ndarray:
    """(2ᴺ, N) 0/1 rows counting up in binary, IN1 the most significant bit."""
    return np.array(
        [[(r >> (input_size - 1 - i)) & 1 for i in range(input_size)] for r in range(2**input_size)], dtype=float
    )


def truth_table(network: Network, gate: str | None = None) -> pd.DataFrame:
    """Every 0/1 input row with every output (one forward pass of 2ᴺ rows); for a 2-input,
    1-output network and a ``gate`` of GATES, the expected column and whether the output,
    read as above the middle of its range (0.5; 0 for tanh), gives it."""
    rows = truth_rows(network.input_size)
    outputs = forward(network, rows).output
    position = len(network.layers)
    frame = pd.DataFrame(rows.astype(int), columns=[neuron_name(0, i) for i in range(network.input_size)])
    for j in range(outputs.shape[1]):
        frame[neuron_name(position, j)] = [number(v) for v in outputs[:, j]]
    if gate in GATES and network.input_size == 2 and outputs.shape[1] == 1:
        low, high = REGISTRY[network.layers[-1].activation].output_range
        middle = 0.5 if low is None or high is None else (low + high) / 2
        expected = np.array(GATES[gate])
        frame[f"{gate} expects"] = expected
        frame["gives it"] = np.where((outputs[:, 0] > middle).astype(int) == expected, "✓", "✗")
    return frame


def render(network: Network) -> None:
    """The truth table of a 2–4-input network, in an expander (drawn only while open)."""
    if network.input_size not in INPUTS_SHOWN:
        return
    panel = st.expander(
        f"Truth table: all {2**network.input_size} rows of 0/1 inputs", key=state.TRUTH_TABLE_OPEN, on_change="rerun"
    )
    if not panel.open:
        return
    with panel:
        gate = None
        if network.input_size == 2 and network.layers[-1].size == 1:
            gate = st.segmented_control("Compare with", [NO_GATE, *GATES], key=state.TRUTH_TABLE_GATE, default=NO_GATE)
        try:
            st.table(truth_table(network, gate))
        except ForwardError as error:
            st.error(f"The forward pass stopped on a row: {error}")
