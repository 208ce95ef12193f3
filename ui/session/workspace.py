"""The session's networks: the current one, one per starting point, the undo history, and the
notices actions leave.

Every replacement of the current network goes through ``replace_network`` so that the network is
also remembered for its starting point (switching presets and back restores the user's edits),
the state it replaced can be restored by Undo, and the table editors get fresh keys.
"""

from __future__ import annotations

from typing import Literal

import streamlit as st

from mlpsim.core.network import Network
from mlpsim.io.presets import PRESETS
from ui.common.literal import escaped
from ui.common.tables import Table
from ui.session import state
from ui.session.history import History, Snapshot

RANDOM_SOURCE = "Random network"
NoticeKind = Literal["success", "info", "warning", "error"]


def ensure_defaults() -> None:
    """Every entry of the session-state table that is missing gets its default (ui/session/state.py)."""
    state.ensure_defaults()


def source() -> str:
    return state.value(state.SOURCE)


def sources() -> list[str]:
    """Presets (the seed example first), the random network, then loaded files and links."""
    extra = [name for name in state.value(state.SOURCE_NETWORKS) if name not in PRESETS and name != RANDOM_SOURCE]
    if source() not in PRESETS and source() != RANDOM_SOURCE and source() not in extra:
        extra.append(source())
    return [*PRESETS, RANDOM_SOURCE, *extra]


def generation() -> int:
    return state.value(state.GENERATION)


def notify(kind: NoticeKind, text: str) -> None:
    state.value(state.NOTICES).append((kind, text))


def take_notices() -> list[tuple[NoticeKind, str]]:
    notices = list(state.value(state.NOTICES))
    state.value(state.NOTICES).clear()
    return notices


def render_notices() -> None:
    """Show what the last actions did or refused, once. Notices quote file, layer and network
    names, so they are written as literal text, never as Markdown."""
    # In a block that is always there, notices or not: the elements after it keep their places
    # in the page, so a notice does not make the browser remount the diagram and the grids.
    box = st.container()
    writers = {"success": box.success, "info": box.info, "warning": box.warning, "error": box.error}
    for kind, text in take_notices():
        writers[kind](escaped(text))


def table_folds(table: Table) -> int:
    return state.value(state.TABLE_FOLDS).get(table, 0)


def history() -> History:
    return state.value(state.HISTORY)


def snapshot() -> Snapshot:
    return Snapshot(source(), state.current_network())


def replace_network(
    network: Network, new_source: str | None = None, folded_table: Table | None = None, label: str | None = None
) -> None:
    """Make ``network`` current (remembered for its starting point; the state it replaces goes
    on the undo history as ``label``, unless nothing changed) and renew the editors: only
    ``folded_table``'s editor when the change is an edit folded from it (the other editors keep
    their keys, so the browser does not rebuild them), every editor otherwise."""
    before = snapshot()
    st.session_state[state.CHANGED_BY_WIDGET] = True
    if network is not before.network or (new_source is not None and new_source != before.source):
        if label is None:
            label = "edit" if folded_table is None else f"edit of {folded_table.title(before.network)}"
        st.session_state[state.HISTORY] = history().recorded(before, label, network)
    _show(network, new_source)
    if folded_table is None:
        st.session_state[state.GENERATION] = generation() + 1
    else:
        state.value(state.TABLE_FOLDS)[folded_table] = table_folds(folded_table) + 1


def _show(network: Network, new_source: str | None) -> None:
    if new_source is not None:
        st.session_state[state.SOURCE] = new_source
    state.value(state.SOURCE_NETWORKS)[source()] = network
    state.set_network(network)


def _restore(target: Snapshot, new_history: History) -> None:
    """Show ``target`` (Undo, Redo), every editor renewed; the history is the one given."""
    st.session_state[state.HISTORY] = new_history
    st.session_state[state.CHANGED_BY_WIDGET] = True
    state.value(state.SOURCE_NETWORKS)[source()] = state.current_network()
    _show(target.network, target.source)
    st.session_state[state.GENERATION] = generation() + 1


def undo() -> None:
    if history().past:
        label = history().past[-1].label
        _restore(*history().undone(snapshot()))
        notify("info", f"Undone: {label}.")


def redo() -> None:
    if history().future:
        label = history().future[0].label
        _restore(*history().redone(snapshot()))
        notify("info", f"Redone: {label}.")


def pristine_preset() -> Network | None:
    """The preset the current starting point is, as first opened, if it is a preset."""
    build = PRESETS.get(source())
    return None if build is None else build()


def reset_preset() -> None:
    original = pristine_preset()
    if original is not None and original is not state.current_network():
        replace_network(original, label=f"reset of {source()}")
        notify("info", f"{source()} is back to its original numbers (Undo brings your edits back).")


def render_history_controls() -> None:
    """Undo, Redo and Reset buttons: Tab reaches them, and each says in its tooltip what it
    would do. No Ctrl+Z shortcut: Streamlit's button shortcuts also fire while typing in a
    text box or a grid cell, where Ctrl+Z must undo the typing."""
    past, future = history().past, history().future
    row = st.container(horizontal=True)
    row.button(
        "↶ Undo",
        key=state.UNDO,
        on_click=undo,
        disabled=not past,
        help=f"Undo the {past[-1].label}" if past else "Nothing to undo yet",
    )
    row.button(
        "↷ Redo",
        key=state.REDO,
        on_click=redo,
        disabled=not future,
        help=f"Redo the {future[0].label}" if future else "Nothing to redo",
    )
    original = pristine_preset()
    row.button(
        "Reset preset",
        key=state.RESET,
        on_click=reset_preset,
        disabled=original is None or original is state.current_network(),
        help=(
            f"Put {source()} back to its original numbers"
            if original is not None
            else "Only a preset can be reset; Undo goes back step by step"
        ),
    )


def switch_source(name: str, build_new) -> None:
    """Open starting point ``name``: the network the user left there, or a fresh one from
    ``build_new()``. The current network stays remembered under its own starting point."""
    network = state.value(state.SOURCE_NETWORKS).get(name)
    open_network(build_new() if network is None else network, name, label=f"switch to {name}")


def open_network(network: Network, name: str, label: str | None = None) -> None:
    """Make ``network`` current under starting point ``name`` (replacing what ``name`` held),
    keeping the current network remembered under its own starting point."""
    state.value(state.SOURCE_NETWORKS)[source()] = state.current_network()
    replace_network(network, new_source=name, label=label or f"opening of {name}")
