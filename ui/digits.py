"""The digit reader's view on the Simulator page: a 64-input network read as an 8×8 image.

Shown for a network with 64 inputs whose name mentions digits (the trained preset, or a copy of
it). The input is drawn as the image it is; the outputs are the digits 0–9 with the predicted
one marked; a test image can be picked from the preset's held-out rows; and the image can be
drawn on: a click (or tap) on a pixel inks it — or erases it with the eraser chosen. Plotly's own
click selection is used, not a custom component, so it needs nothing but what the page already
loads, and works with a finger as with a mouse. (A lasso would paint strokes, but Streamlit
turns click selection off while the drag mode is lasso: one or the other, and a tap is surer.)
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network
from mlpsim.data import datasets
from mlpsim.io.presets import DIGIT_SPLIT_SEED, DIGIT_TEST_FRACTION
from mlpsim.render.figure import data_revision
from ui import cache, state, workspace
from ui.tables import Table

SIDE = 8
PIXELS = SIDE * SIDE
INK = 1.0
"""Value of a drawn pixel: the preset reads ink / 16, so full ink is 1."""
BRUSHES = {"Ink": INK, "Eraser": 0.0}
IMAGE_PIXELS = 260
GREYS = [[0.0, "white"], [1.0, "black"]]
DIVERGING = "RdBu"


def is_digit_network(network: Network) -> bool:
    return network.input_size == PIXELS and "digit" in network.name.lower()


@cache.shared(cache.DIGIT_TEST_IMAGES)
def test_images() -> tuple[np.ndarray, np.ndarray]:
    """(450, 64) pixels / 16 and (450,) labels: the digit reader's held-out rows."""
    _, test = datasets.split(datasets.digits(), DIGIT_TEST_FRACTION, DIGIT_SPLIT_SEED)
    return test.inputs, test.labels


def _pixel_grid() -> tuple[np.ndarray, np.ndarray]:
    """x (column) and y (row) of pixel k = 8·row + column, row 0 at the top."""
    k = np.arange(PIXELS)
    return k % SIDE, k // SIDE


def image_figure(values: np.ndarray, title: str, diverging: bool = False) -> go.Figure:
    """An 8×8 picture of 64 numbers (row by row from the top-left) as square markers: grey
    from 0 (white) to 1 (black), or red–white–blue centred at 0 for weights. Markers, not a
    heatmap, because plotly can select (click) scatter points and not heatmap cells."""
    values = np.asarray(values, dtype=float)
    x, y = _pixel_grid()
    if diverging:
        largest = float(np.abs(values).max(initial=0.0)) or 1.0
        colours = dict(
            colorscale=DIVERGING, cmin=-largest, cmax=largest, showscale=True, colorbar=dict(thickness=10, len=0.9)
        )
    else:
        colours = dict(colorscale=GREYS, cmin=0.0, cmax=1.0)
    figure = go.Figure(
        go.Scatter(
            x=x.tolist(),
            y=y.tolist(),
            mode="markers",
            customdata=np.arange(PIXELS).tolist(),
            marker=dict(
                symbol="square", size=28, color=values.tolist(), line=dict(width=1, color="#bbbbbb"), **colours
            ),
            hovertemplate="row %{y}, column %{x}: %{marker.color:.3g}<extra></extra>",
        )
    )
    figure.update_xaxes(range=[-0.5, SIDE - 0.5], visible=False, fixedrange=True)
    figure.update_yaxes(range=[SIDE - 0.5, -0.5], visible=False, fixedrange=True, scaleanchor="x")
    figure.update_layout(
        title=dict(text=title, font=dict(size=13)),
        width=IMAGE_PIXELS + (40 if diverging else 0),
        height=IMAGE_PIXELS + 30,
        margin=dict(l=4, r=4, t=30, b=4),
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=False,
        # What Streamlit sets for point selection, and a revision of the data: with both, the
        # second Plotly.react Streamlit makes on a chart it has just mounted changes nothing.
        clickmode="event+select",
        dragmode="pan",
        hovermode="closest",
        datarevision=data_revision(values, title, diverging),
    )
    return figure


INPUT_TABLE = Table("input")


def _replace_input(values: np.ndarray, label: str) -> None:
    """Make ``values`` the network's input, as an edit of the input table: only that table's
    editor is renewed and the page's other parts keep their keys, so a drawn pixel reruns the
    workbench alone (not the sidebar too) and the browser rebuilds one grid, not all three."""
    network = state.current_network()
    workspace.replace_network(network.with_input(values), folded_table=INPUT_TABLE, label=label)


def painted(values: np.ndarray, pixels: list[int], brush: float) -> np.ndarray:
    """``values`` (64,) with ``pixels`` set to ``brush``."""
    image = np.array(values, dtype=float)
    image[[p for p in pixels if 0 <= p < PIXELS]] = brush
    return image


def _canvas_key() -> str:
    return f"{state.DIGIT_CANVAS_PREFIX}{state.value(state.DIGIT_CANVAS_ROUND)}"


def stroke_pixels(points: list[dict]) -> list[int]:
    """The pixels (0..63) of the points plotly.js reports for a click on image_figure."""
    pixels = []
    for point in points:
        pixel = point.get("customdata")
        if isinstance(pixel, (int, float)) and 0 <= pixel < PIXELS:
            pixels.append(int(pixel))
    return pixels


def _on_draw() -> None:
    pixels = stroke_pixels(st.session_state[_canvas_key()].selection.points)
    if not pixels:
        return
    brush = BRUSHES[state.value(state.DIGIT_BRUSH) or state.default(state.DIGIT_BRUSH)]
    _replace_input(painted(state.current_network().input_values, pixels, brush), "drawing")
    # A new key gives a chart with no selection, so the next click on the same pixel counts.
    st.session_state[state.DIGIT_CANVAS_ROUND] = state.value(state.DIGIT_CANVAS_ROUND) + 1


def _on_clear() -> None:
    _replace_input(np.zeros(PIXELS), "clearing of the drawing")


def _on_test_image() -> None:
    images, _ = test_images()
    number = st.session_state[state.DIGIT_TEST_IMAGE]
    _replace_input(images[number - 1], f"opening of test image {number}")


def render(network: Network, result: ForwardResult) -> None:
    """The image you can draw on, the test-image picker and the digits the network sees."""
    st.subheader("Digit")
    images, labels = test_images()
    drawing, reading = st.columns([1, 1])
    with drawing:
        st.plotly_chart(
            image_figure(network.input_values, "Input: 8×8 pixels (ink 0–1)"),
            key=_canvas_key(),
            on_select=_on_draw,
            selection_mode="points",
            config={"displaylogo": False, "displayModeBar": False},
            width="content",
            theme=None,
        )
        st.segmented_control("Brush", list(BRUSHES), key=state.widget(state.DIGIT_BRUSH))
        st.caption(
            "Click or tap a pixel to ink it (or erase it with the eraser). The input table below "
            "holds the same 64 values (row by row) for the keyboard."
        )
        st.button("Clear the image", key=state.DIGIT_CLEAR, on_click=_on_clear)
    with reading:
        number = st.number_input(
            f"Test image (1–{len(labels)})",
            min_value=1,
            max_value=len(labels),
            key=state.DIGIT_TEST_IMAGE,
            on_change=_on_test_image,
            format="%d",
            help="Held-out rows of scikit-learn's digits the reader never trained on.",
        )
        shown = np.array_equal(network.input_values, images[number - 1])
        st.markdown(
            f"True label of test image {number}: **{labels[number - 1]}**"
            + ("" if shown else " (not the input now: change the number to load it)")
        )
        output = result.output
        predicted = int(np.argmax(output))
        st.markdown(f"The network reads: **{predicted}** ({output[predicted]:.1%})")
        st.plotly_chart(
            output_figure(output),
            key=state.DIGIT_OUTPUTS,
            config={"displayModeBar": False},
            width="content",
            theme=None,
        )


def output_figure(output: np.ndarray) -> go.Figure:
    """Outputs 0–9 as bars, the largest (the predicted digit) in orange."""
    predicted = int(np.argmax(output))
    colours = ["rgb(242,169,0)" if k == predicted else "rgb(150,160,180)" for k in range(len(output))]
    figure = go.Figure(
        go.Bar(
            x=[str(k) for k in range(len(output))],
            y=np.asarray(output).tolist(),
            marker_color=colours,
            hovertemplate="digit %{x}: %{y:.4f}<extra></extra>",
        )
    )
    figure.update_layout(
        width=300,
        height=200,
        margin=dict(l=30, r=4, t=24, b=24),
        yaxis=dict(range=[0, 1]),
        title=dict(text=f"Output per digit (N1 = 0 … N10 = 9); predicted {predicted}", font=dict(size=12)),
        plot_bgcolor="white",
        paper_bgcolor="white",
        datarevision=data_revision(np.asarray(output, dtype=float)),  # drawn once (see image_figure)
    )
    return figure


def first_layer_weights(network: Network, index: int) -> np.ndarray:
    """(64,) the weights into hidden neuron ``index`` (0-based) of the first layer: column ``index`` of W1."""
    return network.layers[0].weights[:, index]


def render_weights_image(network: Network, index: int) -> None:
    """What first-hidden-layer neuron ``index`` responds to: its 64 incoming weights as the image."""
    st.plotly_chart(
        image_figure(
            first_layer_weights(network, index),
            f"W1 column {index + 1} as 8×8: what N{index + 1} looks for",
            diverging=True,
        ),
        key=state.DIGIT_WEIGHTS,
        config={"displayModeBar": False},
        width="content",
        theme=None,
    )
    st.caption("Blue pixels raise its sum when inked, red ones lower it (colour centred at 0).")
