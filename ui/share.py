"""Save, load and share: JSON download, file upload (applied once per file), and ``?net=`` links
(applied once per link). A bad file or link leaves the current network untouched."""

from __future__ import annotations

from functools import partial

import streamlit as st

from mlpsim import sharelink
from mlpsim.errors import MlpsimError
from mlpsim.fileformat import dumps
from mlpsim.limits import DEFAULT_LIMITS
from mlpsim.network import Network
from mlpsim.onnxio import read_network_file
from mlpsim.presets import PRESETS
from ui import state, workspace

LINK_PARAMETER = "net"
PRESET_PARAMETER = "preset"
LINK_SOURCE = "Shared link"


def file_name(network: Network) -> str:
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in (network.name or "network").lower())
    return f"{stem.strip('-')[:60] or 'network'}.json"


def apply_link() -> None:
    """Open what the address asks for, once per distinct address: ``?net=...`` (a whole network)
    or ``?preset=<name>`` (one of the presets, e.g. a teacher's link to the XOR example)."""
    text, preset = st.query_params.get(LINK_PARAMETER), st.query_params.get(PRESET_PARAMETER)
    if (text is None and preset is None) or (text, preset) == st.session_state.get(state.APPLIED_LINK):
        return
    st.session_state[state.APPLIED_LINK] = (text, preset)
    if text is None:
        if preset not in PRESETS:
            workspace.notify("error", f"There is no preset called {preset[:60]!r}; choose one in the sidebar.")
            return
        workspace.switch_source(preset, PRESETS[preset])
        return
    try:
        network = sharelink.decode(text, DEFAULT_LIMITS)
    except MlpsimError as error:
        workspace.notify("error", f"This share link cannot be opened: {error}. The current network is unchanged.")
        return
    workspace.open_network(network, LINK_SOURCE)
    workspace.notify("success", "Network loaded from the share link.")


def _on_upload() -> None:
    upload = st.session_state.get(state.UPLOAD)
    if upload is None or upload.file_id == st.session_state.get(state.APPLIED_UPLOAD):
        return
    st.session_state[state.APPLIED_UPLOAD] = upload.file_id
    try:
        DEFAULT_LIMITS.check_bytes(upload.size, upload.name)
        network = read_network_file(upload.getvalue(), DEFAULT_LIMITS)  # JSON or ONNX, by content
    except MlpsimError as error:
        workspace.notify("error", f"{upload.name} was not loaded: {error}. The current network is unchanged.")
        return
    workspace.open_network(network, f"File: {upload.name}")
    workspace.notify("success", f"Loaded {upload.name}.")


def share_link(network: Network) -> tuple[str | None, str]:
    """(link text, '') or (None, why there is none). Encoded once per network; networks with more
    parameters than a link has characters are not even tried."""
    memo = st.session_state.get(state.LINK_MEMO)
    if memo is None or memo[0] is not network:
        limit = DEFAULT_LIMITS.max_link_chars
        if network.parameter_count > limit:
            outcome = (None, f"This network has {network.parameter_count:,} weights and biases: too many for a "
                             f"share link (at most {limit:,} characters). Download the JSON file to share it.")
        else:
            try:
                outcome = (sharelink.encode(network, DEFAULT_LIMITS), "")
            except MlpsimError as error:
                outcome = (None, f"{error}.")
        st.session_state[state.LINK_MEMO] = memo = (network, outcome)
    return memo[1]


def render(network: Network) -> None:
    """Download (the JSON is written only when clicked), upload, and the share link."""
    st.download_button(
        "Download JSON", partial(dumps, network), file_name=file_name(network), mime="application/json",
        width="stretch", on_click="ignore",
    )
    st.file_uploader(
        "Open a network file (.json) or an ONNX model (.onnx)", type=["json", "onnx"], key=state.UPLOAD, on_change=_on_upload,
        max_upload_size=DEFAULT_LIMITS.max_upload_bytes // 1_000_000 or 1,
    )
    text, reason = share_link(network)
    if text is None:
        st.warning(reason)
        return
    base = (st.context.url or "").split("?")[0]
    # A text box, not st.code: the code block's syntax-highlighter bundle cost ~0.45 s of browser
    # CPU on every page open (profiled in headless Chromium), for a link nobody reads as code.
    st.text_input("Share link (select it and copy)", f"{base}?{LINK_PARAMETER}={text}")
    st.caption(f"{len(text):,} characters: anyone opening the link gets this network.")
