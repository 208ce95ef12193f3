"""One value set by typing it as the article writes it: ``W1[2,3] = 0.5``, ``b2[1] = -0.3``,
``IN2 = 1`` — the keyboard path to every weight, bias and input.

Pure: ``parse_assignment`` names the cell (checked against the network's shape) and returns the
value as the text typed after ``=``; the caller turns that text into a number with the same rule
as a table cell, so both paths accept and refuse the same numbers. Cells are 1-based in the
text, as the article counts; the result is 0-based.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mlpsim.core.errors import ValidationError
from mlpsim.core.network import Network, neuron_name

CellKind = Literal["weights", "bias", "input"]
EXAMPLES = "W1[2,3] = 0.5, b2[1] = -0.3 or IN2 = 1"
MAX_QUOTED = 40
"""Longest piece of the typed text repeated in a message."""

_WEIGHT = re.compile(r"w\s*(\d{1,9})\s*\[\s*(\d{1,9})\s*,\s*(\d{1,9})\s*\]", re.IGNORECASE)
_BIAS = re.compile(r"b\s*(\d{1,9})\s*\[\s*(\d{1,9})\s*\]", re.IGNORECASE)
_INPUT = re.compile(r"in\s*(\d{1,9})", re.IGNORECASE)


@dataclass(frozen=True)
class Assignment:
    """A cell and the text of its new value.

    kind: which array — a weight matrix, a bias vector or the input values.
    position: the layer the cell belongs to (0 = input; W_k and b_k belong to position k).
    row, column: 0-based; a weight's row is its source neuron in position - 1, its column the
        target neuron in position; a bias's or input's row is its neuron, column 0.
    value_text: what was typed after '=', stripped.
    """

    kind: CellKind
    position: int
    row: int
    column: int
    value_text: str

    @property
    def cell(self) -> str:
        """The cell as the article writes it: 'W1[2,3]', 'b2[1]', 'IN2'."""
        if self.kind == "weights":
            return f"W{self.position}[{self.row + 1},{self.column + 1}]"
        if self.kind == "bias":
            return f"b{self.position}[{self.row + 1}]"
        return neuron_name(0, self.row)


def parse_assignment(text: str, network: Network) -> Assignment:
    """The cell ``text`` sets in ``network`` and the value's text; ValidationError saying what is
    wrong (no '=', not a cell, a layer or neuron the network does not have)."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(f"Type a cell, '=' and a number, e.g. {EXAMPLES}.")
    target, equals, value_text = text.partition("=")
    if not equals:
        raise ValidationError(f"{_quoted(text)} has no '=': write the cell, '=' and the number, e.g. {EXAMPLES}.")
    target = target.strip().replace(" ", "")
    if match := _WEIGHT.fullmatch(target):
        position, row, column = (int(group) for group in match.groups())
        _check_weight(network, position, row, column)
        return Assignment("weights", position, row - 1, column - 1, value_text.strip())
    if match := _BIAS.fullmatch(target):
        position, row = (int(group) for group in match.groups())
        _check_bias(network, position, row)
        return Assignment("bias", position, row - 1, 0, value_text.strip())
    if match := _INPUT.fullmatch(target):
        row = int(match.group(1))
        _check_index(row, network.input_size, f"IN{row}", f"the input has {_count(network, 0)}")
        return Assignment("input", 0, row - 1, 0, value_text.strip())
    raise ValidationError(
        f"{_quoted(target)} is not a cell: write Wk[i,j] for the weight from neuron i to neuron j of "
        f"matrix k, bk[j] for a bias, or INi for an input, e.g. {EXAMPLES}."
    )


def _check_layer(network: Network, position: int, name: str) -> None:
    count = len(network.layers)
    if not 1 <= position <= count:
        have = "W1" if count == 1 else f"W1 to W{count}"
        raise ValidationError(f"{name}: this network has {have} and b1{'' if count == 1 else f' to b{count}'}.")


def _check_weight(network: Network, position: int, row: int, column: int) -> None:
    name = f"W{position}[{row},{column}]"
    _check_layer(network, position, name)
    _check_index(
        row,
        network.layer_sizes[position - 1],
        name,
        f"W{position} has {_counted(network.layer_sizes[position - 1], 'row')}, from {_count(network, position - 1)}",
    )
    _check_index(
        column,
        network.layer_sizes[position],
        name,
        f"W{position} has {_counted(network.layer_sizes[position], 'column')}, to {_count(network, position)}",
    )


def _check_bias(network: Network, position: int, row: int) -> None:
    name = f"b{position}[{row}]"
    _check_layer(network, position, name)
    _check_index(
        row,
        network.layer_sizes[position],
        name,
        f"b{position} has {_counted(network.layer_sizes[position], 'entry')}, for {_count(network, position)}",
    )


def _check_index(index: int, size: int, name: str, reason: str) -> None:
    if index == 0:
        raise ValidationError(f"{name}: cells are counted from 1, as in the article.")
    if index > size:
        raise ValidationError(f"{name}: {reason}.")


def _count(network: Network, position: int) -> str:
    """'Hidden 1 (N1 to N4)', 'Input (IN1 to IN3)', 'Output (N1)'."""
    size = network.layer_sizes[position]
    names = (
        neuron_name(position, 0) if size == 1 else f"{neuron_name(position, 0)} to {neuron_name(position, size - 1)}"
    )
    return f"{network.layer_title(position)} ({names})"


def _counted(count: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{count} {noun if count == 1 else plural}"


def _quoted(text: str) -> str:
    text = text.strip()
    return repr(text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1] + "…")
