"""The six activations against scalar formulas written here with `math`, for every finite z
(±1e308 included) and ±inf, with every warning turned into an error."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpsim.core.activations import LEAKY_RELU_SLOPE, REGISTRY

INF = math.inf
EXTREMES = [
    -INF,
    -1e308,
    -1.7976931348623157e308,
    -1000.0,
    -745.0,
    -710.0,
    -50.0,
    -1.0,
    -1e-300,
    -5e-324,
    -0.0,
    0.0,
    5e-324,
    1e-300,
    1.0,
    50.0,
    710.0,
    1000.0,
    1e308,
    1.7976931348623157e308,
    INF,
]


def scalar_sigmoid(z: float) -> float:
    # The two halves never exponentiate a positive number, so neither overflows.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


SCALAR = {
    "linear": lambda z: z,
    "relu": lambda z: max(0.0, z),
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    "tanh": math.tanh,
    "sigmoid": scalar_sigmoid,
}


def scalar_softmax(zs: list[float]) -> list[float]:
    top = max(zs)
    if top == INF:
        winners = [1.0 if z == INF else 0.0 for z in zs]
        return [w / sum(winners) for w in winners]
    if top == -INF:
        return [1.0 / len(zs)] * len(zs)
    exps = [math.exp(z - top) for z in zs]  # z - top ≤ 0; -1e308 - 1e308 is -inf in Python, exp → 0
    return [e / sum(exps) for e in exps]


def strict(function, z):
    """Call with every warning (RuntimeWarning from numpy included) raised as an error, under
    numpy's default error state (overflow, invalid and divide warn; underflow to 0 is silent)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            return function(np.asarray(z, dtype=float))


def close(actual: float, expected: float) -> bool:
    if math.isinf(expected):
        return actual == expected
    return math.isclose(actual, expected, rel_tol=1e-13, abs_tol=1e-320)


def test_the_registry_has_exactly_the_six_activations_each_with_its_formulas_and_properties():
    assert list(REGISTRY) == ["linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax"]
    for name, entry in REGISTRY.items():
        assert entry.name == name
        assert entry.formula_text.startswith("f(z)") and entry.formula_latex.startswith("f(z)")
        assert "z}" in entry.applied_text and "z}" in entry.applied_latex
    assert [name for name, entry in REGISTRY.items() if entry.curved] == ["tanh", "sigmoid", "softmax"]
    assert [name for name, entry in REGISTRY.items() if not entry.elementwise] == ["softmax"]
    assert REGISTRY["leaky_relu"].parameters == {"slope": 0.01}
    assert REGISTRY["sigmoid"].output_range == (0.0, 1.0) and REGISTRY["relu"].output_range == (0.0, None)


@pytest.mark.parametrize("name", sorted(SCALAR))
def test_elementwise_activations_at_the_extremes(name):
    values = strict(REGISTRY[name].function, EXTREMES)
    assert values.shape == (len(EXTREMES),)
    for z, value in zip(EXTREMES, values):
        expected = SCALAR[name](z)
        assert close(float(value), expected), f"{name}({z}) = {value}, expected {expected}"
        if math.isfinite(z) and name in ("tanh", "sigmoid"):
            assert math.isfinite(value)


def test_hand_values():
    assert strict(REGISTRY["sigmoid"].function, [0.0])[0] == 0.5
    assert strict(REGISTRY["sigmoid"].function, [-INF, INF]).tolist() == [0.0, 1.0]
    assert strict(REGISTRY["tanh"].function, [-INF, INF]).tolist() == [-1.0, 1.0]
    assert strict(REGISTRY["relu"].function, [-INF, -2.0, 3.0, INF]).tolist() == [0.0, 0.0, 3.0, INF]
    assert LEAKY_RELU_SLOPE == 0.01
    assert strict(REGISTRY["leaky_relu"].function, [-2.0, -1e308, 3.0]).tolist() == [-0.02, -1e306, 3.0]
    # sigmoid(−1000) = e^−1000 / (1 + e^−1000) underflows to 0, but sigmoid(−700) is e^−700 exactly
    assert strict(REGISTRY["sigmoid"].function, [-700.0])[0] == pytest.approx(math.exp(-700), rel=1e-13)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=True), min_size=1, max_size=12))
def test_elementwise_activations_for_any_z(zs):
    for name, scalar in SCALAR.items():
        values = strict(REGISTRY[name].function, zs)
        for z, value in zip(zs, values):
            assert close(float(value), scalar(z)), f"{name}({z}) = {value}"


def test_softmax_of_large_inputs_matches_hand_values():
    # e^0, e^1, e^2 over their sum 1 + e + e²: the shift by the maximum makes 1000 harmless.
    values = strict(REGISTRY["softmax"].function, [1000.0, 1001.0, 1002.0])
    assert values.tolist() == pytest.approx([0.09003057317038046, 0.24472847105479767, 0.6652409557748219], rel=1e-14)
    total = 1 + math.e + math.e**2
    assert values.tolist() == pytest.approx([1 / total, math.e / total, math.e**2 / total], rel=1e-14)


@pytest.mark.parametrize(
    "zs, expected",
    [
        ([1e308, -1e308], [1.0, 0.0]),
        ([-1e308, -1e308], [0.5, 0.5]),
        ([1e308, 1e308], [0.5, 0.5]),
        ([INF, 0.0], [1.0, 0.0]),
        ([INF, INF, 5.0], [0.5, 0.5, 0.0]),
        ([-INF, 0.0], [0.0, 1.0]),
        ([-INF, -INF], [0.5, 0.5]),
        ([INF, -INF], [1.0, 0.0]),
        ([-1e308], [1.0]),
        ([3.0], [1.0]),
    ],
)
def test_softmax_extremes(zs, expected):
    assert strict(REGISTRY["softmax"].function, zs).tolist() == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=True), min_size=1, max_size=10))
def test_softmax_for_any_vector(zs):
    values = strict(REGISTRY["softmax"].function, zs)
    for value, expected in zip(values, scalar_softmax(zs)):
        assert math.isclose(value, expected, rel_tol=1e-12, abs_tol=1e-300)
    assert math.isclose(float(values.sum()), 1.0, rel_tol=1e-12)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_a_batch_is_each_row_on_its_own(name):
    batch = np.array([[1000.0, 1001.0, -1e308], [0.5, -0.25, 2.0], [-INF, 3.0, 1e308]])
    together = strict(REGISTRY[name].function, batch)
    assert together.shape == batch.shape
    for row, values in zip(batch, together):
        assert np.array_equal(strict(REGISTRY[name].function, row), values)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_activations_do_not_change_their_argument(name):
    z = np.array([-3.0, 0.0, 2.5])
    strict(REGISTRY[name].function, z)
    assert z.tolist() == [-3.0, 0.0, 2.5]
