"""mlpsim.core.numbertext's sums that cannot add up: an infinite or NaN total has no last digit."""

from __future__ import annotations

import math

import pytest

from mlpsim.core.numbertext import SumText, sum_text


@pytest.mark.parametrize(
    ("values", "total", "written"),
    [
        ([math.inf, 1.0], math.inf, SumText(("inf", "1"), "≈", "inf")),
        ([-math.inf, 2.5], -math.inf, SumText(("-inf", "2.5"), "≈", "-inf")),
        ([math.inf, -math.inf], math.nan, SumText(("inf", "-inf"), "≈", "nan")),
    ],
)
def test_a_non_finite_total_is_written_approximately_instead_of_raising(values, total, written):
    assert sum_text(values, total) == written
