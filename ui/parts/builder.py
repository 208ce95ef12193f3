"""The sidebar's build controls: starting point, random-network form, and the shape of every layer.

Widgets hold no truth: before they are drawn their session-state values are set from the current
network, and their callbacks turn a change into a new network (or a notice saying why not).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import streamlit as st

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import MlpsimError
from mlpsim.core.initializers import INITIALIZERS
from mlpsim.core.limits import DEFAULT_LIMITS
from mlpsim.core.network import Network, neuron_name
from mlpsim.io.presets import PRESETS, random_network
from ui.common.literal import escaped
from ui.session import state, workspace

SIZE_FORMAT = "%g"
"""Sizes are float inputs shown as '4': an integer input would turn a typed 3.7 into 3 without
a word; a float input hands 3.7 to the callback, which refuses it by name."""


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


def whole_size(value: float | None, what: str) -> int:
    """``value`` from a size input as an int ≥ 1; ValueError saying why not, naming ``what``."""
    if value is None:
        raise ValueError(f"{what}: the size is empty; type a whole number of neurons")
    if not math.isfinite(value) or value != int(value):
        raise ValueError(f"{what}: {value:g} is not a whole number of neurons")
    if value < 1:
        raise ValueError(f"{what}: {value:g} neurons is too few; a layer has at least 1")
    return int(value)


def _random_network() -> Network:
    """The network the random-network form describes (initialized_network checks the sizes
    against the limits before allocating)."""
    return random_network(
        parse_sizes(state.value(state.RANDOM_SIZES)),
        state.value(state.RANDOM_ACTIVATION),
        state.value(state.RANDOM_INITIALIZER),
        int(state.value(state.RANDOM_SEED)),
    )


def _build_for(name: str):
    return PRESETS[name] if name in PRESETS else _random_network


def _on_source_change() -> None:
    name = st.session_state[state.SOURCE_SELECT]
    try:
        workspace.switch_source(name, _build_for(name))
    except (MlpsimError, ValueError) as error:
        workspace.notify("error", f"{error}. The current network is unchanged.")


def _on_create_random() -> None:
    try:
        network = _random_network()
    except (MlpsimError, ValueError) as error:
        workspace.notify("error", f"{error}. The current network is unchanged.")
        return
    workspace.open_network(network, workspace.RANDOM_SOURCE, label=f"creation of {network.name}")
    workspace.notify("success", f"New network {network.name} created, with a random input.")


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
    kept = before.layer_sizes[position]
    title = before.layer_title(position)
    try:
        size = whole_size(st.session_state[state.LAYER_SIZE_PREFIX + str(position)], title)
        if size == kept:
            return
        after = before.resized(position, size)
    except (MlpsimError, ValueError) as error:
        workspace.notify("error", f"{error}. The size stays {kept}.")
        return
    workspace.replace_network(after, label=f"resize of {title} ({kept} → {size})")
    workspace.notify("info", resize_notice(before, after, position))


def _on_activation_change(position: int) -> None:
    before = state.current_network()
    activation = st.session_state[state.LAYER_ACTIVATION_PREFIX + str(position)]
    workspace.replace_network(
        before.with_activation(position, activation),
        label=f"change of {before.layer_title(position)}'s activation to {activation}",
    )


def _on_add_hidden() -> None:
    before = state.current_network()
    position = len(before.layers)
    try:
        size = whole_size(st.session_state.get(state.NEW_LAYER_SIZE), "new layer")
        after = before.with_hidden_layer_inserted(position, size, activation="linear")
    except (MlpsimError, ValueError) as error:
        workspace.notify("error", f"{error}. No layer was added.")
        return
    workspace.replace_network(after, label=f"addition of {after.layer_title(position)}")
    workspace.notify(
        "info",
        f"Added {after.layer_title(position)} ({size} neurons, linear, identity weights, zero biases) before "
        f"the output; the output layer kept its weights where they fit.",
    )


def _on_remove_hidden(position: int) -> None:
    before = state.current_network()
    title = before.layer_title(position)
    workspace.replace_network(before.with_hidden_layer_removed(position), label=f"removal of {title}")
    workspace.notify("info", f"Removed {title}; the next layer kept its weights where they fit.")


def render_source() -> None:
    """Starting point: a preset (the seed example first), a random network, or a loaded one."""
    options = workspace.sources()
    st.session_state[state.SOURCE_SELECT] = workspace.source()
    st.selectbox("Start from", options, key=state.SOURCE_SELECT, on_change=_on_source_change)
    if workspace.source() == workspace.RANDOM_SOURCE:
        with st.expander("New random network", expanded=True):
            st.caption("Random weights and a random input from the seed; biases start at 0.")
            st.text_input("Layer sizes, input first", key=state.widget(state.RANDOM_SIZES))
            st.selectbox("Activation", list(REGISTRY), key=state.widget(state.RANDOM_ACTIVATION))
            st.selectbox("Initialiser", list(INITIALIZERS), key=state.widget(state.RANDOM_INITIALIZER))
            st.number_input("Seed", min_value=0, max_value=2**31 - 1, step=1, key=state.widget(state.RANDOM_SEED))
            st.button("Create", on_click=_on_create_random, width="stretch")


def _size_input(number_input: Callable[..., object], key: str, position: int) -> None:
    """A layer's neuron count, drawn by ``number_input`` (st's or a column's): checked by the
    callback, not by the field, so a refused 3.7 or 0 gets a sentence saying why."""
    number_input("neurons", step=1.0, format=SIZE_FORMAT, key=key, on_change=_on_size_change, args=(position,))


def render_shape(network: Network) -> None:
    """Size of every layer, activation of every weighted layer, add/remove hidden layers."""
    limits = DEFAULT_LIMITS
    st.caption(
        f"Limits: {limits.max_layer_size:,} neurons per layer, {limits.max_layers} layers, "
        f"{limits.max_parameters:,} weights and biases. Now {network.parameter_count:,}."
    )
    for position, size in enumerate(network.layer_sizes):
        size_key = state.LAYER_SIZE_PREFIX + str(position)
        # Every run, so a refused size (3.7, 0, −3) is replaced in the field by the size kept.
        st.session_state[size_key] = float(size)
        st.markdown(f"**{escaped(network.layer_title(position))}**")
        if position == 0:
            _size_input(st.number_input, size_key, position)
            continue
        activation_key = state.LAYER_ACTIVATION_PREFIX + str(position)
        st.session_state[activation_key] = network.layers[position - 1].activation
        left, right = st.columns([2, 3])
        _size_input(left.number_input, size_key, position)
        right.selectbox(
            "activation", list(REGISTRY), key=activation_key, on_change=_on_activation_change, args=(position,)
        )
        if position < len(network.layers):
            st.button(
                "Remove this layer",
                key=state.REMOVE_LAYER_PREFIX + str(position),
                on_click=_on_remove_hidden,
                args=(position,),
            )
    st.divider()
    st.markdown("**Add a hidden layer** (before the output)")
    st.session_state.setdefault(state.NEW_LAYER_SIZE, float(network.layer_sizes[-2]))
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    left.number_input("neurons", step=1.0, format=SIZE_FORMAT, key=state.NEW_LAYER_SIZE)
    right.button("Add layer", on_click=_on_add_hidden, width="stretch", help="Insert a hidden layer before the output")
