"""The network as a graph: one node per neuron, one edge per weight, and the column layout.

The figure (mlpsim.render.figure) does not walk this graph — a 109k-edge DiGraph costs ~140 ms to
build, so the figure reads the weight matrices with numpy and uses only the layout from here
(``layer_spacing``, ``layer_positions``, ``column_y``). The graph is for structure, export and
tests: it is the diagram's data written out one neuron and one weight at a time.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network, neuron_name, weight_name

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


def network_graph(network: Network, result: ForwardResult) -> nx.DiGraph:
    """A DiGraph with a node per neuron and an edge per weight.

    Nodes are keyed ``(position, index0)`` (position 0 = input) with attributes ``layer``
    (= position), ``index`` (0-based), ``name`` ('IN2', 'N3'), ``pos`` (x, y), ``a`` (the value;
    the input value for the input layer) and, except for inputs, ``z``, ``bias`` and
    ``activation``. Edge (position-1, i) → (position, j) carries ``weight`` = W{position}[i, j]
    and ``name`` = 'W{position}[i+1,j+1]'. ``result`` must be for one input (shapes (N,)).
    """
    if np.ndim(result.inputs) != 1:
        raise ValueError("network_graph draws one input at a time; got a batch")
    graph = nx.DiGraph(name=network.name)
    positions = layer_positions(network.layer_sizes)
    for index, (value, xy) in enumerate(zip(result.inputs, positions[0])):
        graph.add_node((0, index), layer=0, index=index, name=neuron_name(0, index), pos=tuple(xy), a=float(value))
    for position, layer in enumerate(network.layers, start=1):
        z, a = result.z[position - 1], result.a[position - 1]
        for index in range(layer.size):
            graph.add_node(
                (position, index),
                layer=position,
                index=index,
                name=neuron_name(position, index),
                pos=tuple(positions[position][index]),
                z=float(z[index]),
                a=float(a[index]),
                bias=float(layer.bias[index]),
                activation=layer.activation,
            )
        rows, columns = np.indices(layer.weights.shape).reshape(2, -1)
        graph.add_edges_from(
            ((position - 1, int(i)), (position, int(j)), {"weight": float(w), "name": weight_name(position, i, j)})
            for i, j, w in zip(rows, columns, layer.weights.ravel())
        )
    return graph
