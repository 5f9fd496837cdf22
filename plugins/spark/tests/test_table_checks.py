"""dq-core 1.3's checks on Spark: freshness, schema, mean/stddev/quantile, composite unique
and between on dates and date-times give the contract oracle's verdicts and counts, all in
the one counting action (plus one for samples)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import dq
import polars as pl
import pytest
from dq_contract.reference import reference_check
from dq_spark import SparkEngine

NOW = datetime.now(UTC).replace(microsecond=0)
NAN, INF = float("nan"), float("inf")
FRAME = pl.DataFrame(
    {
        "id": [1, 1, 1, 2, 2, None, None, 4],
        "status": ["a", "a", "b", None, None, None, None, "c"],
        "amount": [1.0, 2.5, None, 4.0, 10.0, -3.0, 7.0, 2.0],
        "odd": [1.0, NAN, None, 4.0, 2.0, 1.0, INF, 3.0],
        "day": [date(2024, 1, d) for d in (1, 2, 5, 6, 3, 4, 2)] + [None],
        "naive": [datetime(2024, 1, 1, h, 0, 0, 5) for h in (8, 12, 12, 18, 9, 10, 11)] + [None],
        "aware": pl.Series(
            [datetime(2024, 1, 1, h, tzinfo=UTC) for h in (8, 11, 12, 18, 9, 10, 13)] + [None],
            dtype=pl.Datetime("us", "UTC"),
        ),
        "loaded": pl.Series(
            [NOW - timedelta(days=3), NOW - timedelta(hours=1)] + [None] * 6,
            dtype=pl.Datetime("us", "UTC"),
        ),
        "loaded_local": [(NOW - timedelta(hours=1)).replace(tzinfo=None)] + [None] * 7,
        "load_day": [NOW.date(), NOW.date() - timedelta(days=5)] + [None] * 6,
    }
)
RULES = dq.RuleSet(
    rules=(
        dq.Between(id="day", column="day", min=date(2024, 1, 2), max=date(2024, 1, 5)),
        dq.Between(
            id="naive",
            column="naive",
            max=datetime(2024, 1, 1, 12, 0, 0, 5),
            max_inclusive=False,
        ),
        dq.Between(id="aware", column="aware", min=datetime(2024, 1, 1, 11, 30, tzinfo=UTC)),
        dq.Between(id="date_on_ts", column="naive", min=date(2024, 1, 1)),
        dq.Between(id="naive_on_aware", column="aware", min=datetime(2024, 1, 1)),
        dq.Unique(id="pair", columns=("id", "status")),
        dq.Unique(id="one", columns=("id",)),
        dq.Unique(id="col", column="amount"),
        dq.Unique(id="pair_gone", columns=("id", "nope")),
        dq.Freshness(id="fresh", column="loaded", max_age="3h"),
        dq.Freshness(id="stale", column="loaded", max_age="20m"),
        dq.Freshness(id="naive_utc", column="loaded_local", max_age="3h"),
        dq.Freshness(id="naive_tokyo", column="loaded_local", max_age="3h", timezone="Asia/Tokyo"),
        dq.Freshness(id="today", column="load_day", max_age="1s"),
        dq.Freshness(id="fresh_amount", column="amount", max_age="1d"),
        dq.Schema(id="least", columns={"id": "Int64", "status": "Utf8", "day": "Date"}),
        dq.Schema(id="wrong", columns={"id": "String", "nope": "Int64"}),
        dq.Schema(id="exact", columns={"id": "Int64"}, mode=dq.SchemaMode.EXACT),
        dq.Mean(id="mean", column="amount", min=3.3, max=3.4),  # 23.5 / 7
        dq.StdDev(id="sd", column="amount", max=4.0),  # n-1: 4.27
        dq.Quantile(id="median", column="amount", quantile=0.5, min=2.5, max=2.5),
        dq.Quantile(id="p90", column="amount", quantile=0.9, min=8.1, max=8.3),  # linear 8.2
        dq.Mean(id="nan", column="odd", min=-INF),  # undefined: NaN and inf
        dq.StdDev(id="ints", column="id", min=0),
        dq.Mean(id="text", column="status", min=0),  # not numeric: error
    )
)


def _seen(result: dq.CheckResult) -> dict[str, tuple[str, int, int]]:
    return {r.rule_id: (r.status.value, r.failed_count, r.element_count) for r in result.results}


@pytest.fixture(scope="module")
def result(spark: Any, spark_config: Any) -> dq.CheckResult:
    return SparkEngine(spark_config).check(FRAME, RULES)


def test_new_checks_give_the_oracles_verdicts_and_counts(result: dq.CheckResult) -> None:
    assert _seen(result) == _seen(reference_check(FRAME, RULES))
    for got in result.results:
        assert got.status is not dq.RuleStatus.UNSUPPORTED, got
        assert not got.approximate, got
        if got.status is dq.RuleStatus.ERROR:
            assert got.rule_id in got.message


def test_statistics_are_exact_and_say_why_they_are_undefined(result: dq.CheckResult) -> None:
    assert "is 8.2 (7 values)" in result.by_id("p90").message  # percentile: exact, linear
    assert "2 of 7 values are NaN or infinite" in result.by_id("nan").message


def test_freshness_and_schema_messages_are_dq_cores(result: dq.CheckResult) -> None:
    assert "older than max_age 20m" in result.by_id("stale").message
    wrong = result.by_id("wrong").message
    assert "missing 'nope'" in wrong and "'id' is Int64, expected String" in wrong


def test_composite_unique_samples_are_the_repeated_combinations(result: dq.CheckResult) -> None:
    assert result.by_id("pair").samples == ({"id": 1, "status": "a"}, {"id": 2, "status": None})


def test_date_time_samples_are_shown_as_the_oracle_shows_them(result: dq.CheckResult) -> None:
    want = reference_check(FRAME, RULES)
    for rule_id in ("day", "naive", "aware"):
        assert result.by_id(rule_id).samples == want.by_id(rule_id).samples
