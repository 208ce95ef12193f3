"""Random edits of valid text, shared by the fuzz suites (file loader and share links)."""

from __future__ import annotations

import random
from collections.abc import Sequence


def mutated(
    text: str,
    rng: random.Random,
    alphabet: Sequence[str],
    edits: int,
    replace_below: float,
    insert_below: float,
    longest_cut: int,
) -> str:
    """``text`` after ``edits`` random edits at random places: with probability ``replace_below``
    a character is replaced by one from ``alphabet``, up to ``insert_below`` one is inserted,
    otherwise a run of 1..``longest_cut`` characters is cut out."""
    for _ in range(edits):
        position = rng.randrange(len(text) + 1)
        kind = rng.random()
        if kind < replace_below:
            text = text[:position] + rng.choice(alphabet) + text[position + 1 :]
        elif kind < insert_below:
            text = text[:position] + rng.choice(alphabet) + text[position:]
        else:
            text = text[:position] + text[position + rng.randint(1, longest_cut) :]
    return text
