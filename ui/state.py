"""Every session-state key the app uses, declared once, with accessors for the shared ones."""

from __future__ import annotations

import streamlit as st

from mlpsim.network import Network
from mlpsim.presets import seed_example

NETWORK = "network"
"""The current mlpsim Network: the single source of truth for weights, biases and input."""


def current_network() -> Network:
    if NETWORK not in st.session_state:
        st.session_state[NETWORK] = seed_example()
    return st.session_state[NETWORK]


def set_network(network: Network) -> None:
    st.session_state[NETWORK] = network
