"""dq-core 1.3's checks on a real PostgreSQL table and a DuckDB table: freshness, schema,
mean/stddev/quantile, composite unique and between on dates, date-times and times give the
contract oracle's verdicts and counts (the DuckDB path through polars frames is covered by
the engine contract in test_contract.py)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import attrs
import dq
import polars as pl
import pytest
from dq_contract.reference import reference_check
from dq_contract.reference_rows import reference_sample_rows, rows_key
from dq_sql import SqlEngine, SqlTable

NOW = datetime.now(UTC).replace(microsecond=0)
NAN, INF = float("nan"), float("inf")
#: column -> (PostgreSQL type, DuckDB type, polars dtype, values)
COLUMNS: dict[str, tuple[str, str, Any, list[Any]]] = {
    "id": ("bigint", "BIGINT", pl.Int64, [1, 1, 1, 2, 2, None, None, 4]),
    "status": ("text", "VARCHAR", pl.String, ["a", "a", "b", None, None, None, None, "c"]),
    "amount": (
        "double precision",
        "DOUBLE",
        pl.Float64,
        [1.0, 2.5, None, 4.0, 10.0, -3.0, 7.0, 2.0],
    ),
    "odd": ("double precision", "DOUBLE", pl.Float64, [1.0, NAN, None, 4.0, 2.0, 1.0, 0.0, 3.0]),
    "price": (
        "numeric(10,2)",
        "DECIMAL(10,2)",
        pl.Decimal(10, 2),
        [None, None, None, None, None, None, None, None],
    ),
    "day": (
        "date",
        "DATE",
        pl.Date,
        [date(2024, 1, d) for d in (1, 2, 5, 6, 3, 4, 2)] + [None],
    ),
    "naive": (
        "timestamp",
        "TIMESTAMP",
        pl.Datetime("us"),
        [datetime(2024, 1, 1, h) for h in (8, 12, 12, 18, 9, 10, 11)] + [None],
    ),
    "aware": (
        "timestamptz",
        "TIMESTAMPTZ",
        pl.Datetime("us", "UTC"),
        [datetime(2024, 1, 1, h, tzinfo=UTC) for h in (8, 11, 12, 18, 9, 10, 13)] + [None],
    ),
    "clock": (
        "time",
        "TIME",
        pl.Time,
        [time(8), time(9), time(17, 59), time(18, 1), time(12), time(12), None, time(9)],
    ),
    "loaded": (
        "timestamptz",
        "TIMESTAMPTZ",
        pl.Datetime("us", "UTC"),
        [NOW - timedelta(days=3), NOW - timedelta(hours=1)] + [None] * 6,
    ),
    "loaded_local": (
        "timestamp",
        "TIMESTAMP",
        pl.Datetime("us"),
        [(NOW - timedelta(hours=1)).replace(tzinfo=None)] + [None] * 7,
    ),
    "load_day": (
        "date",
        "DATE",
        pl.Date,
        [NOW.date(), NOW.date() - timedelta(days=5)] + [None] * 6,
    ),
}
FRAME = pl.DataFrame(
    {name: pl.Series(name, values, dtype=dtype) for name, (_, _, dtype, values) in COLUMNS.items()}
)

RULES = dq.RuleSet(
    rules=(
        dq.Between(id="day", column="day", min=date(2024, 1, 2), max=date(2024, 1, 5)),
        dq.Between(id="naive", column="naive", max=datetime(2024, 1, 1, 12), max_inclusive=False),
        dq.Between(id="aware", column="aware", min=datetime(2024, 1, 1, 11, 30, tzinfo=UTC)),
        dq.Between(id="clock", column="clock", min=time(9), max=time(18)),
        dq.Between(id="date_on_ts", column="naive", min=date(2024, 1, 1)),
        dq.Between(id="naive_on_aware", column="aware", min=datetime(2024, 1, 1)),
        dq.Unique(id="pair", columns=("id", "status")),
        dq.Unique(id="one", columns=("id",)),
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
        dq.Mean(id="nan", column="odd", min=-INF),  # undefined: a NaN
        dq.StdDev(id="ints", column="id", min=0),
        dq.Quantile(id="q_ints", column="id", quantile=0.3, min=1, max=1.25),
        dq.Quantile(id="q_decimal", column="price", quantile=0.5, max=1),  # no values
        dq.Mean(id="none", column="price", max=1.0),  # no values
        dq.Mean(id="text", column="status", min=0),  # not numeric: error
    )
)


def _load_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(pg)) for n, (pg, *_) in COLUMNS.items()
    )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS kinds")
        conn.execute(sql.SQL("CREATE TABLE kinds ({})").format(columns))
        with conn.cursor() as cur, cur.copy("COPY kinds FROM STDIN") as out:
            for row in FRAME.iter_rows():
                out.write_row(row)


def _load_duckdb(path: str) -> None:
    import duckdb

    columns = ", ".join(f'"{n}" {duck}' for n, (_, duck, *_) in COLUMNS.items())
    with duckdb.connect(path) as conn:
        conn.execute(f"CREATE TABLE kinds ({columns})")
        slots = ", ".join("?" for _ in COLUMNS)
        conn.executemany(f"INSERT INTO kinds VALUES ({slots})", list(FRAME.iter_rows()))


@pytest.fixture(scope="module", params=["postgres", "duckdb"])
def table(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SqlTable:
    if request.param == "postgres":
        url = request.getfixturevalue("postgres")["url"]
        _load_postgres(url)
    else:
        path = str(tmp_path_factory.mktemp("kinds") / "kinds.duckdb")
        _load_duckdb(path)
        url = f"duckdb:///{path}"
    return SqlTable(table="kinds", url=url)


def _rule(rule_id: str) -> Any:
    return next(r for r in RULES.rules if r.id == rule_id)


def _seen(result: dq.CheckResult) -> dict[str, tuple[str, int, int]]:
    return {r.rule_id: (r.status.value, r.failed_count, r.element_count) for r in result.results}


def test_new_checks_on_a_table_give_the_oracles_verdicts_and_counts(table: SqlTable) -> None:
    got = SqlEngine().check(table, RULES)
    assert _seen(got) == _seen(reference_check(FRAME, RULES))
    for result in got.results:
        assert result.status is not dq.RuleStatus.UNSUPPORTED, result
        if result.status is dq.RuleStatus.ERROR:
            assert result.rule_id in result.message


def test_statistics_messages_are_dq_cores_with_the_databases_value(table: SqlTable) -> None:
    got = SqlEngine().check(table, RULES)
    values = [v for v in COLUMNS["amount"][3] if v is not None]
    mean = sum(values) / len(values)
    message = got.by_id("mean").message
    assert message == dq.statistic_result(_rule("mean"), mean, values=7).message
    sd = got.by_id("sd").message
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    assert f"{spread:.10g}" in sd and "(7 values)" in sd
    assert "1 of 7 values are NaN or infinite" in got.by_id("nan").message
    assert "no values" in got.by_id("none").message


def test_freshness_message_shows_the_newest_value_and_its_age(table: SqlTable) -> None:
    got = SqlEngine().check(table, RULES)
    stale = got.by_id("stale")
    assert stale.status is dq.RuleStatus.FAILED
    assert "1h" in stale.message and "older than max_age 20m" in stale.message
    assert got.by_id("fresh").status is dq.RuleStatus.PASSED


def test_schema_names_database_types_as_polars_does(table: SqlTable) -> None:
    got = SqlEngine().check(table, RULES)
    wrong = got.by_id("wrong").message
    assert "missing 'nope'" in wrong and "'id' is Int64, expected String" in wrong
    assert "unexpected 'status'" in got.by_id("exact").message


def test_composite_unique_samples_are_the_repeated_combinations(table: SqlTable) -> None:
    got = SqlEngine().check(table, RULES).by_id("pair")
    assert got.samples == ({"id": 1, "status": "a"}, {"id": 2, "status": None})


def test_between_on_dates_samples_the_failing_values(table: SqlTable) -> None:
    got = SqlEngine().check(table, RULES)
    assert got.by_id("day").samples == ("2024-01-01", "2024-01-06")
    assert got.by_id("clock").samples == ("08:00:00", "18:01:00")


def test_all_new_checks_ride_in_one_aggregate_query(table: SqlTable) -> None:
    """The statistics and freshness add aggregates, not scans: one SELECT over the table
    (plus the samples query), whatever the number of table-level rules."""
    seen: list[str] = []
    from dq_sql import _connect

    original = _connect.Connection.run

    def spy(self: Any, sql: str) -> Any:
        seen.append(sql)
        return original(self, sql)

    rules = dq.RuleSet(rules=tuple(r for r in RULES.rules if r.check in {"mean", "stddev"}))
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(_connect.Connection, "run", spy)
        SqlEngine().check(table, rules)
    finally:
        mp.undo()
    scans = [s for s in seen if "stddev_samp" in s or "avg(" in s]
    assert len(scans) == 1, seen


LOCATED = dq.RuleSet(
    rules=(
        dq.NotNull(id="nn", column="status"),
        dq.Unique(id="u", column="id"),
        dq.Unique(id="pair", columns=("id", "status")),
        dq.Between(id="b", column="amount", min=0, max=5),
        dq.InSet(id="s", column="status", values=("a", "c")),
        dq.Between(id="d", column="day", min=date(2024, 1, 2), max=date(2024, 1, 5)),
        dq.Expression(id="e", expression="amount > 0"),
    ),
    sample_size=2,
)


@pytest.mark.parametrize("key", [(), ("day",), ("naive", "id")])
def test_failing_rows_are_the_oracles_first_rows_by_key_or_row_number(
    table: SqlTable, key: tuple[str, ...]
) -> None:
    """The rows a person is sent to: key values (a null key value too) or 0-based row
    numbers, the first failing rows in the table's order, as the oracle finds them."""
    rules = attrs.evolve(LOCATED, key=key)
    got = SqlEngine().check(table, rules)
    assert got.key == key
    for rule in rules.rules:
        want = reference_sample_rows(FRAME, rule, rules.sample_size, key)
        assert want, rule.id  # every rule here fails rows: the case is not vacuous
        assert rows_key(got.by_id(rule.id).sample_rows) == rows_key(want), rule.id


def test_a_key_column_the_table_lacks_is_refused_before_any_scan(table: SqlTable) -> None:
    with pytest.raises(dq.UsageError, match=r"key: column 'nope' not found; the data has 'id'"):
        SqlEngine().check(table, attrs.evolve(LOCATED, key=("id", "nope")))


def test_sampling_off_locates_no_rows_and_runs_no_row_query(table: SqlTable) -> None:
    from dq_sql import _connect

    seen: list[str] = []
    original = _connect.Connection.run

    def spy(self: Any, sql: str) -> Any:
        seen.append(sql)
        return original(self, sql)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_connect.Connection, "run", spy)
        got = SqlEngine().check(table, attrs.evolve(LOCATED, sample_size=0, key=("id",)))
    assert all(r.sample_rows == () for r in got.results)
    assert not [sql for sql in seen if "dq_at" in sql]
