"""examples/orders.csv with examples/orders.rules.toml, loaded into PostgreSQL and DuckDB:
the sql engine's counts and samples equal dq-polars' (pinned below, measured with dq-polars
0.1.0 on the same file) and the contract's reference oracle."""

from __future__ import annotations

from pathlib import Path

import dq
import pytest
from conftest import EXAMPLES, orders_frame
from dq_contract.reference import reference_check
from dq_sql import SqlEngine, SqlTable

RULES = dq.load_typed(EXAMPLES / "orders.rules.toml", dq.RuleSet)
#: rule id -> (status, failed_count, element_count, samples) as dq-polars reports them.
POLARS = {
    "not_null_order_id": ("passed", 0, 500, ()),
    "unique_order_id": ("failed", 4, 500, (100012, 100056)),
    "not_null_amount": ("failed", 3, 500, ()),
    "between_amount": ("failed", 3, 497, (-15.0, 1250000.0, -0.01)),
    "regex_customer_email": (
        "failed",
        4,
        500,
        ("dara.12example.com", "eli.7@", " kai.3@example.com", "lea@@example.com"),
    ),
    "max_length_customer_email": ("failed", 1, 500, ("x" * 250 + "@example.com",)),
    "in_set_status": ("failed", 3, 500, ("shiped", "Paid", "cancelled?")),
    "country_code": ("passed", 0, 500, ()),
    "row_count": ("passed", 0, 1, ()),
    "column_exists_created_at": ("passed", 0, 1, ()),
}


def _seen(result: dq.CheckResult) -> dict[str, tuple[object, ...]]:
    return {
        r.rule_id: (r.status.value, r.failed_count, r.element_count, tuple(r.samples))
        for r in result.results
    }


def test_pinned_polars_counts_are_the_oracles() -> None:
    want = reference_check(orders_frame(), RULES)
    assert _seen(want) == POLARS


@pytest.mark.parametrize("where", ["duckdb", "postgres"])
def test_orders_table_gives_dq_polars_counts(where: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("duckdb_orders" if where == "duckdb" else "pg_orders")
    result = SqlEngine().check(SqlTable(table="orders", url=url), RULES)
    assert _seen(result) == POLARS
    assert result.status is dq.RunStatus.FAILED and result.row_count == 500


def test_a_query_source_is_checked_like_a_table(pg_orders: str) -> None:
    source = SqlTable(query="SELECT * FROM orders WHERE status <> 'Paid'", url=pg_orders)
    result = SqlEngine().check(source, RULES)
    assert result.row_count == 499
    assert result.by_id("in_set_status").failed_count == 2


def test_url_may_come_from_the_engine_config(duckdb_orders: str) -> None:
    from dq_sql import SqlConfig

    engine = SqlEngine(SqlConfig(url=dq.SecretValue(duckdb_orders)))
    assert _seen(engine.check(SqlTable(table="orders"), RULES)) == POLARS


def test_postgres_regex_with_shorthands_is_flagged_approximate_with_the_reason(
    pg_orders: str,
) -> None:
    result = SqlEngine().check(SqlTable(table="orders", url=pg_orders), RULES)
    got = result.by_id("regex_customer_email")
    assert got.approximate and "approximate" in got.message and "locale" in got.message
    assert not result.by_id("country_code").approximate


def test_duckdb_maps_unicode_word_class_exactly(duckdb_orders: str) -> None:
    """RE2's \\w is ASCII; dq's is Unicode: 'ana.323@exämple.de' must pass on DuckDB too."""
    result = SqlEngine().check(SqlTable(table="orders", url=duckdb_orders), RULES)
    got = result.by_id("regex_customer_email")
    assert not got.approximate and got.failed_count == 4


@pytest.mark.parametrize("where", ["duckdb", "postgres"])
def test_profile_is_one_pass_of_the_table(where: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("duckdb_orders" if where == "duckdb" else "pg_orders")
    prof = SqlEngine().profile(SqlTable(table="orders", url=url))
    assert prof.row_count == 500
    cols = {c.name: c for c in prof.columns}
    assert cols["order_id"].dtype == "Int64" and cols["order_id"].distinct_count == 498
    assert cols["amount"].null_count == 3 and cols["amount"].min == -15.0
    assert cols["customer_email"].max_length == 262
    assert cols["status"].top_values[0].count >= cols["status"].top_values[-1].count


def test_learned_rules_round_trip_through_check(duckdb_orders: str) -> None:
    source = SqlTable(table="orders", url=duckdb_orders)
    engine = SqlEngine()
    learned = engine.learn(source)
    checks = {r.check for r in learned.rules}
    assert {"row_count", "dtype", "not_null", "max_length"} <= checks
    result = engine.check(source, learned)
    assert all(r.status is not dq.RuleStatus.ERROR for r in result.results)


def test_examples_dir_is_there() -> None:
    assert Path(EXAMPLES / "orders.csv").is_file()
