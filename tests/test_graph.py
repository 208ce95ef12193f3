"""The network graph and its layout, checked against numbers worked by hand or plain loops."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlpsim.core.forward import forward
from mlpsim.core.initializers import initialized_network
from mlpsim.core.network import Layer, Network
from mlpsim.io.presets import seed_example
from mlpsim.render.graph import layer_positions
from mlpsim.render.networkx_view import network_graph


def _relu(z: float) -> float:
    return z if z > 0 else 0.0


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_seed_graph_has_one_node_per_neuron_and_one_edge_per_weight():
    network = seed_example()
    graph = network_graph(network, forward(network))
    assert graph.number_of_nodes() == 3 + 4 + 2
    assert graph.number_of_edges() == 3 * 4 + 4 * 2


@pytest.mark.parametrize("sizes", [[1, 1], [5, 1, 7], [4, 6, 3, 2], [64, 32, 10]])
def test_edge_count_is_the_sum_of_matrix_sizes(sizes):
    network = initialized_network(sizes, "tanh", "uniform", seed=3)
    graph = network_graph(network, forward(network))
    expected = 0
    for before, after in zip(sizes, sizes[1:]):
        expected += before * after
    assert graph.number_of_edges() == expected
    assert graph.number_of_nodes() == sum(sizes)


def test_every_edge_carries_its_matrix_entry_and_seed_style_name():
    network = initialized_network([3, 5, 2], "relu", "uniform", seed=11)
    graph = network_graph(network, forward(network))
    for layer_number, layer in enumerate(network.layers, start=1):
        for i in range(layer.weights.shape[0]):
            for j in range(layer.weights.shape[1]):
                edge = graph.edges[(layer_number - 1, i), (layer_number, j)]
                assert edge["weight"] == layer.weights[i][j]
                assert edge["name"] == f"W{layer_number}[{i + 1},{j + 1}]"


def test_seed_example_edge_in2_to_n2_is_the_largest_weight_9():
    network = seed_example()
    graph = network_graph(network, forward(network))
    edge = graph.edges[(0, 1), (1, 1)]
    assert edge == {"weight": 9.0, "name": "W1[2,2]"}
    assert graph.nodes[(0, 1)]["name"] == "IN2"
    assert graph.nodes[(1, 1)]["name"] == "N2"


def test_node_values_equal_the_forward_pass_worked_by_hand():
    network = seed_example()
    graph = network_graph(network, forward(network))
    x = [0.5, 0.1, 0.2]
    w1 = [[2, 8, -1, 3], [4, 9, 1, -6], [-3, 5, 2, 7]]
    b1 = [0.13, 0.14, 0.15, 0.16]
    hidden_z = [sum(x[i] * w1[i][j] for i in range(3)) + b1[j] for j in range(4)]
    assert hidden_z[0] == pytest.approx(1.0 + 0.4 - 0.6 + 0.13)  # 0.93, as in the article
    hidden = [_relu(z) for z in hidden_z]
    w2 = [[0.2, -0.3], [0.1, -0.2], [-0.4, 0.5], [0.3, 0.1]]
    b2 = [0.1, -0.2]
    output_z = [sum(hidden[i] * w2[i][j] for i in range(4)) + b2[j] for j in range(2)]
    for i, value in enumerate(x):
        assert graph.nodes[(0, i)]["a"] == pytest.approx(value)
        assert "z" not in graph.nodes[(0, i)]
    for j in range(4):
        node = graph.nodes[(1, j)]
        assert node["z"] == pytest.approx(hidden_z[j])
        assert node["a"] == pytest.approx(hidden[j])
        assert node["bias"] == b1[j]
        assert node["activation"] == "relu"
    for j in range(2):
        node = graph.nodes[(2, j)]
        assert node["z"] == pytest.approx(output_z[j])
        assert node["a"] == pytest.approx(_sigmoid(output_z[j]))
        assert node["activation"] == "sigmoid"


def test_graph_refuses_a_batch():
    network = seed_example()
    with pytest.raises(ValueError, match="one input"):
        network_graph(network, forward(network, np.ones((2, 3))))


def test_layers_are_columns_left_to_right_with_in1_on_top():
    positions = layer_positions([3, 4, 2])
    for position, column in enumerate(positions):
        assert set(column[:, 0]) == {float(position)}
        assert list(column[:, 1]) == sorted(column[:, 1], reverse=True)  # neuron 0 at the top


@pytest.mark.parametrize("sizes", [[1], [1, 1024], [3, 4, 2], [784, 128, 64, 10], [1024, 7, 1]])
def test_each_column_is_evenly_spaced_and_centred(sizes):
    positions = layer_positions(sizes)
    for size, column in zip(sizes, positions):
        y = column[:, 1]
        assert len(y) == size
        assert np.mean(y) == pytest.approx(0.0, abs=1e-12)
        if size > 1:
            gaps = y[:-1] - y[1:]
            assert np.allclose(gaps, gaps[0]) and gaps[0] > 0
        assert y.max() <= 0.5 + 1e-12 and y.min() >= -0.5 - 1e-12


def test_small_networks_share_one_spacing_like_the_seed_drawing():
    positions = layer_positions([3, 4, 2])
    gaps = [column[0, 1] - column[1, 1] for column in positions]
    assert gaps[0] == pytest.approx(gaps[1]) == pytest.approx(gaps[2])
    assert gaps[1] * 3 == pytest.approx(1.0)  # the tallest column fills the height


def test_a_short_column_beside_a_tall_one_is_not_squeezed_to_a_dot():
    tall, short = layer_positions([784, 10])
    assert tall[0, 1] - tall[-1, 1] == pytest.approx(1.0)
    assert short[0, 1] - short[-1, 1] > 0.5


def test_graph_positions_match_the_layout():
    network = Network(input_size=2, layers=(Layer(np.ones((2, 3)), np.zeros(3)),))
    graph = network_graph(network, forward(network))
    positions = layer_positions([2, 3])
    for (position, index), data in graph.nodes(data=True):
        assert data["pos"] == tuple(positions[position][index])
        assert data["layer"] == position and data["index"] == index
