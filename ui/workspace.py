"""The session's networks: the current one, one per starting point, and the notices actions leave.

Every replacement of the current network goes through ``replace_network`` so that the network is
also remembered for its starting point (switching presets and back restores the user's edits)
and the table editors get fresh keys.
"""

from __future__ import annotations

from typing import Hashable, Literal

import streamlit as st

from mlpsim.network import Network
from mlpsim.presets import PRESETS
from ui import state
from ui.literal import escaped

EMPTY_SOURCE = "Empty network"
NoticeKind = Literal["success", "info", "warning", "error"]


def ensure_defaults() -> None:
    defaults = {
        state.SOURCE: next(iter(PRESETS)),
        state.SOURCE_NETWORKS: {},
        state.GENERATION: 0,
        state.TABLE_FOLDS: {},
        state.NOTICES: [],
        state.SELECTED_NEURON: None,
    }
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def source() -> str:
    return st.session_state[state.SOURCE]


def sources() -> list[str]:
    """Presets (the seed example first), the empty network, then loaded files and links."""
    extra = [name for name in st.session_state[state.SOURCE_NETWORKS] if name not in PRESETS and name != EMPTY_SOURCE]
    if source() not in PRESETS and source() != EMPTY_SOURCE and source() not in extra:
        extra.append(source())
    return [*PRESETS, EMPTY_SOURCE, *extra]


def generation() -> int:
    return st.session_state[state.GENERATION]


def notify(kind: NoticeKind, text: str) -> None:
    st.session_state[state.NOTICES].append((kind, text))


def take_notices() -> list[tuple[NoticeKind, str]]:
    notices = list(st.session_state[state.NOTICES])
    st.session_state[state.NOTICES].clear()
    return notices


def render_notices() -> None:
    """Show what the last actions did or refused, once. Notices quote file, layer and network
    names, so they are written as literal text, never as Markdown."""
    writers = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}
    for kind, text in take_notices():
        writers[kind](escaped(text))


def table_folds(table: Hashable) -> int:
    return st.session_state[state.TABLE_FOLDS].get(table, 0)


def replace_network(network: Network, new_source: str | None = None, folded_table: Hashable | None = None) -> None:
    """Make ``network`` current (remembered for its starting point) and renew the editors: only
    ``folded_table``'s editor when the change is an edit folded from it (the other editors keep
    their keys, so the browser does not rebuild them), every editor otherwise."""
    if new_source is not None:
        st.session_state[state.SOURCE] = new_source
    st.session_state[state.SOURCE_NETWORKS][source()] = network
    state.set_network(network)
    if folded_table is None:
        st.session_state[state.GENERATION] = generation() + 1
    else:
        st.session_state[state.TABLE_FOLDS][folded_table] = table_folds(folded_table) + 1


def switch_source(name: str, build_new) -> None:
    """Open starting point ``name``: the network the user left there, or a fresh one from
    ``build_new()``. The current network stays remembered under its own starting point."""
    network = st.session_state[state.SOURCE_NETWORKS].get(name)
    open_network(build_new() if network is None else network, name)


def open_network(network: Network, name: str) -> None:
    """Make ``network`` current under starting point ``name`` (replacing what ``name`` held),
    keeping the current network remembered under its own starting point."""
    st.session_state[state.SOURCE_NETWORKS][source()] = state.current_network()
    replace_network(network, new_source=name)
