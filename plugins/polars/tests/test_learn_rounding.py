"""Rounded bounds never cut into the data; shapes are inferred only where one is clear."""

from __future__ import annotations

import datetime as dt

import polars as pl
from dq_polars._rounding import round_duration, round_length_up, round_out
from dq_polars._shapes import EMAIL, infer
from hypothesis import given
from hypothesis import strategies as st

numbers = st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False)


@given(a=numbers, b=numbers)
def test_round_out_never_moves_a_bound_inward(a, b) -> None:
    low, high = min(a, b), max(a, b)
    lo, hi = round_out(low, high)
    assert float(lo) <= low and float(hi) >= high
    assert lo <= low and hi >= high


@given(a=st.floats(-1e6, 1e6), b=st.floats(-1e6, 1e6), gap=st.floats(1e-3, 1e3))
def test_a_tight_bound_stays_short_of_the_nearest_outlier(a, b, gap) -> None:
    low, high = min(a, b), max(a, b)
    lo, hi = round_out(low, high, exclude_below=low - gap, exclude_above=high + gap)
    assert low - gap < lo <= low and high <= hi < high + gap


def test_readable_bounds() -> None:
    assert round_out(0.5, 14285.57) == (0, 15000)
    assert round_out(-15.0, 1_250_000.0) == (-15, 1_300_000)
    assert round_out(0.1, 0.3) == (0.1, 0.3)
    assert [round_length_up(n) for n in (3, 24, 262, 1234)] == [10, 30, 270, 1300]
    assert round_duration(dt.timedelta(hours=36)) == "2d"
    assert round_duration(dt.timedelta(minutes=5)) == "1h"


def test_shapes() -> None:
    assert infer(["AB-1234", "CD-0001"]) == r"[A-Z]{2}\-[0-9]{4}"
    assert infer(["ana@exämple.de", "x.y+z@a.b.com"]) == EMAIL
    assert infer(["paid", "shipped", "Berlin"]) is None  # words: no shape worth a regex
    assert infer(["a1", "b22", "c333"]) == "[a-z][0-9]+"
    assert infer([]) is None


@given(values=st.lists(st.text(alphabet="aZ9-.@ #é(", min_size=1, max_size=8), min_size=1))
def test_an_inferred_shape_is_valid_rust_regex_and_matches_the_values_it_came_from(values) -> None:
    pattern = infer(values)
    if pattern is None:
        return
    matched = pl.Series(values).str.contains(rf"\A(?:{pattern})\z")
    assert matched.all() if len(values) < 100 else matched.mean() >= 0.98
