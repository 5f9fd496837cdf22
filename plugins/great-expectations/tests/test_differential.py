"""Property test: GX-backed counts equal a direct reading of docs/rules.md."""

from __future__ import annotations

import math

import dq
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

VALUES = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.sampled_from([float("inf"), float("-inf"), 0.0, -0.0, 1.0, 2.5]),
    st.floats(min_value=-5, max_value=5, allow_nan=False).map(lambda v: round(v, 1)),
)
STRINGS = st.one_of(st.none(), st.sampled_from(["", " ", "a", "ab", "é", "日本", "a\n", "A"]))


def reference(xs: list, ss: list) -> dict[str, tuple[int, int]]:
    non_null = [x for x in xs if x is not None]
    nan_rows = [x for x in non_null if math.isnan(x)]
    numbers = [x for x in non_null if not math.isnan(x)]
    # NaNs equal each other for unique; -0.0 == 0.0
    groups: dict = {}
    for x in numbers:
        groups[x] = groups.get(x, 0) + 1
    dup = sum(c for c in groups.values() if c > 1) + (len(nan_rows) if len(nan_rows) > 1 else 0)
    texts = [s for s in ss if s is not None]
    return {
        "nn": (sum(x is None for x in xs), len(xs)),
        "u": (dup, len(non_null)),
        "b": (len(nan_rows) + sum(not (0 <= x < 2) for x in numbers), len(non_null)),
        "in": (len(nan_rows) + sum(x not in (0.0, 1.0) for x in numbers), len(non_null)),
        "re": (sum(not (s.isalpha() and s == s.lower()) for s in texts), len(texts)),
        "ml": (sum(len(s) > 1 for s in texts), len(texts)),
    }


RULES = dq.RuleSet(
    rules=(
        dq.NotNull(id="nn", column="x"),
        dq.Unique(id="u", column="x"),
        dq.Between(id="b", column="x", min=0, max=2, max_inclusive=False),
        dq.InSet(id="in", column="x", values=(0.0, 1.0)),
        dq.Regex(id="re", column="s", pattern="[a-zé日本]+"),
        dq.MaxLength(id="ml", column="s", length=1),
    ),
    sample_size=2,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(VALUES, STRINGS), max_size=30))
def test_counts_match_the_pinned_semantics(engine, rows):
    xs = [r[0] for r in rows]
    ss = [r[1] for r in rows]
    df = pl.DataFrame({"x": xs, "s": ss}, schema={"x": pl.Float64, "s": pl.String})
    result = engine.check(df, RULES)
    got = {r.rule_id: (r.failed_count, r.element_count) for r in result.results}
    assert got == reference(xs, ss)
    for r in result.results:
        assert len(r.samples) <= 2
        assert (r.failed_count > 0 and r.check != "not_null") or r.samples == ()
