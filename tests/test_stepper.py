"""Step-through order and per-step arithmetic, checked against the seed example worked by hand.

Seed example: x = (0.5, 0.1, 0.2); W1 columns N1 = (2, 4, -3), N2 = (8, 9, 5), N3 = (-1, 1, 2),
N4 = (3, -6, 7); b1 = (0.13, 0.14, 0.15, 0.16); ReLU; then 2 sigmoid outputs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlpsim.core.forward import forward
from mlpsim.core.network import Layer, Network
from mlpsim.explain.stepper import first_step_of_layer, known_values, step_at, step_count, step_working
from mlpsim.io.presets import seed_example


def test_order_is_layer_by_layer_then_neuron_by_neuron():
    network = seed_example()
    assert step_count(network) == 6
    walk = [(step_at(network, i).position, step_at(network, i).neuron) for i in range(7)]
    assert walk == [(0, 2), (1, 0), (1, 1), (1, 2), (1, 3), (2, 0), (2, 1)]
    assert step_at(network, 0).is_start and step_at(network, 0).selected is None
    assert step_at(network, 6).is_last
    assert first_step_of_layer(network, 1) == 1 and first_step_of_layer(network, 2) == 5


def test_out_of_range_steps_are_clamped():
    network = seed_example()
    assert step_at(network, 99).index == 6
    assert step_at(network, -3).index == 0


def test_step_shows_products_running_sum_bias_and_activation():
    network = seed_example()
    result = forward(network)
    working = step_working(network, result, step_at(network, 2))  # Hidden 1 · N2
    # by hand: 8·0.5 = 4, 9·0.1 = 0.9, 5·0.2 = 1 → running 4, 4.9, 5.9; + 0.14 = 6.04; relu → 6.04
    assert [t.weight_name for t in working.working.terms] == ["W1[1,2]", "W1[2,2]", "W1[3,2]"]
    assert [t.product for t in working.working.terms] == pytest.approx([4.0, 0.9, 1.0])
    assert list(working.running_sums) == pytest.approx([4.0, 4.9, 5.9])
    assert working.working.z == pytest.approx(6.04) and working.working.a == pytest.approx(6.04)
    lines = working.lines()
    assert lines[1] == "W1[2,2] × IN2 = 9 × 0.1 = 0.9   (running sum 4.9)"
    assert lines[-2] == "z = Σ wᵢ·xᵢ + b1[2] = 5.9 + 0.14 = 6.04"
    assert lines[-3] == "Σ wᵢ·xᵢ = 4 + 0.9 + 1 = 5.9"
    assert lines[-1] == "a = f(z) = max(0, 6.04) = 6.04"
    assert working.title == "Step 2 of 6: Hidden 1 · N2 (layer 1)"


def test_output_step_uses_the_hidden_activations():
    network = seed_example()
    result = forward(network)
    # hidden a by hand: N1 = 1 + 0.4 - 0.6 + 0.13 = 0.93; N2 = 6.04;
    # N3 = -0.5 + 0.1 + 0.4 + 0.15 = 0.15; N4 = 1.5 - 0.6 + 1.4 + 0.16 = 2.46
    hidden = [0.93, 6.04, 0.15, 2.46]
    z = 0.2 * hidden[0] + 0.1 * hidden[1] - 0.4 * hidden[2] + 0.3 * hidden[3] + 0.1
    working = step_working(network, result, step_at(network, 5))
    assert [t.input_value for t in working.working.terms] == pytest.approx(hidden)
    assert working.working.z == pytest.approx(z)
    assert working.working.a == pytest.approx(1 / (1 + math.exp(-z)))


def test_pending_values_follow_the_step():
    network = seed_example()
    result = forward(network)
    rows = known_values(network, result, step_at(network, 2))
    assert [name for _, name, _ in rows] == ["IN1", "IN2", "IN3", "N1", "N2", "N3", "N4", "N1", "N2"]
    known = [value is not None for _, _, value in rows]
    assert known == [True, True, True, True, True, False, False, False, False]
    assert rows[4][2] == pytest.approx(6.04)
    assert all(value is None for _, _, value in known_values(network, result, step_at(network, 0))[3:])
    assert all(value is not None for _, _, value in known_values(network, result, step_at(network, 6)))
    assert step_working(network, result, step_at(network, 0)) is None


def test_works_on_an_edited_network():
    network = seed_example().with_weight(1, 1, 1, 0.0).with_bias(1, 1, 1.0)
    result = forward(network)
    working = step_working(network, result, step_at(network, 2))
    # 8·0.5 + 0·0.1 + 5·0.2 = 5; + 1 = 6
    assert list(working.running_sums) == pytest.approx([4.0, 4.0, 5.0])
    assert working.working.z == pytest.approx(6.0)
    resized = network.resized(1, 2)
    assert step_count(resized) == 4
    assert step_at(resized, 4).position == 2


def test_softmax_step_lists_every_z_of_the_layer():
    network = Network(
        input_size=1,
        input_values=np.array([1.0]),
        layers=(Layer(weights=np.array([[1.0, 2.0]]), bias=np.zeros(2), activation="softmax"),),
    )
    working = step_working(network, forward(network), step_at(network, 1))
    assert working.working.layer_z == (1.0, 2.0)
    assert working.lines()[-1] == f"a = f(z)_j = e^(1) / (e^(1) + e^(2)) = {math.e / (math.e + math.e**2):.6g}"
