"""The Train page's address bar: the data, the settings (mlpsim.trainlink) and the network
(``net=``/``preset=``, written and opened as the Simulator does, ui/parts/share.py).

Written after a change the user made (a setting, the data, Step, Epoch, Reset, Undo) and when
Pause stops a run, never by Play's frames (each write is a browser history entry). Opened on
arrival and on Back/Forward, once per distinct address: the app never reopens what it wrote
(state.TRAIN_ADDRESS), and a rerun that carries a widget change brings the address from before
the app's last write reached the browser, so it is not opened either (as on the Simulator)."""

from __future__ import annotations

import streamlit as st

from mlpsim import trainlink
from mlpsim.training_run import DataChoice, Settings
from ui.parts import share
from ui.session import state, workspace

NETWORK_PARAMETERS = (share.LINK_PARAMETER, share.PRESET_PARAMETER)
LOST_HISTORY = (
    "Opened from the address: the dataset, the settings and the network are back; the run's curves "
    "and epoch count are not kept in an address, so training goes on from this network at epoch 0."
)
LOST_NETWORK = (
    "Opened from the address: the dataset and the settings are back. The network was too big for the "
    "address, so training starts again from the network on screen, at epoch 0."
)
TOO_BIG = (
    "This network is too big for the address bar: a reload or a shared address brings back the data "
    "and settings but not these weights. Save and share downloads them."
)


def _settings_from_widgets(settings: Settings) -> Settings:
    """The settings the sidebar's widgets hold at the start of this run (their stored values
    where a widget has none yet)."""
    held = st.session_state
    return Settings(
        held.get(state.TRAIN_LOSS, settings.loss),
        held.get(state.TRAIN_OPTIMIZER, settings.optimizer),
        float(held.get(state.TRAIN_LEARNING_RATE, settings.learning_rate)),
        int(held.get(state.TRAIN_BATCH_SIZE, settings.batch_size)),
        float(held.get(state.TRAIN_L1, settings.l1)),
        float(held.get(state.TRAIN_L2, settings.l2)),
        int(held.get(state.TRAIN_EPOCHS_PER_FRAME, settings.epochs_per_frame)),
    )


def _choice_from_widgets(choice: DataChoice) -> DataChoice:
    held = st.session_state
    noise = held.get(state.TRAIN_NOISE)
    return DataChoice(
        held.get(state.TRAIN_DATASET_SELECT, choice.name),
        int(held.get(state.TRAIN_POINTS, choice.points)),
        choice.noise if noise is None else noise / 100,
        int(held.get(state.TRAIN_TEST_PERCENT, choice.test_percent)),
        int(held.get(state.TRAIN_SEED, choice.seed)),
    )


def _changed_by_the_user() -> bool:
    """This run carries a change the user made (a widget moved, a control pressed): the address
    it came with may be older than the app's last write, and is not opened."""
    choice: DataChoice = state.value(state.TRAIN_DATA)
    settings: Settings = state.value(state.TRAIN_SETTINGS)
    return bool(
        st.session_state.pop(state.TRAIN_ADDRESS_STALE, False)
        or st.session_state.get(state.CHANGED_BY_WIDGET, False)
        or state.TRAIN_ACTION in st.session_state
        or _settings_from_widgets(settings) != settings
        or _choice_from_widgets(choice) != choice
    )


def _address() -> tuple[tuple[str, str], ...]:
    names = (*trainlink.PARAMETERS, *NETWORK_PARAMETERS)
    return tuple((name, st.query_params[name]) for name in names if name in st.query_params)


def read() -> trainlink.Opened | None:
    """What the address asks this run to open, or None (no address, the one the app wrote or
    opened last, or an older one that came with a user's change)."""
    address = _address()
    changed = _changed_by_the_user()  # asked every run: it takes the one-shot flag of this run
    if not address or address == state.value(state.TRAIN_ADDRESS) or changed:
        return None
    st.session_state[state.TRAIN_ADDRESS] = address
    return trainlink.decode(dict(address), state.value(state.TRAIN_DATA), state.value(state.TRAIN_SETTINGS))


def apply(opened: trainlink.Opened) -> None:
    """Make ``opened`` the page's data and settings, in the widgets too (called before they are
    drawn), and say what was refused and that a run's history is not in an address."""
    choice, settings = opened.choice, opened.settings
    st.session_state[state.TRAIN_DATA] = choice
    st.session_state[state.TRAIN_SETTINGS] = settings
    for key, value in (
        (state.TRAIN_DATASET_SELECT, choice.name),
        (state.TRAIN_POINTS, choice.points),
        (state.TRAIN_NOISE, int(round(choice.noise * 100))),
        (state.TRAIN_TEST_PERCENT, choice.test_percent),
        (state.TRAIN_SEED, choice.seed),
    ):
        st.session_state[key] = value
    state.fill_settings_widgets(settings)
    for problem in opened.problems:
        workspace.notify("error", f"The address's {problem}.")
    run = state.value(state.TRAIN_RUN)
    from_this_page = any(name in st.query_params for name in trainlink.PARAMETERS)  # not a bare net= link
    if from_this_page and (run is None or run.network is not state.current_network()):
        with_network = any(name in st.query_params for name in NETWORK_PARAMETERS)
        workspace.notify("info", LOST_HISTORY if with_network else LOST_NETWORK)


def query() -> dict[str, str]:
    """The page's address: the network's (as the Simulator writes it), the data and settings."""
    net, preset = share.address_of(workspace.snapshot())
    network = {name: value for name, value in zip(NETWORK_PARAMETERS, (net, preset)) if value is not None}
    return network | trainlink.encode(state.value(state.TRAIN_DATA), state.value(state.TRAIN_SETTINGS))


def follow() -> None:
    """Write the page's address when it differs from what is there, and remember it (and the
    network's part, for the Simulator's own address logic) as written, so it is never reopened;
    say so when the network is too big to be in it."""
    wanted = query()
    st.session_state[state.TRAIN_ADDRESS] = tuple(
        (name, wanted[name]) for name in (*trainlink.PARAMETERS, *NETWORK_PARAMETERS) if name in wanted
    )
    st.session_state[state.APPLIED_LINK] = (wanted.get(share.LINK_PARAMETER), wanted.get(share.PRESET_PARAMETER))
    st.session_state.pop(state.CHANGED_BY_WIDGET, None)
    st.session_state.pop(state.TRAIN_ADDRESS_STALE, None)  # set by a change made in this run
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    if share.LINK_PARAMETER not in wanted and share.PRESET_PARAMETER not in wanted:
        st.caption(TOO_BIG)
