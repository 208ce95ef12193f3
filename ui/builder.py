"""The sidebar's build controls: starting point, empty-network form, and the shape of every layer.

Widgets hold no truth: before they are drawn their session-state values are set from the current
network, and their callbacks turn a change into a new network (or a notice saying why not).
"""

from __future__ import annotations

import streamlit as st

from mlpsim.activations import ACTIVATIONS
from mlpsim.errors import MlpsimError
from mlpsim.initializers import INITIALIZERS, initialized_network
from mlpsim.limits import DEFAULT_LIMITS
from mlpsim.network import Network, neuron_name
from mlpsim.presets import PRESETS
from ui import state, workspace
from ui.literal import escaped

DEFAULT_EMPTY_SIZES = "3, 4, 2"


def parse_sizes(text: str) -> list[int]:
    """'3, 4, 2' → [3, 4, 2] (input first); ValueError naming the bad entry."""
    parts = [part.strip() for part in text.replace(";", ",").split(",")]
    sizes = []
    for place, part in enumerate(parts, start=1):
        if not part.isdigit():
            raise ValueError(f"layer sizes: entry {place} ({part[:20]!r}) is not a whole number")
        if len(part) > 9:
            raise ValueError(f"layer sizes: entry {place} is far too large")
        sizes.append(int(part))
    return sizes


def _empty_network() -> Network:
    """The network the empty-network form describes (initialized_network checks the sizes
    against the limits before allocating)."""
    return initialized_network(
        parse_sizes(st.session_state.get(state.EMPTY_SIZES, DEFAULT_EMPTY_SIZES)),
        st.session_state.get(state.EMPTY_ACTIVATION, "relu"),
        st.session_state.get(state.EMPTY_INITIALIZER, "xavier"),
        int(st.session_state.get(state.EMPTY_SEED, 0)),
    )


def _build_for(name: str):
    return PRESETS[name] if name in PRESETS else _empty_network


def _on_source_change() -> None:
    name = st.session_state[state.SOURCE_SELECT]
    try:
        workspace.switch_source(name, _build_for(name))
    except (MlpsimError, ValueError) as error:
        workspace.notify("error", f"{error}. The current network is unchanged.")


def _on_create_empty() -> None:
    try:
        network = _empty_network()
    except (MlpsimError, ValueError) as error:
        workspace.notify("error", f"{error}. The current network is unchanged.")
        return
    workspace.open_network(network, workspace.EMPTY_SOURCE)
    workspace.notify("success", f"New network {'-'.join(map(str, network.layer_sizes))} created.")


def resize_notice(before: Network, after: Network, position: int) -> str:
    """What a resize of layer ``position`` added or removed, in the seed's names."""
    old, new = before.layer_sizes[position], after.layer_sizes[position]
    title = after.layer_title(position)
    if new > old:
        names = ", ".join(neuron_name(position, i) for i in range(old, new))
        return (
            f"{title}: {old} → {new} neurons. Added {names}; their weights"
            f"{'' if position == 0 else ' and biases'} start at 0{' (inputs too)' if position == 0 else ''}. "
            "Every value you set is kept."
        )
    names = ", ".join(neuron_name(position, i) for i in range(new, old))
    return f"{title}: {old} → {new} neurons. Removed {names} with their weights; every other value is kept."


def _on_size_change(position: int) -> None:
    before = state.current_network()
    size = st.session_state[state.LAYER_SIZE_PREFIX + str(position)]
    if size == before.layer_sizes[position]:
        return
    try:
        after = before.resized(position, int(size))
    except MlpsimError as error:
        workspace.notify("error", f"{error}. The size stays {before.layer_sizes[position]}.")
        return
    workspace.replace_network(after)
    workspace.notify("info", resize_notice(before, after, position))


def _on_activation_change(position: int) -> None:
    before = state.current_network()
    activation = st.session_state[state.LAYER_ACTIVATION_PREFIX + str(position)]
    workspace.replace_network(before.with_activation(position - 1, activation))


def _on_add_hidden() -> None:
    before = state.current_network()
    position = len(before.layers)
    size = int(st.session_state.get(state.NEW_LAYER_SIZE, before.layer_sizes[-2]))
    try:
        after = before.with_hidden_layer_inserted(position, size, activation="linear")
    except MlpsimError as error:
        workspace.notify("error", f"{error}. No layer was added.")
        return
    workspace.replace_network(after)
    workspace.notify(
        "info",
        f"Added {after.layer_title(position)} ({size} neurons, linear, identity weights, zero biases) before "
        f"the output; the output layer kept its weights where they fit.",
    )


def _on_remove_hidden(position: int) -> None:
    before = state.current_network()
    title = before.layer_title(position)
    workspace.replace_network(before.with_hidden_layer_removed(position))
    workspace.notify("info", f"Removed {title}; the next layer kept its weights where they fit.")


def render_source() -> None:
    """Starting point: a preset (the seed example first), an empty network, or a loaded one."""
    options = workspace.sources()
    st.session_state[state.SOURCE_SELECT] = workspace.source()
    st.selectbox("Start from", options, key=state.SOURCE_SELECT, on_change=_on_source_change)
    if workspace.source() == workspace.EMPTY_SOURCE:
        with st.expander("New empty network", expanded=True):
            st.text_input("Layer sizes, input first", value=DEFAULT_EMPTY_SIZES, key=state.EMPTY_SIZES)
            st.selectbox("Activation", list(ACTIVATIONS), index=1, key=state.EMPTY_ACTIVATION)
            st.selectbox("Initialiser", list(INITIALIZERS), index=2, key=state.EMPTY_INITIALIZER)
            st.number_input("Seed", min_value=0, max_value=2**31 - 1, value=0, step=1, key=state.EMPTY_SEED)
            st.button("Create", on_click=_on_create_empty, width="stretch")


def render_shape(network: Network) -> None:
    """Size of every layer, activation of every weighted layer, add/remove hidden layers."""
    limits = DEFAULT_LIMITS
    st.caption(
        f"Limits: {limits.max_layer_size:,} neurons per layer, {limits.max_layers} layers, "
        f"{limits.max_parameters:,} weights and biases. Now {network.parameter_count:,}."
    )
    for position, size in enumerate(network.layer_sizes):
        size_key = state.LAYER_SIZE_PREFIX + str(position)
        st.session_state[size_key] = size
        st.markdown(f"**{escaped(network.layer_title(position))}**")
        if position == 0:
            st.number_input("neurons", min_value=1, step=1, key=size_key, on_change=_on_size_change, args=(position,))
            continue
        activation_key = state.LAYER_ACTIVATION_PREFIX + str(position)
        st.session_state[activation_key] = network.layers[position - 1].activation
        left, right = st.columns([2, 3])
        left.number_input("neurons", min_value=1, step=1, key=size_key, on_change=_on_size_change, args=(position,))
        right.selectbox("activation", list(ACTIVATIONS), key=activation_key,
                        on_change=_on_activation_change, args=(position,))
        if position < len(network.layers):
            st.button("Remove this layer", key=state.REMOVE_LAYER_PREFIX + str(position),
                      on_click=_on_remove_hidden, args=(position,))
    st.divider()
    st.session_state.setdefault(state.NEW_LAYER_SIZE, network.layer_sizes[-2])
    left.number_input("New size", min_value=1, step=1, key=state.NEW_LAYER_SIZE)
    right.button("Add layer", on_click=_on_add_hidden, width="stretch", help="Insert a hidden layer before the output")
