"""Training data from a CSV file, checked strictly: either all of it loads or none of it does.

Layout: a header row, then one row per sample. The first N0 columns are the inputs (N0 = the
network's input size); then either M target columns (one per output neuron) or, for
classification, one column headed ``label`` holding the class as a whole number (0..M−1 for M
outputs, 0 or 1 for a single output). Target columns that are all 0/1 with one 1 per row (or a
single 0/1 column) also count as classification, so accuracy is reported.

Refused, with the row (1 = the header) and column (1-based) named: text that is not UTF-8,
cells that are empty or not plain decimal numbers (``1,5``, ``nan``, ``inf``, ``1_000``),
numbers beyond the floating-point range, rows with too few or too many cells, a header that does
not fit the network, more rows than ``Limits.max_data_rows`` or more bytes than
``Limits.max_data_bytes``.
"""

from __future__ import annotations

import csv
import io
import math
import re

import numpy as np

from mlpsim.core.errors import ValidationError
from mlpsim.core.limits import DEFAULT_LIMITS, Limits
from mlpsim.core.network import Network
from mlpsim.data.datasets import Dataset

LABEL_COLUMN = "label"
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def load_csv(data: bytes, name: str, network: Network, limits: Limits = DEFAULT_LIMITS) -> Dataset:
    """The rows of ``data`` (the file's bytes; ``name`` is used in messages) for ``network``."""
    if len(data) > limits.max_data_bytes:
        raise ValidationError(f"{name}: {len(data):,} bytes; the limit is {limits.max_data_bytes:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValidationError(f"{name}: row {line} is not UTF-8 text (byte {error.start + 1})") from None
    try:
        return _parse(csv.reader(io.StringIO(text, newline="")), name, network, limits)
    except csv.Error as error:
        raise ValidationError(f"{name}: not a readable CSV file ({error})") from None


def _parse(rows, name: str, network: Network, limits: Limits) -> Dataset:
    header = next(rows, None)
    if header is None:
        raise ValidationError(f"{name}: the file is empty; expected a header row and data rows")
    n_in, n_out = network.input_size, network.layers[-1].size
    header = [cell.strip() for cell in header]
    labelled = len(header) == n_in + 1 and header[-1].lower() == LABEL_COLUMN
    if not labelled and len(header) != n_in + n_out:
        raise ValidationError(
            f"{name}: the header has {len(header)} columns; the network needs {n_in} input columns followed by "
            f"{n_out} target column(s), or by one '{LABEL_COLUMN}' column"
        )
    width = len(header)
    values: list[list[float]] = []
    for row_number, row in enumerate(rows, start=2):
        if not row:
            continue  # a blank line (a trailing newline, say) is not a row
        if len(values) >= limits.max_data_rows:
            raise ValidationError(
                f"{name}: more than {limits.max_data_rows:,} data rows; the limit is {limits.max_data_rows:,}"
            )
        if len(row) != width:
            raise ValidationError(f"{name}: row {row_number} has {len(row)} cells; the header has {width}")
        values.append([_number(cell, name, row_number, column, header) for column, cell in enumerate(row, start=1)])
    if not values:
        raise ValidationError(f"{name}: no data rows after the header")
    table = np.array(values)
    inputs = table[:, :n_in]
    if labelled:
        classes, class_count = _labels(table[:, n_in], name, n_out, header)
        return Dataset(name, f"{len(table)} rows from {name}", inputs, classes, class_count=class_count)
    targets = table[:, n_in:]
    labels, class_count = _labels_from_targets(targets)
    return Dataset(name, f"{len(table)} rows from {name}", inputs, labels, targets, class_count=class_count)


def _number(cell: str, name: str, row: int, column: int, header: list[str]) -> float:
    text = cell.strip()
    where = f"{name}: row {row}, column {column} ({header[column - 1] or 'unnamed'})"
    if not text:
        raise ValidationError(f"{where} is empty; every cell needs a number")
    if not _DECIMAL.fullmatch(text):
        hint = " (write decimals with a point, and quote nothing)" if "," in text or '"' in text else ""
        raise ValidationError(f"{where}: {text[:40]!r} is not a number{hint}")
    value = float(text)
    if not math.isfinite(value):
        raise ValidationError(f"{where}: {text[:40]!r} is beyond the floating-point range (±1.8e308)")
    return value


def _labels(column: np.ndarray, name: str, n_out: int, header: list[str]) -> tuple[np.ndarray, int]:
    class_count = 2 if n_out == 1 else n_out
    for row, value in enumerate(column, start=2):
        if not (value == int(value) and 0 <= value < class_count):
            raise ValidationError(
                f"{name}: row {row}, column {len(header)} ({LABEL_COLUMN}): {value:g} is not a class; "
                f"expected a whole number from 0 to {class_count - 1} for a network with {n_out} output(s)"
            )
    return column.astype(int), class_count


def _labels_from_targets(targets: np.ndarray) -> tuple[np.ndarray | None, int]:
    """Class indices when the targets are 0/1 class markers (one 1 per row, or one 0/1 column)."""
    if not np.isin(targets, (0.0, 1.0)).all():
        return None, 0
    if targets.shape[1] == 1:
        return targets[:, 0].astype(int), 2
    if (targets.sum(axis=1) == 1).all():
        return np.argmax(targets, axis=1), targets.shape[1]
    return None, 0
