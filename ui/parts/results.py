"""The forward pass on the page: diagram, neuron selection with worked arithmetic, z/a tables,
output, and the matrix form of a layer. The forward pass and the figure are cached per network
object (and selection), for all sessions (ui/common/cache.py), so a rerun that changes neither rebuilds
nothing."""

from __future__ import annotations

from typing import Literal, TypedDict

import pandas as pd
import streamlit as st

from mlpsim.core.errors import ForwardError
from mlpsim.core.forward import ForwardResult, forward
from mlpsim.core.network import Network, neuron_name
from mlpsim.core.numbertext import number
from mlpsim.explain.arithmetic import layer_working, neuron_working
from mlpsim.explain.notation import TERMS_IN_ONE_LINE
from mlpsim.render.figure import network_figure
from ui.common import cache
from ui.common.literal import escaped
from ui.parts import digits
from ui.session import state

EDGE_VALUES_MAX_EDGES = 64
"""Weights can be written on the edges only when there are this few (more is unreadable)."""
STEP_EDGE_VALUES_MAX_EDGES = 40
"""The step-throughs (forward and backward) write the weights on the edges up to this many: their
diagram shares its row with the step's panel."""


class ChartDisplay(TypedDict):
    width: Literal["content"]
    theme: None


DIAGRAM_DISPLAY: ChartDisplay = {"width": "content", "theme": None}
"""How st.plotly_chart shows a diagram: at the figure's own width (narrower when the column is),
with the figure's own colours and font. Either Streamlit default makes plotly.js draw each chart
twice — "stretch" measures the chart only after its first draw, and the Streamlit theme adds a
template that Plotly.react takes for a change."""

DIAGRAM_CONFIG = {"displayModeBar": False, "displaylogo": False}
"""No plotly mode bar: its eight buttons were Tab stops before the tables, and the diagram pans by
dragging and resets on a double click without it."""

Neuron = tuple[int, int]


@cache.shared(cache.FORWARD_PASS)
def forward_pass(network: Network) -> ForwardResult | ForwardError:
    """The network's forward pass, or the ForwardError naming the layer that overflowed."""
    try:
        return forward(network)
    except ForwardError as error:
        return error


def selectable_neurons(network: Network) -> list[Neuron]:
    """Every neuron, inputs first: (position, index0) for positions 0..L."""
    return [(position, j) for position, size in enumerate(network.layer_sizes) for j in range(size)]


def selected_neuron(network: Network) -> Neuron | None:
    selected = state.value(state.SELECTED_NEURON)
    if selected is None:
        return None
    position, index = selected
    if 0 <= position < len(network.layer_sizes) and 0 <= index < network.layer_sizes[position]:
        return selected
    return None


def neuron_label(network: Network, neuron: Neuron | None) -> str:
    if neuron is None:
        return "—"
    position, index = neuron
    return f"{neuron_name(position, index)} · {network.layer_title(position)}"


def neuron_from_customdata(customdata) -> Neuron | None:
    """(position, index0) from a clicked point's customdata: plotly.js sends a typed-array row
    as a list, or as an object {"0": position, "1": index0}."""
    if isinstance(customdata, dict):
        customdata = [customdata[key] for key in sorted(customdata, key=int)]
    if not isinstance(customdata, (list, tuple)) or len(customdata) != 2:
        return None
    return int(customdata[0]), int(customdata[1])


def _on_diagram_select() -> None:
    for point in st.session_state[state.DIAGRAM].selection.points:
        neuron = neuron_from_customdata(point.get("customdata"))
        if neuron is not None:
            st.session_state[state.SELECTED_NEURON] = neuron
            return


def _on_neuron_select() -> None:
    st.session_state[state.SELECTED_NEURON] = st.session_state[state.NEURON_SELECT]


@cache.shared(cache.SIMULATOR_DIAGRAM)
def diagram_figure(network: Network, result: ForwardResult, selected: Neuron | None, edge_values: bool):
    """The Simulator's diagram of ``network`` and its forward pass ``result``."""
    figure = network_figure(network, result, selected=selected, show_edge_values=edge_values)
    # What st.plotly_chart(selection_mode="points") sets on a chart it mounts; set here, the
    # layout does not change after the first draw, and plotly.js draws the chart once.
    figure.update_layout(clickmode="event+select", dragmode="pan")
    return figure


def render_diagram(network: Network, result: ForwardResult) -> None:
    """The diagram of ``network`` and its forward pass ``result`` (the caller's: not fetched again)."""
    edges = network.weight_count
    edge_values = False
    if edges <= EDGE_VALUES_MAX_EDGES:
        edge_values = st.toggle("Weights on the edges", **state.bound(state.EDGE_VALUES))
    figure = diagram_figure(network, result, selected_neuron(network), edge_values)
    st.plotly_chart(
        figure,
        key=state.DIAGRAM,
        on_select=_on_diagram_select,
        selection_mode="points",
        config=DIAGRAM_CONFIG,
        **DIAGRAM_DISPLAY,
    )


def render_neuron_panel(network: Network, result: ForwardResult) -> None:
    """Pick a neuron (or click it in the diagram): its sum worked out with the numbers in."""
    st.subheader("Neuron")
    picker, working_area = st.columns([1, 3])
    options: list[Neuron | None] = [None, *selectable_neurons(network)]
    selected = selected_neuron(network)
    st.session_state[state.NEURON_SELECT] = selected
    picker.selectbox(
        "Neuron (or click one in the diagram)",
        options,
        key=state.NEURON_SELECT,
        format_func=lambda neuron: neuron_label(network, neuron),
        on_change=_on_neuron_select,
        placeholder="Pick a neuron",
    )
    with working_area:
        if selected is None:
            st.caption("Pick a neuron, or click one in the diagram, to see how its value is computed.")
            return
        position, index = selected
        if position == 0:
            st.markdown(f"**{escaped(neuron_label(network, selected))}** — x = {number(network.input_values[index])}")
            st.caption(
                "An input neuron computes nothing: it has no weights in, no sum and no activation. "
                "Its value is the input x you set in the input table; it goes out along its edges."
            )
            return
        working = neuron_working(network, result, position, index)
        st.markdown(f"**{escaped(neuron_label(network, selected))}** — activation `{working.activation}`")
        if position == 1 and network.input_size == digits.PIXELS:
            digits.render_weights_image(network, index)
        for line in working.latex_lines():
            st.latex(line)
        if len(working.terms) <= TERMS_IN_ONE_LINE:  # more: the total only, and a table of the products
            return
        st.caption(f"The {len(working.terms)} products wᵢ·xᵢ:")
        st.dataframe(
            pd.DataFrame(
                {
                    "weight": [term.weight_name for term in working.terms],
                    "w": [term.weight_value for term in working.terms],
                    "x": [term.input_value for term in working.terms],
                    "w·x": [term.product for term in working.terms],
                },
                index=[term.input_name for term in working.terms],
            ),
            height=280,
        )


def render_output(network: Network, result: ForwardResult) -> None:
    """The output layer's a, as a plain table: it is redrawn on every edit, and a plain table
    appears in the same frame as its numbers, where a grid is rebuilt first (~0.1 s)."""
    output = result.output
    position = len(network.layers)
    frame = pd.DataFrame(
        {"a": [number(v) for v in output]}, index=[neuron_name(position, j) for j in range(output.shape[0])]
    )
    st.table(frame)


def render_matrix_form(network: Network, result: ForwardResult, layer: int) -> None:
    working = layer_working(network, result, layer)
    st.text(working.shapes_text)
    st.latex(working.as_latex())


def render_forward_error(error: ForwardError) -> None:
    st.error(f"The forward pass stopped: {error}. The tables below stay editable — fix the value there.")
