"""Numbers as text: how mlpsim writes a number for a person (``number``), and how it reads one a
person typed (``read_number``) — one rule for the app's cells, the Workshop's answer boxes and the
command line.

Accepted: ASCII digits with an optional sign (the ASCII '-' or the Unicode minus '−'), a decimal
point, an exponent (1e-3), and a decimal comma (1,5 → 1.5, with a note saying so, where a comma
cannot mean anything else). Refused, although Python's float() takes them: '1_000', digits of
other scripts (Arabic-Indic '١', full-width '１'), 'nan', 'inf', and numbers beyond the largest
double, ±1.7976931348623157e308.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

LARGEST = sys.float_info.max
LARGEST_TEXT = "±1.7976931348623157e308"
"""The true limit of a double, as every out-of-range message states it."""

UNICODE_MINUS = "\u2212"
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]*,[0-9]+", re.ASCII)


def number(value: float) -> str:
    """A short, exact-looking rendering: 0.13, 9, -1.5e-07 (up to 6 significant digits)."""
    value = float(value)
    if value == 0:
        return "0"
    return f"{value:.6g}"


FIXED_POINT_RANGE = 1e15
"""Sums of numbers below this in size may be printed with more decimals to make them add up."""
MOST_DECIMALS = 17


@dataclass(frozen=True)
class SumText:
    """A sum as printed: the terms' texts, '=' or '≈', and the total's text. With '=' the
    printed terms, added exactly, give the printed total at its own precision; where no
    printing of up to MOST_DECIMALS decimals does, the total is marked '≈' and given in full
    (round-trip digits)."""

    terms: tuple[str, ...]
    relation: str
    total: str


def sum_text(values: Sequence[float], total: float) -> SumText:
    """The terms and total of ``total = Σ values`` printed so that the line adds up.

    First with number()'s 6 significant digits (how most lines read); where cancellation or
    rounding breaks that, every number with the same count of decimals, the fewest that work.
    """
    terms = [number(value) for value in values]
    if _adds_up(terms, number(total)):
        return SumText(tuple(terms), "=", number(total))
    if max(abs(float(value)) for value in (*values, total)) < FIXED_POINT_RANGE:
        # No number may be printed less precisely than number() prints it on its own.
        fewest = max(_decimals(number(value)) for value in (*values, total))
        for decimals in range(fewest, MOST_DECIMALS + 1):
            terms = [_fixed(value, decimals) for value in values]
            if _adds_up(terms, _fixed(total, decimals)):
                return SumText(tuple(terms), "=", _fixed(total, decimals))
    return SumText(tuple(number(value) for value in values), "≈", repr(float(total)))


def _adds_up(terms: Sequence[str], total: str) -> bool:
    """True when the printed terms, added exactly and rounded to the printed total's last
    digit, give the printed total: the line is right at its own precision (2e+10 + 0.13 =
    2e+10 is; -0.228735 + 0.228596 = -0.000138339 is not)."""
    printed_total = Decimal(total)
    exponent = printed_total.as_tuple().exponent
    if not isinstance(exponent, int):  # 'inf' or 'nan' has no last digit: no printing adds up to it
        return False
    exact = sum((Decimal(term) for term in terms), Decimal(0))
    return exact.quantize(Decimal(1).scaleb(exponent)) == printed_total


def _decimals(text: str) -> int:
    exponent = Decimal(text).as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def _fixed(value: float, decimals: int) -> str:
    """value with ``decimals`` decimals, trailing zeros dropped: 0.125000 → 0.125, 100 → 100,
    -0.0 → 0."""
    text = f"{float(value):.{decimals}f}"
    if "." in text:  # only decimals are trailing zeros: 100 stays 100
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class ReadNumber:
    """``value`` is None when the text is not a number; ``message`` then says why. Otherwise
    ``message`` is a note on how the text was read ('' when it was read plainly)."""

    value: float | None
    message: str


def read_number(text: str, decimal_comma: bool = True) -> ReadNumber:
    """Read one typed number by the rule above. Never raises.

    ``decimal_comma=False`` where a comma separates values (the command line's lists)."""
    shown = _shown(text)
    cleaned = str(text).strip().replace(UNICODE_MINUS, "-")
    if not cleaned:
        return ReadNumber(None, "empty: type a number, for example 0.25 or -1.5")
    note = ""
    if decimal_comma and _DECIMAL_COMMA.fullmatch(cleaned):
        cleaned = cleaned.replace(",", ".")
        note = f"read {shown} as {cleaned} (decimal comma)"
    if not _NUMBER.fullmatch(cleaned):
        return ReadNumber(None, f"{shown} is not a number{_why_not(cleaned)}")
    value = float(cleaned)
    if abs(value) > LARGEST:
        return ReadNumber(None, f"{shown} is beyond the largest number a double holds, {LARGEST_TEXT}")
    return ReadNumber(value, note)


def parse_number(text: str, decimal_comma: bool = True) -> float:
    """read_number's value, or ValueError with its message."""
    read = read_number(text, decimal_comma)
    if read.value is None:
        raise ValueError(read.message)
    return read.value


def _why_not(cleaned: str) -> str:
    if "_" in cleaned:
        return " (write it without '_': 1000, not 1_000)"
    if any(character.isdigit() and not character.isascii() for character in cleaned):
        return " (type its digits as 0-9)"
    if "," in cleaned:
        return " (one number, with a point for decimals: 1.5)"
    if "/" in cleaned:
        return " (type a fraction as a decimal, like 0.75)"
    if cleaned.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        return " (only finite numbers are allowed)"
    return " (digits 0-9, a point for decimals, an optional exponent: -1.25, 3e-4)"


def _shown(text: object) -> str:
    """The text quoted for a message: short, and with control characters escaped."""
    raw = str(text).strip()
    clipped = raw if len(raw) <= 40 else raw[:37] + "..."
    return repr(clipped)
