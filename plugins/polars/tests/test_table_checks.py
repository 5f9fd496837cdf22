"""between on dates, freshness, composite unique, schema, mean/stddev/quantile (docs/rules.md).

Each runs through every execution mode (``run`` fixture). The statistics and composite
unique are also compared, for all generated inputs, with a plain-Python restatement.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import dq
import polars as pl
import pytest
from conftest import Run
from dq_polars._config import PolarsConfig
from dq_polars._engine import PolarsEngine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PARIS = ZoneInfo("Europe/Paris")
P, F, ERR = dq.RuleStatus.PASSED, dq.RuleStatus.FAILED, dq.RuleStatus.ERROR


def counts(result: dq.CheckResult, rule_id: str) -> tuple[dq.RuleStatus, int, int]:
    got = result.by_id(rule_id)
    return got.status, got.failed_count, got.element_count


# -- between on dates, date-times and times ------------------------------------------------


def test_between_dates_inclusive_and_exclusive(run: Run) -> None:
    days = [date(2024, 1, d) for d in (1, 2, 5, 6)] + [None]
    frame = pl.DataFrame({"d": days})
    low, high = date(2024, 1, 2), date(2024, 1, 5)
    result = run(
        frame,
        dq.Between(id="in", column="d", min=low, max=high),
        dq.Between(id="ex", column="d", min=low, max=high, max_inclusive=False),
    )
    assert counts(result, "in") == (F, 2, 4)
    assert result.by_id("in").samples == ("2024-01-01", "2024-01-06")
    assert counts(result, "ex") == (F, 3, 4)


def test_between_naive_datetimes_compare_wall_clock_at_any_unit(run: Run) -> None:
    moments = [datetime(2024, 1, 1, 12), datetime(2024, 1, 1, 12, 0, 0, 1), None]
    frame = pl.DataFrame({"ts": pl.Series(moments, dtype=pl.Datetime("ns"))})
    rule = dq.Between(id="b", column="ts", max=datetime(2024, 1, 1, 12))
    assert counts(run(frame, rule), "b") == (F, 1, 2)


def test_between_aware_datetimes_compare_as_instants_across_zones(run: Run) -> None:
    # 12:00 in Paris (winter) is 11:00 UTC; a bound of 11:30+00:00 lies after it.
    frame = pl.DataFrame(
        {
            "ts": pl.Series(
                [datetime(2024, 1, 1, 12, tzinfo=PARIS)], dtype=pl.Datetime("ms", "Europe/Paris")
            )
        }
    )
    after = dq.Between(id="after", column="ts", max=datetime(2024, 1, 1, 11, 30, tzinfo=UTC))
    plus_two = timezone(timedelta(hours=2))
    before = dq.Between(id="before", column="ts", min=datetime(2024, 1, 1, 13, 30, tzinfo=plus_two))
    result = run(frame, after, before)
    assert counts(result, "after") == (P, 0, 1)
    assert counts(result, "before") == (F, 1, 1)


def test_between_times(run: Run) -> None:
    frame = pl.DataFrame({"t": [time(8), time(12, 30), time(23, 59), None]})
    rule = dq.Between(id="b", column="t", min=time(9), max=time(18))
    assert counts(run(frame, rule), "b") == (F, 2, 3)


@pytest.mark.parametrize(
    ("dtype", "bound", "says"),
    [
        (pl.Datetime("us", "UTC"), datetime(2024, 1, 1), "with an offset"),
        (pl.Datetime("us"), datetime(2024, 1, 1, tzinfo=UTC), "without an offset"),
        (pl.Datetime("us"), date(2024, 1, 1), "needs date-time bounds (like 2024-01-31T00:00:00)"),
        (pl.Date, datetime(2024, 1, 1), "needs date bounds"),
        (pl.Date, 3.0, "not numbers"),
        (pl.Int64, date(2024, 1, 1), "needs number bounds"),
        (pl.String, date(2024, 1, 1), "numeric, Date, Datetime or Time column"),
    ],
)
def test_between_bound_of_the_wrong_kind_is_an_error_naming_the_fix(
    run: Run, dtype: pl.DataType, bound: Any, says: str
) -> None:
    frame = pl.DataFrame({"c": pl.Series([None], dtype=dtype)})
    result = run(frame, dq.Between(id="b", column="c", min=bound), dq.NotNull(id="n", column="c"))
    got = result.by_id("b")
    assert got.status is ERR and says in got.message and "'b'" in got.message
    assert counts(result, "n") == (F, 1, 1), "the other rules still run"


# -- freshness ----------------------------------------------------------------------------


def test_freshness_judges_the_newest_value_against_the_check_start(run: Run) -> None:
    now = datetime.now(UTC)
    frame = pl.DataFrame(
        {
            "aware": pl.Series(
                [now - timedelta(days=3), now - timedelta(hours=1), None],
                dtype=pl.Datetime("ns", "Asia/Tokyo"),
            ),
            "day": [now.date() - timedelta(days=3), now.date(), None],
        }
    )
    result = run(
        frame,
        dq.Freshness(id="fresh", column="aware", max_age="2h"),
        dq.Freshness(id="stale", column="aware", max_age="30m"),
        dq.Freshness(id="today", column="day", max_age="1s"),
    )
    assert counts(result, "fresh") == (P, 0, 1)
    assert counts(result, "stale") == (F, 1, 1)
    assert "older than max_age 30m" in result.by_id("stale").message
    assert counts(result, "today") == (P, 0, 1), "a date is fresh until its day ends"


def test_freshness_reads_naive_values_in_the_rules_time_zone(run: Run) -> None:
    # The wall-clock reading of "now in UTC", read in Tokyo (UTC+9), is an instant
    # 9 hours earlier: 9 hours old.
    naive_now = datetime.now(UTC).replace(tzinfo=None)
    frame = pl.DataFrame({"ts": [naive_now]})
    result = run(
        frame,
        dq.Freshness(id="utc", column="ts", max_age="1h"),
        dq.Freshness(id="tokyo", column="ts", max_age="1h", timezone="Asia/Tokyo"),
    )
    assert counts(result, "utc") == (P, 0, 1)
    assert counts(result, "tokyo") == (F, 1, 1)


def test_freshness_of_an_all_null_or_empty_column_fails(run: Run) -> None:
    frame = pl.DataFrame({"ts": pl.Series([None, None], dtype=pl.Datetime("us"))})
    result = run(frame, dq.Freshness(id="f", column="ts", max_age="1d"))
    assert counts(result, "f") == (F, 1, 1)
    assert "no values" in result.by_id("f").message
    empty = run(frame.head(0), dq.Freshness(id="f", column="ts", max_age="1d"))
    assert counts(empty, "f") == (F, 1, 1)


def test_freshness_on_a_non_date_column_is_an_error(run: Run) -> None:
    frame = pl.DataFrame({"ts": ["2024-01-01"]})
    got = run(frame, dq.Freshness(id="f", column="ts", max_age="1d")).by_id("f")
    assert got.status is ERR and "Date or Datetime" in got.message


# -- composite unique ---------------------------------------------------------------------


def test_composite_unique_fails_every_row_of_a_repeated_combination(run: Run) -> None:
    frame = pl.DataFrame(
        {
            "order": [1, 1, 1, 2, 2, None, None, None, 3],
            "line": [1, 1, 2, None, None, 5, None, None, None],
        }
    )
    result = run(frame, dq.Unique(id="u", columns=("order", "line")), sample_size=5)
    # (1,1)x2 and (2,null)x2 repeat; (null,null) rows are not judged; (null,5), (3,null) once.
    assert counts(result, "u") == (F, 4, 7)
    assert len(result.by_id("u").samples) == 2


def test_composite_unique_of_one_column_is_unique(run: Run) -> None:
    frame = pl.DataFrame({"a": [1.0, math.nan, math.nan, None, None, 0.0, -0.0, 2.0]})
    result = run(frame, dq.Unique(id="one", columns=("a",)), dq.Unique(id="col", column="a"))
    assert counts(result, "one") == counts(result, "col") == (F, 4, 6)


def test_composite_unique_with_an_unknown_column_is_an_error(run: Run) -> None:
    got = run(pl.DataFrame({"a": [1]}), dq.Unique(id="u", columns=("a", "b"))).by_id("u")
    assert got.status is ERR and "'b' not found" in got.message


# -- schema -------------------------------------------------------------------------------


def test_schema_at_least_and_exact(run: Run) -> None:
    frame = pl.DataFrame(
        {"id": [1], "name": ["a"], "ts": pl.Series([None], dtype=pl.Datetime("ns", "UTC"))}
    )
    result = run(
        frame,
        dq.Schema(id="least", columns={"name": "Utf8", "ts": "Datetime"}),
        dq.Schema(
            id="exact",
            columns={"ts": "Datetime", "id": "Int64", "name": "String"},
            mode=dq.SchemaMode.EXACT,
        ),
        dq.Schema(id="short", columns={"id": "Int64"}, mode=dq.SchemaMode.EXACT),
        dq.Schema(id="wrong", columns={"id": "Int32", "gone": "String"}),
    )
    assert counts(result, "least") == (P, 0, 1)
    assert counts(result, "exact") == (P, 0, 1)
    assert counts(result, "short") == (F, 1, 1)
    assert "unexpected 'name', 'ts'" in result.by_id("short").message
    message = result.by_id("wrong").message
    assert "missing 'gone'" in message and "'id' is Int64, expected Int32" in message


# -- mean, stddev, quantile ---------------------------------------------------------------


def test_statistics_over_non_null_values(run: Run) -> None:
    frame = pl.DataFrame({"x": [1, 2, 3, 4, None, 10]})
    result = run(
        frame,
        dq.Mean(id="mean", column="x", min=4, max=4),
        dq.StdDev(id="sd", column="x", max=3.5),
        dq.Quantile(id="median", column="x", quantile=0.5, min=3, max=3),
        dq.Quantile(id="p90", column="x", quantile=0.9, min=7.59, max=7.61),
    )
    assert counts(result, "mean") == (P, 0, 1)
    assert counts(result, "sd") == (F, 1, 1)  # sample stddev 3.536 (ddof 1)
    assert counts(result, "median") == (P, 0, 1)
    assert counts(result, "p90") == (P, 0, 1), result.by_id("p90").message  # linear: 7.6


def test_statistics_are_undefined_without_values_or_with_nan(run: Run) -> None:
    frame = pl.DataFrame({"x": [None, 1.0], "y": [math.nan, 1.0], "z": [None, None]})
    frame = frame.with_columns(pl.col("z").cast(pl.Float64))
    result = run(
        frame,
        dq.StdDev(id="one", column="x", max=100),
        dq.Mean(id="nan", column="y", max=100),
        dq.Quantile(id="none", column="z", quantile=0.5, max=100),
    )
    assert counts(result, "one") == (F, 1, 1)
    assert counts(result, "nan") == (F, 1, 1)
    assert "NaN or infinite" in result.by_id("nan").message
    assert counts(result, "none") == (F, 1, 1)


def test_statistic_of_a_decimal_column(run: Run) -> None:
    frame = pl.DataFrame({"x": pl.Series(["1.50", "2.50"]).cast(pl.Decimal(10, 2))})
    assert counts(run(frame, dq.Mean(id="m", column="x", min=2, max=2)), "m") == (P, 0, 1)


def test_statistic_of_a_string_column_is_an_error(run: Run) -> None:
    got = run(pl.DataFrame({"x": ["a"]}), dq.Mean(id="m", column="x", max=1)).by_id("m")
    assert got.status is ERR and "numeric" in got.message


# -- hypothesis: statistics and composite unique against plain Python ------------------------


def _linear_quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _oracle_statistic(check: str, q: float, values: list[float | None]) -> float | None:
    """The statistic docs/rules.md defines, in plain Python; None where it is undefined."""
    present = [v for v in values if v is not None]
    if len(present) < (2 if check == "stddev" else 1):
        return None
    if any(not math.isfinite(v) for v in present):
        return None
    if check == "mean":
        return statistics.fmean(present)
    if check == "stddev":
        return statistics.stdev(present)
    return _linear_quantile(present, q)


ENGINE = PolarsEngine(PolarsConfig())
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
numbers = st.one_of(st.none(), st.integers(-50, 50).map(float), st.floats(-1e3, 1e3))
#: Mostly nothing, sometimes one value that leaves the statistic undefined.
POISON = st.sampled_from([None, None, None, None, math.nan, math.inf, -math.inf])
#: Where a bound sits relative to the true statistic (as a share of its size, at least 1).
OFFSETS = st.one_of(st.none(), st.sampled_from([-2.0, -0.3, -0.02, 0.02, 0.3, 2.0]))


@SETTINGS
@given(
    values=st.lists(numbers, max_size=12),
    poison=POISON,
    check=st.sampled_from(["mean", "stddev", "quantile"]),
    q=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9, 1.0]),
    below=OFFSETS,
    above=OFFSETS,
)
def test_statistics_agree_with_plain_python(
    values: list[float | None],
    poison: float | None,
    check: str,
    q: float,
    below: float | None,
    above: float | None,
) -> None:
    """Bounds are placed close to the true value on either side, so a wrong ddof or a
    wrong interpolation crosses one; never *at* it, where float rounding may differ."""
    if poison is not None:
        values = [*values[:1], poison, *values[1:]]
    want = _oracle_statistic(check, q, values)
    scale = max(1.0, abs(want)) if want is not None else 1.0
    centre = want if want is not None else 0.0
    low = None if below is None else centre + below * scale
    high = None if above is None else centre + above * scale
    if low is None and high is None:
        high = centre + 0.5 * scale
    if low is not None and high is not None and low > high:
        low, high = high, low
    extra = {"quantile": q} if check == "quantile" else {}
    rule = dq.CHECKS[check](id="s", column="x", min=low, max=high, **extra)
    frame = pl.DataFrame({"x": pl.Series(values, dtype=pl.Float64)})
    got = ENGINE.check(frame, dq.RuleSet(rules=(rule,))).by_id("s")
    inside = want is not None and (low is None or want >= low) and (high is None or want <= high)
    assert (got.status is P) == inside, (want, got.message)
    assert (got.failed_count, got.element_count) == (int(not inside), 1)


cells = st.one_of(st.none(), st.sampled_from([0, 1, 2]))
float_cells = st.one_of(st.none(), st.sampled_from([0.0, -0.0, 1.0, math.nan]))


@SETTINGS
@given(
    rows=st.lists(
        st.tuples(cells, float_cells, st.one_of(st.none(), st.sampled_from("ab"))), max_size=14
    ),
    width=st.integers(1, 3),
)
def test_composite_unique_agrees_with_plain_python(
    rows: list[tuple[Any, Any, Any]], width: int
) -> None:
    names = ("i", "f", "s")[:width]
    types = dict(zip(("i", "f", "s"), (pl.Int64, pl.Float64, pl.String), strict=True))
    frame = pl.DataFrame(
        [r[:width] for r in rows], schema={n: types[n] for n in names}, orient="row"
    )

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple("NaN" if isinstance(v, float) and math.isnan(v) else v for v in row)

    judged = [key(r[:width]) for r in rows if any(v is not None for v in r[:width])]
    seen = Counter(judged)
    failed = sum(1 for k in judged if seen[k] > 1)
    rules = dq.RuleSet(rules=(dq.Unique(id="u", columns=names),))
    for data in (frame, frame.lazy()):
        got = ENGINE.check(data, rules).by_id("u")
        assert (got.failed_count, got.element_count) == (failed, len(judged))
