"""The Simulator page: build a network in the sidebar, edit its tables, watch it compute.

The page has two parts. The sidebar changes the network's shape (starting point, layer sizes,
activations). The workbench — diagram, output, neuron panel, tables, save and share — is an
``st.fragment``: a weight, bias or input edit, a click on a neuron or a table switch reruns only
the workbench, so the browser redraws what the edit changed and not the whole page.
"""

from __future__ import annotations

import streamlit as st

from mlpsim.core.errors import ForwardError
from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network
from ui.common.literal import escaped
from ui.common.tables import Table, layer_input_frame, layer_input_heading, values_frame
from ui.parts import builder, digits, editors, results, share, truth_table
from ui.session import state, workspace


def _table_layer(network: Network) -> int:
    """Which layer's weight and bias tables are shown (1-based); one at a time keeps big
    networks fast, and is the natural way to read them anyway."""
    layers = list(range(1, len(network.layers) + 1))
    if state.value(state.TABLE_LAYER) not in layers:
        st.session_state[state.TABLE_LAYER] = state.default(state.TABLE_LAYER)
    return st.segmented_control(
        "Layer",
        layers,
        required=True,
        format_func=lambda k: f"W{k} · {escaped(network.layer_title(k))}",  # options render as Markdown
        **state.bound(state.TABLE_LAYER),
    )


def _render_tables(network: Network, result: ForwardResult | None) -> None:
    st.subheader("Tables")
    st.caption(
        "Type into a cell and press Enter, or type a cell and its value into the box; "
        "the diagram and the numbers follow."
    )
    layer = _table_layer(network)
    editors.render_keyboard_edit()
    # A wrapping row: a table that does not fit beside the others goes to a row of its own,
    # at its full width, instead of being squeezed behind a scroll.
    with st.container(horizontal=True, gap="medium"):
        with st.container(width="content"):
            if layer == 1:
                editors.render_editor(Table("input"), network)
            elif result is not None:
                editors.render_values(
                    layer_input_heading(network, layer),
                    network.layer_title(layer - 1),
                    layer_input_frame(network, result, layer),
                )
        with st.container(width="content"):
            editors.render_editor(Table("weights", layer), network)
        with st.container(width="content"):
            computed = None if result is None else values_frame(network, result, layer)
            editors.render_editor(Table("bias", layer), network, read_only=computed)
    if result is not None:
        # Drawn only while open: the typeset matrices are not sent (or typeset) on every edit.
        matrix_form = st.expander(
            f"Matrix form of layer {layer}: W{layer}ᵀ·x + b = z → a", key=state.MATRIX_FORM_OPEN, on_change="rerun"
        )
        if matrix_form.open:
            with matrix_form:
                results.render_matrix_form(network, result, layer)


def _render_heading(network: Network) -> None:
    with st.container(horizontal=True, vertical_alignment="bottom", horizontal_alignment="distribute"):
        st.title("mlpsim", width="content")
        # Drawn only while open, like the matrix form: the page opens without the upload and
        # download widgets' code, and an edit does not re-encode the share link.
        popover = st.popover("Save and share", key=state.SAVE_SHARE_OPEN, on_change="rerun", width="content")
    if popover.open:
        with popover:
            share.render(network)
    sizes = "-".join(map(str, network.layer_sizes))
    st.markdown(
        f"{escaped(network.name) or 'Untitled network'} · {sizes} · {network.parameter_count:,} weights and biases"
    )


@st.fragment
def _render_workbench() -> None:
    if workspace.generation() != state.value(state.SIDEBAR_GENERATION):
        # A file opened here replaced the network (maybe with another shape): the sidebar's
        # layer controls, outside this fragment, must be drawn again for it.
        st.rerun(scope="app")
    network = state.current_network()
    _render_heading(network)
    workspace.render_history_controls()
    share.follow_address(network)
    workspace.render_notices()
    outcome = results.forward_pass(network)
    result: ForwardResult | None = None
    if isinstance(outcome, ForwardError):
        results.render_forward_error(outcome)
    else:
        result = outcome
        diagram, output = st.columns([5, 2])
        with diagram:
            results.render_diagram(network, result)
        with output:
            st.subheader("Output")
            results.render_output(network, result)
        if digits.is_digit_network(network):
            digits.render(network, result)
        results.render_neuron_panel(network, result)
        truth_table.render(network)
    _render_tables(network, result)


def render() -> None:
    """The Simulator page, for app.py's st.navigation."""
    workspace.ensure_defaults()
    share.apply_link()
    network = state.current_network()
    with st.sidebar:
        st.header("Build")
        builder.render_source()
        with st.expander("Layers", expanded=True):
            builder.render_shape(network)
    st.session_state[state.SIDEBAR_GENERATION] = workspace.generation()
    _render_workbench()
