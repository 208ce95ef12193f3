"""Save, load and share: JSON download, file upload (applied once per file), ``?net=`` links
(applied once per link), and the address bar, which follows the network.

The address is the state's link: ``?preset=<name>`` for a preset as it ships, ``?net=<link>``
(with ``&preset=<name>`` when it started from one) for anything else within the link limit.
The app writes it after every change, so a reload reopens the state, and each change is a
browser history entry, so Back and Forward go through the states. The app remembers what it
wrote (``state.APPLIED_LINK``) and never reopens its own address; a different address (Back,
Forward, a pasted link) is opened: as Undo or Redo when it is the state they would restore,
as a new change otherwise. A bad file or link leaves the current network untouched."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from urllib.parse import urlencode

import streamlit as st

from mlpsim.core.errors import MlpsimError
from mlpsim.core.limits import DEFAULT_LIMITS
from mlpsim.core.network import Network
from mlpsim.io import sharelink
from mlpsim.io.fileformat import dumps
from mlpsim.io.onnxio import read_network_file
from mlpsim.io.presets import PRESETS
from ui.session import state, workspace
from ui.session.history import Snapshot

LINK_PARAMETER = "net"
PRESET_PARAMETER = "preset"
LINK_SOURCE = "Shared link"


def file_name(network: Network) -> str:
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in (network.name or "network").lower())
    return f"{stem.strip('-')[:60] or 'network'}.json"


Address = tuple[str | None, str | None]
"""(?net= text, ?preset= name) of an address; (None, None) is none."""


def apply_link() -> None:
    """Open what the address asks for, once per distinct address: ``?net=...`` (a whole network,
    opened under the preset named by ``&preset=`` if it is one) or ``?preset=<name>`` alone (that
    preset as it ships, e.g. a teacher's link to the XOR example)."""
    address: Address = (st.query_params.get(LINK_PARAMETER), st.query_params.get(PRESET_PARAMETER))
    stale = st.session_state.pop(state.CHANGED_BY_WIDGET, False)
    if address == (None, None) or address == state.value(state.APPLIED_LINK) or stale:
        return
    st.session_state[state.APPLIED_LINK] = address
    history = workspace.history()
    if history.past and address == address_of(history.past[-1].snapshot):
        workspace.undo()
        return
    if history.future and address == address_of(history.future[0].snapshot):
        workspace.redo()
        return
    text, preset = address
    if text is None:
        assert preset is not None  # the address (None, None) returned above
        if preset not in PRESETS:
            workspace.notify("error", f"There is no preset called {preset[:60]!r}; choose one in the sidebar.")
            return
        workspace.open_network(PRESETS[preset](), preset, label=f"opening of {preset} from the address")
        return
    try:
        network = sharelink.decode(text, DEFAULT_LIMITS)
    except MlpsimError as error:
        workspace.notify("error", f"This share link cannot be opened: {error}. The current network is unchanged.")
        return
    # Remembered as this network's link: the address the app writes for it is the one it came from.
    st.session_state[state.LINK_MEMO] = (network, (text, ""))
    workspace.open_network(network, preset if preset in PRESETS else LINK_SOURCE, label="opening of the link")
    workspace.notify("success", "Network loaded from the share link.")


def address_of(snapshot: Snapshot) -> Address:
    """The address that reopens ``snapshot``, or (None, None) if its network is too big for one."""
    original = PRESETS.get(snapshot.source)
    if original is not None and snapshot.network is original():
        return None, snapshot.source
    text, _ = share_link(snapshot.network)
    if text is None:
        return None, None
    return text, snapshot.source if original is not None else None


def follow_address(network: Network) -> None:
    """Write the current state's address to the address bar (when it differs from what is
    there); for a network too big for one, say that a reload loses it and offer the file."""
    address = address_of(workspace.snapshot())
    st.session_state[state.APPLIED_LINK] = address
    st.session_state.pop(state.CHANGED_BY_WIDGET, None)
    wanted = {name: value for name, value in zip((LINK_PARAMETER, PRESET_PARAMETER), address) if value is not None}
    if st.query_params.to_dict() != wanted:
        # Also when there is no address: an older state's address must not stay to be reloaded.
        st.query_params.from_dict(wanted)
    # Drawn into a block that is always there: elements after it keep their places in the page,
    # so the first edit of a big network does not make the browser remount (and redraw) the
    # diagram and the grids below.
    slot = st.container()
    limit = DEFAULT_LIMITS.max_link_chars
    # Shown for a big network from the start, not from its first edit on: appearing above the
    # diagram, it would push the whole page down, and the browser (drawing in software here)
    # repaints every chart and grid it moved — ~0.1 s of an edit (measured, benchmarks/app.py).
    if address == (None, None) or network.parameter_count > limit:
        warning, download = slot.columns([4, 1], vertical_alignment="center")
        size = f"with {network.parameter_count:,} weights and biases it is too big for the address bar"
        if address == (None, None):
            text = (
                f"A reload or a closed tab loses this network: {size} (a link holds at most {limit:,} "
                "characters). Download it to keep it; Save and share opens the file again."
            )
        else:
            text = (
                f"A reload or a closed tab loses your edits of this network: {size} (a link holds at most "
                f"{limit:,} characters; as it ships, its name is enough). Download it to keep them; Save "
                "and share opens the file again."
            )
        warning.warning(text)
        download.download_button(
            "Download this network",
            partial(dumps, network),
            file_name=file_name(network),
            mime="application/json",
            on_click="ignore",
            key=state.KEEP_DOWNLOAD,
            width="stretch",
        )


def _on_upload() -> None:
    upload = st.session_state.get(state.UPLOAD)
    if upload is None or upload.file_id == state.value(state.APPLIED_UPLOAD):
        return
    st.session_state[state.APPLIED_UPLOAD] = upload.file_id
    try:
        DEFAULT_LIMITS.check_bytes(upload.size, upload.name)
        network = read_network_file(upload.getvalue(), DEFAULT_LIMITS)  # JSON or ONNX, by content
    except MlpsimError as error:
        workspace.notify("error", f"{upload.name} was not loaded: {error}. The current network is unchanged.")
        return
    workspace.open_network(network, f"File: {upload.name}", label=f"opening of {upload.name}")
    workspace.notify("success", f"Loaded {upload.name}.")


def share_link(network: Network) -> tuple[str | None, str]:
    """(link text, '') or (None, why there is none). Encoded once per network; networks with more
    parameters than a link has characters are not even tried."""
    memo = state.value(state.LINK_MEMO)
    if memo is None or memo[0] is not network:
        limit = DEFAULT_LIMITS.max_link_chars
        outcome: tuple[str | None, str]
        if network.parameter_count > limit:
            outcome = (
                None,
                f"This network has {network.parameter_count:,} weights and biases: too many for a "
                f"share link (at most {limit:,} characters). Download the JSON file to share it.",
            )
        else:
            try:
                outcome = (sharelink.encode(network, DEFAULT_LIMITS), "")
            except MlpsimError as error:
                outcome = (None, f"{error}.")
        st.session_state[state.LINK_MEMO] = memo = (network, outcome)
    return memo[1]


def render(network: Network, page_query: Mapping[str, str] | None = None) -> None:
    """Download (the JSON is written only when clicked), upload, and the share link (with
    ``page_query``, the rest of a page's address, e.g. the Train page's data and settings)."""
    st.download_button(
        "Download JSON",
        partial(dumps, network),
        file_name=file_name(network),
        mime="application/json",
        width="stretch",
        on_click="ignore",
    )
    st.file_uploader(
        "Open a network file (.json) or an ONNX model (.onnx)",
        type=["json", "onnx"],
        key=state.UPLOAD,
        on_change=_on_upload,
        max_upload_size=DEFAULT_LIMITS.max_upload_bytes // 1_000_000 or 1,
    )
    text, reason = share_link(network)
    if text is None:
        st.warning(reason)
        return
    base = (st.context.url or "").split("?")[0]
    # A text box, not st.code: the code block's syntax-highlighter bundle cost ~0.45 s of browser
    # CPU on every page open (profiled in headless Chromium), for a link nobody reads as code.
    rest = f"&{urlencode(page_query)}" if page_query else ""
    st.text_input("Share link (select it and copy)", f"{base}?{LINK_PARAMETER}={text}{rest}")
    gets = "this network, with this page's data and settings" if page_query else "this network"
    st.caption(f"{len(text):,} characters: anyone opening the link gets {gets}.")
