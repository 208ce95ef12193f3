"""Answer boxes and answer checking: how a typed answer is read, the tolerance stated to the
learner, and the feedback.

Tolerance (stated to the learner): an answer is right when it is within what writing it to 2
decimal places allows (0.005) — for a sigmoid or tanh value, 3 significant figures (half a unit
in the third) — plus the most that carrying every earlier product, z and a rounded to 4 decimals
can move it (``carried`` on each Blank, bounded by mlpsim.workshop.topics.forward.carrying; 0 when every earlier
value is exact at 4 decimals, as every hidden value on easy and medium sheets is).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlpsim.core.numbertext import number, read_number

ROUNDING_TOLERANCE = 0.005
"""Half a unit in the second decimal place: an answer rounded to 2 decimals is accepted."""
SIGNIFICANT_FIGURES = 3
"""Sigmoid and tanh values are checked to this many significant figures."""
CARRY_TEXT = (
    "Carry every product, z and a to the next step with 4 decimal places (or exactly); round only "
    "what you write in a box."
)
ANSWER_TEXT = (
    "An answer is right to 2 decimal places (for 1.254, both 1.25 and 1.254 are right, 1.3 is not); "
    "a sigmoid or tanh value to 3 significant figures (0.731 for 0.73106, not 0.73). Where carrying "
    "4 decimals can change an answer, that much more is accepted."
)
TOLERANCE_TEXT = f"{CARRY_TEXT} {ANSWER_TEXT} A decimal comma (1,5) is read as 1.5, and you are told when it is."


@dataclass(frozen=True)
class Blank:
    """One answer box. ``id`` is unique within the exercise (e.g. 'L1.2' for layer 1, neuron 2)."""

    id: str
    label: str
    expected: float
    curved: bool
    """True when the value is checked to 3 significant figures: a sigmoid or tanh output, and
    every answer of a backprop exercise."""
    carried: float = 0.0
    """The most a learner's value can differ from ``expected`` when every earlier product, z and
    a was carried rounded to CARRIED_DECIMALS (see carried_errors): added to the tolerance."""


@dataclass(frozen=True)
class ParsedAnswer:
    value: float | None
    message: str
    """Why the text is not a number (value None), or a note on how it was read ('' if plainly)."""


def parse_answer(text: str) -> ParsedAnswer:
    """Read a typed answer by mlpsim's one number rule (numbertext.read_number): 1.5, -0.25, .5,
    1e-3, a Unicode minus, and a decimal comma (1,5 → 1.5, with a note saying so). Never raises."""
    shown = str(text).strip()
    if not shown:
        return ParsedAnswer(None, "Type a number here first (for example 0.25 or -1.5).")
    read = read_number(shown)
    if read.value is not None:
        return ParsedAnswer(
            read.value, f"Read “{shown}” as {number(read.value)} (decimal comma)." if read.message else ""
        )
    if shown.count(",") > 1:
        return ParsedAnswer(None, f"“{shown}” has more than one comma: type one number, like 1.5.")
    if "/" in shown:
        return ParsedAnswer(None, f"“{shown}” is a fraction: type it as a decimal, like 0.75.")
    if "beyond the largest number" in read.message:
        return ParsedAnswer(None, f"“{shown}” is too large to be an answer here.")
    return ParsedAnswer(None, f"“{shown}” is not a number: type digits 0-9, with a point for decimals, like -1.25.")


def tolerance(blank: Blank) -> float:
    """How far an answer may be from the exact value and still be right: what writing it allows
    (half a unit in the 2nd decimal, or in the 3rd significant figure of a sigmoid or tanh value)
    plus what carrying 4 decimals can have moved it."""
    if blank.curved and blank.expected != 0:
        # the learner rounds their own value, which can be up to ``carried`` larger in size
        exponent = math.floor(math.log10(abs(blank.expected) + blank.carried))
        return 0.5 * 10.0 ** (exponent - SIGNIFICANT_FIGURES + 1) + blank.carried
    return ROUNDING_TOLERANCE + blank.carried


def display_answer(blank: Blank) -> str:
    """The expected value as the learner should write it: 2 decimals, or 3 significant figures."""
    if blank.curved and blank.expected != 0:
        return f"{blank.expected:#.{SIGNIFICANT_FIGURES}g}".rstrip(".")  # 0.540, not 0.54
    return (
        number(round(blank.expected, 2) + 0.0)
        if abs(blank.expected - round(blank.expected, 2)) > 1e-12
        else number(blank.expected)
    )


@dataclass(frozen=True)
class Feedback:
    status: str
    """'right', 'wrong', 'close' (right to 2 decimals but a sigmoid/tanh value needs 3
    significant figures) or 'invalid' (not a number)."""
    message: str
    value: float | None

    @property
    def correct(self) -> bool:
        return self.status == "right"


def check_answer(blank: Blank, text: str) -> Feedback:
    """Check a typed answer against a blank, with the stated tolerance. Never raises."""
    parsed = parse_answer(text)
    if parsed.value is None:
        return Feedback("invalid", f"{blank.label}: {parsed.message}", None)
    note = f"{parsed.message} " if parsed.message else ""
    # a tiny relative slack so that 0.1 + 0.2-style float noise never rejects an exact answer
    slack = 1e-9 * max(1.0, abs(blank.expected))
    error = abs(parsed.value - blank.expected)
    if error <= tolerance(blank) + slack:
        return Feedback("right", f"{note}Right: {blank.label} = {display_answer(blank)}", parsed.value)
    if blank.curved and abs(parsed.value - round(blank.expected, 2)) <= slack:
        return Feedback(
            "close",
            f"{note}Close, but {blank.label} is checked to 3 significant figures: give 3.",
            parsed.value,
        )
    return Feedback("wrong", f"{note}Not quite: {number(parsed.value)} is not {blank.label}. Try a hint.", parsed.value)
