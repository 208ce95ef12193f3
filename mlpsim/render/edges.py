"""Per-layer edge data for the diagram, built with numpy and cached per Layer object.

A layer's weights never change (Layer is immutable; edits make a new Layer and share the
others), and Layer hashes by identity (``eq=False``), so ``functools.lru_cache`` keyed on the
Layer object is exact: an edit in one layer rebuilds only that layer's edge data. The caches are
bounded (LAYER_CACHE_SIZE entries each) and hold no session state, so sharing them between
Streamlit sessions is safe.

Edges are grouped by sign and by width level. Level k holds the weights with
2^(-(k+1)/LEVELS_PER_OCTAVE) < |w| / max|w| ≤ 2^(-k/LEVELS_PER_OCTAVE), max|w| being the
layer's own largest weight; everything below level THINNEST_LEVEL shares that level. The figure
draws level k with width widest · 2^(-k/LEVELS_PER_OCTAVE), so width is proportional to |w|
within a matrix up to one level step (19 %), and the grouping depends on nothing but the layer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from mlpsim.core.network import Layer
from mlpsim.render.graph import column_y

LEVELS_PER_OCTAVE = 4
THINNEST_LEVEL = 14
"""Level 14 is drawn 2^(-3.5) ≈ 1/11 as wide as level 0; smaller weights are drawn that wide."""
LAYER_CACHE_SIZE = 64


@dataclass(frozen=True, eq=False)
class LayerEdges:
    """The non-zero weights of one layer, sorted into (sign, level) groups.

    rows, columns: (E,) int64 — source (row of W) and target (column of W) of each non-zero weight
    values: (E,) — the weights, in the same order
    groups: ((positive, level, start, stop), ...) — values[start:stop] share sign and level
    zero_count: how many weights are exactly 0 (not drawn)
    """

    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray
    groups: tuple[tuple[bool, int, int, int], ...]
    zero_count: int


def width_levels(magnitude: np.ndarray, largest: float) -> np.ndarray:
    """Width level (0 = widest) of each |w| > 0 relative to ``largest``, int64, same shape."""
    if magnitude.size == 0:  # an all-zero matrix: largest is 0 and log2(0) would warn
        return np.zeros(magnitude.shape, dtype=np.int64)
    # Difference of logs, not log of a ratio: 1e308 / 1e-308 would overflow.
    steps = np.floor((np.log2(largest) - np.log2(magnitude)) * LEVELS_PER_OCTAVE)
    return np.clip(steps, 0, THINNEST_LEVEL).astype(np.int64)


def level_scale(level: int) -> float:
    """Width of ``level`` as a fraction of the widest line."""
    return float(2.0 ** (-level / LEVELS_PER_OCTAVE))


@functools.lru_cache(maxsize=LAYER_CACHE_SIZE)
def layer_summary(layer: Layer) -> tuple[float, int]:
    """(largest |w|, number of zero weights) of ``layer``, cached: a full pass over up to a
    million weights is worth skipping on every rerun."""
    return float(np.abs(layer.weights).max(initial=0.0)), int(layer.weights.size - np.count_nonzero(layer.weights))


@functools.lru_cache(maxsize=LAYER_CACHE_SIZE)
def layer_edges(layer: Layer) -> LayerEdges:
    """Group ``layer``'s non-zero weights by sign and width level (cached per Layer object)."""
    flat = layer.weights.ravel()
    nonzero = np.flatnonzero(flat)
    values = flat[nonzero]
    positive = values > 0
    magnitude = np.abs(values)
    key = width_levels(magnitude, float(magnitude.max(initial=0.0))) * 2 + positive
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
    """SVG path text per (positive, level) group: 'Mx,yLx,yMx,yLx,y…', one segment per edge.

    Columns are at x_from and x_from + 1; neurons sit at mlpsim.render.graph.column_y. Cached per Layer
    object and geometry. Built without a Python loop per edge: one text token per neuron, picked
    by numpy indexing and joined once.
    """
    edges = layer_edges(layer)
    move = np.array([f"M{x_from:g},{y:.4f}" for y in column_y(layer.n_in, source_step)], dtype=object)
    line = np.array([f"L{x_from + 1:g},{y:.4f}" for y in column_y(layer.size, target_step)], dtype=object)
    tokens = np.empty(2 * edges.values.size, dtype=object)
    tokens[0::2] = move[edges.rows]
    tokens[1::2] = line[edges.columns]
    return {
        (positive, level): "".join(tokens[2 * start : 2 * stop].tolist())
        for positive, level, start, stop in edges.groups
    }
