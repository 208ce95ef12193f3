"""Dense layers' edges drawn once into a transparent PNG that sits under the neuron markers.

Above a few tens of thousands of edges a layer's weights are a texture, not individual lines,
and plotly.js needs ~5 µs per SVG segment; an image costs a constant ~0.2 s to draw at any
size. Every weight is still drawn: each pixel's ink is the summed |w| of the weights whose
straight edge crosses it, split into a positive and a negative channel; its colour mixes the
positive and negative edge colours in that proportion and its opacity grows with the total.

To bound the work, neighbouring neurons are grouped (at most MAX_GROUPS per column, each group
at its mean height — a fraction of a pixel apart on screen) and their weights summed per sign;
the lines are sampled at a fixed number of pixel columns (numpy bincount, no loop per edge).
Cached per Layer object and geometry, like mlpsim.render.edges.
"""

from __future__ import annotations

import base64
import functools
import struct
import zlib

import numpy as np

from mlpsim.core.network import Layer
from mlpsim.render.edges import LAYER_CACHE_SIZE
from mlpsim.render.graph import column_y

MAX_GROUPS = 128
IMAGE_ROWS = 640
IMAGE_COLUMNS = 96
POSITIVE_RGB = np.array([67, 147, 195], dtype=np.float32)
NEGATIVE_RGB = np.array([214, 96, 77], dtype=np.float32)
PEAK_OPACITY = 0.9


def _groups(size: int, step: float) -> tuple[np.ndarray, np.ndarray]:
    """(group of each neuron (size,), mean y of each group (G,)) for a column of ``size``
    neurons ``step`` apart, in at most MAX_GROUPS contiguous groups."""
    y = column_y(size, step)
    count = min(size, MAX_GROUPS)
    group = (np.arange(size) * count) // size
    return group, np.bincount(group, weights=y, minlength=count) / np.bincount(group, minlength=count)


def layer_ink(layer: Layer, source_step: float, target_step: float) -> np.ndarray:
    """Summed |w| per pixel in units of the layer's largest |w| (so sums of weights near 1e308
    cannot overflow), shape (2, IMAGE_ROWS, IMAGE_COLUMNS): [0] positive, [1] negative.

    The image spans x from the source column (left edge) to the target column (right edge)
    and y from +0.5 (top row) to -0.5 (bottom row), the layout of mlpsim.render.graph.layer_positions.
    Each group pair's line is sampled once per pixel column and its ink added to the nearest
    row (splitting it between two rows looked the same once the browser scales the image, and
    took twice as long).
    """
    source_group, source_y = _groups(layer.n_in, source_step)
    target_group, target_y = _groups(layer.size, target_step)
    pairs = source_y.size * target_y.size
    pair = (source_group[:, None] * target_y.size + target_group[None, :]).ravel()
    flat = layer.weights.ravel()
    flat = flat / (float(np.abs(flat).max(initial=0.0)) or 1.0)
    positive = np.bincount(pair, weights=np.maximum(flat, 0.0), minlength=pairs)
    negative = np.bincount(pair, weights=np.maximum(-flat, 0.0), minlength=pairs)
    used = np.flatnonzero(positive + negative)
    source_row, target_row = np.divmod(used, target_y.size)
    positive, negative = positive[used].astype(np.float32), negative[used].astype(np.float32)
    # Row coordinate (0 = top edge of the image) of each used pair's two ends.
    start = ((0.5 - source_y[source_row]) * IMAGE_ROWS - 0.5).astype(np.float32)
    end = ((0.5 - target_y[target_row]) * IMAGE_ROWS - 0.5).astype(np.float32)
    t = ((np.arange(IMAGE_COLUMNS, dtype=np.float32) + 0.5) / IMAGE_COLUMNS)[:, None]
    row = start + t * (end - start) + 0.5  # (columns, pairs); + 0.5 so truncation rounds
    np.clip(row, 0.0, IMAGE_ROWS - 1, out=row)
    index = (row.astype(np.int32) * IMAGE_COLUMNS + np.arange(IMAGE_COLUMNS, dtype=np.int32)[:, None]).ravel()
    size = IMAGE_ROWS * IMAGE_COLUMNS
    grid = np.empty((2, size))
    for channel, amount in enumerate((positive, negative)):
        grid[channel] = np.bincount(
            index, weights=np.broadcast_to(amount, (IMAGE_COLUMNS, amount.size)).ravel(), minlength=size
        )
    image = grid.reshape(2, IMAGE_ROWS, IMAGE_COLUMNS)
    image.flags.writeable = False
    return image


@functools.lru_cache(maxsize=LAYER_CACHE_SIZE)
def layer_image(layer: Layer, source_step: float, target_step: float) -> str:
    """The layer's edges as a PNG data URI (see the module docstring), cached (~250 kB each;
    the ink grid behind it, 1 MB, is not kept)."""
    positive, negative = layer_ink(layer, source_step, target_step)
    total = positive + negative
    drawn = total[total > 0]
    scale = float(np.quantile(drawn, 0.98)) if drawn.size else 1.0
    opacity = PEAK_OPACITY * np.clip(total / scale, 0.0, 1.0) ** 0.6
    share = np.divide(positive, total, out=np.full_like(total, 0.5), where=total > 0)[..., None]
    rgb = share * POSITIVE_RGB + (1.0 - share) * NEGATIVE_RGB
    rgba = np.concatenate([rgb, 255.0 * opacity[..., None]], axis=-1)
    return "data:image/png;base64," + base64.b64encode(png_bytes(np.rint(rgba).astype(np.uint8))).decode()


def png_bytes(rgba: np.ndarray) -> bytes:
    """Encode an (H, W, 4) uint8 RGBA array as PNG (no filter; fastest zlib level: 4 % larger, 4× quicker than 6)."""
    height, width, _ = rgba.shape
    scanlines = np.zeros((height, 1 + 4 * width), dtype=np.uint8)
    scanlines[:, 1:] = rgba.reshape(height, -1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(scanlines.tobytes(), 1))
        + chunk(b"IEND", b"")
    )
