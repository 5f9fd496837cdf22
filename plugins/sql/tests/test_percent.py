"""A ``%`` in a rule reaches the database as written: ``order_id % 2`` is the modulo
operator and ``LIKE 'a%'`` one wildcard, on PostgreSQL as on DuckDB. (psycopg 3 treats ``%``
as a placeholder only when parameters are passed; dq-sql passes none, so doubling it turned
``%`` into PostgreSQL's unknown operator ``%%``. Found by tests/test_engines_agree.py.)"""

from __future__ import annotations

import dq
import pytest
from conftest import orders_frame
from dq_contract.reference import reference_check
from dq_sql import SqlEngine, SqlTable

RULES = dq.RuleSet(
    rules=(
        dq.Expression(id="even_id", expression="order_id % 2 = 0"),
        dq.Expression(id="like_one", expression="customer_email LIKE 'a%'"),
        dq.Expression(id="like_two", expression="status LIKE '%a%'"),
    )
)


@pytest.mark.parametrize("where", ["duckdb", "postgres"])
def test_percent_is_modulo_and_wildcard(where: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("duckdb_orders" if where == "duckdb" else "pg_orders")
    got = SqlEngine().check(SqlTable(table="orders", url=url), RULES)
    want = reference_check(orders_frame(), RULES)
    seen = [(r.rule_id, r.status, r.failed_count, r.element_count) for r in got.results]
    assert seen == [(r.rule_id, r.status, r.failed_count, r.element_count) for r in want.results]
    assert got.by_id("even_id").failed_count > 0  # the rule ran (not an ERROR of 0 rows)
