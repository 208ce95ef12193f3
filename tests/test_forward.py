"""The forward pass against a plain per-neuron loop z = Σᵢ wᵢxᵢ + b written here, numbers worked
by hand for the seed example, and overflow that must be reported, never returned as NaN."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpsim.core.errors import ForwardError, MlpsimError, ValidationError
from mlpsim.core.forward import forward
from mlpsim.core.network import Layer, Network
from mlpsim.io.presets import seed_example
from tests import reference
from tests.test_activations import scalar_sigmoid


def loop_forward(network: Network, x: list[float]) -> list[tuple[list[float], list[float], list[float]]]:
    """For every layer: (z, a, bound) with z and a from tests/reference.py's loops, and
    bound[j] = Σᵢ|wᵢxᵢ| + |b| for neuron j (the size of the rounding error z may carry)."""
    layers = reference.network_layers(network)
    zs, activations = reference.forward(layers, x)
    inputs = [x, *activations[:-1]]
    return [
        (
            z,
            a,
            [sum(abs(row[j] * x_i) for row, x_i in zip(weights, layer_input)) + abs(bias[j]) for j in range(len(bias))],
        )
        for (weights, bias, _), layer_input, z, a in zip(layers, inputs, zs, activations)
    ]


def strict_forward(network, inputs=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return forward(network, inputs)


def assert_matches_loop(network: Network, x, z_code, a_code) -> None:
    for k, (z, a, bound) in enumerate(loop_forward(network, [float(v) for v in x])):
        for j in range(len(z)):
            tolerance = 1e-12 * bound[j]
            assert abs(z_code[k][j] - z[j]) <= tolerance, f"layer {k + 1} neuron {j + 1}: {z_code[k][j]} vs {z[j]}"
        # Every activation changes by at most max|Δz| (softmax by half of it), so a from the
        # loop's z is within the same bound, plus rounding of the activation itself.
        worst = 1e-12 * max(bound)
        for j in range(len(a)):
            assert abs(a_code[k][j] - a[j]) <= worst + 4e-16 * max(1.0, abs(a[j])), f"layer {k + 1} a[{j + 1}]"


# ---- the seed example, by hand -----------------------------------------------------------------


def test_seed_example_worked_by_hand():
    # W1 = [[2, 8, -1, 3], [4, 9, 1, -6], [-3, 5, 2, 7]], b1 = [.13, .14, .15, .16], x = [.5, .1, .2]
    # z1 = [1 + .4 - .6 + .13, 4 + .9 + 1 + .14, -.5 + .1 + .4 + .15, 1.5 - .6 + 1.4 + .16]
    result = strict_forward(seed_example())
    assert result.inputs.tolist() == [0.5, 0.1, 0.2]
    assert result.z[0].tolist() == pytest.approx([0.93, 6.04, 0.15, 2.46], abs=1e-14)
    assert result.a[0].tolist() == pytest.approx([0.93, 6.04, 0.15, 2.46], abs=1e-14)  # ReLU keeps positives
    # W2 = [[.2, -.3], [.1, -.2], [-.4, .5], [.3, .1]], b2 = [.1, -.2]:
    # z2[1] = .186 + .604 - .06 + .738 + .1 = 1.568;  z2[2] = -.279 - 1.208 + .075 + .246 - .2 = -1.366
    assert result.z[1].tolist() == pytest.approx([1.568, -1.366], abs=1e-14)
    expected = [1 / (1 + math.exp(-1.568)), 1 / (1 + math.exp(1.366))]
    assert result.a[1].tolist() == pytest.approx(expected, rel=1e-14)
    assert result.output.tolist() == pytest.approx(expected, rel=1e-14)
    assert result.values(0) is result.inputs
    assert result.values(2) is result.a[1]


def test_given_inputs_override_the_networks_own():
    # x = [1, .5, -2]: z1 = [2 + 2 + 6 + .13, 8 + 4.5 - 10 + .14, -1 + .5 - 4 + .15, 3 - 3 - 14 + .16]
    result = strict_forward(seed_example(), [1.0, 0.5, -2.0])
    assert result.z[0].tolist() == pytest.approx([10.13, 2.64, -4.35, -13.84], abs=1e-13)
    assert result.a[0].tolist() == pytest.approx([10.13, 2.64, 0.0, 0.0], abs=1e-13)
    # z2 = [10.13·.2 + 2.64·.1 + .1, 10.13·(-.3) + 2.64·(-.2) - .2]
    assert result.z[1].tolist() == pytest.approx([2.39, -3.767], abs=1e-13)


def test_a_batch_gives_every_row_its_own_values():
    network = seed_example()
    batch = np.array([[0.5, 0.1, 0.2], [1.0, 0.5, -2.0], [0.0, 0.0, 0.0]])
    result = strict_forward(network, batch)
    assert result.inputs.shape == (3, 3)
    assert [z.shape for z in result.z] == [(3, 4), (3, 2)]
    assert result.z[0][0].tolist() == pytest.approx([0.93, 6.04, 0.15, 2.46], abs=1e-14)
    assert result.z[0][1].tolist() == pytest.approx([10.13, 2.64, -4.35, -13.84], abs=1e-13)
    assert result.z[0][2].tolist() == pytest.approx([0.13, 0.14, 0.15, 0.16], abs=1e-15)
    assert result.a[1][2].tolist() == pytest.approx(
        [
            scalar_sigmoid(0.13 * 0.2 + 0.14 * 0.1 - 0.15 * 0.4 + 0.16 * 0.3 + 0.1),
            scalar_sigmoid(-0.13 * 0.3 - 0.14 * 0.2 + 0.15 * 0.5 + 0.16 * 0.1 - 0.2),
        ],
        rel=1e-14,
    )


def test_forward_leaves_network_and_inputs_alone():
    network = seed_example()
    inputs = np.array([1.0, 2.0, 3.0])
    strict_forward(network, inputs)
    assert inputs.tolist() == [1.0, 2.0, 3.0]
    assert network.input_values.tolist() == [0.5, 0.1, 0.2]
    assert network.layers[0].weights[1, 1] == 9.0


# ---- property: equals the plain loop over random shapes and values ---------------------------

# 0 or a magnitude in [1e-50, 1e50]: four layers of sums of six products stay far from both
# overflow and subnormals, where the order of additions could legitimately change a result.
VALUES = st.one_of(st.just(0.0), st.floats(1e-50, 1e50), st.floats(-1e50, -1e-50))


@st.composite
def networks_and_inputs(draw):
    sizes = draw(st.lists(st.integers(1, 6), min_size=2, max_size=5))
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        weights = draw(st.lists(st.lists(VALUES, min_size=n_out, max_size=n_out), min_size=n_in, max_size=n_in))
        bias = draw(st.lists(VALUES, min_size=n_out, max_size=n_out))
        activation = draw(st.sampled_from(["linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax"]))
        layers.append(Layer(weights=weights, bias=bias, activation=activation))
    batch = draw(st.one_of(st.none(), st.integers(1, 4)))
    rows = 1 if batch is None else batch
    x = draw(st.lists(st.lists(VALUES, min_size=sizes[0], max_size=sizes[0]), min_size=rows, max_size=rows))
    network = Network(input_size=sizes[0], layers=tuple(layers))
    return network, (np.array(x[0]) if batch is None else np.array(x))


@settings(max_examples=150, deadline=None)
@given(networks_and_inputs())
def test_forward_equals_the_per_neuron_loop(case):
    network, inputs = case
    result = strict_forward(network, inputs)
    if inputs.ndim == 1:
        assert_matches_loop(network, inputs, [z.tolist() for z in result.z], [a.tolist() for a in result.a])
    else:
        assert result.output.shape == (len(inputs), network.layer_sizes[-1])
        for row, x in enumerate(inputs):
            assert_matches_loop(network, x, [z[row].tolist() for z in result.z], [a[row].tolist() for a in result.a])


# ---- overflow and NaN: an error naming the layer, never a silent NaN --------------------------


def two_layer(w1: float, w2: float, x: float) -> Network:
    return Network(
        input_size=2,
        layers=(
            Layer(weights=[[w1, 1.0], [w1, 1.0]], bias=[0.0, 0.0], activation="linear"),
            Layer(weights=[[w2], [w2]], bias=[0.0], activation="sigmoid", name="Decision"),
        ),
        input_values=[x, x],
    )


def test_overflow_in_the_first_layer_names_it():
    # W1[1,1]·IN1 = 1e200 × 1e200 = 1e400 > 1.8e308, and so for W1[2,1]·IN2: z = 2e400 exactly
    with pytest.raises(ForwardError) as caught:
        strict_forward(two_layer(1e200, 1.0, 1e200))
    assert str(caught.value) == (
        "layer 1 (Hidden 1): N1 cannot be computed in floating point: the products "
        "W1[1,1]·IN1 = 1e+200 × 1e+200 and W1[2,1]·IN2 = 1e+200 × 1e+200 are beyond ±1.7976931348623157e308 "
        "(the exact z would be 2e+400); make the inputs to this layer or the weights W1 smaller"
    )
    assert isinstance(caught.value, MlpsimError)


def test_overflow_in_a_later_layer_names_that_layer():
    # layer 1: z = 2·1e200·1 = 2e200 (fine); layer 2: 2e200 · 1e200 overflows
    with pytest.raises(ForwardError, match=r"^layer 2 \(Decision\): N1 cannot be computed") as caught:
        strict_forward(two_layer(1.0, 1e200, 1e200))
    assert "W2[1,1]·N1 = 1e+200 × 2e+200 and W2[2,1]·N2 = 1e+200 × 2e+200" in str(caught.value)
    assert "the exact z would be 4e+400" in str(caught.value)


CANCELLING = Network(
    input_size=2,
    layers=(Layer(weights=[[1e200], [-1e200]], bias=[0.0], activation="relu"),),
    input_values=[1e200, 1e200],
)
CANCELLING_MESSAGE = (
    "layer 1 (Output): N1{row} cannot be computed in floating point: the products "
    "W1[1,1]·IN1 = 1e+200 × 1e+200 and W1[2,1]·IN2 = -1e+200 × 1e+200 are beyond ±1.7976931348623157e308 "
    "(the exact z would be 0); make the inputs to this layer or the weights W1 smaller"
)


def test_infinity_minus_infinity_is_reported_the_same_whatever_the_kernel():
    # 1e200·1e200 − 1e200·1e200: exactly 0, but each product is 1e400. One BLAS kernel sums
    # inf − inf = NaN (Haswell), another gets +inf (SkylakeX): the message is the same for both.
    with pytest.raises(ForwardError) as caught:
        strict_forward(CANCELLING)
    assert str(caught.value) == CANCELLING_MESSAGE.format(row="")


def test_a_batch_of_one_and_of_two_report_the_same_row_the_same_way():
    with pytest.raises(ForwardError) as one:
        strict_forward(CANCELLING, [[1e200, 1e200]])
    with pytest.raises(ForwardError) as two:
        strict_forward(CANCELLING, [[1.0, 2.0], [1e200, 1e200]])
    assert str(one.value) == CANCELLING_MESSAGE.format(row=" (input row 1)")
    assert str(two.value) == CANCELLING_MESSAGE.format(row=" (input row 2)")


def test_overflow_in_one_row_of_a_batch_is_reported():
    # Row 2: W1[1,1]·IN1 = 2 × 1e308 is beyond the range (N1 is the first neuron checked).
    with pytest.raises(ForwardError, match=r"^layer 1 \(Hidden 1\): N1 \(input row 2\) cannot be computed"):
        strict_forward(seed_example(), [[0.5, 0.1, 0.2], [1e308, 1e308, 1e308]])


def test_a_sum_whose_exact_value_is_beyond_the_range_names_its_largest_terms():
    # 1e308 + 1e308 + 0.5 = 2e308: each product is a double, z is not.
    network = Network(input_size=2, layers=(Layer(weights=[[1.0], [1.0]], bias=[0.5], activation="linear"),))
    with pytest.raises(ForwardError) as caught:
        strict_forward(network, [1e308, 1e308])
    assert str(caught.value) == (
        "layer 1 (Output): N1: z = Σ wᵢ·xᵢ + b is 2e+308, beyond ±1.7976931348623157e308, although each product "
        "is within it (the largest: W1[1,1]·IN1 = 1 × 1e+308 and W1[2,1]·IN2 = 1 × 1e+308); "
        "make the inputs to this layer, the weights W1 or the bias b1 smaller"
    )


@pytest.mark.parametrize("order", [[1e308, 1e308, -1e308], [1e308, -1e308, 1e308], [-1e308, 1e308, 1e308]])
def test_a_partial_sum_that_overflows_in_one_order_only_gives_the_exact_z(order):
    # 1e308 + 1e308 − 1e308 = 1e308 exactly; summed left to right the first partial sum is
    # 2e308 = inf in some orders and not in others, so kernels disagree. z is the exact 1e308.
    network = Network(input_size=3, layers=(Layer(weights=[[1.0], [1.0], [1.0]], bias=[0.25], activation="linear"),))
    assert strict_forward(network, order).z[0].tolist() == [1e308]
    assert strict_forward(network, [order, [1.0, 2.0, 3.0]]).z[0].tolist() == [[1e308], [6.25]]


def test_largest_finite_values_that_do_not_overflow_pass():
    network = Network(input_size=1, layers=(Layer(weights=[[1e154]], bias=[0.0], activation="tanh"),))
    result = strict_forward(network, [1e154])
    assert result.z[0].tolist() == [1e308]
    assert result.a[0].tolist() == [1.0]
    # every z finite although their total is not: still a valid result
    wide = Network(input_size=1, layers=(Layer(weights=[[1e308, 1e308]], bias=[0.0, 0.0], activation="linear"),))
    assert strict_forward(wide, [1.0]).z[0].tolist() == [1e308, 1e308]


# ---- bad inputs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "inputs, fragment",
    [
        ([1.0, 2.0], "expected 3 values (or a batch B×3), got shape 2"),
        ([[[1.0, 2.0, 3.0]]], "got shape 1×1×3"),
        (5.0, "got shape scalar"),
        ([1.0, float("nan"), 2.0], "every value must be a finite number"),
        ([1.0, float("inf"), 2.0], "every value must be a finite number"),
        (["a", "b", "c"], "expected numbers"),
    ],
)
def test_bad_inputs_are_refused_with_a_message(inputs, fragment):
    with pytest.raises(ValidationError) as caught:
        forward(seed_example(), inputs)
    assert str(caught.value).startswith("input: ")
    assert fragment in str(caught.value)


@pytest.mark.parametrize("kernel_gave", [float("nan"), float("inf"), -float("inf")])
def test_every_non_finite_outcome_a_kernel_may_give_is_diagnosed_alike(kernel_gave):
    # What the matrix product returns for 1e200·1e200 − 1e200·1e200 depends on the kernel (NaN
    # for Haswell's order of summation, +inf for SkylakeX's fused multiply-adds, -inf for the
    # other order). The diagnosis reads only the inputs and the weights, so the message is one.
    from mlpsim.core.forward import _recomputed

    x = CANCELLING.input_values
    with pytest.raises(ForwardError) as caught:
        _recomputed(CANCELLING, 1, x, np.array([kernel_gave]))
    assert str(caught.value) == CANCELLING_MESSAGE.format(row="")
    # And a partial sum that one kernel overflows and another does not gets the exact z.
    wide = Network(input_size=3, layers=(Layer(weights=[[1.0], [1.0], [1.0]], bias=[0.0], activation="linear"),))
    assert _recomputed(wide, 1, np.array([1e308, 1e308, -1e308]), np.array([kernel_gave])).tolist() == [1e308]
