"""Every session-state key the app uses, declared once, with accessors for the shared ones."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from types import NoneType
from typing import Any, Literal

import streamlit as st

from mlpsim.core.network import Network
from mlpsim.io.presets import PRESETS
from mlpsim.training_run import DataChoice, Run, Settings
from mlpsim.workshop.exercise import ExerciseSpec
from ui.session.history import History

NETWORK = "network"
"""The current mlpsim Network: the single source of truth for weights, biases and input."""


# ---- Simulator page (ui/pages/simulator.py and the modules it uses) -------------------------------
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
"""ui.session.history.History: the snapshots Undo and Redo go back and forward to."""
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
KEYBOARD_EDIT = "keyboard_edit"
"""Widget: the box that sets one cell from its text ('W1[2,3] = 0.5'), the keyboard path."""
KEYBOARD_EDIT_OUTCOME = "keyboard_edit_outcome"
"""(kind, text): what the box's last entry did or why it was refused, shown once under it."""
DIGIT_TEST_IMAGE = "digit_test_image"
DIGIT_BRUSH = "digit_brush"
DIGIT_CLEAR = "digit_clear"
DIGIT_WEIGHTS = "digit_weights"
DIGIT_CANVAS = "digit_canvas"
"""Widgets of the digit view (ui/parts/digits.py); the drawing canvas is ui/parts/drawing_canvas.py."""
DIGIT_STROKES_APPLIED = "digit_strokes_applied"
"""int: the number of the last stroke drawn on the canvas that the network's input has taken."""
EDITOR_PREFIX = "editor:"
"""Widgets. Per-layer inputs are prefix + position; editors are prefix + table + shape + generation."""

# ---- Workshop page (ui/pages/workshop.py) ---------------------------------------------------------
WORKSHOP_MODE = "workshop_mode"
"""Widget: which part of the Workshop page is shown (step-through, exercise, worksheet)."""
WORKSHOP_STEP = "workshop_step"
"""Widget (slider): the step-through position, 0 = only the input known."""
WORKSHOP_EXERCISE = "workshop_exercise"
"""The current mlpsim.workshop.exercise.ExerciseSpec (seed, difficulty, questions, lock), or absent."""
WORKSHOP_LINK_SEEN = "workshop_link_seen"
"""The query string the exercise was last loaded from, so a link is applied once, not every rerun."""
WORKSHOP_LOCKED = "workshop_locked"
"""True while a locked exercise link is open: editing controls must not be shown."""
WORKSHOP_SCORE = "workshop_score"
"""dict: blank id → mlpsim.workshop.scoring.ScoredAnswer, the last scored check of every answer box."""
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
WORKSHOP_FORM_TOPIC = "workshop_form_topic"
WORKSHOP_FORM_SEED = "workshop_form_seed"
WORKSHOP_FORM_DIFFICULTY = "workshop_form_difficulty"
WORKSHOP_FORM_ASK = "workshop_form_ask"
WORKSHOP_FORM_LOCK = "workshop_form_lock"
WORKSHOP_FORM_SOLUTIONS = "workshop_form_solutions"
"""Widgets of the instructor's exercise generator (topic, seed, difficulty, questions, lock, solutions)."""
WORKSHOP_MAKE_ROOM = "workshop_make_room"
"""Button: make a room that collects the learners' results for the current exercise."""
WORKSHOP_ROOM_REQUEST = "workshop_room_request"
"""The ExerciseSpec the instructor asked a room for; the script makes the room and drops this."""
WORKSHOP_ROOMS = "workshop_rooms"
"""dict: ExerciseSpec (without room) → mlpsim.workshop.roomresults.TeacherRoom made in this session."""
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
WORKSHOP_BACKWARD_STEP = "workshop_backward_step"
"""Bound (slider): the backward step-through position, 0 = the loss."""
WORKSHOP_BACKWARD_PREVIOUS = "workshop_backward_previous"
WORKSHOP_BACKWARD_NEXT = "workshop_backward_next"
WORKSHOP_BACKWARD_RESET = "workshop_backward_reset"
"""Buttons of the backward step-through (ui/parts/workshop_backward.py)."""
WORKSHOP_TARGET_PREFIX = "workshop_target:"
"""Widgets: the backward step-through's target, prefix + output size + ':' + output index0."""
WORKSHOP_LOSS = "workshop_loss"
WORKSHOP_LEARNING_RATE = "workshop_learning_rate"
"""Bound: the backward step-through's loss and learning rate η (kept across a mode switch)."""

# ---- Room results page (ui/pages/room_results.py) ---------------------------------------------------
ROOM_RESULTS_DOWNLOAD = "room_results_download"
"""Download button of the results CSV."""


def current_network() -> Network:
    network: Network = value(NETWORK)
    return network


def set_network(network: Network) -> None:
    st.session_state[NETWORK] = network


# ---- Train page (ui/pages/train.py and the modules it uses) --------------------------------------
# Values that must survive a switch to another page are kept under non-widget keys (a widget
# not drawn in a run loses its entry); the widgets are filled from them on each visit.
TRAIN_RUN = "train_run"
"""The mlpsim.training_run.Run being trained (its network is the session's NETWORK while current)."""
TRAIN_RUN_DATA = "train_run_data"
"""The TRAIN_PREPARED key the run was started for: other data starts a new run."""
TRAIN_UNDO = "train_undo"
"""list of Runs before each Step, Epoch, Play and Reset (newest last, at most UNDO_DEPTH)."""
TRAIN_ACTION = "train_action"
"""The control just pressed ('step', 'epoch', 'play', 'reset', 'undo'), done by the next run."""
TRAIN_ADDRESS = "train_address"
"""The Train page's address last opened or written by the app ((name, value) pairs): never reopened."""
TRAIN_ADDRESS_STALE = "train_address_stale"
"""Set by a Train page callback that changed the page: the address that run brings is older."""
TRAIN_PLAYING = "train_playing"
"""True while Play runs: the live fragment reruns on a timer."""
TRAIN_DATA = "train_data"
"""The mlpsim.training_run.DataChoice of the built-in dataset."""
TRAIN_SETTINGS = "train_settings"
"""The mlpsim.training_run.Settings (loss, optimiser, rate, batch, L1/L2, epochs per frame)."""
TRAIN_UPLOADED = "train_uploaded"
"""(file_id, Dataset) of the CSV file applied, or absent: an upload is parsed once per file."""
TRAIN_OWN_NETWORK = "train_own_network"
"""The network the Train page built for its data (a DatasetSpec's default network), while it is
the session's network untrained: choosing other data replaces it by that data's own."""
TRAIN_PREPARED = "train_prepared"
"""(key, Prepared): the data made into rows for the current network's shape, reused while the
data and the network's input/output shape stay the same."""
TRAIN_STOP = "train_stop"
"""The last divergence message (shown until the next action), or None."""
TRAIN_DIAGRAM_SHOWN = "train_diagram_shown"
"""(time, network, figure) of the diagram last drawn while playing: redrawn at most every
DIAGRAM_SECONDS."""
TRAIN_NEURON_CLICKED = "train_neuron_clicked"
"""True after a click on the diagram (inside the live fragment): the whole page reruns."""
TRAIN_SAMPLE = "train_sample"
TRAIN_STEP_LAYER = "train_step_layer"
TRAIN_NEURON = "train_neuron"
TRAIN_WEIGHT_ROW = "train_weight_row"
"""The one-step panel's sample (1-based row of the training part: a row of the next Step's
mini-batch, worked out neuron by neuron), layer, neuron (position, index0) and weight row
(0-based source) — kept across visits."""
TRAIN_DATASET_SELECT = "train_dataset_select"
TRAIN_POINTS = "train_points"
TRAIN_NOISE = "train_noise"
TRAIN_TEST_PERCENT = "train_test_percent"
TRAIN_SEED = "train_seed"
TRAIN_UPLOAD = "train_upload"
TRAIN_LOSS = "train_loss"
TRAIN_OPTIMIZER = "train_optimizer"
TRAIN_LEARNING_RATE = "train_learning_rate"
TRAIN_BATCH_SIZE = "train_batch_size"
TRAIN_L1 = "train_l1"
TRAIN_L2 = "train_l2"
TRAIN_EPOCHS_PER_FRAME = "train_epochs_per_frame"
TRAIN_SAMPLE_INPUT = "train_sample_input"
TRAIN_LAYER_INPUT = "train_layer_input"
TRAIN_NEURON_INPUT = "train_neuron_input"
TRAIN_WEIGHT_INPUT = "train_weight_input"
TRAIN_DIAGRAM = "train_diagram"
TRAIN_SAVE_OPEN = "train_save_open"
TRAIN_PREVIEW_OPEN = "train_preview_open"
TRAIN_MATRIX_FORM_OPEN = "train_matrix_form_open"
TRAIN_ROW_GRADIENTS_OPEN = "train_row_gradients_open"
"""Widgets of the Train page."""
TRUTH_TABLE_OPEN = "truth_table_open"
TRUTH_TABLE_GATE = "truth_table_gate"
"""Widgets of the Simulator's truth-table view (ui/parts/truth_table.py)."""


# ---- The table: every key's type and default, declared once ----------------------------------


Role = Literal["value", "bound", "widget"]


@dataclass(frozen=True)
class Entry:
    """One session-state entry: the type its value always has and how its default is made (a
    function, so that each session gets its own dict or list), and its role:

    - "value": no widget has this key.
    - "bound": a widget shows the value, under ``widget_key(key)``, filled from it on every run
      (``bound(key)``); the value itself is under a key no widget owns, so it survives a run that
      does not draw the widget (another page, another mode), which Streamlit's widget keys do not.
    - "widget": the widget's own key, given its default whenever it is missing (values that may
      start afresh when the widget comes back, like the random-network form)."""

    kind: type | tuple[type, ...]
    default: Callable[[], Any]
    role: Role = "value"


def _first_preset() -> Network:
    # The first preset's shared object, not a copy: every new session holds the same object (so
    # the cross-session caches, keyed by network object, gain no entry per visitor); it is then
    # "the preset as it ships" (its address is its name, Reset has nothing to do).
    return next(iter(PRESETS.values()))()


def is_first_preset(network: Network) -> bool:
    """``network`` is the Simulator's first preset as it ships (no session has edited it)."""
    return network is _first_preset()


TABLE: dict[str, Entry] = {
    NETWORK: Entry(Network, _first_preset),
    # Simulator
    SOURCE: Entry(str, lambda: next(iter(PRESETS))),
    SOURCE_NETWORKS: Entry(dict, dict),
    GENERATION: Entry(int, lambda: 0),
    TABLE_FOLDS: Entry(dict, dict),
    NOTICES: Entry(list, list),
    SELECTED_NEURON: Entry((tuple, NoneType), lambda: None),
    APPLIED_UPLOAD: Entry((str, NoneType), lambda: None),
    APPLIED_LINK: Entry((tuple, NoneType), lambda: None),
    CHANGED_BY_WIDGET: Entry(bool, lambda: False),
    HISTORY: Entry(History, History),
    LINK_MEMO: Entry((tuple, NoneType), lambda: None),
    SIDEBAR_GENERATION: Entry((int, NoneType), lambda: None),
    KEYBOARD_EDIT_OUTCOME: Entry((tuple, NoneType), lambda: None),
    DIGIT_STROKES_APPLIED: Entry(int, lambda: 0),
    DIGIT_BRUSH: Entry((str, NoneType), lambda: "Ink", role="widget"),  # None: deselected, drawn as ink
    TABLE_LAYER: Entry(int, lambda: 1, role="bound"),
    EDGE_VALUES: Entry(bool, lambda: False, role="bound"),
    RANDOM_SIZES: Entry(str, lambda: "3, 4, 2", role="widget"),
    RANDOM_ACTIVATION: Entry(str, lambda: "relu", role="widget"),
    RANDOM_INITIALIZER: Entry(str, lambda: "xavier", role="widget"),
    RANDOM_SEED: Entry(int, lambda: 0, role="widget"),
    # Workshop
    WORKSHOP_MODE: Entry((str, NoneType), lambda: None, role="bound"),  # None: the page's first mode
    WORKSHOP_STEP: Entry(int, lambda: 0, role="bound"),
    WORKSHOP_EXERCISE: Entry(ExerciseSpec, lambda: ExerciseSpec(seed=1, difficulty="easy")),
    WORKSHOP_LINK_SEEN: Entry((tuple, NoneType), lambda: None),
    WORKSHOP_LOCKED: Entry(bool, lambda: False),
    WORKSHOP_SCORE: Entry(dict, dict),
    WORKSHOP_CHECKED: Entry(dict, dict),
    WORKSHOP_HINTS: Entry(dict, dict),
    WORKSHOP_SOLUTIONS: Entry(set, set),
    WORKSHOP_ROOM_REQUEST: Entry((ExerciseSpec, NoneType), lambda: None),
    WORKSHOP_ROOMS: Entry(dict, dict),
    WORKSHOP_ROOM_STATUS: Entry((str, NoneType), lambda: None),
    WORKSHOP_LEARNER_ID: Entry(str, lambda: secrets.token_urlsafe(12)),
    WORKSHOP_LEARNER_NAME: Entry(str, lambda: "", role="bound"),
    WORKSHOP_ROOM_SENT: Entry((tuple, NoneType), lambda: None),
    WORKSHOP_SHEET_COUNT: Entry(int, lambda: 3, role="bound"),
    WORKSHOP_BACKWARD_STEP: Entry(int, lambda: 0, role="bound"),
    WORKSHOP_LOSS: Entry((str, NoneType), lambda: None, role="bound"),  # None: the first loss that fits
    WORKSHOP_LEARNING_RATE: Entry(float, lambda: 0.5, role="bound"),  # η of Mazur's worked example: easy by hand
    # Train
    TRAIN_DATA: Entry(DataChoice, DataChoice),
    TRAIN_SETTINGS: Entry(Settings, Settings),
    TRAIN_UNDO: Entry(list, list),
    TRAIN_PLAYING: Entry(bool, lambda: False),
    TRAIN_ADDRESS: Entry((tuple, NoneType), lambda: None),
    TRAIN_STOP: Entry((str, NoneType), lambda: None),
    TRAIN_SAMPLE: Entry(int, lambda: 1),
    TRAIN_STEP_LAYER: Entry(int, lambda: 1),
    TRAIN_NEURON: Entry((tuple, NoneType), lambda: None),
    TRAIN_WEIGHT_ROW: Entry(int, lambda: 0),
    TRAIN_RUN: Entry((Run, NoneType), lambda: None),
    TRAIN_RUN_DATA: Entry((tuple, NoneType), lambda: None),
    TRAIN_UPLOADED: Entry((tuple, NoneType), lambda: None),
    TRAIN_PREPARED: Entry((tuple, NoneType), lambda: None),
    TRAIN_OWN_NETWORK: Entry((Network, NoneType), lambda: None),
}
"""Key → Entry. Keys not here are widgets whose value is made from the network or another entry
before each draw (layer sizes, activations, editors, the exercise form, the Train page's inputs),
buttons, and one-shot values a callback sets and the next run takes (TRAIN_ACTION, CHANGED_BY_WIDGET
is one that has a default)."""

WIDGET_PREFIX = "widget:"


def ensure_defaults() -> None:
    """Give every missing value and bound entry its default (widget entries get theirs where their
    widget is drawn, ``widget(key)``): at a session's first run, and again for a key a run removed."""
    for key, entry in TABLE.items():
        if entry.role != "widget" and key not in st.session_state:
            st.session_state[key] = entry.default()


def value(key: str) -> Any:
    """The session's value of ``key`` (its default, set now, if it has none yet)."""
    if key not in st.session_state:
        st.session_state[key] = TABLE[key].default()
    return st.session_state[key]


def default(key: str) -> Any:
    return TABLE[key].default()


def widget(key: str) -> str:
    """``key``, the key of a widget entry's widget, after giving it its default if it has none."""
    assert TABLE[key].role == "widget", f"{key} is not a widget entry"
    value(key)
    return key


def widget_key(key: str) -> str:
    """The key of the widget that shows bound entry ``key``."""
    return WIDGET_PREFIX + key


def bound(key: str) -> dict[str, Any]:
    """``key=`` and ``on_change=`` for the widget that shows bound entry ``key``: the widget is
    filled from the entry now, and a change is copied back to the entry by the callback (before
    the run, so the run sees it). For a widget with a callback of its own, call ``keep(key)`` in it."""
    assert TABLE[key].role == "bound", f"{key} is not a bound entry"
    st.session_state[widget_key(key)] = value(key)
    return {"key": widget_key(key), "on_change": keep, "args": (key,)}


def keep(key: str) -> None:
    """Copy the widget's value into bound entry ``key`` (a callback; or call it from a widget's own)."""
    st.session_state[key] = st.session_state[widget_key(key)]


def fill_settings_widgets(settings: Settings) -> None:
    """Show ``settings`` in the Train page's settings widgets (before they are drawn: a callback,
    or ahead of the sidebar), each setting under its widget's key."""
    for key, value in (
        (TRAIN_LOSS, settings.loss),
        (TRAIN_OPTIMIZER, settings.optimizer),
        (TRAIN_LEARNING_RATE, settings.learning_rate),
        (TRAIN_BATCH_SIZE, settings.batch_size),
        (TRAIN_L1, settings.l1),
        (TRAIN_L2, settings.l2),
    ):
        st.session_state[key] = value
