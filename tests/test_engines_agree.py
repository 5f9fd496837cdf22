"""The differential test: every engine gives the same counts on the same data and rules.

Runs in the ``engines-agree`` tox env, which installs dq-polars, dq-pandera,
dq-great-expectations, dq-truthound (3.1.x, which allows polars 2), dq-sql and dq-spark side
by side. Each engine is compared with the reference oracle of dq-contract-tests and so with
every other engine: same status, failing rows and checked rows per rule. A result an engine
marks ``approximate`` or ``unsupported`` is exempt, because it says so; the test asserts that
the exemption is declared, never silent.

The remote engines run where their data would live: dq-sql on polars frames (loaded into an
in-process DuckDB) and on a real PostgreSQL table; dq-spark on frames copied into ONE local
Spark session (started once, ~17 s) and on ``examples/orders.csv`` read by Spark itself.
Spark and PostgreSQL get fewer hypothesis examples: a Spark check costs seconds here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dq
import polars as pl
import pytest
from _postgres import load, running_postgres, server_bin
from dq_contract.engine_cases import nasty_case
from dq_contract.reference import reference_check
from dq_contract.strategies import cases
from hypothesis import HealthCheck, example, given, settings

#: Engines that check a polars frame in this process (dq-sql: through an in-process DuckDB).
IN_PROCESS = ("polars", "pandera", "gx", "truthound", "sql")
ROOT = Path(__file__).resolve().parents[1]
ORDERS_CSV = ROOT / "examples" / "orders.csv"
#: One local Spark session for the whole run: one core and one partition (small data, and
#: the machine is shared), no UI, no console progress.
SPARK = {
    "master": "local[1]",
    "conf": {
        "spark.sql.shuffle.partitions": "1",
        "spark.default.parallelism": "1",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.extraJavaOptions": "-XX:+UseSerialGC",
    },
}
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: A Spark check of a copied frame is ~2-3 s of jobs here: few examples (plus the nasty
#: hand-written one); dq-spark's own contract tests run more. PostgreSQL is cheap.
SPARK_EXAMPLES = settings(FAST, max_examples=6)
POSTGRES_EXAMPLES = settings(FAST, max_examples=20)


@pytest.fixture(scope="session")
def host() -> dq.Host:
    return dq.Host(dq.discover())


@pytest.fixture(scope="session")
def engines(host: dq.Host) -> dict[str, Any]:
    return {name: host.component("engine", name) for name in IN_PROCESS}


@pytest.fixture(scope="session")
def spark(host: dq.Host) -> Iterator[Any]:
    """The spark engine, its session started once here and stopped at the end."""
    engine = host.component("engine", "spark", SPARK)
    session = engine.session()
    session.sparkContext.setLogLevel("ERROR")
    yield engine
    session.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """An open connection to a throwaway PostgreSQL, and its URL (``conn.info`` has no password)."""
    psycopg = pytest.importorskip("psycopg")
    bindir = server_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb) on this machine")
    with running_postgres(bindir) as url, psycopg.connect(url, autocommit=True) as conn:
        yield conn, url


_tables = itertools.count()


def _on_postgres(postgres: Any, frame: pl.DataFrame) -> Any:
    """*frame* as a fresh PostgreSQL table, named for dq-sql to check in place."""
    from dq_sql import SqlTable

    conn, url = postgres
    table = f"t{next(_tables)}"
    load(conn, table, frame)
    return SqlTable(table=table, url=url)


def _comparable(r: dq.RuleResult) -> tuple[Any, ...]:
    return (r.rule_id, r.status, r.failed_count, r.element_count)


def _assert_agrees(name: str, engine: Any, got: dq.CheckResult, want: dq.CheckResult) -> None:
    """*got* equals *want* rule by rule, except where *engine* declared it could not say."""
    for expected, have in zip(want.results, got.results, strict=True):
        if have.status is dq.RuleStatus.UNSUPPORTED:
            assert have.check not in engine.supported_checks or have.message, (name, have)
            continue
        if have.approximate:
            assert have.message, f"{name}: approximate result without a reason: {have}"
            continue
        assert _comparable(have) == _comparable(expected), (
            f"{name} disagrees with the reference on {have.rule_id} ({have.check}): "
            f"{_comparable(have)} != {_comparable(expected)}"
        )


@FAST
@given(case=cases())
@example(case=nasty_case())
def test_in_process_engines_agree_with_the_reference_on_generated_data(engines, case) -> None:
    frame, rules = case
    want = reference_check(frame, rules)
    for name, engine in engines.items():
        _assert_agrees(name, engine, engine.check(frame, rules), want)


@SPARK_EXAMPLES
@given(case=cases())
@example(case=nasty_case())
def test_spark_agrees_with_the_reference_on_generated_data(spark, case) -> None:
    frame, rules = case
    _assert_agrees("spark", spark, spark.check(frame, rules), reference_check(frame, rules))


@POSTGRES_EXAMPLES
@given(case=cases())
@example(case=nasty_case())
def test_sql_on_postgres_agrees_with_the_reference_on_generated_data(
    engines, postgres, case
) -> None:
    frame, rules = case
    got = engines["sql"].check(_on_postgres(postgres, frame), rules)
    _assert_agrees("sql on PostgreSQL", engines["sql"], got, reference_check(frame, rules))


def _counts(result: dq.CheckResult) -> list[tuple[str, str, int, int]]:
    return [(r.rule_id, r.status.value, r.failed_count, r.element_count) for r in result.results]


def test_all_engines_agree_on_the_example_orders(engines, spark, postgres) -> None:
    frame = pl.read_csv(ORDERS_CSV)
    rules = dq.load_typed(ROOT / "examples" / "orders.rules.toml", dq.RuleSet)
    spark_csv = dq.SourceRef(
        type="spark",
        label="orders.csv",
        path=str(ORDERS_CSV),
        format="csv",
        options={"header": "true", "inferSchema": "true"},
    )
    runs = {name: (engine, frame) for name, engine in engines.items()}
    runs["spark (frame)"] = (spark, frame)
    runs["spark (reads the CSV)"] = (spark, spark_csv)
    runs["sql (PostgreSQL)"] = (engines["sql"], _on_postgres(postgres, frame))
    want = reference_check(frame, rules)
    results = {name: engine.check(data, rules) for name, (engine, data) in runs.items()}
    assert _counts(results["polars"]) == _counts(want)
    for name, got in results.items():
        # every count equals dq-polars' on the example; a rule flagged approximate (gx's
        # Python-re regex, PostgreSQL's locale-defined \w) must say why even when it agrees
        for have, expected in zip(got.results, want.results, strict=True):
            assert not have.approximate or have.message, (name, have)
            assert _comparable(have) == _comparable(expected), (name, have)
    # the planted defects, as documented in examples/make_orders.py
    failed = {rule: n for rule, status, n, _ in _counts(results["polars"]) if status == "failed"}
    assert failed == {
        "unique_order_id": 4,
        "not_null_amount": 3,
        "between_amount": 3,
        "regex_customer_email": 4,
        "max_length_customer_email": 1,
        "in_set_status": 3,
    }


# -- dq-core 1.3's checks: composite unique, statistics, freshness, schema, dates in between ---

NEW_CHECKS_EXAMPLES = settings(FAST, max_examples=25)
_ROWS = 8


def _new_checks_case(draw: Any) -> tuple[pl.DataFrame, dq.RuleSet]:
    """A frame of the kinds the new checks judge, ages whole hours from now (freshness is
    judged against each engine's own clock: 30 min from any max_age, never on the edge)."""
    from datetime import UTC, date, datetime, timedelta

    from hypothesis import strategies as st

    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    cell = lambda values: st.lists(values, min_size=_ROWS, max_size=_ROWS)  # noqa: E731
    ids = draw(cell(st.one_of(st.none(), st.integers(0, 2))))
    statuses = draw(cell(st.one_of(st.none(), st.sampled_from("ab"))))
    amounts = draw(
        cell(st.one_of(st.none(), st.integers(-20, 20).map(float), st.sampled_from([float("nan")])))
    )
    days = draw(cell(st.one_of(st.none(), st.integers(0, 9).map(lambda d: date(2024, 1, 1 + d)))))
    hours = draw(cell(st.one_of(st.none(), st.integers(0, 6))))
    frame = pl.DataFrame(
        {
            "id": pl.Series(ids, dtype=pl.Int64),
            "status": pl.Series(statuses, dtype=pl.String),
            "amount": pl.Series(amounts, dtype=pl.Float64),
            "day": pl.Series(days, dtype=pl.Date),
            "loaded": pl.Series(
                [None if h is None else now - timedelta(hours=h) for h in hours],
                dtype=pl.Datetime("us", "UTC"),
            ),
            "local": pl.Series(
                [
                    None if h is None else (now - timedelta(hours=h)).replace(tzinfo=None)
                    for h in hours
                ],
                dtype=pl.Datetime("us"),
            ),
        }
    )
    q = draw(st.sampled_from([0.0, 0.3, 0.5, 0.9, 1.0]))
    low = draw(st.integers(-25, 25)) + 0.25
    high = low + draw(st.integers(0, 20)) + 0.5
    rules = (
        dq.Unique(id="pair", columns=("id", "status")),
        dq.Unique(id="triple", columns=("id", "status", "amount")),
        dq.Mean(id="mean", column="amount", min=low, max=high),
        dq.StdDev(id="sd", column="amount", max=high if high > 0 else 0.5),
        dq.Quantile(id="q", column="amount", quantile=q, min=low, max=high),
        dq.StdDev(id="sd_ids", column="id", min=0.25),
        dq.Freshness(id="fresh", column="loaded", max_age="150m"),
        dq.Freshness(id="fresh_local", column="local", max_age="210m"),
        dq.Freshness(id="fresh_day", column="day", max_age="1d"),
        dq.Schema(id="schema", columns={"id": "Int64", "amount": "Float64", "day": "Date"}),
        dq.Schema(id="exact", columns={"id": "Int64", "status": "Utf8"}, mode=dq.SchemaMode.EXACT),
        dq.Between(id="days", column="day", min=date(2024, 1, 3), max=date(2024, 1, 8)),
        dq.Between(
            id="recent",
            column="loaded",
            min=now - timedelta(hours=3, minutes=30),
            max_inclusive=False,
        ),
    )
    return frame, dq.RuleSet(rules=rules)


def _new_checks() -> Any:
    from hypothesis import strategies as st

    return st.composite(lambda draw: _new_checks_case(draw))()


#: The engines that perform all of dq-core 1.3's checks: their results must be verdicts
#: (never unsupported) equal to the reference's and to dq-polars'.
FULL_NEW_CHECKS = ("polars", "sql", "sql (PostgreSQL)", "spark")


def _assert_new_checks_agree(
    name: str, engine: Any, got: dq.CheckResult, want: dq.CheckResult
) -> None:
    """*got* equals *want* on every rule: no exemption for an engine that performs them."""
    for have in got.results:
        assert have.status is not dq.RuleStatus.UNSUPPORTED, f"{name}: {have}"
        assert not have.approximate, f"{name}: {have}"
    _assert_agrees(name, engine, got, want)


@NEW_CHECKS_EXAMPLES
@given(case=_new_checks())
def test_new_checks_agree_on_generated_data(engines, postgres, case) -> None:
    """dq-sql on DuckDB and on PostgreSQL give dq-polars' and the reference's verdicts and
    counts for composite unique, the statistics, freshness, schema and dates in between;
    engines that do not perform them say so (unsupported, with a reason)."""
    frame, rules = case
    want = reference_check(frame, rules)
    polars = engines["polars"].check(frame, rules)
    assert _counts(polars) == _counts(want)
    for name, engine in engines.items():
        got = engine.check(frame, rules)
        if name in FULL_NEW_CHECKS:
            _assert_new_checks_agree(name, engine, got, want)
        else:
            _assert_agrees(name, engine, got, want)
    got = engines["sql"].check(_on_postgres(postgres, frame), rules)
    _assert_new_checks_agree("sql (PostgreSQL)", engines["sql"], got, want)


@settings(SPARK_EXAMPLES, max_examples=5)
@given(case=_new_checks())
def test_spark_new_checks_agree_on_generated_data(engines, spark, case) -> None:
    frame, rules = case
    want = reference_check(frame, rules)
    assert _counts(engines["polars"].check(frame, rules)) == _counts(want)
    _assert_new_checks_agree("spark", spark, spark.check(frame, rules), want)
