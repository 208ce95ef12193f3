"""The network as a networkx graph: one node per neuron, one edge per weight, at the diagram's
layout positions — the diagram's data written out one neuron and one weight at a time, for
structure, export and tests.

The figure does not walk this graph (a 109k-edge DiGraph costs ~140 ms to build; the figure
reads the weight matrices with numpy), so nothing on the app's path imports networkx.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network, neuron_name, weight_name
from mlpsim.render.graph import layer_positions


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
