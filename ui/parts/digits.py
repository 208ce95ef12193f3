"""The digit reader's view on the Simulator page: a 64-input network read as an 8×8 image.

Shown for a network with 64 inputs whose name mentions digits (the trained preset, or a copy of
it). The input is drawn as the image it is, on a canvas (ui/parts/drawing_canvas.py) you draw on with a
mouse, a finger or the keyboard — in ink, or with the eraser; the outputs are the digits 0–9 with
the predicted one marked; a test image can be picked from the preset's held-out rows.
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
from ui.common import cache
from ui.common.tables import Table
from ui.parts import drawing_canvas
from ui.session import state, workspace

SIDE = 8
PIXELS = SIDE * SIDE
INK = 1.0
"""Value of a drawn pixel: the preset reads ink / 16, so full ink is 1."""
BRUSHES = {"Ink": INK, "Eraser": 0.0}
IMAGE_PIXELS = 260
DIVERGING = "RdBu"
PREDICTED_COLOUR = "rgb(242,169,0)"
OTHER_COLOUR = "rgb(150,160,180)"


def is_digit_network(network: Network) -> bool:
    return network.input_size == PIXELS and "digit" in network.name.lower()


@cache.shared(cache.DIGIT_TEST_IMAGES)
def test_images() -> tuple[np.ndarray, np.ndarray]:
    """(450, 64) pixels / 16 and (450,) labels: the digit reader's held-out rows."""
    _, test = datasets.split(datasets.digits(), DIGIT_TEST_FRACTION, DIGIT_SPLIT_SEED)
    assert test is not None and test.labels is not None  # a fraction > 0 of a labelled set
    return test.inputs, test.labels


def weights_figure(weights: np.ndarray, title: str) -> go.Figure:
    """(64,) weights as an 8×8 picture (row by row from the top left), red–white–blue centred at
    0, as square markers with a hover label each and a colour bar."""
    values = np.asarray(weights, dtype=float)
    k = np.arange(PIXELS)
    largest = float(np.abs(values).max(initial=0.0)) or 1.0
    figure = go.Figure(
        go.Scatter(
            x=(k % SIDE).tolist(),
            y=(k // SIDE).tolist(),
            mode="markers",
            marker=dict(
                symbol="square",
                size=28,
                color=values.tolist(),
                line=dict(width=1, color="#bbbbbb"),
                colorscale=DIVERGING,
                cmin=-largest,
                cmax=largest,
                showscale=True,
                colorbar=dict(thickness=10, len=0.9),
            ),
            hovertemplate="row %{y}, column %{x}: %{marker.color:.3g}<extra></extra>",
        )
    )
    figure.update_xaxes(range=[-0.5, SIDE - 0.5], visible=False, fixedrange=True)
    figure.update_yaxes(range=[SIDE - 0.5, -0.5], visible=False, fixedrange=True, scaleanchor="x")
    figure.update_layout(
        title=dict(text=title, font=dict(size=13)),
        width=IMAGE_PIXELS + 40,
        height=IMAGE_PIXELS + 30,
        margin=dict(l=4, r=4, t=30, b=4),
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=False,
        hovermode="closest",
        # Streamlit calls Plotly.react a second time on a chart it has just mounted: with a
        # revision of the data, that call changes nothing.
        datarevision=data_revision(values, title),
    )
    return figure


INPUT_TABLE = Table("input")


def _replace_input(values: np.ndarray, label: str) -> None:
    """Make ``values`` the network's input, as an edit of the input table: only that table's
    editor is renewed and the page's other parts keep their keys, so a drawn stroke reruns the
    workbench alone (not the sidebar too) and the browser rebuilds one grid, not all three."""
    network = state.current_network()
    workspace.replace_network(network.with_input(values), folded_table=INPUT_TABLE, label=label)


def painted(values: np.ndarray, pixels: list[int] | tuple[int, ...], brush: float) -> np.ndarray:
    """``values`` (64,) with ``pixels`` set to ``brush``."""
    image = np.array(values, dtype=float)
    image[[p for p in pixels if 0 <= p < PIXELS]] = brush
    return image


def _brush() -> float:
    return BRUSHES[state.value(state.DIGIT_BRUSH) or state.default(state.DIGIT_BRUSH)]


def _on_strokes() -> None:
    applied = state.value(state.DIGIT_STROKES_APPLIED)
    strokes, latest = drawing_canvas.new_strokes(
        drawing_canvas.sent_strokes(state.DIGIT_CANVAS), applied, SIDE, BRUSHES.values()
    )
    st.session_state[state.DIGIT_STROKES_APPLIED] = latest
    if strokes:
        image = state.current_network().input_values
        for stroke in strokes:
            image = painted(image, stroke.pixels, stroke.value)
        _replace_input(image, "drawing")


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
        st.markdown("**Input: 8×8 pixels** (ink 0–1)")
        drawing_canvas.render(
            state.DIGIT_CANVAS,
            drawing_canvas.canvas_data(network.input_values, SIDE, _brush(), state.value(state.DIGIT_STROKES_APPLIED)),
            _on_strokes,
        )
        st.segmented_control("Brush", list(BRUSHES), key=state.widget(state.DIGIT_BRUSH))
        st.caption(
            "Draw with the mouse or a finger: a stroke is read when you lift it. With the keyboard, "
            "Tab to the image, move with the arrow keys and ink with Space. The input table below "
            "holds the same 64 values (row by row)."
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
        st.caption(f"Output per digit (N1 = 0 … N10 = {len(output) - 1}); the predicted one in orange")
        # Markdown, not st.html, whose sanitiser drops SVG; the SVG is made of numbers alone.
        st.markdown(output_bars_svg(output), unsafe_allow_html=True)


BARS_WIDTH, BARS_HEIGHT = 300, 170
BARS_LEFT, BARS_TOP, BARS_BOTTOM = 34, 18, 22
"""The bar chart's size and margins in pixels (room for the axis' numbers, the top bar's value
and the digits under the bars)."""


def output_bars_svg(output: np.ndarray) -> str:
    """The outputs 0, 1, … as an SVG bar chart, the largest (the predicted digit) in orange with
    its value on top, every value in a bar's tooltip and in the chart's accessible name.

    An SVG, not a plotly chart: Streamlit mounts a plotly chart anew whenever its
    figure changes, and this one changes with every stroke (~40 ms of browser time each); the
    SVG is replaced in place. The axis runs from 0 to 1 (probabilities), or wider when an edited
    network's outputs leave that range."""
    values = np.asarray(output, dtype=float)
    predicted = int(np.argmax(values))
    low = min(0.0, float(values.min(initial=0.0)))
    high = max(1.0, float(values.max(initial=1.0)))
    plot_height = BARS_HEIGHT - BARS_TOP - BARS_BOTTOM
    slot = (BARS_WIDTH - BARS_LEFT - 4) / max(1, values.size)

    def y(value: float) -> float:
        return BARS_TOP + (high - value) / (high - low) * plot_height

    parts = []
    for tick in sorted({low, 0.0, (low + high) / 2, high}):
        parts.append(
            f"<line x1='{BARS_LEFT}' x2='{BARS_WIDTH - 4}' y1='{y(tick):.1f}' y2='{y(tick):.1f}' stroke='#e3e3e3'/>"
            f"<text x='{BARS_LEFT - 4}' y='{y(tick) + 4:.1f}' text-anchor='end'>{tick:.2g}</text>"
        )
    for k, value in enumerate(values.tolist()):
        top, bottom = sorted((y(value), y(0.0)))
        left = BARS_LEFT + k * slot + slot * 0.15
        colour = PREDICTED_COLOUR if k == predicted else OTHER_COLOUR
        parts.append(
            f"<rect x='{left:.1f}' y='{top:.1f}' width='{slot * 0.7:.1f}' height='{max(bottom - top, 0.5):.1f}' "
            f"fill='{colour}'><title>digit {k}: {value:.4f}</title></rect>"
            f"<text x='{left + slot * 0.35:.1f}' y='{BARS_HEIGHT - 6}' text-anchor='middle'>{k}</text>"
        )
        if k == predicted:
            parts.append(
                f"<text x='{left + slot * 0.35:.1f}' y='{top - 4:.1f}' text-anchor='middle'>{value:.2f}</text>"
            )
    name = "Output per digit: " + ", ".join(f"{k}: {value:.1%}" for k, value in enumerate(values.tolist()))
    return (
        # At most its own size, narrower (scaled down whole) in a narrower column.
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {BARS_WIDTH} {BARS_HEIGHT}' role='img' "
        f"style='width:100%;max-width:{BARS_WIDTH}px;height:auto;background:white' "
        f"aria-label='{name}' font-family='sans-serif' font-size='11' fill='#333333'>"
        f"{''.join(parts)}</svg>"
    )


def first_layer_weights(network: Network, index: int) -> np.ndarray:
    """(64,) the weights into hidden neuron ``index`` (0-based) of the first layer: column ``index`` of W1."""
    return network.layers[0].weights[:, index]


def render_weights_image(network: Network, index: int) -> None:
    """What first-hidden-layer neuron ``index`` responds to: its 64 incoming weights as the image."""
    st.plotly_chart(
        weights_figure(
            first_layer_weights(network, index),
            f"W1 column {index + 1} as 8×8: what N{index + 1} looks for",
        ),
        key=state.DIGIT_WEIGHTS,
        config={"displayModeBar": False},
        width="content",
        theme=None,
    )
    st.caption("Blue pixels raise its sum when inked, red ones lower it (colour centred at 0).")
