"""Locating failing rows: each rule's first ``sample_size`` failing rows, in row order.

docs/rules.md: a sample row holds the rule set's key values (``key = [...]``) or, without a
key, the 0-based row number, and the failing value for single-column value checks. The
database finds them with one bounded query per rule that failed rows (``ORDER BY`` the row
position, ``LIMIT sample_size``), after the counting query, so a passing run pays nothing.

Row numbers are exact for a polars frame (dq numbers its rows before loading it). For a
database table or query they are positions in the database's scan order, which SQL does
not promise to repeat: name a key to point people at rows reliably.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import dq

from dq_sql._compile import Compiled
from dq_sql._connect import Connection

#: Checks whose sample rows carry the failing value (one column judged per row).
VALUE_SHOWN = frozenset({"unique", "between", "regex", "in_set", "max_length", "min_length"})


def sample(value: Any) -> Any:
    """A JSON-safe failure sample, shown as every engine shows it (``str`` of a date-time)."""
    if isinstance(value, Decimal):
        return float(value)
    return dq.json_scalar(value)


def rule_set_key(rules: dq.RuleSet) -> tuple[str, ...]:
    return tuple(getattr(rules, "key", ()))


def sample_rows(
    conn: Connection,
    source: str,
    plans: dict[int, Compiled],
    counts: dict[int, Any],
    rules: dq.RuleSet,
) -> dict[int, tuple[dq.SampleRow, ...]]:
    """The sample rows of every row-level rule that failed rows (none when sampling is off)."""
    size = rules.sample_size
    if size <= 0:
        return {}
    if conn.row_column:
        numbered, order, first = source, conn.dialect.ident(conn.row_column), 0
    else:
        numbered = f"(SELECT *, row_number() OVER () AS dq_rn FROM {source}) AS dq_numbered"
        order, first = "dq_rn", 1
    key = rule_set_key(rules)
    out: dict[int, tuple[dq.SampleRow, ...]] = {}
    for i, plan in plans.items():
        if plan.judge is not None or not int(counts[i][0] or 0):
            continue  # table-level verdicts, and rules that failed no row
        located = _located_query(conn, plan, numbered, order, key, size)
        if located is None:
            continue
        try:
            _, rows = conn.run(located)
        except Exception as exc:  # noqa: BLE001 - the driver's own error types
            raise conn.fail(exc, "locating failing rows") from None
        out[i] = tuple(_sample_row(conn, plan, row, key, first) for row in rows)
    return out


def _located_query(
    conn: Connection, plan: Compiled, numbered: str, order: str, key: tuple[str, ...], size: int
) -> str | None:
    d, rule = conn.dialect, plan.rule
    check = rule.check
    within = numbered
    if check == "not_null":
        where = f"{d.ident(rule.column)} IS NULL"
    elif plan.expression is not None:
        where = f"NOT ({plan.expression})"  # false fails; null is not judged
    elif check == "unique":
        # every row of a repeated value (or combination): a window, since GROUP BY and
        # PARTITION BY both hold null equal to null and NaN equal to NaN, as dq does
        names = plan.key_columns or (rule.column,)
        parts = ", ".join(d.ident(n) for n in names)
        judged = plan.fails if plan.key_columns else f"{d.ident(rule.column)} IS NOT NULL"
        within = (
            f"(SELECT *, count(*) OVER (PARTITION BY {parts}) AS dq_dup FROM {numbered} "
            f"WHERE {judged}) AS dq_d"
        )
        where = "dq_dup > 1"
    elif plan.fails is not None:
        where = plan.fails
    else:
        return None
    shows_value = check in VALUE_SHOWN and not plan.key_columns
    value = d.ident(rule.column) if shows_value else "NULL"
    keys = "".join(f", {d.ident(name)} AS dq_k{k}" for k, name in enumerate(key))
    return (
        f"SELECT {order} AS dq_at, {value} AS dq_v{keys} FROM {within} "
        f"WHERE {where} ORDER BY {order} LIMIT {int(size)}"
    )


def _sample_row(
    conn: Connection, plan: Compiled, row: Any, key: tuple[str, ...], first: int
) -> dq.SampleRow:
    value = sample(conn.sample(plan.rule.column, row[1])) if row[1] is not None else None
    if key:
        values = tuple(sample(conn.sample(n, v)) for n, v in zip(key, row[2:], strict=True))
        return dq.SampleRow(value=value, key=values)
    return dq.SampleRow(value=value, row=int(row[0]) - first)
