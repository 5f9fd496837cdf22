"""Counts against a plain-Python statement of docs/rules.md, over frames hypothesis makes.

Independent of dq-contract-tests (which is not installed in every environment) and
aimed at the places pandera's own semantics differ: NaN in not_null/between,
nulls in unique, prefix-vs-full regex matches, characters vs bytes.
"""

from __future__ import annotations

import math
import re
from typing import Any

import dq
import polars as pl
from dq_pandera import PanderaConfig, dq_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ENGINE = dq_engine(name="pandera", config=PanderaConfig())
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

floats = st.lists(
    st.one_of(st.none(), st.sampled_from([math.nan, math.inf, -math.inf, 0.0, 1.0, 2.5, -3.0])),
    max_size=12,
)
texts = st.lists(
    st.one_of(st.none(), st.sampled_from(["", " ", "a", "ab", "ba", "é", "日本語", "a\n", "aaa"])),
    max_size=12,
)
bounds = st.one_of(st.none(), st.sampled_from([-math.inf, -3.0, 0.0, 1.0, 2.5, math.inf]))


def _key(v: Any) -> Any:
    return "NaN" if isinstance(v, float) and math.isnan(v) else v


def _between_fails(v: float, rule: dq.Between) -> bool:
    if math.isnan(v):
        return True
    low = rule.min is not None and (v < rule.min if rule.min_inclusive else v <= rule.min)
    high = rule.max is not None and (v > rule.max if rule.max_inclusive else v >= rule.max)
    return low or high


def reference(values: list[Any], rule: Any) -> tuple[int, int, tuple[Any, ...]]:
    """(failed, elements, first five distinct failing values) by the spec, in Python."""
    present = [v for v in values if v is not None]
    if rule.check == "not_null":
        return values.count(None), len(values), ()
    if rule.check == "unique":
        seen = [_key(v) for v in present]
        failing = [v for v in present if seen.count(_key(v)) > 1]
    elif rule.check == "between":
        failing = [v for v in present if _between_fails(v, rule)]
    elif rule.check == "regex":
        failing = [v for v in present if not re.fullmatch(rule.pattern, v)]
    elif rule.check == "max_length":
        failing = [v for v in present if len(v) > rule.length]
    elif rule.check == "min_length":
        failing = [v for v in present if len(v) < rule.length]
    else:
        failing = [v for v in present if _key(v) not in {_key(x) for x in rule.values}]
    distinct: dict[Any, Any] = {}
    for v in failing:
        distinct.setdefault(_key(v), v)
    return len(failing), len(present), tuple(list(distinct)[:5])


def _observed(values: list[Any], dtype: pl.DataType, rule: Any) -> tuple[int, int, tuple[Any, ...]]:
    frame = pl.DataFrame({"c": pl.Series(values, dtype=dtype)})
    got = ENGINE.check(frame, dq.RuleSet(rules=(rule,))).results[0]
    assert got.status in (dq.RuleStatus.PASSED, dq.RuleStatus.FAILED), got.message
    assert got.status is (dq.RuleStatus.FAILED if got.failed_count else dq.RuleStatus.PASSED)
    return got.failed_count, got.element_count, tuple(_key(s) for s in got.samples)


@SETTINGS
@given(
    values=floats,
    low=bounds,
    high=bounds,
    lo_in=st.booleans(),
    hi_in=st.booleans(),
    listed=st.lists(st.sampled_from([math.nan, 0.0, 1.0, -3.0]), max_size=3),
)
def test_float_checks(
    values: list[Any], low: Any, high: Any, lo_in: bool, hi_in: bool, listed: list[float]
) -> None:
    rules: list[Any] = [
        dq.NotNull(id="n", column="c"),
        dq.Unique(id="u", column="c"),
        dq.InSet(id="i", column="c", values=tuple(listed)),
    ]
    if (low is not None or high is not None) and (low is None or high is None or low <= high):
        rules.append(
            dq.Between(
                id="b", column="c", min=low, max=high, min_inclusive=lo_in, max_inclusive=hi_in
            )
        )
    for rule in rules:
        failed, elements, samples = reference(values, rule)
        assert _observed(values, pl.Float64, rule) == (
            failed,
            elements,
            tuple(_key(s) for s in samples),
        ), rule


@SETTINGS
@given(
    values=texts,
    length=st.integers(0, 4),
    pattern=st.sampled_from(["a", "a+", "a|b", ".*", "[ab]*", r"\w+", "a.", " ?"]),
)
def test_text_checks(values: list[Any], length: int, pattern: str) -> None:
    rules = [
        dq.Regex(id="r", column="c", pattern=pattern),
        dq.MaxLength(id="mx", column="c", length=length),
        dq.MinLength(id="mn", column="c", length=length),
        dq.Unique(id="u", column="c"),
        dq.InSet(id="i", column="c", values=("a", "", "日本語")),
    ]
    for rule in rules:
        assert _observed(values, pl.String, rule) == reference(values, rule), rule
