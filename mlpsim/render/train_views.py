"""The Train page's pictures as pure functions (no Streamlit or pandas): the decision boundary
and every neuron's map over the input plane, the loss and accuracy curves, the confusion matrix
and worst-classified digits, the data preview's chart, the next Step's update (its mini-batch
as one pass) and one sample's step (their tables are ui/parts/train_tables.py: tables are
pandas, which mlpsim never imports).

The plane is one batched forward pass over a RESOLUTION × RESOLUTION grid (10,000 rows through
the network at once); each neuron's map is its column of that pass, so drawing every neuron
costs no second pass. Colours follow TensorFlow Playground: orange for low (class 0 or −1),
a light grey for the middle, blue for high (class 1).
"""

from __future__ import annotations

import base64
import html
import math
import sys
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from mlpsim.core.activations import REGISTRY
from mlpsim.core.backward import Gradients, backward
from mlpsim.core.errors import MlpsimError
from mlpsim.core.forward import ForwardResult, forward
from mlpsim.core.losses import Loss
from mlpsim.core.network import Network, neuron_name
from mlpsim.core.optimizers import Optimizer, OptimizerState
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
TEXT_GREY = "#808080"
FONT = dict(family='"Source Sans", sans-serif', size=12, color=TEXT_GREY)
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


def plane_pass(network: Network, plane: Plane) -> ForwardResult | str:
    """Every neuron's value at every grid point: one forward pass of (R·R, 2) rows; or, where
    a value leaves the floating-point range somewhere on the plane (the huge weights a diverged
    run keeps), the sentence the boundary and the neuron maps show in place of their pictures."""
    try:
        result = forward(network, plane.grid)
    except MlpsimError:  # forward names the first neuron that overflowed; the picture needs less
        return no_plane_picture(network)
    if all(np.isfinite(a).all() for a in result.a):
        return result
    return no_plane_picture(network)


def no_plane_picture(network: Network) -> str:
    """Why the plane cannot be drawn for ``network``: its values overflow there."""
    largest = max(float(np.max(np.abs(layer.weights), initial=0.0)) for layer in network.layers)
    return (
        f"No picture: over this plane the network's values leave the floating-point range "
        f"(its largest weight is {largest:.3g}). Reset returns to the starting weights."
    )


def no_picture_html(sentence: str) -> str:
    """A sentence standing where a picture would be, in a dashed box of the picture's place."""
    return (
        '<div role="note" style="border:1px dashed rgba(128,128,128,0.6);border-radius:4px;'
        f'padding:12px;max-width:380px;font-size:14px">{html.escape(sentence)}</div>'
    )


def value_range(activation: str, values: np.ndarray) -> tuple[float, float]:
    """The colour range of a neuron's values: the activation's own range where it has one."""
    low, high = REGISTRY[activation].output_range
    if low is not None and high is not None:
        return low, high
    top = float(np.max(np.abs(values))) or 1.0
    return (-top if low is None else low), (top if high is None else high)


def colours(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """(…,) values → (…, 3) uint8 on the orange → grey → blue ramp over [low, high].

    The values and the range are divided by the range's magnitude first: a diverged network's
    values near ±1.8e308 would overflow ``values − low`` (for ranges within ±1, the usual
    activations', the division is by 1 and changes nothing)."""
    scale = max(abs(low), abs(high), 1.0)
    t = np.clip((values / scale - low / scale) / (high / scale - low / scale), 0.0, 1.0)[..., None]
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
        # Averaged in units of the range: a block of sixteen values near 1e308 would overflow its sum.
        scale = max(abs(low), abs(high), 1.0)
        for j in range(a.shape[1]):
            field_ = a[:, j].reshape(resolution, resolution)[::-1] / scale  # row 0 = the top (largest y)
            coarse = field_.reshape(THUMBNAIL, block, THUMBNAIL, block).mean(axis=(1, 3))
            images.append(_png(colours(coarse, low / scale, high / scale)))
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


def caption_html(text: str) -> str:
    """A line of small muted text, as st.caption shows it, to travel inside another element's HTML."""
    return f'<div style="font-size:14px;opacity:0.6;margin:2px 0 6px">{html.escape(text)}</div>'


def neuron_maps_html(network: Network, maps: list[list[bytes]], size: int = 52) -> str:
    """The neurons' thumbnails, a row per layer under its title."""
    return "".join(
        f'<div style="font-size:12px;opacity:0.75;margin-top:4px">{html.escape(network.layer_title(position))}</div>'
        + images_html([(image, neuron_name(position, j)) for j, image in enumerate(images)], size)
        for position, images in enumerate(maps, start=1)
    )


BOUNDARY_SCALE = 3
"""Pixels per plane cell in the boundary picture: 100 cells → 300 px."""
POINT_RADIUS = 3.2
RING_WIDTH = 1.2
CLASS_OPACITY = 0.45
"""How strongly a multi-class boundary shows the winning class's colour over white."""


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)], dtype=float)


CLASS_RGB = np.array([_rgb(colour) for colour in CLASS_COLOURS])


def _disc_offsets(radius: float) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) pixel offsets of a disc of ``radius`` around a pixel."""
    reach = int(np.ceil(radius))
    dy, dx = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    inside = dy**2 + dx**2 <= radius**2
    return dy[inside], dx[inside]


def boundary_png(
    network: Network,
    plane: Plane,
    result: ForwardResult,
    train: Dataset,
    test: Dataset | None,
    scale: int = BOUNDARY_SCALE,
) -> bytes:
    """The output over the plane as one PNG of (R·scale)² pixels, y up, with the train points
    (white-ringed) and test points (black-ringed) drawn in. One output: its value on the
    orange → grey → blue ramp over its activation's range; several: the class with the largest
    output, in its class colour over white. A picture, not a chart: the browser only decodes it,
    where plotly.js would redraw a heat map and 500 markers for every frame while playing."""
    output = result.a[-1]
    resolution = plane.xs.size
    if output.shape[1] == 1:
        low, high = value_range(network.layers[-1].activation, output)
        cells = colours(output[:, 0].reshape(resolution, resolution), low, high)
    else:
        winners = np.argmax(output, axis=1).reshape(resolution, resolution)
        cells = np.rint(255.0 + CLASS_OPACITY * (CLASS_RGB[winners % len(CLASS_RGB)] - 255.0)).astype(np.uint8)
    picture = np.repeat(np.repeat(cells[::-1], scale, axis=0), scale, axis=1)  # row 0 = the top
    ring_rows, ring_columns = _disc_offsets(POINT_RADIUS + RING_WIDTH)
    fill_rows, fill_columns = _disc_offsets(POINT_RADIUS)
    size = resolution * scale
    cell_x, cell_y = plane.xs[1] - plane.xs[0], plane.ys[1] - plane.ys[0]
    for part, ring in ((train, 255), (test, 0)):
        if part is None or len(part) == 0:
            continue
        column = np.rint(((part.inputs[:, 0] - plane.xs[0]) / cell_x + 0.5) * scale - 0.5).astype(int)
        row = np.rint(((plane.ys[-1] - part.inputs[:, 1]) / cell_y + 0.5) * scale - 0.5).astype(int)
        fill = _point_rgb(part)
        for rows, columns, colour in (
            (ring_rows, ring_columns, np.full((len(part), 3), ring, dtype=np.uint8)),
            (fill_rows, fill_columns, np.rint(fill).astype(np.uint8)),
        ):
            r = row[:, None] + rows[None, :]
            c = column[:, None] + columns[None, :]
            keep = (r >= 0) & (r < size) & (c >= 0) & (c < size)
            picture[r[keep], c[keep]] = np.broadcast_to(colour[:, None, :], r.shape + (3,))[keep]
    return _png(picture)


def _point_rgb(part: Dataset) -> np.ndarray:
    """(P, 3) fill colours of a part's points: by class, or by target value on the ramp."""
    if part.labels is not None:
        return CLASS_RGB[part.labels % len(CLASS_RGB)]
    assert part.targets is not None  # no labels: a regression set, which has targets
    values = part.targets[:, 0]
    top = float(np.max(np.abs(values))) or 1.0
    return colours(values, -top, top).astype(float)


def boundary_html(png: bytes, plane: Plane, width: int = 380) -> str:
    """The boundary picture as inline data (see images_html), with the plane's extent below it."""
    extent = (
        f"x {plane.xs[0]:.2f} to {plane.xs[-1]:.2f} (left to right), "
        f"y {plane.ys[0]:.2f} to {plane.ys[-1]:.2f} (bottom to top)"
    )
    return (
        f'<figure style="margin:0"><img alt="Decision boundary over the input plane: {extent}" '
        f'style="width:100%;max-width:{width}px;aspect-ratio:1;display:block;'
        f'border-radius:4px" src="data:image/png;base64,{base64.b64encode(png).decode()}"/>'
        f'<figcaption style="font-size:11px;opacity:0.75">{extent}</figcaption></figure>'
    )


def _point_colours(part: Dataset) -> list[str] | np.ndarray:
    if part.labels is not None:
        return [CLASS_COLOURS[label % len(CLASS_COLOURS)] for label in part.labels]
    assert part.targets is not None  # no labels: a regression set, which has targets
    values = part.targets[:, 0]
    top = float(np.max(np.abs(values))) or 1.0
    rgb = colours(values, -top, top)
    return [f"rgb({r},{g},{b})" for r, g, b in rgb]


CURVE_POINTS = 400
"""At most this many epochs are drawn per curve (evenly spaced, the last always): a long run's
picture costs what a short one's does."""
TRAIN_LINE, TEST_LINE = "#0877bd", "#f59322"
CURVES_WIDTH, CURVES_HEIGHT, CURVES_FONT = 300, 220, 15
"""The curves picture's own units, and its text's size in them. The picture is scaled to its
column, ~231 px at its narrowest (820 px with the sidebar open): there 15 units are 11.5 px,
where 11 units of a 460-unit picture were 5.5. At its widest (CURVES_MAX_PX) the text is 20 px."""
CURVES_MAX_PX = 400
"""The curves picture is drawn at most this wide: its text then at most 15 · 400 / 300 = 20 px."""


@dataclass(frozen=True)
class Curve:
    """One line of the curves picture: (epoch, value) pairs; ``axis`` "loss" (left) or "accuracy" (right)."""

    name: str
    colour: str
    dashed: bool
    axis: str
    epochs: tuple[int, ...]
    values: tuple[float, ...]


def curves(history) -> list[Curve]:
    """The train and test loss and accuracy per epoch (those the run has), thinned to CURVE_POINTS."""
    keep = sorted({*np.linspace(0, len(history) - 1, min(len(history), CURVE_POINTS)).astype(int).tolist()})
    shown = [history[i] for i in keep] if history else []
    lines = []
    for name, colour, dashed, axis, attribute in (
        ("train loss", TRAIN_LINE, False, "loss", "train_loss"),
        ("test loss", TEST_LINE, False, "loss", "test_loss"),
        ("train accuracy", TRAIN_LINE, True, "accuracy", "train_accuracy"),
        ("test accuracy", TEST_LINE, True, "accuracy", "test_accuracy"),
    ):
        points = [(r.epoch, getattr(r, attribute)) for r in shown if getattr(r, attribute) is not None]
        points = [(epoch, float(value)) for epoch, value in points if np.isfinite(value)]
        if points:
            epochs, values = zip(*points)
            lines.append(Curve(name, colour, dashed, axis, epochs, values))
    return lines


def left_the_chart(history, diverged_at: int | None = None) -> list[tuple[str, int]]:
    """(loss line's name, epoch) for each loss that left the chart: the first record whose
    train or test loss is not finite (the test rows can overflow where the training did not),
    and for the train loss, when none of its records did, ``diverged_at`` (the epoch a stopped
    run stopped in, which has no record)."""
    escapes = []
    for name, attribute, fallback in (("train loss", "train_loss", diverged_at), ("test loss", "test_loss", None)):
        values = [(r.epoch, getattr(r, attribute)) for r in history if getattr(r, attribute) is not None]
        epoch = next((e for e, v in values if not math.isfinite(v)), fallback)
        if epoch is not None:
            escapes.append((name, epoch))
    return escapes


def curves_svg(history, width: int = CURVES_WIDTH, height: int = CURVES_HEIGHT, diverged_at: int | None = None) -> str:
    """Train and test loss (left axis, from 0) and accuracy (right axis, 0–100 %) per epoch, as
    SVG: a few polylines the browser draws in a millisecond, where a plotly chart would be laid
    out again for every frame while playing. Grey text and axes read on light and dark pages.

    A run that diverged (``diverged_at``, the epoch it stopped in, or a record whose loss is not
    finite) gets its finite part drawn and, at that epoch, a red dashed line from the loss's
    last finite point before it up off the chart, labelled "∞"."""
    # Room for the ticks' text beside and under the plot, for the two legend rows and the "loss"
    # above it, at CURVES_FONT units per line.
    left, right, top, bottom = 44, 44, 60, 38
    inner_w, inner_h = width - left - right, height - top - bottom
    lines = curves(history)
    escapes = left_the_chart(history, diverged_at)
    last_epoch = max([line.epochs[-1] for line in lines] + [epoch for _, epoch in escapes], default=0)
    loss_top = max((max(line.values) for line in lines if line.axis == "loss"), default=0.0) or 1.0
    loss_top = min(float(f"{loss_top * 1.05:.2g}"), sys.float_info.max)  # 1.05 × 1.7e308 is inf
    # A diverging loss (1e246) gets its power of ten once, as the axis title: ticks such as
    # "1.4e+246" do not fit the 44 px beside the axis.
    power = int(math.floor(math.log10(loss_top))) if loss_top >= 1e4 else 0

    def x_of(epoch: float) -> float:
        return left + inner_w * (epoch / max(last_epoch, 1))

    def y_of(value: float, axis: str) -> float:
        return top + inner_h * (1.0 - value / (loss_top if axis == "loss" else 1.0))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Loss and accuracy per epoch" style="font:{CURVES_FONT}px sans-serif;fill:{TEXT_GREY}">',
        f'<g stroke="{TEXT_GREY}" stroke-opacity="0.5" fill="none"><rect x="{left}" y="{top}" '
        f'width="{inner_w}" height="{inner_h}"/></g>',
    ]
    for fraction in (0.0, 0.5, 1.0):
        y = top + inner_h * (1.0 - fraction)
        tick = fraction * loss_top / 10.0**power
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick:.3g}</text>')
        if any(line.axis == "accuracy" for line in lines):
            parts.append(f'<text x="{width - right + 4}" y="{y + 4:.1f}">{fraction:.0%}</text>')
    for fraction in (0.0, 0.5, 1.0):
        epoch = round(fraction * last_epoch)
        parts.append(f'<text x="{x_of(epoch):.1f}" y="{height - bottom + 17}" text-anchor="middle">{epoch}</text>')
    parts.append(f'<text x="{left + inner_w / 2}" y="{height - 3}" text-anchor="middle" opacity="0.7">epoch</text>')
    # A huge axis's title is its multiplier (the legend names the losses): "loss (×1e246)" would
    # run into the legend.
    parts.append(f'<text x="4" y="{top - 10}" opacity="0.7">{f"×1e{power}" if power else "loss"}</text>')
    for k, line in enumerate(lines):
        # The legend in two columns (train, test) and a row per figure (loss, accuracy).
        legend_x, legend_y = 8 + 146 * (k % 2), 16 + 18 * (k // 2)
        dash = ' stroke-dasharray="4 3"' if line.dashed else ""
        points = " ".join(f"{x_of(e):.1f},{y_of(v, line.axis):.1f}" for e, v in zip(line.epochs, line.values))
        parts.append(f'<polyline fill="none" stroke="{line.colour}" stroke-width="1.6"{dash} points="{points}"/>')
        if len(line.epochs) == 1:  # a line of one point draws nothing: mark it
            x, y = x_of(line.epochs[0]), y_of(line.values[0], line.axis)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{line.colour}"/>')
        parts.append(
            f'<line x1="{legend_x}" y1="{legend_y - 5}" x2="{legend_x + 16}" y2="{legend_y - 5}" '
            f'stroke="{line.colour}" stroke-width="2"{dash}/><text x="{legend_x + 20}" y="{legend_y}">{line.name}</text>'
        )
    for name, epoch in escapes:
        before = [(e, v) for line in lines if line.name == name for e, v in zip(line.epochs, line.values) if e < epoch]
        start = (x_of(before[-1][0]), y_of(before[-1][1], "loss")) if before else (x_of(epoch), top + inner_h)
        parts.append(_escape_mark(start, x_of(epoch), top))
    parts.append("</svg>")
    return "".join(parts)


ESCAPE_RED = "#d62728"


def _escape_mark(start: tuple[float, float], x: float, top: float) -> str:
    """A red dashed line from ``start`` (the loss's last finite point, or the chart's foot) up
    through the chart's top at ``x``, labelled "∞" there: where the loss left the chart."""
    x0, y0 = start
    return (
        f'<polyline fill="none" stroke="{ESCAPE_RED}" stroke-width="1.6" stroke-dasharray="3 2" '
        f'points="{x0:.1f},{y0:.1f} {x:.1f},{top - 4:.1f}"/>'
        f'<text x="{x - 3:.1f}" y="{top + 10:.1f}" text-anchor="end" fill="{ESCAPE_RED}">∞</text>'
    )


def confusion(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """(K, K) counts: row = true class, column = predicted class."""
    matrix = np.zeros((classes, classes), dtype=int)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def svg_image_html(svg: str, alt: str, width: int = CURVES_MAX_PX) -> str:
    """An SVG picture as an inline image: Streamlit's HTML sanitiser keeps images and drops
    inline <svg> elements."""
    return (
        f'<img alt="{html.escape(alt)}" style="width:100%;max-width:{width}px;display:block" '
        f'src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}"/>'
    )


def confusion_html(matrix: np.ndarray) -> str:
    """(K, K) counts as an HTML table (rows = true class, columns = predicted), each cell shaded
    blue by its share of its row: a table the browser lays out in a millisecond, where a plotly
    heat map with its numbers was redrawn for every frame while playing."""
    k = matrix.shape[0]
    header = "".join(f'<th style="padding:2px 6px">{j}</th>' for j in range(k))
    rows = []
    for i in range(k):
        total = max(int(matrix[i].sum()), 1)
        cells = "".join(
            f'<td style="padding:2px 6px;text-align:right;background:rgba(8,119,189,{matrix[i, j] / total:.2f})'
            f'{";color:white" if matrix[i, j] / total > 0.5 else ""}">{matrix[i, j]}</td>'
            for j in range(k)
        )
        rows.append(f'<tr><th style="padding:2px 6px">{i}</th>{cells}</tr>')
    return (
        '<table style="border-collapse:collapse;font-size:12px" aria-label="Confusion matrix">'
        f'<tr><th style="padding:2px 6px;font-weight:400">true ↓ predicted →</th>{header}</tr>{"".join(rows)}</table>'
    )


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


@dataclass(frozen=True, eq=False)
class BatchStep:
    """The update the next Step makes: its mini-batch's forward and backward pass and the run's
    optimiser applied to them, with the same arithmetic as the core's training loop (one batched
    pass, the mean gradient, ``Optimizer.update``), so ``updated`` is what Step leaves.

    rows: (B,) 0-based training rows, in the order Step trains them; inputs: (B, N0);
    targets: (B, M); result: the batch's forward pass; gradients: its backward pass (loss the
    batch's mean, weights[k] (N, M) and biases[k] (M,) the means over the B rows, deltas per row);
    updated[k]: (N, M) and updated_biases[k]: (M,) the weights and biases of weighted layer k
    (0-based) after the optimiser's step; optimizer: the rule and η that made it.
    """

    rows: np.ndarray
    inputs: np.ndarray
    targets: np.ndarray
    result: ForwardResult
    gradients: Gradients
    optimizer: Optimizer
    updated: tuple[np.ndarray, ...]
    updated_biases: tuple[np.ndarray, ...]

    @property
    def is_plain_descent(self) -> bool:
        """W′ = W − η·∂L/∂W exactly: SGD without L1 or L2."""
        return self.optimizer.rule.plain_descent and not self.optimizer.l1 and not self.optimizer.l2


def batch_step(
    network: Network,
    rows: np.ndarray,
    inputs: np.ndarray,
    targets: np.ndarray,
    loss: Loss,
    optimizer: Optimizer,
    memory: OptimizerState,
) -> BatchStep:
    """The step on ``inputs`` (B, N0) and ``targets`` (B, M) — the training rows ``rows`` (B,)
    — with ``optimizer`` remembering ``memory`` (copied: the run's own is never changed).
    Raises GradientError or ForwardError when a value of the pass is not finite."""
    result = forward(network, inputs)
    gradients = backward(network, targets, loss=loss, result=result)
    parameters = [np.array(array) for layer in network.layers for array in (layer.weights, layer.bias)]
    pairs = [g for pair in zip(gradients.weights, gradients.biases) for g in pair]
    kept = memory.copy()
    optimizer.update(parameters, pairs, kept.slots, kept.steps)
    return BatchStep(
        rows, inputs, targets, result, gradients, optimizer, tuple(parameters[0::2]), tuple(parameters[1::2])
    )
