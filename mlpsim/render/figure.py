"""The network diagram as a plotly figure: neurons coloured by value, edges sized by weight.

Pure function of (network, forward result): no Streamlit here. Edge drawing is chosen by size,
because plotly.js draw time, not Python, is what limits big networks (measurements in
docs/performance.md, section "The diagram"):

- each weight matrix's edges are a few SVG paths in ``layout.shapes`` — one per sign and width
  level, built from cached per-layer text (mlpsim.render.edges); plotly.js draws ~5 µs per segment;
- a matrix with more than DENSE_LAYER_EDGES weights is drawn instead into one image under the
  markers (mlpsim.render.raster), which plotly.js draws in constant time; the caption says which;
- up to HOVER_EDGE_LIMIT edges in the whole network, invisible markers at the edge midpoints
  give every weight a hover label, and its value can be printed on the edge.

The number of traces is bounded whatever the size: neurons, pending neurons, the selection ring,
edge hover labels, and the selected neuron's incoming edges (2 signs × width levels).
"""

from __future__ import annotations

import functools
import hashlib
import html
import math
import re
import textwrap
import urllib.parse
from collections.abc import Collection

import numpy as np
import plotly.colors
import plotly.graph_objects as go

from mlpsim.core.activations import REGISTRY
from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Layer, Network, neuron_name, weight_name
from mlpsim.core.numbertext import number
from mlpsim.render.edges import layer_paths, layer_summary, level_scale, width_levels
from mlpsim.render.graph import layer_positions, layer_spacing
from mlpsim.render.raster import MAX_GROUPS, layer_image

NEURON_TRACE = "neurons"
PENDING_TRACE = "pending neurons"
"""Names of the two traces whose points are neurons; each point's customdata is
[position, index0]. No other trace carries customdata."""

HOVER_EDGE_LIMIT = 400
DENSE_LAYER_EDGES = 20_000
EDGE_IMAGE_CACHE_SIZE = 16
"""SVG edge images kept (each up to a few hundred kB of text): a few networks per session, shared."""
VALUE_LABEL_NEURON_LIMIT = 40
LABELLED_MARKER_SIZE = 30
EDGE_VALUE_LIMIT = 120

NEURON_COLOURSCALE = [
    [i / (len(plotly.colors.diverging.RdBu) - 1), colour] for i, colour in enumerate(plotly.colors.diverging.RdBu)
]
"""ColorBrewer RdBu (colour-blind safe): red = negative, white = 0, blue = positive."""
POSITIVE_EDGE = "rgb(67,147,195)"
NEGATIVE_EDGE = "rgb(214,96,77)"
PENDING_FILL = "rgb(205,205,205)"  # opaque, so edges stop at the marker, and light on both themes
PENDING_TEXT = "#5a6070"
HIGHLIGHT = "rgb(242,169,0)"
MUTED_TEXT = "#808080"
LABEL_BACKGROUND = "rgba(255,255,255,0.88)"
LABEL_TEXT = "#1f2430"
COORDINATE_DECIMALS = 5
"""Positions are in axis units (a layer column is 1 wide): 1e-5 is far below a pixel."""
UNCHECKED = {"_validate": False}
"""Traces and the figure are built without plotly.py's per-value checks: they cost 85 % of a
784-128-64-10 diagram's build (~120 of ~135 ms per edit) and ~25 ms per drawn pixel of the
digit reader's, for values this module writes itself. tests/test_figure.py checks that plotly.py,
checking everything, takes each kind of diagram as it is."""

PLOT_TOP = 0.66
"""Top of the y range: columns span [-0.5, 0.5]; the headings sit above."""
BOTTOM_PAD_PIXELS = 27
"""Room below the lowest neurons for half the largest marker (46 px) before the plot's edge."""
CAPTION_LINE_CHARS = 48
"""Wrapped this short, the caption fits a chart shown at ~300 px: the Simulator's diagram column
in an 820 px window with the sidebar open (at 60 its lines were cut at both edges there)."""
NARROW_CAPTION_LINE_CHARS = 36
"""For a diagram in a column beside a panel (the step-throughs' [3, 2] columns): ~230 px at
820 px with the sidebar open."""
CAPTION_LINE_PIXELS = 16
MODEBAR_PIXELS = 30
"""Top margin: plotly's toolbar appears there on hover instead of over the layer headings."""
LAYER_PIXELS = 110
COLOUR_BAR_PIXELS = 120
WIDTH_PIXELS = (560, 1200)
"""The figure's width: 110 px a layer plus the colour bar, within these bounds. Up to 4 layers it
is 560 px, within the diagram's column in a 1280 px window with the sidebar open (578 px): a
chart wider than its column is drawn twice by plotly.js in the app, at its own width and then
at the column's (Streamlit measures the column only after the first draw), and each draw of the
digit reader's diagram costs ~0.12 s. A page may show it narrower: the layer columns close up,
the neurons keep their size."""
FONT_FAMILY = '"Source Sans", sans-serif'
"""Streamlit's own font (the app shows the figure without Streamlit's plotly theme); elsewhere
the browser's sans-serif."""


def network_figure(
    network: Network,
    result: ForwardResult,
    *,
    selected: tuple[int, int] | None = None,
    computed_through: tuple[int, int] | None = None,
    show_edge_values: bool = False,
    pending: Collection[tuple[int, int]] | None = None,
    emphasised_edges: Collection[tuple[int, int, int]] | None = None,
    caption_line_chars: int = CAPTION_LINE_CHARS,
) -> go.Figure:
    """The diagram of ``network`` computing ``result`` (a single-input ForwardResult).

    selected: (position, index0) of a neuron (position 0 = input) — its incoming edges are
        drawn emphasised on top, every other edge is dimmed, and the neuron gets a ring.
    computed_through: step-through mode — neurons after this one, in (position, index) order,
        are pending: grey and without a value. The input is always known. None: all computed.
    show_edge_values: print each weight on its edge (small networks only).
    pending: the neurons (position, index0) drawn pending, instead of those after
        ``computed_through`` (the backward step-through's order is not the forward one).
    emphasised_edges: the edges (position of the target layer, source index0, target index0)
        drawn emphasised instead of the selected neuron's incoming ones (every other edge dimmed).
    caption_line_chars: the edge legend's lines are at most this many characters (a narrower
        column needs shorter ones, NARROW_CAPTION_LINE_CHARS).

    Clicks: neuron markers live in the traces named NEURON_TRACE and PENDING_TRACE; each point's
    customdata is [position, index0] (e.g. from ``st.plotly_chart(on_select=...)`` selection
    points). No other trace has customdata.
    """
    if np.ndim(result.inputs) != 1:
        raise ValueError("network_figure draws one input at a time; got a batch")
    sizes = network.layer_sizes
    _check_neuron(selected, sizes, "selected")
    _check_neuron(computed_through, sizes, "computed_through")
    for neuron in pending or ():
        _check_neuron(neuron, sizes, "pending")
    for position, i, j in emphasised_edges or ():
        if not 1 <= position < len(sizes):
            raise ValueError(f"emphasised_edges: no weighted layer {position} in layer sizes {list(sizes)}")
        _check_neuron((position - 1, i), sizes, "emphasised_edges source")
        _check_neuron((position, j), sizes, "emphasised_edges target")
    geometry = _Geometry(sizes)
    neurons = _NeuronTable(network, result, geometry, computed_through, pending)
    edge_count = network.weight_count
    # Widths are scaled per weight matrix: layers differ in scale by design (He, Xavier), and a
    # shared scale would draw every weight of a 0.5-scale layer as the same hairline.
    largest = tuple(layer_summary(layer)[0] or 1.0 for layer in network.layers)
    dim = selected is not None or emphasised_edges is not None

    traces: list[go.Scatter] = []
    images, rasterised = _edge_images(network, geometry, dim)
    representation = "svg+png" if rasterised else "svg"
    if edge_count <= HOVER_EDGE_LIMIT:
        traces.append(_edge_hover_trace(network, geometry, range(1, len(sizes))))
    if emphasised_edges is not None:
        traces += _emphasised_edge_traces(network, geometry, emphasised_edges, largest)
    elif selected is not None and selected[0] > 0:
        traces += _selected_edge_traces(network, geometry, selected, largest)
    traces += neurons.traces()
    if selected is not None:
        traces.append(_selection_ring(geometry, selected))

    annotations = _layer_headings(network, geometry)
    if show_edge_values and edge_count <= EDGE_VALUE_LIMIT:
        annotations += _edge_value_labels(network, geometry)
    caption = _caption(network, largest, rasterised, caption_line_chars)
    annotations.append(caption)
    caption_pixels = 6 + CAPTION_LINE_PIXELS * (caption["text"].count("<br>") + 1)
    top_pixels = MODEBAR_PIXELS + _heading_extra_pixels(network)
    layout = dict(
        **({"images": images} if images else {}),  # (an empty list would be sent; a checked figure drops it)
        annotations=annotations,
        height=geometry.plot_height + top_pixels + caption_pixels,
        width=geometry.width,
        template="none",  # plotly.py's default template is 7 kB of settings this figure overrides; removed below
        margin=dict(l=10, r=10, t=top_pixels, b=caption_pixels),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font=dict(color=MUTED_TEXT, size=12, family=FONT_FAMILY),
        showlegend=False,
        hovermode="closest",
        xaxis=dict(visible=False, range=[-0.45, len(sizes) - 1 + 0.45], fixedrange=False),
        yaxis=dict(visible=False, range=[geometry.plot_bottom, PLOT_TOP]),
        hoverlabel=dict(bgcolor="white", font=dict(color=LABEL_TEXT)),
        # [how edges are drawn, edge count] — a list, not a dict: Plotly.react compares a dict here
        # by identity, and would redraw the chart for a copy of the same figure.
        meta=[representation, edge_count],
        datarevision=_data_revision(
            network,
            result,
            selected,
            computed_through,
            show_edge_values,
            None if pending is None else sorted(pending),
            None if emphasised_edges is None else sorted(emphasised_edges),
        ),
    )
    figure = go.Figure(data=traces, layout=layout, **UNCHECKED)
    # plotly.js applies no template of its own, so none is needed; and a template object in the
    # JSON counts as changed on every Plotly.react (compared by identity): a full redraw each time.
    # (Built without checks, the layout keeps a None it is given, and plotly.io cannot write a
    # null template to HTML: the property is removed instead.)
    figure.layout._props.pop("template", None)
    return figure


def data_revision(*parts) -> str:
    """A digest of ``parts`` for ``layout.datarevision``: numpy arrays by their values, anything
    else by its repr.

    Plotly.react (which Streamlit calls again on a chart it has just drawn, with a copy of the same
    figure) takes every data array of a new identity for new data unless the layout has a
    datarevision — then it compares the revision instead. Without one, each chart is drawn twice.
    """
    digest = hashlib.blake2b(digest_size=8)
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(repr((part.dtype.str, part.shape)).encode())
            digest.update(np.ascontiguousarray(part).tobytes())
        else:
            digest.update(repr(part).encode())
    return digest.hexdigest()


def _data_revision(network: Network, result: ForwardResult, *options) -> str:
    """The diagram's data_revision: everything its traces' arrays are computed from."""
    layers = [(layer.activation, layer.weights, layer.bias) for layer in network.layers]
    values = [np.asarray(result.values(position), dtype=float) for position in range(len(network.layer_sizes))]
    return data_revision(network.layer_sizes, options, *[part for layer in layers for part in layer], *values)


def _coordinates(xy: np.ndarray) -> dict[str, list]:
    """A trace's x= and y= from an (n, 2) array of positions, rounded, as JSON lists (_listed)."""
    return {"x": _listed(xy[:, 0], COORDINATE_DECIMALS), "y": _listed(xy[:, 1], COORDINATE_DECIMALS)}


def _listed(values, decimals: int | None = None) -> list:
    """A trace's array as a JSON list. plotly.py sends numpy arrays as base64 typed arrays, which
    Plotly.react cannot compare (it checks Array.isArray): it would redraw the whole chart on
    every call even with an unchanged ``datarevision``."""
    array = np.asarray(values)
    return (array if decimals is None else np.round(array, decimals)).tolist()


def _check_neuron(neuron, sizes, what: str) -> None:
    if neuron is None:
        return
    position, index = neuron
    if not (0 <= position < len(sizes) and 0 <= index < sizes[position]):
        raise ValueError(f"{what}: no neuron ({position}, {index}) in a network of layer sizes {list(sizes)}")


class _Geometry:
    """Figure size and pixel scale for a network of ``sizes`` (input first)."""

    def __init__(self, sizes) -> None:
        self.sizes = tuple(sizes)
        self.positions = layer_positions(sizes)
        self.spacing = layer_spacing(sizes)
        tallest = max(sizes)
        self.plot_height = int(min(700, max(360, 100 + 95 * tallest)))
        self.width = int(np.clip(LAYER_PIXELS * len(self.sizes) + COLOUR_BAR_PIXELS, *WIDTH_PIXELS))
        self.pixels_per_unit = (self.plot_height - BOTTOM_PAD_PIXELS) / (PLOT_TOP + 0.5)
        self.plot_bottom = -0.5 - BOTTOM_PAD_PIXELS / self.pixels_per_unit

    def spacing_pixels(self, position: int) -> float:
        return float(self.spacing[position] * self.pixels_per_unit)

    def marker_size(self, position: int) -> float:
        return float(np.clip(0.8 * self.spacing_pixels(position), 3.0, 46.0))

    def widest_edge(self, position: int) -> float:
        """Line width in px of the largest |w| into layer ``position``: wide lines for sparse
        small networks, thin ones where hundreds of neurons share a column."""
        crowd = min(self.spacing_pixels(position - 1), self.spacing_pixels(position))
        return float(np.clip(0.35 * crowd, 1.2, 7.0))

    def edge_opacity(self, position: int) -> float:
        edges = self.sizes[position - 1] * self.sizes[position]
        return float(np.clip(40.0 / math.sqrt(edges), 0.12, 0.85))


def _width(level: int, widest: float) -> float:
    """Line width of a width level (mlpsim.render.edges), rounded so equal widths share a trace."""
    return round(widest * level_scale(level), 2)


def _edge_hover_trace(network: Network, geometry: _Geometry, positions, columns=None) -> go.Scatter:
    """Invisible markers at edge midpoints whose hover label names the weight and its value.

    positions: the layers whose incoming edges get a label; columns: restrict to these targets.
    Only used for a few hundred edges (HOVER_EDGE_LIMIT) or one neuron's inputs: one text each.
    """
    middles, labels = [], []
    for position in positions:
        weights = network.layers[position - 1].weights
        targets = np.arange(weights.shape[1]) if columns is None else np.asarray(columns)
        rows, cols = (grid.ravel() for grid in np.meshgrid(np.arange(weights.shape[0]), targets, indexing="ij"))
        middles.append(0.5 * (geometry.positions[position - 1][rows] + geometry.positions[position][cols]))
        labels += [
            f"<b>{weight_name(position, i, j)}</b> = {number(weights[i, j])}<br>"
            f"{neuron_name(position - 1, i)} → {neuron_name(position, j)}"
            for i, j in zip(rows.tolist(), cols.tolist())
        ]
    xy = np.concatenate(middles)
    return go.Scatter(
        **UNCHECKED,
        **_coordinates(xy),
        mode="markers",
        marker=dict(size=10, opacity=0),
        hovertext=labels,
        hoverinfo="text",
        name="weights",
    )


def _drawn_as_image(layer: Layer) -> bool:
    """Whether ``layer``'s edges are one PNG of their own (too many for lines), not SVG paths."""
    return layer.weights.size > DENSE_LAYER_EDGES


def _edge_images(network: Network, geometry: _Geometry, dim: bool) -> tuple[list[dict], list[int]]:
    """(layout images, rasterised layer numbers): a layer with more than DENSE_LAYER_EDGES
    weights becomes one PNG (mlpsim.render.raster); the others are drawn together as one SVG
    image (_vector_edges_source)."""
    images, rasterised = [], []
    for position, layer in enumerate(network.layers, start=1):
        if _drawn_as_image(layer):
            steps = float(geometry.spacing[position - 1]), float(geometry.spacing[position])
            images.append(
                dict(
                    source=layer_image(layer, *steps),
                    xref="x",
                    yref="y",
                    x=position - 1,
                    y=0.5,
                    sizex=1,
                    sizey=1,
                    sizing="stretch",
                    xanchor="left",
                    yanchor="top",
                    layer="below",
                    opacity=0.25 if dim else 1.0,
                )
            )
            rasterised.append(position)
    source = _vector_edges_source(tuple(network.layers), dim)
    if source is not None:
        left, right = -VECTOR_MARGIN, len(network.layers) + VECTOR_MARGIN
        images.append(
            dict(
                source=source,
                xref="x",
                yref="y",
                x=left,
                y=VECTOR_TOP,
                sizex=right - left,
                sizey=2 * VECTOR_TOP,
                sizing="stretch",
                xanchor="left",
                yanchor="top",
                layer="below",
            )
        )
    return images, rasterised


@functools.lru_cache(maxsize=EDGE_IMAGE_CACHE_SIZE)
def _vector_edges_source(layers: tuple[Layer, ...], dim: bool) -> str | None:
    """The data: URI of the SVG image (vector_edge_svg) of the edges of every layer of at most
    DENSE_LAYER_EDGES weights, from the cached per-layer path text (mlpsim.render.edges), a path
    per (sign, width, opacity) — layers that draw alike share their paths; None if no layer is
    drawn so. Cached per tuple of Layer objects (they hash by identity, like edges.py's caches):
    a new input, a new bias or a click on a neuron keeps the layers, so the image is not built
    and percent-encoded again (~17 ms for the digit reader)."""
    geometry = _Geometry((layers[0].n_in, *(layer.size for layer in layers)))
    merged: dict[tuple[float, bool, float], list[str]] = {}
    for position, layer in enumerate(layers, start=1):
        if _drawn_as_image(layer):
            continue
        steps = float(geometry.spacing[position - 1]), float(geometry.spacing[position])
        widest = geometry.widest_edge(position)
        opacity = round(geometry.edge_opacity(position) * (0.25 if dim else 1.0), 3)
        for (positive, level), path in layer_paths(layer, float(position - 1), *steps).items():
            merged.setdefault((_width(level, widest), positive, opacity), []).append(path)
    if not merged:
        return None
    # Thin lines first and the signs interleaved: drawing all of one sign last would paint
    # over the other and make a balanced matrix look one-sided.
    paths = [
        (POSITIVE_EDGE if positive else NEGATIVE_EDGE, width, opacity, "".join(texts))
        for (width, positive, opacity), texts in sorted(merged.items())
    ]
    return svg_data_uri(vector_edge_svg(paths, -VECTOR_MARGIN, len(layers) + VECTOR_MARGIN))


VECTOR_MARGIN = 0.05
"""The SVG image of the edges reaches this far (axis units) beyond the outermost neurons, so that
no line is cut at the image's edge."""
VECTOR_TOP = 0.5 + VECTOR_MARGIN
"""The image spans y from -VECTOR_TOP to VECTOR_TOP (the columns span [-0.5, 0.5])."""


def vector_edge_svg(paths: list[tuple[str, float, float, str]], left: float, right: float) -> str:
    """An SVG document drawing ``paths`` — (colour, width in px, opacity, path text in axis
    units: mlpsim.render.edges) — over x from ``left`` to ``right`` and y from -VECTOR_TOP to
    VECTOR_TOP, stretched to whatever box it is shown in, lines keeping their width.

    Why an image and not plotly's layout.shapes: plotly.js converts every coordinate of a shape
    path and draws each shape with its own clip path (~0.1 ms a shape, ~5 µs a segment), on every
    draw — and Streamlit draws a chart anew whenever its figure changes. The browser draws an
    SVG image by itself, in constant time for plotly.js; the lines look the same. (stroke-opacity,
    not opacity: the same look for a path's lines, which do not add up inside one path, but the
    browser can stroke the path straight onto the image instead of into a layer of its own and
    then blend that: ~20 ms less per draw of the digit reader's 88 paths.)"""
    elements = "".join(
        f"<path d='{text}' stroke='{colour}' stroke-width='{width:g}' stroke-opacity='{opacity:g}' "
        "vector-effect='non-scaling-stroke'/>"
        for colour, width, opacity, text in paths
    )
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='{left:g} {-VECTOR_TOP:g} {right - left:g} {2 * VECTOR_TOP:g}' "
        "preserveAspectRatio='none'>"
        # y up, as on the axes; non-scaling strokes keep their width in pixels however the image is stretched.
        f"<g transform='scale(1,-1)' fill='none'>{elements}</g></svg>"
    )


def svg_data_uri(svg: str) -> str:
    """``svg`` as a data: URI for a layout image (percent-encoded: smaller than base64 for path text)."""
    return "data:image/svg+xml," + urllib.parse.quote(svg, safe=",'=:/()")


def _selected_edge_traces(network, geometry, selected, largest) -> list[go.Scatter]:
    """The selected neuron's incoming edges, full strength, with a hover label each."""
    position, j = selected
    weights = network.layers[position - 1].weights[:, j]
    source, target = geometry.positions[position - 1], geometry.positions[position][j]
    widest = max(geometry.widest_edge(position), 3.0)
    traces = []
    for positive in (True, False):
        rows = np.flatnonzero(weights > 0 if positive else weights < 0)
        if rows.size == 0:
            continue
        levels = width_levels(np.abs(weights[rows]), largest[position - 1])
        for level in np.unique(levels):
            chosen = rows[levels == level]
            width = _width(int(level), widest)
            segments = np.full((chosen.size, 3, 2), np.nan)
            segments[:, 0] = source[chosen]
            segments[:, 1] = target
            xy = segments.reshape(-1, 2)
            traces.append(
                go.Scatter(
                    **UNCHECKED,
                    **_coordinates(xy),
                    mode="lines",
                    hoverinfo="skip",
                    name="selected neuron's weights",
                    line=dict(color=POSITIVE_EDGE if positive else NEGATIVE_EDGE, width=float(width)),
                )
            )
    traces.append(_edge_hover_trace(network, geometry, [position], columns=[j]))
    return traces


def _emphasised_edge_traces(network, geometry, edges, largest) -> list[go.Scatter]:
    """The given edges (position, i, j), full strength, one trace per layer, sign and width
    level, and a hover label each (the network-wide hover labels stop at HOVER_EDGE_LIMIT)."""
    groups: dict[tuple[int, bool, int], list[tuple[int, int]]] = {}
    for position, i, j in edges:
        weight = float(network.layers[position - 1].weights[i, j])
        if weight == 0:
            continue
        level = int(width_levels(np.array([abs(weight)]), largest[position - 1])[0])
        groups.setdefault((position, weight > 0, level), []).append((i, j))
    traces = []
    for (position, positive, level), pairs in sorted(groups.items()):
        width = _width(level, max(geometry.widest_edge(position), 3.0))
        segments = np.full((len(pairs), 3, 2), np.nan)
        for row, (i, j) in enumerate(pairs):
            segments[row, 0] = geometry.positions[position - 1][i]
            segments[row, 1] = geometry.positions[position][j]
        traces.append(
            go.Scatter(
                **_coordinates(segments.reshape(-1, 2)),
                mode="lines",
                hoverinfo="skip",
                name="edges used",
                line=dict(color=POSITIVE_EDGE if positive else NEGATIVE_EDGE, width=float(width)),
            )
        )
    if edges:
        middles = np.array([0.5 * (geometry.positions[p - 1][i] + geometry.positions[p][j]) for p, i, j in edges])
        labels = [
            f"<b>{weight_name(p, i, j)}</b> = {number(network.layers[p - 1].weights[i, j])}<br>"
            f"{neuron_name(p - 1, i)} → {neuron_name(p, j)}"
            for p, i, j in edges
        ]
        traces.append(
            go.Scatter(
                **_coordinates(middles),
                mode="markers",
                marker=dict(size=10, opacity=0),
                hovertext=labels,
                hoverinfo="text",
                name="weights",
            )
        )
    return traces


class _NeuronTable:
    """Every neuron's position, value, hover text and state, as flat arrays (input first)."""

    def __init__(
        self, network: Network, result: ForwardResult, geometry: _Geometry, computed_through, pending=None
    ) -> None:
        sizes = geometry.sizes
        self.network, self.geometry = network, geometry
        self.position = np.concatenate([np.full(n, p) for p, n in enumerate(sizes)])
        self.index = np.concatenate([np.arange(n) for n in sizes])
        self.xy = np.concatenate(geometry.positions)
        self.value = np.concatenate([result.values(p) for p in range(len(sizes))]).astype(float)
        self.size = np.concatenate([np.full(n, geometry.marker_size(p)) for p, n in enumerate(sizes)])
        if pending is not None:
            chosen = {(int(p), int(i)) for p, i in pending}
            self.pending = np.array(
                [(p, i) in chosen for p, i in zip(self.position.tolist(), self.index.tolist())], dtype=bool
            )
        elif computed_through is None:
            self.pending = np.zeros(self.position.size, dtype=bool)
        else:
            p, i = computed_through
            self.pending = (self.position > p) | ((self.position == p) & (self.index > i))
            self.pending &= self.position > 0
        self.hover = self._hover_texts(result)
        # Small networks: every neuron shows its value; big ones: wherever the marker has room.
        self.labelled = (self.size >= LABELLED_MARKER_SIZE) | (self.position.size <= VALUE_LABEL_NEURON_LIMIT)

    def _hover_texts(self, result: ForwardResult) -> list[str]:
        network = self.network
        texts = [f"<b>{neuron_name(0, i)}</b> (input)<br>value = {number(v)}" for i, v in enumerate(result.inputs)]
        for position, layer in enumerate(network.layers, start=1):
            z, a = result.z[position - 1], result.a[position - 1]
            title = html.escape(network.layer_title(position), quote=False)  # plotly text is HTML: names stay literal
            texts += [
                f"<b>{neuron_name(position, j)}</b> ({title})<br>z = {number(z[j])}<br>a = {number(a[j])}"
                f"<br>bias = {number(layer.bias[j])}<br>f = {layer.activation}"
                for j in range(layer.size)
            ]
        return texts

    def traces(self) -> list[go.Scatter]:
        known = ~self.pending
        colour = self.colour_values(known)
        scale = float(np.abs(colour).max(initial=0.0)) or 1.0
        traces = [self._trace(known, colour, scale)]
        if self.pending.any():
            traces.append(self._pending_trace())
        return traces

    def colour_values(self, chosen: np.ndarray) -> np.ndarray:
        """What the fill colours show for the ``chosen`` neurons: their values on one shared
        scale when every value is written on its marker; with more neurons than
        VALUE_LABEL_NEURON_LIMIT, colour is all there is to read, so each layer is divided by its
        own largest |value| — one large value (a raw input, a confident output) then darkens
        only its own layer instead of washing out every other one."""
        values = self.value[chosen]
        if self.position.size <= VALUE_LABEL_NEURON_LIMIT:
            return values
        positions = self.position[chosen]
        largest = np.zeros(len(self.geometry.sizes))
        np.maximum.at(largest, positions, np.abs(values))
        return values / np.where(largest > 0, largest, 1.0)[positions]

    def _labels(self, chosen: np.ndarray, with_value: bool) -> list[str] | None:
        """'N2<br><b>6.04</b>' (3 significant digits; hover has all 6) or 'N2<br>…' if pending;
        '' for neurons too small to carry text; None if no neuron in ``chosen`` has room."""
        if not self.labelled[chosen].any():
            return None
        texts = []
        for p, i, v, room in zip(self.position[chosen], self.index[chosen], self.value[chosen], self.labelled[chosen]):
            value = f"<b>{number(float(f'{v:.3g}'))}</b>" if with_value else "…"
            texts.append(f"{neuron_name(p, i)}<br>{value}" if room else "")
        return texts

    def _trace(self, chosen: np.ndarray, values: np.ndarray, scale: float) -> go.Scatter:
        strong = np.abs(values) / scale > 0.55  # dark fill: white text reads better
        text_colours = np.unique(np.where(strong, "white", LABEL_TEXT)[self.labelled[chosen]])
        # One colour when one will do: plotly validates a colour list entry by entry (slow).
        text_colour = (
            np.where(strong, "white", LABEL_TEXT).tolist()
            if text_colours.size > 1
            else (text_colours[0] if text_colours.size else LABEL_TEXT)
        )
        thin = self.size[chosen] < 8
        return go.Scatter(
            **UNCHECKED,
            name=NEURON_TRACE,
            **_coordinates(self.xy[chosen]),
            mode="markers+text" if self.labelled[chosen].any() else "markers",
            text=self._labels(chosen, True),
            textposition="middle center",
            textfont=dict(size=11, color=text_colour),
            customdata=_listed(np.column_stack([self.position[chosen], self.index[chosen]])),
            hovertext=[self.hover[k] for k in np.flatnonzero(chosen)],
            hoverinfo="text",
            marker=dict(
                size=_listed(self.size[chosen], 2),
                color=_listed(values),
                colorscale=NEURON_COLOURSCALE,
                cmin=-scale,
                cmax=scale,
                opacity=1.0,  # plotly makes markers with a size array 70 % opaque by default
                line=dict(width=_listed(np.where(thin, 0.0, 1.2)), color="rgba(128,128,128,0.9)"),
                colorbar=dict(
                    title=dict(text=self.colour_bar_title(), side="right"),
                    thickness=12,
                    len=0.7,
                    outlinewidth=0,
                    tickfont=dict(color=MUTED_TEXT),
                ),
                showscale=True,
            ),
        )

    def colour_bar_title(self) -> str:
        if self.position.size <= VALUE_LABEL_NEURON_LIMIT:
            return "neuron value (input or a)"
        return "value ÷ its layer's largest |value|"

    def _pending_trace(self) -> go.Scatter:
        chosen = self.pending
        return go.Scatter(
            **UNCHECKED,
            name=PENDING_TRACE,
            **_coordinates(self.xy[chosen]),
            mode="markers+text" if self.labelled[chosen].any() else "markers",
            text=self._labels(chosen, False),
            textfont=dict(size=11, color=PENDING_TEXT),
            customdata=_listed(np.column_stack([self.position[chosen], self.index[chosen]])),
            hovertext=[
                f"{neuron_name(p, i)}: not computed yet" for p, i in zip(self.position[chosen], self.index[chosen])
            ],
            hoverinfo="text",
            marker=dict(
                size=_listed(self.size[chosen], 2),
                color=PENDING_FILL,
                opacity=1.0,
                line=dict(width=1.2, color=MUTED_TEXT),
            ),
        )


def _selection_ring(geometry: _Geometry, selected: tuple[int, int]) -> go.Scatter:
    position, index = selected
    return go.Scatter(
        **UNCHECKED,
        **_coordinates(geometry.positions[position][[index]]),
        mode="markers",
        hoverinfo="skip",
        name="selected neuron",
        marker=dict(
            size=geometry.marker_size(position) + 10,
            symbol="circle-open",
            line=dict(width=3, color=HIGHLIGHT),
            color=HIGHLIGHT,
        ),
    )


HEADING_MAX_CHARS = 22
"""Longer layer names are cut with an ellipsis in the heading; the full name is its hover text."""
HEADING_LINE_CHARS = 11
"""A heading's lines are at most this long (~75 px): layer columns close up to ~80 px apart when
the page shows the chart narrower than its own width (a projector's 1024 px with the sidebar
open), and longer lines ran into the next layer's heading."""
HEADING_LINE_PIXELS = 15
HEADING_BASE_LINES = 2
"""The room above the columns holds a two-line heading; each further line adds to the top margin."""


def _heading_lines(network: Network, position: int) -> tuple[list[str], list[str]]:
    """(title lines, detail lines) of a layer's heading, each at most HEADING_LINE_CHARS long
    (a longer single word is cut): 'Hidden 1' / '4 neurons', 'ReLU'."""
    title = network.layer_title(position)
    if len(title) > HEADING_MAX_CHARS:
        title = title[: HEADING_MAX_CHARS - 1].rstrip() + "…"
    title_lines = textwrap.wrap(title, HEADING_LINE_CHARS, break_long_words=True, max_lines=2, placeholder="…") or [""]
    size = network.layer_sizes[position]
    detail = [f"{size} neuron{'s' if size != 1 else ''}"]
    if position > 0:
        detail.append(REGISTRY[network.layers[position - 1].activation].title)
    return title_lines, detail


def _heading_extra_pixels(network: Network) -> int:
    """Top margin added for headings of more than HEADING_BASE_LINES lines."""
    lines = max(sum(map(len, _heading_lines(network, p))) for p in range(len(network.layer_sizes)))
    return HEADING_LINE_PIXELS * max(lines - HEADING_BASE_LINES, 0)


def _layer_headings(network: Network, geometry: _Geometry) -> list[dict]:
    headings = []
    lift = max(geometry.marker_size(position) for position in range(len(geometry.sizes))) / 2 + 8
    for position in range(len(geometry.sizes)):
        title_lines, detail = _heading_lines(network, position)
        title = "<br>".join(html.escape(line, quote=False) for line in title_lines)
        details = "<br>".join(
            f"<span style='font-size:11px'>{html.escape(line, quote=False)}</span>" for line in detail
        )
        headings.append(
            dict(
                x=position,
                y=0.5,
                xref="x",
                yref="y",
                yanchor="bottom",
                yshift=lift,
                text=f"<b>{title}</b><br>{details}",
                hovertext=html.escape(network.layer_title(position), quote=False),
                showarrow=False,
                bgcolor=LABEL_BACKGROUND,
                font=dict(color=LABEL_TEXT, size=13),
                borderpad=3,
            )
        )
    return headings


def _edge_value_labels(network: Network, geometry: _Geometry) -> list[dict]:
    """Each weight printed on its edge, staggered along the edge by target so labels of one
    source do not sit on top of each other."""
    labels = []
    for position, layer in enumerate(network.layers, start=1):
        n_out = layer.size
        for i in range(layer.n_in):
            for j in range(n_out):
                t = 0.22 + 0.5 * (j / max(n_out - 1, 1))
                (x0, y0), (x1, y1) = geometry.positions[position - 1][i], geometry.positions[position][j]
                labels.append(
                    dict(
                        x=x0 + t * (x1 - x0),
                        y=y0 + t * (y1 - y0),
                        xref="x",
                        yref="y",
                        showarrow=False,
                        text=number(layer.weights[i, j]),
                        font=dict(size=10, color=LABEL_TEXT),
                        bgcolor=LABEL_BACKGROUND,
                        borderpad=1,
                    )
                )
    return labels


def _caption(network: Network, largest: tuple[float, ...], rasterised: list[int], line_chars: int) -> dict:
    """The edge legend, below the plot, wrapped into lines of at most ``line_chars`` characters so
    it fits a narrow Streamlit column."""
    zeros = sum(layer_summary(layer)[1] for layer in network.layers)
    phrases = [
        f"Edges: <span style='color:{POSITIVE_EDGE}'><b>blue = positive weight</b></span>,",
        f"<span style='color:{NEGATIVE_EDGE}'><b>red = negative</b></span>;",
        "width ∝ |weight| within each matrix",
        "(widest |w|:",
        *(f"W{k} {w:.3g}{',' if k < len(largest) else ')'}" for k, w in enumerate(largest, start=1)),
    ]
    if zeros:
        phrases[-1] += ";"
        phrases += [f"{zeros} zero weight{'s' if zeros != 1 else ''}", "not drawn"]
    lines = _wrap(phrases, line_chars)
    if rasterised:
        names = ", ".join(f"W{position}" for position in rasterised)
        phrases = [
            f"{names}: too many edges for lines,",
            "drawn as an image of every weight:",
            "each pixel mixes",
            "blue and red",
            "by the summed |w|",
            "crossing it",
        ]
        group = max(math.ceil(network.layer_sizes[p] / MAX_GROUPS) for k in rasterised for p in (k - 1, k))
        if group > 1:
            phrases[-1] += ";"
            phrases += [f"lines of up to {group}", "neighbouring neurons", "start from one point"]
        lines += _wrap(phrases, line_chars)
    return dict(
        x=0.5,
        y=0,
        xref="paper",
        yref="paper",
        yanchor="top",
        showarrow=False,
        text="<br>".join(lines),
        font=dict(size=12, color=MUTED_TEXT),
    )


def _wrap(phrases: list[str], line_chars: int) -> list[str]:
    """Join phrases with spaces into lines of at most ``line_chars`` visible characters."""
    lines = [""]
    for phrase in phrases:
        candidate = f"{lines[-1]} {phrase}".strip()
        if lines[-1] and len(re.sub(r"<[^>]+>", "", candidate)) > line_chars:
            lines.append(phrase)
        else:
            lines[-1] = candidate
    return lines
