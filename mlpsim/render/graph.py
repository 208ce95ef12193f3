"""The diagram's layout: one column per layer, left to right, neurons evenly spaced and centred
(``layer_spacing``, ``layer_positions``, ``column_y``). The figure (mlpsim.render.figure) and the
worksheet's drawing place their neurons with it; ``networkx_view`` exports the same network as a
graph at these positions.
"""

from __future__ import annotations

import numpy as np

COLUMN_HEIGHT = 1.0
"""Height of the tallest column in data units: the layout spans y ∈ [-0.5, 0.5]."""

SMALLEST_SPACING = 0.1
"""Short columns are spread at most this far apart (as a fraction of COLUMN_HEIGHT) beyond the
shared spacing, so a 10-neuron output beside a 784-neuron input is not squeezed into a dot."""


def layer_spacing(layer_sizes) -> np.ndarray:
    """Vertical distance between neighbouring neurons of each layer, shape (L+1,).

    Every layer uses the spacing of the tallest column (so 3-4-2 looks like the seed article's
    drawing) unless that would squeeze it: a layer of n neurons is then spread over up to
    (n-1)·SMALLEST_SPACING of the height.
    """
    sizes = np.asarray(layer_sizes, dtype=float)
    shared = COLUMN_HEIGHT / max(sizes.max() - 1.0, 1.0)
    own = COLUMN_HEIGHT / np.maximum(sizes - 1.0, 1.0)
    return np.maximum(shared, np.minimum(own, SMALLEST_SPACING))


def column_y(size: int, step: float) -> np.ndarray:
    """y of each neuron in a column of ``size`` neurons ``step`` apart, centred on 0, neuron 0
    at the top: shape (size,)."""
    return ((size - 1) / 2.0 - np.arange(size)) * step


def layer_positions(layer_sizes) -> tuple[np.ndarray, ...]:
    """Neuron coordinates per layer: element l is an (N_l, 2) array of (x, y).

    Layers are columns at x = 0, 1, …, L (input first); neurons are evenly spaced and centred
    on y = 0, neuron 0 at the top (IN1 above IN2, as in the seed article).
    """
    spacing = layer_spacing(layer_sizes)
    positions = []
    for position, (size, step) in enumerate(zip(layer_sizes, spacing)):
        positions.append(np.column_stack([np.full(size, float(position)), column_y(size, step)]))
    return tuple(positions)
