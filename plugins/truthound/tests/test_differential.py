"""Differential: the engine's counts equal an independent reading of docs/rules.md.

The reference below is plain polars written from the rules page, one rule at a
time, without looking at how the engine drives truthound.
"""

from __future__ import annotations

import dq
import polars as pl
from dq_truthound._engine import TruthoundEngine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FLOATS = st.one_of(
    st.none(),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 0.0, -0.0, 1.0, 10.0]),
    st.floats(min_value=-20, max_value=20, allow_nan=False),
)
TEXT = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "  ", "a", "ab", "abc", "ABC", "é", "e\u0301", "日本", "a b"]),
    st.text(alphabet="ab é\t", max_size=4),
)


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(min_value=0, max_value=30))
    return pl.DataFrame(
        {
            "x": draw(st.lists(FLOATS, min_size=n, max_size=n)),
            "s": draw(st.lists(TEXT, min_size=n, max_size=n)),
        },
        schema={"x": pl.Float64, "s": pl.String},
    )


BOUND = st.one_of(st.none(), st.sampled_from([-1.0, 0.0, 1.0, 10.0, float("inf")]))


@st.composite
def rules(draw: st.DrawFn) -> list[dq.Rule]:
    lo, hi = draw(BOUND), draw(BOUND)
    if lo is None and hi is None:
        hi = 1.0
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return [
        dq.NotNull(id="nn", column="x"),
        dq.Unique(id="ux", column="x"),
        dq.Unique(id="us", column="s"),
        dq.Between(
            id="b",
            column="x",
            min=lo,
            max=hi,
            min_inclusive=draw(st.booleans()),
            max_inclusive=draw(st.booleans()),
        ),
        dq.Regex(
            id="re", column="s", pattern=draw(st.sampled_from(["[a-z]*", "a|b", r"\w+", " *"]))
        ),
        dq.InSet(id="in", column="s", values=tuple(draw(st.sets(TEXT.filter(bool), max_size=3)))),
        dq.InSet(id="inx", column="x", values=(0.0, float("nan"), 1.0)),
        dq.MaxLength(id="max", column="s", length=draw(st.integers(0, 3))),
        dq.MinLength(id="min", column="s", length=draw(st.integers(0, 3))),
        dq.Expression(id="ex", expression="x < 5"),
    ]


def reference(df: pl.DataFrame, rule: dq.Rule) -> tuple[int, int]:
    """(failed, element) as docs/rules.md defines them."""
    if rule.check == "expression":
        cond = pl.sql_expr(rule.expression)
        return df.select((~cond).sum().alias("f"), cond.is_not_null().sum().alias("e")).row(0)
    x = pl.col(rule.column)
    present = x.is_not_null()
    if rule.check == "not_null":
        return df.select(x.is_null().sum().alias("f"), pl.len().alias("e")).row(0)
    if rule.check == "unique":
        fail = x.is_duplicated() & present
    elif rule.check == "between":
        out = x.is_nan()
        if rule.min is not None:
            out |= (x < rule.min) if rule.min_inclusive else (x <= rule.min)
        if rule.max is not None:
            out |= (x > rule.max) if rule.max_inclusive else (x >= rule.max)
        fail = out & present
    elif rule.check == "regex":
        fail = ~x.str.contains(rf"\A(?:{rule.pattern})\z") & present
    elif rule.check == "in_set":
        values = list(rule.values)
        dtype = df.schema[rule.column]
        fail = ~x.is_in(pl.Series(values, dtype=dtype).implode()) & present
    elif rule.check == "max_length":
        fail = (x.str.len_chars() > rule.length) & present
    elif rule.check == "min_length":
        fail = (x.str.len_chars() < rule.length) & present
    else:  # pragma: no cover
        raise AssertionError(rule.check)
    return df.select(fail.sum().alias("f"), present.sum().alias("e")).row(0)


ENGINE = TruthoundEngine()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=frames(), rule_list=rules(), lazy=st.booleans())
def test_counts_match_the_rules_page(df: pl.DataFrame, rule_list: list[dq.Rule], lazy: bool):
    result = ENGINE.check(df.lazy() if lazy else df, dq.RuleSet(rules=tuple(rule_list)))
    for rule in rule_list:
        got = result.by_id(rule.id)
        assert got.status in (dq.RuleStatus.PASSED, dq.RuleStatus.FAILED), got
        assert not got.approximate
        assert (got.failed_count, got.element_count) == reference(df, rule), (rule, got)
        assert len(got.samples) <= 5
        assert len({repr(v) for v in got.samples}) == len(got.samples)
