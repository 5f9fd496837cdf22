"""The strategies generate what the contract promises, and only regexes both dialects agree on."""

from __future__ import annotations

import re

import polars as pl
from dq_contract.strategies import COLUMNS, cases, frames, patterns
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_STRINGS = st.lists(st.one_of(st.none(), st.text(alphabet="ab@. é🙂0\n", max_size=6)), max_size=8)


@settings(max_examples=200, deadline=None)
@given(pattern=patterns(), values=_STRINGS)
def test_generated_patterns_mean_the_same_in_python_and_polars(pattern: str, values: list) -> None:
    """The oracle's re.fullmatch must agree with polars' (Rust) full match on every pattern."""
    series = pl.Series(values, dtype=pl.String)
    rust = series.str.contains(f"^(?:{pattern})$").to_list()
    python = [None if v is None else re.fullmatch(pattern, v) is not None for v in values]
    assert rust == python


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=frames())
def test_frames_have_the_contract_columns(data: pl.DataFrame) -> None:
    assert data.schema == pl.Schema(COLUMNS)
    assert 0 <= data.height <= 40


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_rule_sets_have_unique_ids_and_known_columns(case: tuple) -> None:
    data, rules = case
    assert 1 <= len(rules.rules) <= 6
    for rule in rules.rules:
        column = getattr(rule, "column", None)
        assert column is None or column in data.columns or column == "missing_column"
