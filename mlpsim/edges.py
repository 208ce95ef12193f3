"""Per-layer edge data for the diagram, built with numpy and cached per Layer object.

A layer's weights never change (Layer is immutable; edits make a new Layer and share the
others), and Layer hashes by identity (``eq=False``), so ``functools.lru_cache`` keyed on the
Layer object is exact: an edit in one layer rebuilds only that layer's edge data. The caches are
bounded (LAYER_CACHE_SIZE entries each) and hold no session state, so sharing them between
Streamlit sessions is safe.

Edges are grouped by sign and by width bin. Bins are fixed quarter-octaves of |w|
(bin b holds 2^(b/4) ≤ |w| < 2^((b+1)/4)), independent of the rest of the network, so a layer's
grouping stays valid whatever the other layers hold; the figure turns bins into pixel widths
relative to the whole network's largest |w| at draw time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from mlpsim.network import Layer

BINS_PER_OCTAVE = 4
LAYER_CACHE_SIZE = 64


@dataclass(frozen=True, eq=False)
class LayerEdges:
    """The non-zero weights of one layer, sorted into (sign, bin) groups.

    rows, columns: (E,) int64 — source (row of W) and target (column of W) of each non-zero weight
    values: (E,) — the weights, in the same order
    groups: ((positive, bin, start, stop), ...) — values[start:stop] share sign and bin
    zero_count: how many weights are exactly 0 (not drawn)
    """

    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray
    groups: tuple[tuple[bool, int, int, int], ...]
    zero_count: int


def bin_of(magnitude: np.ndarray) -> np.ndarray:
    """Width bin of |w| > 0 (see the module docstring), int64 array of the same shape."""
    return np.floor(np.log2(magnitude) * BINS_PER_OCTAVE).astype(np.int64)


def bin_magnitude(bin_index: int) -> float:
    """The geometric middle of a bin's |w| range."""
    return float(2.0 ** ((bin_index + 0.5) / BINS_PER_OCTAVE))


@functools.lru_cache(maxsize=LAYER_CACHE_SIZE)
def layer_edges(layer: Layer) -> LayerEdges:
    """Group ``layer``'s non-zero weights by sign and width bin (cached per Layer object)."""
    flat = layer.weights.ravel()
    nonzero = np.flatnonzero(flat)
    values = flat[nonzero]
    positive = values > 0
    key = bin_of(np.abs(values)) * 2 + positive
    order = np.argsort(key, kind="stable")
    key, nonzero, values, positive = key[order], nonzero[order], values[order], positive[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.empty(0, dtype=np.int64)
    stops = np.r_[starts[1:], key.size].astype(np.int64)
    groups = tuple(
        (bool(positive[start]), int((key[start] - positive[start]) // 2), int(start), int(stop))
        for start, stop in zip(starts, stops)
    )
    rows, columns = np.divmod(nonzero, layer.size)
    return LayerEdges(rows, columns, values, groups, int(flat.size - nonzero.size))


@functools.lru_cache(maxsize=LAYER_CACHE_SIZE)
def layer_paths(layer: Layer, x_from: float, source_step: float, target_step: float) -> dict[tuple[bool, int], str]:
    """SVG path text per (positive, bin) group: 'Mx,yLx,yMx,yLx,y…', one segment per edge.

    Columns are at x_from and x_from + 1; neuron i of a column of n neurons spaced ``step``
    apart sits at y = ((n-1)/2 - i)·step (mlpsim.graph.layer_positions). Cached per Layer
    object and geometry. Built without a Python loop per edge: one text token per neuron, picked
    by numpy indexing and joined once.
    """
    edges = layer_edges(layer)
    source_y = ((layer.n_in - 1) / 2.0 - np.arange(layer.n_in)) * source_step
    target_y = ((layer.size - 1) / 2.0 - np.arange(layer.size)) * target_step
    move = np.array([f"M{x_from:g},{y:.4f}" for y in source_y], dtype=object)
    line = np.array([f"L{x_from + 1:g},{y:.4f}" for y in target_y], dtype=object)
    tokens = np.empty(2 * edges.values.size, dtype=object)
    tokens[0::2] = move[edges.rows]
    tokens[1::2] = line[edges.columns]
    return {
        (positive, bin_index): "".join(tokens[2 * start : 2 * stop].tolist())
        for positive, bin_index, start, stop in edges.groups
    }
