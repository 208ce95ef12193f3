"""The Workshop page: step through the current network's forward pass neuron by neuron."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mlpsim.arithmetic import number
from mlpsim.errors import MlpsimError
from mlpsim.forward import forward
from mlpsim.stepper import known_values, step_at, step_count, step_working
from ui import state


def _move_step(delta: int, total: int) -> None:
    current = st.session_state.get(state.WORKSHOP_STEP, 0)
    st.session_state[state.WORKSHOP_STEP] = min(max(current + delta, 0), total)


def _reset_step() -> None:
    st.session_state[state.WORKSHOP_STEP] = 0


def render_step_through() -> None:
    network = state.current_network()
    try:
        result = forward(network)
    except MlpsimError as error:
        st.error(f"The forward pass cannot run: {error}")
        return
    total = step_count(network)
    if st.session_state.get(state.WORKSHOP_STEP, 0) > total:
        st.session_state[state.WORKSHOP_STEP] = total
    st.caption(
        f"{network.name or 'Current network'}: {total} neurons to compute, layer by layer. "
        "Use the buttons, or focus the slider and press ← / →."
    )
    previous, following, reset = st.columns(3)
    previous.button("◀ Previous", on_click=_move_step, args=(-1, total), width="stretch")
    following.button("Next ▶", on_click=_move_step, args=(1, total), width="stretch")
    reset.button("↺ Reset", on_click=_reset_step, width="stretch")
    index = st.slider("Step", min_value=0, max_value=total, key=state.WORKSHOP_STEP)
    step = step_at(network, index)
    working = step_working(network, result, step)
    if working is None:
        st.info("Step 0: only the input is known. Press Next to compute the first neuron.")
    else:
        st.subheader(working.title)
        st.code("\n".join(working.lines()), language=None)
    values = pd.DataFrame(
        [
            {"layer": title, "neuron": name, "value": "pending" if value is None else number(value)}
            for title, name, value in known_values(network, result, step)
        ]
    )
    st.dataframe(values, hide_index=True)


def render() -> None:
    """The Workshop page, for app.py's st.navigation."""
    st.title("Workshop")
    render_step_through()
