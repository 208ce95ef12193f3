"""The Train page's pictures and tables as pure functions (no Streamlit): the decision boundary
and every neuron's map over the input plane, the loss and accuracy curves, the confusion matrix
and worst-classified digits, the data preview, and the one-step tables W, ∂L/∂W, W′.

The plane is one batched forward pass over a RESOLUTION × RESOLUTION grid (10,000 rows through
the network at once); each neuron's map is its column of that pass, so drawing every neuron
costs no second pass. Colours follow TensorFlow Playground: orange for low (class 0 or −1),
a light grey for the middle, blue for high (class 1).
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mlpsim.core.activations import REGISTRY
from mlpsim.core.backward import Gradients, backward
from mlpsim.core.forward import ForwardResult, forward
from mlpsim.core.losses import Loss
from mlpsim.core.network import Network, neuron_name
from mlpsim.data.datasets import Dataset
from mlpsim.render.raster import png_bytes

RESOLUTION = 100
THUMBNAIL = 25
"""Each neuron's map is the plane's pass averaged in 4×4 blocks (Playground draws 10×10)."""
LOW_RGB = np.array([245.0, 147.0, 34.0])
MID_RGB = np.array([232.0, 234.0, 235.0])
HIGH_RGB = np.array([8.0, 119.0, 189.0])
LOW_COLOUR, MID_COLOUR, HIGH_COLOUR = "rgb(245,147,34)", "rgb(232,234,235)", "rgb(8,119,189)"
COLOURSCALE = [[0.0, LOW_COLOUR], [0.5, MID_COLOUR], [1.0, HIGH_COLOUR]]
CLASS_COLOURS = (
    "#f59322",
    "#0877bd",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#d62728",
)
FONT = dict(family='"Source Sans", sans-serif', size=12, color="#808080")
WORST_SHOWN = 8


@dataclass(frozen=True, eq=False)
class Plane:
    """The input plane the maps cover. xs: (R,), ys: (R,); grid: (R·R, 2), row-major (y outer)."""

    xs: np.ndarray
    ys: np.ndarray
    grid: np.ndarray


def plane_for(inputs: np.ndarray, resolution: int = RESOLUTION) -> Plane:
    """A square-celled plane around the 2-D ``inputs`` (P, 2), with a 10 % margin."""
    low, high = inputs.min(axis=0), inputs.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-9)
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return Plane(xs, ys, np.column_stack([gx.ravel(), gy.ravel()]))


def plane_pass(network: Network, plane: Plane) -> ForwardResult:
    """Every neuron's value at every grid point: one forward pass of (R·R, 2) rows."""
    return forward(network, plane.grid)


def value_range(activation: str, values: np.ndarray) -> tuple[float, float]:
    """The colour range of a neuron's values: the activation's own range where it has one."""
    low, high = REGISTRY[activation].output_range
    if low is not None and high is not None:
        return low, high
    top = float(np.max(np.abs(values))) or 1.0
    return (-top if low is None else low), (top if high is None else high)


def colours(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """(…,) values → (…, 3) uint8 on the orange → grey → blue ramp over [low, high]."""
    t = np.clip((values - low) / (high - low), 0.0, 1.0)[..., None]
    lower = MID_RGB + (LOW_RGB - MID_RGB) * (1.0 - 2.0 * t)
    upper = MID_RGB + (HIGH_RGB - MID_RGB) * (2.0 * t - 1.0)
    return np.rint(np.where(t < 0.5, lower, upper)).astype(np.uint8)


def _png(rgb: np.ndarray) -> bytes:
    alpha = np.full(rgb.shape[:2] + (1,), 255, dtype=np.uint8)
    return png_bytes(np.concatenate([rgb, alpha], axis=-1))


def neuron_maps(network: Network, result: ForwardResult, resolution: int = RESOLUTION) -> list[list[bytes]]:
    """PNG thumbnails (THUMBNAIL² pixels, y up) of every neuron, per weighted layer in order:
    maps[k][j] is neuron j of layer position k + 1, coloured over its activation's range."""
    block = resolution // THUMBNAIL
    maps = []
    for layer, a in zip(network.layers, result.a):
        images = []
        low, high = value_range(layer.activation, a)
        for j in range(a.shape[1]):
            field_ = a[:, j].reshape(resolution, resolution)[::-1]  # row 0 = the top (largest y)
            coarse = field_.reshape(THUMBNAIL, block, THUMBNAIL, block).mean(axis=(1, 3))
            images.append(_png(colours(coarse, low, high)))
        maps.append(images)
    return maps


def images_html(images: list[tuple[bytes, str]], size: int) -> str:
    """PNG images with captions as one HTML row of inline data: inline data travels with the
    frame, where st.image's media files of a frame already replaced can be gone by the time the
    browser asks for them (broken images while playing)."""
    cells = "".join(
        f'<figure style="margin:0 4px 4px 0;text-align:center">'
        f'<img alt="{html.escape(caption)}" style="width:{size}px;height:{size}px;border-radius:4px;display:block;'
        f'image-rendering:pixelated" src="data:image/png;base64,{base64.b64encode(image).decode()}"/>'
        f'<figcaption style="font-size:11px;opacity:0.75">{html.escape(caption)}</figcaption></figure>'
        for image, caption in images
    )
    return f'<div style="display:flex;flex-wrap:wrap">{cells}</div>'


def neuron_maps_html(network: Network, maps: list[list[bytes]], size: int = 52) -> str:
    """The neurons' thumbnails, a row per layer under its title."""
    return "".join(
        f'<div style="font-size:12px;opacity:0.75;margin-top:4px">{html.escape(network.layer_title(position))}</div>'
        + images_html([(image, neuron_name(position, j)) for j, image in enumerate(images)], size)
        for position, images in enumerate(maps, start=1)
    )


def boundary_figure(
    network: Network, plane: Plane, result: ForwardResult, train: Dataset, test: Dataset | None, height: int = 380
) -> go.Figure:
    """The output over the plane as a heat map (one output: its value; several: the class with
    the largest output, shaded by it) with the train points (filled) and test points (ringed)."""
    output = result.a[-1]
    activation = network.layers[-1].activation
    resolution = plane.xs.size
    if output.shape[1] == 1:
        low, high = value_range(activation, output)
        z = output[:, 0].reshape(resolution, resolution)
        heat = go.Heatmap(
            x=plane.xs,
            y=plane.ys,
            z=z,
            zmin=low,
            zmax=high,
            colorscale=COLOURSCALE,
            showscale=False,
            hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>output %{z:.3f}<extra></extra>",
        )
    else:
        classes = np.argmax(output, axis=1).reshape(resolution, resolution)
        k = output.shape[1]
        scale = [[i / max(k - 1, 1), CLASS_COLOURS[i % len(CLASS_COLOURS)]] for i in range(k)]
        heat = go.Heatmap(
            x=plane.xs,
            y=plane.ys,
            z=classes,
            zmin=0,
            zmax=k - 1,
            colorscale=scale,
            opacity=0.45,
            showscale=False,
            hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>class %{z}<extra></extra>",
        )
    traces = [heat]
    for part, name, line in ((train, "train", "white"), (test, "test", "black")):
        if part is None or len(part) == 0:
            continue
        traces.append(
            go.Scatter(
                x=part.inputs[:, 0],
                y=part.inputs[:, 1],
                mode="markers",
                name=name,
                marker=dict(size=6, color=_point_colours(part), line=dict(width=1, color=line)),
                hovertemplate=f"{name} (%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            )
        )
    figure = go.Figure(traces)
    figure.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        template=None,
        font=FONT,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        showlegend=False,
        xaxis=dict(range=[plane.xs[0], plane.xs[-1]], constrain="domain", showgrid=False, zeroline=False),
        yaxis=dict(range=[plane.ys[0], plane.ys[-1]], scaleanchor="x", showgrid=False, zeroline=False),
        uirevision="plane",
    )
    return figure


def _point_colours(part: Dataset) -> list[str] | np.ndarray:
    if part.labels is not None:
        return [CLASS_COLOURS[label % len(CLASS_COLOURS)] for label in part.labels]
    values = part.targets[:, 0]
    top = float(np.max(np.abs(values))) or 1.0
    rgb = colours(values, -top, top)
    return [f"rgb({r},{g},{b})" for r, g, b in rgb]


def curves_figure(history, height: int = 260) -> go.Figure:
    """Train and test loss (left axis) and accuracy (right axis) per epoch."""
    epochs = [record.epoch for record in history]
    traces = [
        go.Scatter(x=epochs, y=[r.train_loss for r in history], name="train loss", line=dict(color="#0877bd")),
    ]
    if any(r.test_loss is not None for r in history):
        traces.append(
            go.Scatter(x=epochs, y=[r.test_loss for r in history], name="test loss", line=dict(color="#f59322"))
        )
    if any(r.test_accuracy is not None or r.train_accuracy is not None for r in history):
        traces.append(
            go.Scatter(
                x=epochs,
                y=[r.train_accuracy for r in history],
                name="train accuracy",
                yaxis="y2",
                line=dict(color="#0877bd", dash="dot"),
            )
        )
        if any(r.test_accuracy is not None for r in history):
            traces.append(
                go.Scatter(
                    x=epochs,
                    y=[r.test_accuracy for r in history],
                    name="test accuracy",
                    yaxis="y2",
                    line=dict(color="#f59322", dash="dot"),
                )
            )
    figure = go.Figure(traces)
    figure.update_layout(
        height=height,
        margin=dict(l=50, r=50, t=50, b=40),
        template=None,
        font=FONT,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        hovermode="x unified",
        xaxis=dict(title="epoch", showgrid=False, rangemode="tozero"),
        yaxis=dict(title="loss", rangemode="tozero", gridcolor="rgba(128,128,128,0.25)"),
        yaxis2=dict(
            title="accuracy",
            overlaying="y",
            side="right",
            range=[0, 1.02],
            showgrid=False,
            tickformat=".0%",
            dtick=0.25,
        ),
        uirevision="curves",
    )
    return figure


def confusion(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """(K, K) counts: row = true class, column = predicted class."""
    matrix = np.zeros((classes, classes), dtype=int)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def confusion_figure(matrix: np.ndarray, height: int = 320) -> go.Figure:
    k = matrix.shape[0]
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=list(range(k)),
            y=list(range(k)),
            colorscale="Blues",
            showscale=False,
            text=matrix,
            texttemplate="%{text}",
            hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
        )
    )
    figure.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        template=None,
        font=FONT,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis=dict(title="predicted", dtick=1, side="top"),
        yaxis=dict(title="true", dtick=1, autorange="reversed"),
    )
    return figure


def digit_png(pixels: np.ndarray, scale: int = 6) -> bytes:
    """An 8×8 image of 0..1 ink (64,) as a PNG, dark ink on white, each pixel ``scale`` wide."""
    grey = np.rint(255.0 * (1.0 - np.clip(pixels.reshape(8, 8), 0.0, 1.0))).astype(np.uint8)
    big = np.kron(grey, np.ones((scale, scale), dtype=np.uint8))
    return _png(np.repeat(big[..., None], 3, axis=-1))


def worst_classified(
    labels: np.ndarray, outputs: np.ndarray, count: int = WORST_SHOWN
) -> list[tuple[int, int, int, float]]:
    """The ``count`` rows whose true class got the lowest output: (row, true, predicted, its output)."""
    true_scores = outputs[np.arange(labels.size), labels]
    rows = np.argsort(true_scores, kind="stable")[:count]
    return [(int(r), int(labels[r]), int(np.argmax(outputs[r])), float(true_scores[r])) for r in rows]


def preview_frame(dataset: Dataset, rows: int = 8) -> pd.DataFrame:
    """The first rows: inputs x1.., then the label or the targets."""
    frame = pd.DataFrame(dataset.inputs[:rows], columns=[f"x{i + 1}" for i in range(dataset.inputs.shape[1])])
    if dataset.labels is not None:
        frame["label"] = dataset.labels[:rows]
    elif dataset.targets is not None:
        for j in range(dataset.targets.shape[1]):
            frame[f"y{j + 1}"] = dataset.targets[:rows, j]
    return frame


def preview_figure(dataset: Dataset, height: int = 300) -> go.Figure:
    """A 2-input dataset's points coloured by class (or by target value)."""
    figure = go.Figure(
        go.Scatter(
            x=dataset.inputs[:, 0],
            y=dataset.inputs[:, 1],
            mode="markers",
            marker=dict(size=6, color=_point_colours(dataset), line=dict(width=1, color="white")),
            hovertemplate="(%{x:.2f}, %{y:.2f})<extra></extra>",
        )
    )
    figure.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        template=None,
        font=FONT,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        showlegend=False,
        xaxis=dict(showgrid=False, zeroline=False),
        yaxis=dict(scaleanchor="x", showgrid=False, zeroline=False),
    )
    return figure


# ---- one step, every number --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SampleStep:
    """One sample's forward and backward pass and a gradient-descent step on it alone.

    x: (N0,); y: (M,) its target; result: the single-sample forward pass; gradients: its
    backward pass; updated[k]: (N, M) = W − η·∂L/∂W of weighted layer k (0-based).
    """

    x: np.ndarray
    y: np.ndarray
    result: ForwardResult
    gradients: Gradients
    learning_rate: float
    updated: tuple[np.ndarray, ...]


def sample_step(network: Network, x: np.ndarray, y: np.ndarray, loss: Loss, learning_rate: float) -> SampleStep:
    result = forward(network, x)
    gradients = backward(network, y, loss=loss, result=result)
    updated = tuple(layer.weights - learning_rate * g for layer, g in zip(network.layers, gradients.weights))
    return SampleStep(x, y, result, gradients, learning_rate, updated)


TABLE_DIGITS = 4
"""Significant digits in the three tables (the worked lines below them give six)."""


def table_number(value: float) -> str:
    return "0" if value == 0 else f"{float(value):.{TABLE_DIGITS}g}"


def _matrix_frame(values: np.ndarray, position: int) -> pd.DataFrame:
    """An N×M matrix of layer ``position`` in the article's orientation: rows = sources, columns = targets."""
    n, m = values.shape
    return pd.DataFrame(
        [[table_number(v) for v in row] for row in values],
        index=[neuron_name(position - 1, i) for i in range(n)],
        columns=[neuron_name(position, j) for j in range(m)],
    )


def step_tables(
    network: Network, step: SampleStep, position: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """W, ∂L/∂W and W′ of layer ``position`` (1..L) as text tables, and (N, M) booleans: the
    cells W′ changed (∂L/∂W not 0)."""
    weights = network.layers[position - 1].weights
    gradient = step.gradients.weights[position - 1]
    updated = step.updated[position - 1]
    return (
        _matrix_frame(weights, position),
        _matrix_frame(gradient, position),
        _matrix_frame(updated, position),
        updated != weights,
    )
