"""The editable tables as DataFrames, and the folding of a table's recorded edits into a network.

Pure (no Streamlit): a table is built from the network's arrays, and the edits ``st.data_editor``
records (``{"edited_rows": {row: {column: value}}}``) are folded back into a NEW network once.
A cell that is not a finite number is reported by name and left as it was; the other cells of the
same edit are still applied.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Layer, Network, neuron_name, weight_name
from mlpsim.core.numbertext import LARGEST_TEXT, number, read_number
from ui.common import cache

TableKind = Literal["weights", "bias", "input"]
BIAS_COLUMN = "b"
INPUT_COLUMN = "x"


@dataclass(frozen=True)
class Table:
    """Which array a table edits: weights or bias of weighted layer ``layer`` (1-based, W1 is
    layer 1), or the input values (``layer`` 0)."""

    kind: TableKind
    layer: int = 0

    def shape(self, network: Network) -> tuple[int, int]:
        if self.kind == "input":
            return network.input_size, 1
        weights = network.layers[self.layer - 1].weights
        return weights.shape if self.kind == "weights" else (weights.shape[1], 1)

    def title(self, network: Network) -> str:
        rows, columns = self.shape(network)
        if self.kind == "weights":
            return f"W{self.layer} ({rows}×{columns})"
        if self.kind == "bias":
            return f"b{self.layer} ({rows})"
        return f"input x ({rows})"

    def heading(self, network: Network) -> str:
        """The line above the table: 'W2 (4×2) · row = from, column = to', 'b2 (2)', 'input x (3)'."""
        title = self.title(network)
        return f"{title} · row = from, column = to" if self.kind == "weights" else title

    def row_header(self, network: Network) -> str:
        """What the rows are, for the index column's header: 'from Hidden 1' down a weight
        matrix's rows; a bias's or the input's rows are the neurons of its own layer."""
        if self.kind == "weights":
            return f"from {network.layer_title(self.layer - 1)}"
        return network.layer_title(self.layer)

    def column_header(self, network: Network) -> str | None:
        """What a weight matrix's columns are: 'to Output'; None for a one-column table."""
        return f"to {network.layer_title(self.layer)}" if self.kind == "weights" else None

    def frame(self, network: Network) -> pd.DataFrame:
        """Weights: (n_in rows IN1../N1.., n_out columns N1..); bias: (n_out rows, column b);
        input: (N0 rows IN1.., column x). Float columns, read from the network's arrays."""
        if self.kind == "input":
            return pd.DataFrame({INPUT_COLUMN: network.input_values}, index=_names(0, network.input_size))
        layer = network.layers[self.layer - 1]
        if self.kind == "bias":
            return pd.DataFrame({BIAS_COLUMN: layer.bias}, index=_names(self.layer, layer.size))
        return pd.DataFrame(
            layer.weights, index=_names(self.layer - 1, layer.n_in), columns=_names(self.layer, layer.size)
        )

    def cell_name(self, network: Network, row: int, column: int) -> str:
        """'W1[2,3] (IN2 → N3)', 'b1[2] (N2)', 'input IN3' — row and column 0-based."""
        if self.kind == "weights":
            source, target = neuron_name(self.layer - 1, row), neuron_name(self.layer, column)
            return f"{weight_name(self.layer, row, column)} ({source} → {target})"
        if self.kind == "bias":
            return f"b{self.layer}[{row + 1}] ({neuron_name(self.layer, row)})"
        return f"input {neuron_name(0, row)}"

    def array(self, network: Network) -> np.ndarray:
        """The array this table shows, as a 2-D view: (rows, columns)."""
        if self.kind == "input":
            return network.input_values[:, None]
        layer = network.layers[self.layer - 1]
        return layer.weights if self.kind == "weights" else layer.bias[:, None]

    def with_array(self, network: Network, values: np.ndarray) -> Network:
        if self.kind == "input":
            return network.with_input(values[:, 0])
        if self.kind == "bias":
            return network.with_layer(self.layer, bias=values[:, 0])
        return network.with_layer(self.layer, weights=values)


def _names(position: int, count: int) -> list[str]:
    return [neuron_name(position, i) for i in range(count)]


@dataclass(frozen=True, eq=False)
class Fold:
    """The outcome of folding one editor's edits: the new network, the cells changed, one
    message per refused cell, and one note per cell read other than plainly (a decimal comma)."""

    network: Network
    changed: tuple[str, ...]
    errors: tuple[str, ...]
    notes: tuple[str, ...] = ()


def fold_edits(network: Network, table: Table, edited_rows: Mapping[Any, Mapping[str, Any]]) -> Fold:
    """Apply ``edited_rows`` ({row position: {column name: new value}}) to ``table`` once."""
    columns = {name: j for j, name in enumerate(table.frame(network).columns)}
    current = table.array(network)
    values = np.array(current)
    changed, errors, notes = [], [], []
    for row_key, cells in edited_rows.items():
        try:  # the grid sends row numbers and {column: value}; a hostile client may send anything
            row = int(row_key)
        except (TypeError, ValueError):
            row = -1
        if row < 0 or not isinstance(cells, Mapping):
            errors.append(f"{table.title(network)}: no row {str(row_key)[:20]!r} with cells")
            continue
        for column_name, raw in cells.items():
            column = columns.get(column_name)
            if column is None or not 0 <= row < values.shape[0]:
                errors.append(f"{table.title(network)}: no cell at row {row + 1}, column {str(column_name)[:20]!r}")
                continue
            name = table.cell_name(network, row, column)
            try:
                value, note = parse_cell(raw)
            except ValueError as error:
                errors.append(f"{name}: {error}; it keeps its value {number(current[row, column])}")
                continue
            if note:
                notes.append(f"{name}: {note}")
            if value != values[row, column] or math.copysign(1, value) != math.copysign(1, values[row, column]):
                values[row, column] = value
                changed.append(name)
    if not changed:
        return Fold(network, (), tuple(errors), tuple(notes))
    return Fold(table.with_array(network, values), tuple(changed), tuple(errors), tuple(notes))


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table with every number written as text ('%.6g': 0.13, -1.5e-07, 9), for
    text-column editors: the grid then sends back exactly what was typed."""
    return pd.DataFrame(_written(frame.to_numpy(dtype=float)), index=frame.index, columns=frame.columns)


def _written(values: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda value: f"{value:.6g}", otypes=[object])(values)


@cache.shared(cache.LAYER_TEXT)
def _layer_text(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """(weights, bias) of ``layer`` as text, once per Layer object (Layer hashes by identity):
    an edit keeps the layers it did not touch, and a preset's layers are shared by every session."""
    return _written(layer.weights), _written(layer.bias)


def text_frame(table: Table, network: Network) -> pd.DataFrame:
    """``as_text(table.frame(network))``, with a layer's text written only once."""
    if table.kind == "input":
        return as_text(table.frame(network))
    frame = table.frame(network)
    weights, bias = _layer_text(network.layers[table.layer - 1])
    return pd.DataFrame(weights if table.kind == "weights" else bias[:, None], index=frame.index, columns=frame.columns)


def parse_cell(raw: Any) -> tuple[float, str]:
    """(a finite float, a note on how it was read or '') from what the grid sent; ValueError
    saying why not. Text is read by mlpsim's one number rule (numbertext): the decimal comma
    is accepted with a note, as on the Workshop page."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError("empty cell")
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a number")
    if isinstance(raw, (int, float, np.integer, np.floating)):
        try:
            value = float(raw)
        except OverflowError:  # a JSON integer literal of hundreds of digits
            raise ValueError(f"a number too large (beyond {LARGEST_TEXT})") from None
        if not math.isfinite(value):
            raise ValueError(f"{str(raw)[:40]!r} is not a finite number (the limit is {LARGEST_TEXT})")
        return value, ""
    if isinstance(raw, str):
        read = read_number(raw)
        if read.value is None:
            raise ValueError(read.message)
        return read.value, read.message
    raise ValueError(f"{type(raw).__name__} is not a number")


def values_frame(network: Network, result: ForwardResult, layer: int) -> pd.DataFrame:
    """z and a of weighted layer ``layer`` (1-based): (M rows N1.., columns z, a)."""
    size = network.layers[layer - 1].size
    return pd.DataFrame({"z": result.z[layer - 1], "a": result.a[layer - 1]}, index=_names(layer, size))


def layer_input_frame(network: Network, result: ForwardResult, layer: int) -> pd.DataFrame:
    """What weighted layer ``layer`` (1-based, 2 or more) takes in: the a of the layer before it,
    (n_in rows N1.., column a)."""
    position = layer - 1
    return pd.DataFrame({"a": result.values(position)}, index=_names(position, network.layer_sizes[position]))


def layer_input_heading(network: Network, layer: int) -> str:
    """'x = a of Hidden 1 (4)': the input of weighted layer ``layer`` (1-based, 2 or more)."""
    position = layer - 1
    return f"x = a of {network.layer_title(position)} ({network.layer_sizes[position]})"
