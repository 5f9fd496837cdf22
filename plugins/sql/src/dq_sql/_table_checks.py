"""dq-core 1.3's checks as aggregates of the one query: freshness, statistics, composite
unique and ``between`` on dates, date-times and times.

Each becomes a few more aggregates in the engine's single ``SELECT`` (no extra scan of the
source): ``max`` for freshness; ``count``, a count of NaN/±inf and ``avg`` /
``stddev_samp`` / ``percentile_cont`` (DuckDB ``quantile_cont``) for the statistics; a
grouped count over the key columns for composite unique. The verdict and its message come
from dq-core (``dq.freshness_result``, ``dq.statistic_result``), the same for every engine.
``schema`` reads no data at all: the engine judges it from the columns it described.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dq

from dq_sql._compile import Compiled, error_result
from dq_sql._dialect import FLOATS, NUMERIC, Dialect

STATISTICS = frozenset({"mean", "stddev", "quantile"})
#: Checks new in dq-core 1.3 that this module compiles (composite unique is ``unique``).
NEW_CHECKS = frozenset({"freshness", "schema"}) | STATISTICS
#: Table-level checks judged from aggregates by a ``judge`` (element_count 1).
JUDGED = frozenset({"freshness"}) | STATISTICS


def _unknown(rule: Any, name: str, schema: dict[str, str]) -> dq.RuleResult:
    known = ", ".join(schema) or "none"
    return error_result(rule, f"unknown column {name!r} (columns: {known})")


def freshness(rule: Any, full: dict[str, str], d: Dialect) -> Compiled | dq.RuleResult:
    """``max(column)``; a zoned timestamp comes back as its naive UTC reading."""
    name = rule.column
    if name not in full:
        return _unknown(rule, name, full)
    dtype = full[name]
    base = dtype.split("(", 1)[0]
    if base not in ("Date", "Datetime"):
        return error_result(rule, f"freshness needs a Date or Datetime column, {name!r} is {dtype}")
    c = d.ident(name)
    zoned = "time_zone=None" not in dtype and base == "Datetime"
    newest = d.utc_naive(f"max({c})") if zoned else f"max({c})"

    def judge(values: tuple[Any, ...], now: datetime) -> dq.RuleResult:
        value = values[0]
        if zoned and isinstance(value, datetime):
            value = value.replace(tzinfo=UTC)
        return dq.freshness_result(rule, value, now)

    return Compiled(rule, failed=newest, element=f"count({c})", judge=judge)


def statistic(rule: Any, schema: dict[str, str], d: Dialect) -> Compiled | dq.RuleResult:
    """The statistic over the finite non-null values, with the counts that say if it exists."""
    name = rule.column
    if name not in schema:
        return _unknown(rule, name, schema)
    dtype = schema[name]
    if dtype not in NUMERIC:
        return error_result(rule, f"{rule.check} needs a numeric column, {name!r} is {dtype}")
    c = d.ident(name)
    if dtype in FLOATS:
        bad = d.not_finite(c)
        non_finite, keep = f"count(*) FILTER (WHERE {bad})", f" FILTER (WHERE NOT {bad})"
    else:
        non_finite, keep = "0", ""
    # NaN/inf never reach the statistic: the verdict is "undefined" whenever any exists,
    # so no dialect's IEEE corner (NaN, inf, an out-of-range error) can leak into it
    if rule.check == "mean":
        value = f"avg({c}){keep}"
    elif rule.check == "stddev":
        value = f"stddev_samp({c}){keep}"
    else:
        value = d.quantile(c, rule.quantile) + keep

    def judge(values: tuple[Any, ...], now: datetime) -> dq.RuleResult:
        del now
        count, bad_count, stat = values
        return dq.statistic_result(
            rule, stat, values=int(count or 0), non_finite=int(bad_count or 0)
        )

    return Compiled(rule, failed=f"count({c})", element=non_finite, extra=(value,), judge=judge)


def composite_unique(
    rule: Any, schema: dict[str, str], d: Dialect, source: str
) -> Compiled | dq.RuleResult:
    """Rows of repeated combinations; all-null rows are not judged, else null equals null.

    ``GROUP BY`` already treats nulls (and NaNs) as equal, so the failed count is the sum
    of the sizes of the groups of more than one row, in a grouped scalar subquery.
    """
    for name in rule.columns:
        if name not in schema:
            return _unknown(rule, name, schema)
    keys = ", ".join(d.ident(n) for n in rule.columns)
    judged = "NOT (" + " AND ".join(f"{d.ident(n)} IS NULL" for n in rule.columns) + ")"
    failed = (
        f"(SELECT coalesce(sum(dq_n), 0) FROM (SELECT count(*) AS dq_n FROM {source} "
        f"WHERE {judged} GROUP BY {keys}) AS dq_g WHERE dq_n > 1)"
    )
    return Compiled(
        rule,
        failed=failed,
        element=f"count(*) FILTER (WHERE {judged})",
        fails=judged,  # the judged rows; the samples query keeps the repeated groups
        key_columns=tuple(rule.columns),
    )


def temporal_between(rule: Any, name: str, dtype: str, d: Dialect) -> Compiled:
    """``between`` on a Date / Datetime / Time column, bounds as typed literals (their kind
    was checked against the column by ``dq.between_bounds_problem``)."""
    base = dtype.split("(", 1)[0]
    c = d.ident(name)
    v = d.temporal_column(c, base)
    parts = []
    if rule.min is not None:
        parts.append(f"{v} {'<' if rule.min_inclusive else '<='} {d.typed_literal(rule.min, base)}")
    if rule.max is not None:
        parts.append(f"{v} {'>' if rule.max_inclusive else '>='} {d.typed_literal(rule.max, base)}")
    fails = "(" + " OR ".join(parts) + ")" if parts else "FALSE"
    return Compiled(rule, f"count(*) FILTER (WHERE {fails})", f"count({c})", fails, c)
