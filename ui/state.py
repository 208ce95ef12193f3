"""Every session-state key the app uses, declared once, with accessors for the shared ones."""

from __future__ import annotations

import streamlit as st

from mlpsim.network import Network
from mlpsim.presets import seed_example

NETWORK = "network"
"""The current mlpsim Network: the single source of truth for weights, biases and input."""


# ---- Workshop page (ui/workshop.py) ---------------------------------------------------------
WORKSHOP_MODE = "workshop_mode"
"""Widget: which part of the Workshop page is shown (step-through, exercise, worksheet)."""
WORKSHOP_STEP = "workshop_step"
"""Widget (slider): the step-through position, 0 = only the input known."""
WORKSHOP_EXERCISE = "workshop_exercise"
"""The current mlpsim.exercises.ExerciseSpec (seed, difficulty, questions, lock), or absent."""
WORKSHOP_LINK_SEEN = "workshop_link_seen"
"""The query string the exercise was last loaded from, so a link is applied once, not every rerun."""
WORKSHOP_LOCKED = "workshop_locked"
"""True while a locked exercise link is open: editing controls must not be shown."""
WORKSHOP_SCORE = "workshop_score"
"""dict: blank id → True/False, the last checked result of every answer box this session."""
WORKSHOP_CHECKED = "workshop_checked"
"""dict: blank id → the answer text that was last checked (feedback is shown for it)."""
WORKSHOP_HINTS = "workshop_hints"
"""dict: question code → how many hint steps are revealed."""
WORKSHOP_SOLUTIONS = "workshop_solutions"
"""set of question codes whose full worked solution is revealed."""
WORKSHOP_ANSWER_PREFIX = "workshop_answer:"
"""Widget keys of the answer boxes: prefix + exercise key + blank id."""
WORKSHOP_FORM_SEED = "workshop_form_seed"
WORKSHOP_FORM_DIFFICULTY = "workshop_form_difficulty"
WORKSHOP_FORM_ASK = "workshop_form_ask"
WORKSHOP_FORM_LOCK = "workshop_form_lock"
"""Widgets of the instructor's exercise generator (seed, difficulty, questions, lock)."""
WORKSHOP_SHEET_COUNT = "workshop_sheet_count"
"""Widget: exercises on a downloadable worksheet."""


def current_network() -> Network:
    if NETWORK not in st.session_state:
        st.session_state[NETWORK] = seed_example()
    return st.session_state[NETWORK]


def set_network(network: Network) -> None:
    st.session_state[NETWORK] = network
