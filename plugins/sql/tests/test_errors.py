"""A bad connection, a missing table, wrong credentials and an unsupported check: each one
clear error naming the source, its exit code, and never the password."""

from __future__ import annotations

from typing import Any

import dq
import pytest
from conftest import PG_PASSWORD
from dq_sql import SqlEngine, SqlSourceError, SqlSourceNotFound, SqlTable

RULES = dq.RuleSet(rules=(dq.NotNull(id="ids", column="order_id"),))


def _no_secret(text: str) -> None:
    assert PG_PASSWORD not in text and "Pa55" not in text, text


def test_wrong_password_is_a_runtime_error_naming_the_source_without_the_password(
    postgres: dict[str, Any],
) -> None:
    url = postgres["url"].replace(PG_PASSWORD, "wrong-" + PG_PASSWORD)
    with pytest.raises(SqlSourceError) as err:
        SqlEngine().check(SqlTable(table="orders", url=url, name="orders_db"), RULES)
    text = str(err.value)
    assert "source orders_db" in text and "password authentication failed" in text
    assert err.value.exit_code == 3 and "\n" not in text
    _no_secret(text)


def test_nothing_listening_is_a_runtime_error(postgres: dict[str, Any]) -> None:
    url = f"postgresql://dq:{PG_PASSWORD}@127.0.0.1:1/dq"
    with pytest.raises(SqlSourceError) as err:
        SqlEngine().check(SqlTable(table="orders", url=url), RULES)
    assert "cannot connect to PostgreSQL" in str(err.value) and "table orders" in str(err.value)
    _no_secret(str(err.value))


def test_missing_table_is_a_usage_error_naming_it(pg_orders: str) -> None:
    with pytest.raises(SqlSourceNotFound) as err:
        SqlEngine().check(SqlTable(table="public.ordrs", url=pg_orders), RULES)
    text = str(err.value)
    assert "table public.ordrs" in text and "ordrs" in text and err.value.exit_code == 2
    _no_secret(text)


def test_missing_duckdb_file_is_a_runtime_error(tmp_path: Any) -> None:
    url = f"duckdb:///{tmp_path}/nope.duckdb"
    with pytest.raises(SqlSourceError, match="cannot open the DuckDB database"):
        SqlEngine().check(SqlTable(table="orders", url=url), RULES)


def test_unsupported_scheme_is_a_usage_error() -> None:
    with pytest.raises(dq.UsageError, match="unsupported SQL URL scheme 'mysql'"):
        SqlEngine().check(SqlTable(table="t", url="mysql://u:p@h/db"), RULES)


def test_no_url_anywhere_says_where_to_put_one() -> None:
    with pytest.raises(dq.UsageError, match=r"\[engines.sql\]"):
        SqlEngine().check(SqlTable(table="t"), RULES)


def test_unsupported_check_is_reported_unsupported_and_fails_the_gate(pg_orders: str) -> None:
    class Fancy:
        id, column, check = "fancy", "order_id", "median_between"
        severity, mostly, description = dq.Severity.ERROR, 1.0, ""

    result = SqlEngine().check(
        SqlTable(table="orders", url=pg_orders), dq.RuleSet(rules=(Fancy(),))
    )
    got = result.results[0]
    assert got.status is dq.RuleStatus.UNSUPPORTED and "median_between" in got.message
    assert result.status is dq.RunStatus.FAILED


def test_bad_regex_on_postgres_is_a_rule_error_and_others_run(pg_orders: str) -> None:
    rules = dq.RuleSet(
        rules=(
            dq.Regex(id="bad", column="status", pattern="(a"),
            dq.NotNull(id="amounts", column="amount"),
        )
    )
    result = SqlEngine().check(SqlTable(table="orders", url=pg_orders), rules)
    assert (
        result.by_id("bad").status is dq.RuleStatus.ERROR and "bad" in result.by_id("bad").message
    )
    assert result.by_id("amounts").failed_count == 3


def test_engine_repr_and_config_never_show_the_url(postgres: dict[str, Any]) -> None:
    from dq_sql import SqlConfig

    engine = SqlEngine(SqlConfig(url=dq.SecretValue(postgres["url"])))
    _no_secret(repr(engine))
    _no_secret(repr(engine.config))
    _no_secret(repr(SqlTable(table="t", url=postgres["url"])))
