"""The shared verdicts of freshness, schema and the statistics (docs/rules.md)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import dq
import pytest
from hypothesis import given
from hypothesis import strategies as st

NOW = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
P, F = dq.RuleStatus.PASSED, dq.RuleStatus.FAILED


def fresh(max_age: str = "36h", timezone: str = "UTC") -> dq.Freshness:
    return dq.Freshness(id="f", column="ts", max_age=max_age, timezone=timezone)


def test_freshness_passes_at_exactly_max_age_and_fails_one_microsecond_later() -> None:
    at_limit = NOW - timedelta(hours=36)
    assert dq.freshness_result(fresh(), at_limit, NOW).status is P
    late = at_limit - timedelta(microseconds=1)
    result = dq.freshness_result(fresh(), late, NOW)
    assert (result.status, result.failed_count, result.element_count) == (F, 1, 1)
    assert "older than max_age 36h" in result.message
    assert "1d 12h" in result.message


def test_freshness_reads_a_naive_value_in_the_rules_time_zone() -> None:
    # 10:00 in Tokyo is 01:00 UTC: 11h old at NOW; the same reading in UTC is 2h old.
    naive = datetime(2024, 3, 10, 10, 0)
    assert dq.freshness_result(fresh("3h"), naive, NOW).status is P
    result = dq.freshness_result(fresh("3h", "Asia/Tokyo"), naive, NOW)
    assert result.status is F
    assert "11h old" in result.message


def test_freshness_compares_aware_values_as_instants_whatever_the_rules_zone() -> None:
    aware = datetime(2024, 3, 10, 10, 0, tzinfo=UTC)
    assert dq.freshness_result(fresh("3h", "Asia/Tokyo"), aware, NOW).status is P


def test_a_date_is_fresh_until_the_end_of_its_day() -> None:
    # 2024-03-09 ends at 2024-03-10T00:00Z: 12h before NOW.
    assert dq.freshness_result(fresh("12h"), date(2024, 3, 9), NOW).status is P
    assert dq.freshness_result(fresh("11h"), date(2024, 3, 9), NOW).status is F
    assert dq.freshness_result(fresh("1s"), date(2024, 3, 10), NOW).status is P


def test_freshness_fails_an_empty_column_and_passes_a_future_value() -> None:
    empty = dq.freshness_result(fresh(), None, NOW)
    assert empty.status is F and "no values" in empty.message
    future = dq.freshness_result(fresh(), NOW + timedelta(days=2), NOW)
    assert future.status is P and "in the future" in future.message


def test_unknown_time_zone_is_refused_when_the_rule_is_built() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        fresh(timezone="Mars/Olympus")


def test_schema_at_least_allows_other_columns_exact_does_not() -> None:
    table = {"id": "Int64", "name": "String", "ts": "Datetime(time_unit='ns', time_zone='UTC')"}
    listed = {"id": "Int64", "name": "Utf8", "ts": "Datetime"}
    at_least = dq.Schema(id="s", columns={"id": "Int64", "ts": "Datetime"})
    assert dq.schema_result(at_least, table).status is P
    exact = dq.Schema(id="s", columns=listed, mode=dq.SchemaMode.EXACT)
    assert dq.schema_result(exact, table).status is P
    exact_short = dq.Schema(id="s", columns={"id": "Int64"}, mode=dq.SchemaMode.EXACT)
    result = dq.schema_result(exact_short, table)
    assert (result.status, result.failed_count, result.element_count) == (F, 1, 1)
    assert "unexpected 'name', 'ts'" in result.message


def test_schema_message_lists_missing_and_mismatched_columns() -> None:
    rule = dq.Schema(id="s", columns={"id": "String", "gone": "Int64"})
    message = dq.schema_result(rule, {"id": "Int64"}).message
    assert "missing 'gone'" in message
    assert "'id' is Int64, expected String" in message


def test_schema_full_type_names_must_match_exactly() -> None:
    rule = dq.Schema(id="s", columns={"ts": "Datetime(time_unit='us', time_zone=None)"})
    ns = {"ts": "Datetime(time_unit='ns', time_zone=None)"}
    assert dq.schema_result(rule, ns).status is F


def mean(**bounds: float) -> dq.Mean:
    return dq.Mean(id="m", column="x", **bounds)


def test_statistic_bounds_are_inclusive() -> None:
    assert dq.statistic_result(mean(min=1, max=2), 2.0, values=3).status is P
    assert dq.statistic_result(mean(min=1, max=2), 1.0, values=3).status is P
    high = dq.statistic_result(mean(min=1, max=2), 2.000001, values=3)
    assert high.status is F and "above [1, 2]" in high.message
    assert dq.statistic_result(mean(min=1), Decimal("0.5"), values=3).status is F


def test_statistic_is_undefined_without_values_or_with_non_finite_ones() -> None:
    nothing = dq.statistic_result(mean(min=0), None, values=0)
    assert nothing.status is F and "no values" in nothing.message
    one = dq.StdDev(id="s", column="x", max=10)
    assert dq.statistic_result(one, None, values=1).status is F
    assert dq.statistic_result(one, 0.0, values=2).status is P
    nan = dq.statistic_result(mean(min=0), 5.0, values=4, non_finite=1)
    assert nan.status is F and "1 of 4 values are NaN or infinite" in nan.message
    assert dq.statistic_result(mean(max=1), math.nan, values=2).status is F


@given(
    value=st.floats(allow_nan=False, allow_infinity=False),
    low=st.one_of(st.none(), st.floats(-1e9, 1e9)),
    high=st.one_of(st.none(), st.floats(-1e9, 1e9)),
)
def test_a_defined_statistic_passes_exactly_when_it_lies_within_the_bounds(
    value: float, low: float | None, high: float | None
) -> None:
    if low is None and high is None:
        low = 0.0
    if low is not None and high is not None and low > high:
        low, high = high, low
    rule = dq.Quantile(id="q", column="x", quantile=0.5, min=low, max=high)
    inside = (low is None or value >= low) and (high is None or value <= high)
    result = dq.statistic_result(rule, value, values=1)
    assert (result.status is P) == inside
    assert result.element_count == 1 and result.failed_count == int(not inside)


@pytest.mark.parametrize(
    ("rule", "dtype", "expected"),
    [
        (dq.Unique(id="u", columns=("a", "b")), None, dq.RuleStatus.UNSUPPORTED),
        (dq.Unique(id="u", column="a"), "Int64", None),
        (dq.Between(id="b", column="x", min=date(2024, 1, 1)), "Date", dq.RuleStatus.UNSUPPORTED),
        (dq.Between(id="b", column="x", min=date(2024, 1, 1)), "Int64", dq.RuleStatus.ERROR),
        (dq.Between(id="b", column="x", min=1.0), "Date", dq.RuleStatus.ERROR),
        (dq.Between(id="b", column="x", min=1.0), "Float64", None),
        (dq.Between(id="b", column="x", min=date(2024, 1, 1)), None, None),
    ],
)
def test_engines_of_the_1_2_vocabulary_refuse_1_3_shapes_the_same_way(
    rule: object, dtype: str | None, expected: dq.RuleStatus | None
) -> None:
    verdict = dq.unsupported_1_3_shape(rule, dtype, engine="dq-old")
    assert (verdict[0] if verdict else None) == expected
    if verdict:
        assert ("dq-old" in verdict[1]) == (expected is dq.RuleStatus.UNSUPPORTED)
