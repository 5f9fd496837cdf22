"""The fused single-query engine agrees with a naive per-rule Python reference.

The reference below restates the pinned semantics row by row, in plain Python,
one rule at a time; hypothesis generates frames full of nulls, NaN, infinities,
duplicates, empty and non-ASCII strings, and rule sets mixing every row check.
Counts, statuses and samples must match exactly, in every execution mode.
"""

from __future__ import annotations

import math
import re
from typing import Any

import dq
import polars as pl
from dq_polars._config import PolarsConfig
from dq_polars._engine import PolarsEngine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Patterns whose full-match meaning is the same in Python's re and Rust's regex.
PATTERNS = ["a*", "[ab]+", "a|b", "", "é.", ".*", "[a-c]?x?", "(ab)+|日+", "[^a]*", " ?a"]
CHARS = ["a", "b", "c", "x", "é", "日", " ", "\n"]

ints = st.none() | st.integers(-3, 3)
floats = st.none() | st.sampled_from([0.0, -0.0, 1.5, -2.0, math.nan, math.inf, -math.inf, 3.0])
strings = st.none() | st.text(alphabet=st.sampled_from(CHARS), max_size=4)


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(0, 30))
    return pl.DataFrame(
        {
            "i": draw(st.lists(ints, min_size=n, max_size=n)),
            "f": draw(st.lists(floats, min_size=n, max_size=n)),
            "s": draw(st.lists(strings, min_size=n, max_size=n)),
        },
        schema={"i": pl.Int64, "f": pl.Float64, "s": pl.String},
    )


mostly = st.sampled_from([1.0, 0.9, 0.5, 0.0])
bound = st.none() | st.sampled_from([-2.0, -1, 0.0, 1, 1.5, 3])


@st.composite
def betweens(draw: st.DrawFn, rule_id: str) -> dq.Between:
    low, high = draw(bound), draw(bound)
    if low is None and high is None:
        low = 0.0
    if low is not None and high is not None and low > high:
        low, high = high, low
    return dq.Between(
        id=rule_id,
        column=draw(st.sampled_from(["i", "f"])),
        min=low,
        max=high,
        min_inclusive=draw(st.booleans()),
        max_inclusive=draw(st.booleans()),
        mostly=draw(mostly),
    )


@st.composite
def rule_lists(draw: st.DrawFn) -> list[Any]:
    rules: list[Any] = []
    for k in range(draw(st.integers(1, 8))):
        rid = f"r{k}"
        check = draw(st.sampled_from(["not_null", "unique", "between", "in_set", "len", "regex"]))
        m = draw(mostly)
        column = draw(st.sampled_from(["i", "f", "s"]))
        if check == "not_null":
            rules.append(dq.NotNull(id=rid, column=column, mostly=m))
        elif check == "unique":
            rules.append(dq.Unique(id=rid, column=column, mostly=m))
        elif check == "between":
            rules.append(draw(betweens(rid)))
        elif check == "in_set" and column == "s":
            values = draw(st.lists(st.text(alphabet=st.sampled_from(CHARS), max_size=2)))
            rules.append(dq.InSet(id=rid, column="s", values=tuple(values), mostly=m))
        elif check == "in_set":
            values = draw(st.lists(st.integers(-3, 3) | st.sampled_from([1.5, 0.0])))
            rules.append(dq.InSet(id=rid, column=column, values=tuple(values), mostly=m))
        elif check == "len":
            cls = draw(st.sampled_from([dq.MaxLength, dq.MinLength]))
            rules.append(cls(id=rid, column="s", length=draw(st.integers(0, 4)), mostly=m))
        else:
            pattern = draw(st.sampled_from(PATTERNS))
            rules.append(dq.Regex(id=rid, column="s", pattern=pattern, mostly=m))
    return rules


# -- the reference: one rule at a time, row by row ------------------------------------------


def _key(value: Any) -> Any:
    """Equality as polars sees it: NaN equals NaN, -0.0 equals 0.0 (Python agrees)."""
    return "NaN" if isinstance(value, float) and math.isnan(value) else value


def _row_fails(rule: Any, value: Any, counts: dict[Any, int]) -> bool | None:
    """True/False for a checked row, None for a row the rule does not count."""
    check = rule.check
    if check == "not_null":
        return value is None
    if value is None:  # every other check ignores nulls (docs/rules.md)
        return None
    if check == "unique":
        return counts[_key(value)] > 1
    if check == "between":
        if math.isnan(value):
            return True
        if rule.min is not None and (
            value < rule.min or (value == rule.min and not rule.min_inclusive)
        ):
            return True
        return rule.max is not None and (
            value > rule.max or (value == rule.max and not rule.max_inclusive)
        )
    if check == "in_set":
        return not any(value == v and not isinstance(v, bool) for v in rule.values)
    if check == "max_length":
        return len(value) > rule.length
    if check == "min_length":
        return len(value) < rule.length
    if check == "regex":
        return re.fullmatch(rule.pattern, value) is None
    raise AssertionError(check)


def reference(frame: pl.DataFrame, rule: Any, sample_size: int) -> tuple[Any, ...]:
    column = frame.get_column(rule.column).to_list()
    counts: dict[Any, int] = {}
    for value in column:
        if value is not None:
            counts[_key(value)] = counts.get(_key(value), 0) + 1
    verdicts = [_row_fails(rule, value, counts) for value in column]
    elements = sum(v is not None for v in verdicts)
    failed = sum(v is True for v in verdicts)
    ok = elements == 0 or (elements - failed) / elements >= rule.mostly
    samples: list[Any] = []
    if failed and rule.check != "not_null":  # a null has nothing to show
        for value, verdict in zip(column, verdicts, strict=True):
            if verdict and _key(value) not in [_key(s) for s in samples]:
                samples.append(value)
    status = dq.RuleStatus.PASSED if ok else dq.RuleStatus.FAILED
    return status, failed, elements, tuple(_key(s) for s in samples[:sample_size])


def _typed_ok(rule: Any, frame: pl.DataFrame) -> bool:
    """Rules the engine must refuse (wrong dtype) are checked separately below."""
    dtype = frame.schema[rule.column]
    if rule.check == "between":
        return dtype.is_numeric()
    if rule.check in ("max_length", "min_length", "regex"):
        return dtype == pl.String
    return True


ENGINES = [
    (PolarsEngine(PolarsConfig(streaming=True)), False),
    (PolarsEngine(PolarsConfig(streaming=True)), True),
    (PolarsEngine(PolarsConfig(streaming=False)), True),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(), rules=rule_lists(), sample_size=st.sampled_from([0, 1, 3]))
def test_fused_engine_matches_the_naive_reference(
    frame: pl.DataFrame, rules: list[Any], sample_size: int
) -> None:
    ruleset = dq.RuleSet(rules=tuple(rules), sample_size=sample_size)
    for engine, lazy in ENGINES:
        result = engine.check(frame.lazy() if lazy else frame, ruleset)
        assert result.row_count == frame.height
        for rule, got in zip(rules, result.results, strict=True):
            assert got.rule_id == rule.id
            if not _typed_ok(rule, frame):
                assert got.status is dq.RuleStatus.ERROR, got
                assert repr(rule.id) in got.message
                continue
            samples = tuple(_key(s) for s in got.samples)
            actual = (got.status, got.failed_count, got.element_count, samples)
            assert actual == reference(frame, rule, sample_size), (rule, lazy, frame)
