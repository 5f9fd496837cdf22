"""The engine contract's cases for between on dates, composite unique, freshness, schema and
the statistics (mean, stddev, quantile), pinned to docs/rules.md.

Each case states its numbers and is also checked against the oracle. An engine that does
not declare a check skips its case (and must report such rules ``unsupported``); composite
``unique`` and ``between`` on dates may be reported ``unsupported`` by an engine that
declares ``unique``/``between`` (they are newer shapes of those checks), and those cases
are then skipped for it too, with the reason.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import dq
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dq_contract.engine_cases import INF, NAN, ContractHelpers, F, P, expect, frame

_ERR = dq.RuleStatus.ERROR
_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.differing_executors,
    ],
)


def _unless_unsupported(result: dq.CheckResult, *rule_ids: str) -> None:
    for rule_id in rule_ids:
        got = result.by_id(rule_id)
        if got.status is dq.RuleStatus.UNSUPPORTED:
            assert got.message, f"{rule_id}: UNSUPPORTED without a reason"
            pytest.skip(f"engine reports this shape unsupported: {got.message}")


class TableCheckCases(ContractHelpers):
    """Mixed into :class:`dq_contract.engine.EngineContract`."""

    # -- between on dates, date-times and times -------------------------------------------

    def test_between_compares_dates_datetimes_and_times_of_the_columns_kind(
        self, engine: Any
    ) -> None:
        self.needs(engine, "between")
        data = pl.DataFrame(
            {
                "day": [date(2024, 1, d) for d in (1, 2, 5, 6)] + [None],
                "naive": [datetime(2024, 1, 1, h) for h in (8, 12, 12, 18)] + [None],
                "aware": pl.Series(
                    [datetime(2024, 1, 1, h, tzinfo=UTC) for h in (8, 11, 12, 18)] + [None],
                    dtype=pl.Datetime("us", "Europe/Paris"),
                ),
                "clock": [time(8), time(9), time(17, 59), time(18, 1), None],
            }
        )
        result = self.conforms(
            engine,
            data,
            dq.Between(id="day", column="day", min=date(2024, 1, 2), max=date(2024, 1, 5)),
            dq.Between(
                id="naive", column="naive", max=datetime(2024, 1, 1, 12), max_inclusive=False
            ),
            # 11:30+00:00 as an instant: 08:00Z and 11:00Z lie before it, whatever the zone
            dq.Between(id="aware", column="aware", min=datetime(2024, 1, 1, 11, 30, tzinfo=UTC)),
            dq.Between(id="clock", column="clock", min=time(9), max=time(18)),
        )
        _unless_unsupported(result, "day", "naive", "aware", "clock")
        expect(result, "day", F, 2, 4)
        expect(result, "naive", F, 3, 4)
        expect(result, "aware", F, 2, 4)
        expect(result, "clock", F, 2, 4)

    def test_between_bound_of_another_kind_than_the_column_is_an_error(self, engine: Any) -> None:
        self.needs(engine, "between")
        data = pl.DataFrame(
            {
                "amount": [1.0, 2.0],
                "day": [date(2024, 1, 1), None],
                "aware": pl.Series([None, None], dtype=pl.Datetime("us", "UTC")),
            }
        )
        result = self.conforms(
            engine,
            data,
            dq.Between(id="date_on_number", column="amount", min=date(2024, 1, 1)),
            dq.Between(id="number_on_date", column="day", min=1),
            dq.Between(id="datetime_on_date", column="day", min=datetime(2024, 1, 1)),
            dq.Between(id="naive_on_aware", column="aware", min=datetime(2024, 1, 1)),
        )
        for got in result.results:
            if got.rule_id == "number_on_date" or got.status is not dq.RuleStatus.UNSUPPORTED:
                assert got.status is _ERR and got.rule_id in got.message, got

    # -- composite unique ---------------------------------------------------------------------

    def test_composite_unique_fails_rows_of_repeated_combinations(self, engine: Any) -> None:
        self.needs(engine, "unique")
        data = frame(
            id=[1, 1, 1, 2, 2, None, None, None, 3],
            status=["a", "a", "b", None, None, "x", None, None, None],
        )
        result = self.conforms(engine, data, dq.Unique(id="u", columns=("id", "status")))
        _unless_unsupported(result, "u")
        # (1,a) x2 and (2,null) x2 repeat; rows all-null are not judged: 7 judged, 4 fail
        expect(result, "u", F, 4, 7)

    def test_composite_unique_of_one_column_is_unique(self, engine: Any) -> None:
        self.needs(engine, "unique")
        data = frame(amount=[NAN, 1.0, NAN, None, None, 0.0, -0.0])
        result = self.conforms(
            engine,
            data,
            dq.Unique(id="one", columns=("amount",)),
            dq.Unique(id="col", column="amount"),
        )
        _unless_unsupported(result, "one")
        expect(result, "one", F, 4, 5)
        expect(result, "col", F, 4, 5)

    @_SETTINGS
    @given(
        ids=st.lists(st.one_of(st.none(), st.integers(0, 2)), min_size=8, max_size=8),
        statuses=st.lists(st.one_of(st.none(), st.sampled_from("ab")), min_size=8, max_size=8),
    )
    def test_composite_unique_counts_equal_the_oracle(
        self, engine: Any, ids: list[Any], statuses: list[Any]
    ) -> None:
        self.needs(engine, "unique")
        rule = dq.Unique(id="u", columns=("id", "status"))
        self.conforms(engine, frame(id=ids, status=statuses), rule)

    # -- freshness ------------------------------------------------------------------------------

    def test_freshness_judges_the_newest_non_null_value(self, engine: Any) -> None:
        self.needs(engine, "freshness")
        now = datetime.now(UTC).replace(microsecond=0)
        data = pl.DataFrame(
            {
                "ts": pl.Series(
                    [now - timedelta(days=3), now - timedelta(hours=1), None],
                    dtype=pl.Datetime("us", "UTC"),
                ),
                "naive": [(now - timedelta(hours=1)).replace(tzinfo=None), None, None],
                "day": [now.date(), now.date() - timedelta(days=5), None],
                "empty": pl.Series([None, None, None], dtype=pl.Datetime("us")),
            }
        )
        result = self.conforms(
            engine,
            data,
            dq.Freshness(id="fresh", column="ts", max_age="3h"),
            dq.Freshness(id="stale", column="ts", max_age="20m"),
            dq.Freshness(id="naive_utc", column="naive", max_age="3h"),
            # read in Tokyo (UTC+9) the same wall-clock reading is 10 hours old
            dq.Freshness(id="naive_tokyo", column="naive", max_age="3h", timezone="Asia/Tokyo"),
            dq.Freshness(id="today", column="day", max_age="1s"),
            dq.Freshness(id="empty", column="empty", max_age="1w"),
        )
        for rule_id, status in [
            ("fresh", P),
            ("stale", F),
            ("naive_utc", P),
            ("naive_tokyo", F),
            ("today", P),
            ("empty", F),
        ]:
            expect(result, rule_id, status, int(status is F), 1)

    def test_freshness_on_a_column_without_dates_is_an_error(self, engine: Any) -> None:
        self.needs(engine, "freshness")
        rule = dq.Freshness(id="fresh_amount", column="amount", max_age="1d")
        got = self.conforms(engine, frame(amount=[1.0]), rule).by_id("fresh_amount")
        assert got.status is _ERR and "fresh_amount" in got.message

    # -- schema ----------------------------------------------------------------------------------

    def test_schema_at_least_and_exact(self, engine: Any) -> None:
        self.needs(engine, "schema")
        data = frame(id=[1], amount=[1.0], email=["a"])
        result = self.conforms(
            engine,
            data,
            dq.Schema(id="least", columns={"id": "Int64", "email": "Utf8"}),
            dq.Schema(
                id="exact",
                columns={"email": "String", "amount": "Float64", "id": "Int64"},
                mode=dq.SchemaMode.EXACT,
            ),
            dq.Schema(id="extra", columns={"id": "Int64"}, mode=dq.SchemaMode.EXACT),
            dq.Schema(id="type", columns={"id": "String"}),
            dq.Schema(id="gone", columns={"nope": "Int64"}),
        )
        for rule_id, status in [
            ("least", P),
            ("exact", P),
            ("extra", F),
            ("type", F),
            ("gone", F),
        ]:
            expect(result, rule_id, status, int(status is F), 1)
        assert "email" in result.by_id("extra").message, "exact names the unexpected columns"

    # -- mean, stddev, quantile ------------------------------------------------------------------

    def test_statistics_of_the_non_null_values_within_inclusive_bounds(self, engine: Any) -> None:
        self.needs(engine, "mean", "stddev", "quantile")
        data = frame(id=[1, 2, 3, 4, None, 10], amount=[1.0, INF, None, 2.0, 3.0, 4.0])
        result = self.conforms(
            engine,
            data,
            dq.Mean(id="mean", column="id", min=4, max=4),
            dq.StdDev(id="sd", column="id", max=3.5),  # n-1: 3.54; n would be 3.16
            dq.Quantile(id="median", column="id", quantile=0.5, min=3, max=3),
            dq.Quantile(id="p90", column="id", quantile=0.9, min=7.5, max=7.7),  # linear 7.6
            dq.Mean(id="inf", column="amount", min=-INF),  # undefined: fails
        )
        for rule_id, status in [
            ("mean", P),
            ("sd", F),
            ("median", P),
            ("p90", P),
            ("inf", F),
        ]:
            expect(result, rule_id, status, int(status is F), 1)

    def test_statistics_are_undefined_without_enough_values(self, engine: Any) -> None:
        self.needs(engine, "mean", "stddev")
        data = frame(id=[None, 5], amount=[None, None])
        result = self.conforms(
            engine,
            data,
            dq.StdDev(id="one", column="id", min=0),
            dq.Mean(id="none", column="amount", max=1e9),
            dq.Mean(id="ok", column="id", min=5, max=5),
        )
        expect(result, "one", F, 1, 1)
        expect(result, "none", F, 1, 1)
        expect(result, "ok", P, 0, 1)

    @_SETTINGS
    @given(
        amounts=st.lists(
            st.one_of(st.none(), st.integers(-20, 20).map(float), st.sampled_from([NAN])),
            max_size=10,
        ),
        check=st.sampled_from(["mean", "stddev", "quantile"]),
        q=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
        low=st.one_of(st.none(), st.integers(-25, 25).map(lambda v: v + 0.25)),
        high=st.one_of(st.none(), st.integers(-25, 25).map(lambda v: v + 0.75)),
    )
    def test_statistics_equal_the_oracle(
        self, engine: Any, amounts: list[Any], check: str, q: float, low: Any, high: Any
    ) -> None:
        self.needs(engine, check)
        if low is None and high is None:
            high = 0.75
        if low is not None and high is not None and low > high:
            low, high = high - 0.5, low + 0.5
        extra = {"quantile": q} if check == "quantile" else {}
        rule = dq.CHECKS[check](id="s", column="amount", min=low, max=high, **extra)
        self.conforms(engine, frame(amount=amounts), rule)
