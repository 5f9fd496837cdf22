"""Rules -> SQL: per rule, two aggregates (failed rows, judged rows) and a row predicate.

Everything a rule needs is an aggregate over one scan of the source, so the engine can put
every rule into ONE ``SELECT`` (see :mod:`dq_sql._engine`). ``unique`` counts the rows of
duplicate groups with a grouped scalar subquery (cheaper than a window over every row).
Rules that cannot be evaluated (unknown column, wrong type) or that this engine does not
perform are settled here, before any query, as ERROR / UNSUPPORTED results.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import attrs
import dq

from dq_sql._dialect import FLOATS, NUMERIC, TEMPORAL, Dialect

SUPPORTED_CHECKS = frozenset(
    {
        "not_null",
        "unique",
        "between",
        "regex",
        "in_set",
        "max_length",
        "min_length",
        "expression",
        "row_count",
        "dtype",
        "column_exists",
        "schema",
        "freshness",
        "mean",
        "stddev",
        "quantile",
    }
)
TABLE_LEVEL = frozenset({"row_count", "dtype", "column_exists", "schema"})
STRING_CHECKS = frozenset({"regex", "max_length", "min_length"})
#: Checks whose samples are failing values of the rule's column.
SAMPLED = frozenset({"unique", "between", "regex", "in_set", "max_length", "min_length"})


@attrs.frozen
class Compiled:
    """One rule as SQL: ``failed``/``element`` aggregates, ``fails`` per-row predicate."""

    rule: Any
    failed: str
    element: str
    fails: str | None = None
    column: str | None = None  # quoted column SQL, for samples
    approximate: str | None = None
    regex_probe: str | None = None  # SQL that fails when the regex is invalid
    expression: str | None = None  # transpiled expression, validated before the scan
    #: more aggregates after ``failed`` and ``element`` (a statistic's value)
    extra: tuple[str, ...] = ()
    #: table-level rules: the verdict from the raw aggregates and the check's start
    judge: Callable[[tuple[Any, ...], datetime], dq.RuleResult] | None = None
    #: composite unique: the key columns whose repeated combinations are the samples
    key_columns: tuple[str, ...] = ()

    @property
    def aggregates(self) -> tuple[str, ...]:
        return (self.failed, self.element, *self.extra)


def base(rule: Any) -> dict[str, Any]:
    return {
        "rule_id": rule.id,
        "check": rule.check,
        "column": getattr(rule, "column", None),
        "severity": rule.severity,
    }


def error_result(rule: Any, problem: str) -> dq.RuleResult:
    return dq.RuleResult(
        **base(rule), status=dq.RuleStatus.ERROR, message=f"rule {rule.id}: {problem}"
    )


def unsupported_result(rule: Any, why: str) -> dq.RuleResult:
    return dq.RuleResult(
        **base(rule), status=dq.RuleStatus.UNSUPPORTED, message=f"rule {rule.id}: {why}"
    )


def _count_if(predicate: str) -> str:
    return f"count(*) FILTER (WHERE {predicate})"


def compile_rule(
    rule: Any, schema: dict[str, str], d: Dialect, source: str, full: dict[str, str] | None = None
) -> Compiled | dq.RuleResult | None:
    """The rule's SQL, a settled result, or None for table-level checks (judged by the engine).

    *full* maps columns to type names with a Datetime's unit and zone (default: *schema*).
    """
    from dq_sql import _table_checks

    full = schema if full is None else full
    check = rule.check
    if check not in SUPPORTED_CHECKS:
        return unsupported_result(rule, f"the sql engine does not perform {check!r} checks")
    if check in TABLE_LEVEL:
        return None
    if check == "expression":
        return _expression(rule, schema, d)
    if check == "freshness":
        return _table_checks.freshness(rule, full, d)
    if check in _table_checks.STATISTICS:
        return _table_checks.statistic(rule, schema, d)
    if check == "unique" and rule.columns:  # never a one-column unique of column None
        return _table_checks.composite_unique(rule, schema, d, source)
    name = rule.column
    if name not in schema:
        known = ", ".join(schema) or "none"
        return error_result(rule, f"unknown column {name!r} (columns: {known})")
    dtype = schema[name]
    c = d.ident(name)
    if check in STRING_CHECKS and dtype != "String":
        return error_result(rule, f"{check} needs a String column, {name!r} is {dtype}")
    judged = f"count({c})"
    if check == "not_null":
        return Compiled(rule, failed=f"count(*) - count({c})", element="count(*)")
    if check == "unique":
        groups = (
            f"(SELECT coalesce(sum(dq_n), 0) FROM (SELECT count(*) AS dq_n FROM {source} "
            f"WHERE {c} IS NOT NULL GROUP BY {c}) AS dq_g WHERE dq_n > 1)"
        )
        fails = (
            f"{c} IN (SELECT {c} FROM {source} WHERE {c} IS NOT NULL "
            f"GROUP BY {c} HAVING count(*) > 1)"
        )
        return Compiled(rule, failed=groups, element=judged, fails=fails, column=c)
    if check == "between":
        # a bound of another kind than the column: the same error on every engine
        if dtype in TEMPORAL or any(isinstance(b, date | time) for b in (rule.min, rule.max)):
            problem = dq.between_bounds_problem(rule, full.get(name, dtype))
            if problem:
                return error_result(rule, problem)
        if dtype in TEMPORAL:
            return _table_checks.temporal_between(rule, name, full.get(name, dtype), d)
        if dtype not in NUMERIC:
            return error_result(rule, f"between needs a numeric column, {name!r} is {dtype}")
        parts = [d.is_nan(c)] if dtype in FLOATS else []
        if rule.min is not None:
            parts.append(f"{c} {'<' if rule.min_inclusive else '<='} {d.literal(rule.min)}")
        if rule.max is not None:
            parts.append(f"{c} {'>' if rule.max_inclusive else '>='} {d.literal(rule.max)}")
        fails = "(" + " OR ".join(parts) + ")" if parts else "FALSE"
        return Compiled(rule, _count_if(fails), judged, fails, c)
    if check == "regex":
        matches, reason = d.regex_full_match(c, rule.pattern)
        probe, _ = d.regex_full_match("''", rule.pattern)
        fails = f"NOT {matches}"
        return Compiled(rule, _count_if(fails), judged, fails, c, reason, regex_probe=probe)
    if check == "in_set":
        allowed = _comparable(rule.values, dtype)
        fails = (
            f"NOT ({c} IN ({', '.join(d.literal(v) for v in allowed)}))"
            if allowed
            else f"({c} IS NOT NULL)"
        )
        return Compiled(rule, _count_if(fails), judged, fails, c)
    length = d.length(c)
    op = ">" if check == "max_length" else "<"
    fails = f"{length} {op} {int(rule.length)}"
    return Compiled(rule, _count_if(fails), judged, fails, c)


def _comparable(values: tuple[Any, ...], dtype: str) -> list[Any]:
    """The set members that can equal a value of *dtype* (Python's equality, as rules.md)."""
    if dtype in NUMERIC:
        out = [int(v) if isinstance(v, bool) else v for v in values if isinstance(v, int | float)]
        if dtype not in FLOATS:
            out = [v for v in out if not (isinstance(v, float) and math.isnan(v))]
        return out
    if dtype == "Boolean":
        return [v for v in values if isinstance(v, bool)]
    return [v for v in values if isinstance(v, str)]


def _expression(rule: Any, schema: dict[str, str], d: Dialect) -> Compiled | dq.RuleResult:
    """Parse dq's SQL expression with sqlglot, check its columns, render it for *d*."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(rule.expression, read="postgres")
    except sqlglot.errors.SqlglotError as exc:
        return error_result(rule, f"invalid expression {rule.expression!r}: {_first(exc)}")
    if tree.find(exp.Select, exp.Subquery, exp.Star) is not None:
        return error_result(rule, f"expression {rule.expression!r} is not a row-level expression")
    for column in tree.find_all(exp.Column):
        if column.table or column.name not in schema:
            return error_result(
                rule, f"invalid expression {rule.expression!r}: unknown column {column.sql()!r}"
            )
        column.set("this", exp.to_identifier(column.name, quoted=True))
    sql = tree.sql(dialect=d.name)
    return Compiled(
        rule,
        failed=_count_if(f"NOT ({sql})"),
        element=_count_if(f"({sql}) IS NOT NULL"),
        expression=sql,
    )


def _first(exc: BaseException) -> str:
    return (str(exc).strip() or type(exc).__name__).splitlines()[0]
