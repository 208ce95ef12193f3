"""Every session-state key the app uses, declared once, with accessors for the shared ones."""

from __future__ import annotations

import streamlit as st

from mlpsim.network import Network
from mlpsim.presets import PRESETS

NETWORK = "network"
"""The current mlpsim Network: the single source of truth for weights, biases and input."""


# ---- Simulator page (ui/simulator.py and the modules it uses) -------------------------------
SOURCE = "source"
"""Name of the starting point the current network came from (a preset name or 'Random network')."""
SOURCE_NETWORKS = "source_networks"
"""dict: starting-point name → the user's network for it, so switching back restores edits."""
GENERATION = "generation"
"""int, bumped whenever the network is replaced; part of every table editor's key so an editor
never carries recorded edits over to a different network of the same shape."""
TABLE_FOLDS = "table_folds"
"""dict: Table → how many times its edits were folded; part of its editor's key, so an editor's
recorded edits are dropped once folded while the other editors keep their keys."""
NOTICES = "notices"
"""list of (kind, text): what the last action did or refused, shown once on the next run."""
SELECTED_NEURON = "selected_neuron"
"""(position, index0) of the neuron whose arithmetic is shown (position 0 = input), or None."""
APPLIED_UPLOAD = "applied_upload"
"""file_id of the last uploaded file applied: an upload is applied once (streamlit#7097)."""
APPLIED_LINK = "applied_link"
"""(?net= text, ?preset= name) last applied or written to the address by the app itself, so an
address is opened once, not on every rerun; a different one (the browser's Back) is opened."""
CHANGED_BY_WIDGET = "changed_by_widget"
"""True from a change (a widget's callback) until the run has read or written the address: an
address arriving with such a run is the one the browser had before the change (a rerun asked
for before the app's new address reached it), not a Back navigation, and is not opened."""
HISTORY = "history"
"""ui.history.History: the snapshots Undo and Redo go back and forward to."""
LINK_MEMO = "link_memo"
"""(network, share-link text or the reason there is none): encoded once per network."""
SIDEBAR_GENERATION = "sidebar_generation"
"""The GENERATION the sidebar was last drawn for: a workbench rerun that finds another one
(a file opened there) reruns the whole page."""
SOURCE_SELECT = "source_select"
RANDOM_SIZES = "random_sizes"
RANDOM_ACTIVATION = "random_activation"
RANDOM_INITIALIZER = "random_initializer"
RANDOM_SEED = "random_seed"
UNDO = "undo"
REDO = "redo"
RESET = "reset"
NEW_LAYER_SIZE = "new_layer_size"
LAYER_SIZE_PREFIX = "layer_size:"
LAYER_ACTIVATION_PREFIX = "layer_activation:"
REMOVE_LAYER_PREFIX = "remove_layer:"
EDGE_VALUES = "edge_values"
TABLE_LAYER = "table_layer"
NEURON_SELECT = "neuron_select"
UPLOAD = "upload"
KEEP_DOWNLOAD = "keep_download"
"""Button: download a network too big for the address bar, which a reload would lose."""
SAVE_SHARE_OPEN = "save_share_open"
MATRIX_FORM_OPEN = "matrix_form_open"
DIAGRAM = "diagram"
DIGIT_TEST_IMAGE = "digit_test_image"
DIGIT_BRUSH = "digit_brush"
DIGIT_CLEAR = "digit_clear"
DIGIT_OUTPUTS = "digit_outputs"
DIGIT_WEIGHTS = "digit_weights"
DIGIT_CANVAS_PREFIX = "digit_canvas:"
"""Widgets of the digit view (ui/digits.py); the drawing chart is prefix + DIGIT_CANVAS_ROUND."""
DIGIT_CANVAS_ROUND = "digit_canvas_round"
"""int, bumped after each stroke: the drawing chart gets a new key, so its selection is empty."""
EDITOR_PREFIX = "editor:"
"""Widgets. Per-layer inputs are prefix + position; editors are prefix + table + shape + generation."""

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
"""dict: blank id → mlpsim.exercises.ScoredAnswer, the last scored check of every answer box."""
WORKSHOP_CHECKED = "workshop_checked"
"""dict: blank id → the answer text that was last checked (feedback is shown for it)."""
WORKSHOP_HINTS = "workshop_hints"
"""dict: question code → how many rungs of its hint ladder are revealed."""
WORKSHOP_SOLUTIONS = "workshop_solutions"
"""set of question codes whose full worked solution is revealed."""
WORKSHOP_ANSWER_PREFIX = "workshop_answer:"
"""Widget keys of the answer boxes: prefix + exercise key + blank id."""
WORKSHOP_QUESTION_FORM_PREFIX = "workshop_question_form:"
WORKSHOP_HINT_PREFIX = "workshop_hint:"
WORKSHOP_SOLUTION_PREFIX = "workshop_solution:"
"""Per question (prefix + exercise key + question code): its answer form, Hint and Solution buttons."""
WORKSHOP_NEW_SEED = "workshop_new_seed"
"""Button: draw a new random seed for the exercise."""
WORKSHOP_OPEN_IN_SIMULATOR = "workshop_open_in_simulator"
"""Button: make the exercise's network the current network (not shown when locked)."""
WORKSHOP_FORM_SEED = "workshop_form_seed"
WORKSHOP_FORM_DIFFICULTY = "workshop_form_difficulty"
WORKSHOP_FORM_ASK = "workshop_form_ask"
WORKSHOP_FORM_LOCK = "workshop_form_lock"
WORKSHOP_FORM_SOLUTIONS = "workshop_form_solutions"
"""Widgets of the instructor's exercise generator (seed, difficulty, questions, lock, solutions)."""
WORKSHOP_MAKE_ROOM = "workshop_make_room"
"""Button: make a room that collects the learners' results for the current exercise."""
WORKSHOP_ROOM_REQUEST = "workshop_room_request"
"""The ExerciseSpec the instructor asked a room for; the script makes the room and drops this."""
WORKSHOP_ROOMS = "workshop_rooms"
"""dict: ExerciseSpec (without room) → mlpsim.roomresults.TeacherRoom made in this session."""
WORKSHOP_ROOM_STATUS = "workshop_room_status"
"""Why this learner's results are not sent to the room (closed, unknown, no database), or absent."""
WORKSHOP_LEARNER_ID = "workshop_learner_id"
"""This session's random learner id in a room (anonymous: it names no one)."""
WORKSHOP_LEARNER_NAME = "workshop_learner_name"
"""Widget: the name a learner may type for the teacher's results."""
WORKSHOP_ROOM_SENT = "workshop_room_sent"
"""(room, name, results) last sent to the room, so an unchanged rerun writes nothing."""
WORKSHOP_SHEET_COUNT = "workshop_sheet_count"
"""Widget: exercises on a downloadable worksheet."""

# ---- Room results page (ui/room_results.py) ---------------------------------------------------
ROOM_RESULTS_DOWNLOAD = "room_results_download"
"""Download button of the results CSV."""


def current_network() -> Network:
    if NETWORK not in st.session_state:
        # The first preset's shared object, not a copy: it is then "the preset as it ships"
        # (its address is its name, Reset has nothing to do).
        st.session_state[NETWORK] = next(iter(PRESETS.values()))()
    return st.session_state[NETWORK]


def set_network(network: Network) -> None:
    st.session_state[NETWORK] = network
