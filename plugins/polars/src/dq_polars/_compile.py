"""Compile a whole RuleSet into ONE ``select`` of aggregates over a LazyFrame.

Why one query: polars then scans the data once, shares sub-expressions between
rules (``col.is_not_null()`` used by several rules is computed once), and runs
the aggregates in parallel; one query per rule costs ~1.6x more (see
shared/notes/engines.md). Everything that can be decided from the schema alone
(unknown columns, wrong dtypes, bad regexes, ``dtype`` and ``column_exists``
rules) is decided here, before any data is read, so a broken rule becomes an
``ERROR`` result instead of failing the fused query for every rule.

Each data rule compiles to a *failure mask*: a boolean row expression that is
True exactly for the rows the rule counts as failing, never null. Nulls are
folded in here, once, following the pinned semantics:

* ``not_null`` fails null rows and counts all rows.
* value checks (``unique``, ``between``, ``regex``, ``in_set``, ``max_length``,
  ``min_length``, ``expression``) ignore nulls: a null never fails and is not
  counted. ``unique`` fails every non-null row whose value occurs more than once.
  NaN is a value, not a null, and is outside every ``between`` range.
* ``expression`` fails rows where the SQL expression is false; a null result is
  unknown and ignored, as a SQL ``CHECK`` constraint treats it.

This module decides, per rule, what kind of work it is; the pieces live beside it:
the compiled form in :mod:`dq_polars._plan`, the value checks' masks in
:mod:`dq_polars._value_checks`, regex anchoring in :mod:`dq_polars._regex` and the
table-level checks in :mod:`dq_polars._table_checks`.
"""

from __future__ import annotations

from typing import Literal

import dq
import polars as pl

from dq_polars._errors import polars_message
from dq_polars._plan import Plan, RowRule, RuleProblem, error_result
from dq_polars._table_checks import (
    AGGREGATE_CHECKS,
    TableRuleProblem,
    compile_table_stat,
    schema_verdict,
)
from dq_polars._value_checks import VALUE_COMPILERS

#: Every check dq defines; the null-ignoring ones are dq.NULL_IGNORING_CHECKS (docs/rules.md).
SUPPORTED_CHECKS = (
    dq.NULL_IGNORING_CHECKS
    | AGGREGATE_CHECKS
    | {"not_null", "row_count", "dtype", "column_exists", "schema", "reference"}
)


#: The polars engines dq-polars runs queries on.
PolarsEngineName = Literal["in-memory", "streaming"]


def col(name: str, schema: pl.Schema) -> pl.Expr:
    """``pl.col`` for a name, even one polars would read as a regex (``^a$``)."""
    if name.startswith("^") and name.endswith("$"):
        by_position = pl.nth(list(schema).index(name))
        return by_position if isinstance(by_position, pl.Expr) else by_position.as_expr()
    return pl.col(name)


def _expression(rule: dq.Expression, lf: pl.LazyFrame) -> pl.Expr:
    """Parse and type-check the SQL on an empty frame of the data's schema before trusting
    it (built from the schema, so the source is not touched: polars < 1.34 would run even
    ``head(0)`` through the scan)."""
    try:
        expr = pl.sql_expr(rule.expression)
        empty = pl.DataFrame(schema=lf.collect_schema()).lazy()
        probe = empty.select(expr.alias("__dq_probe")).collect(engine="in-memory")
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError) as exc:
        raise RuleProblem(
            f"cannot evaluate expression {rule.expression!r}: {polars_message(str(exc))}"
        ) from exc
    dtype = probe.schema["__dq_probe"]
    if dtype != pl.Boolean:
        raise RuleProblem(f"expression {rule.expression!r} gives {dtype}, not a Boolean per row")
    if probe.height != 0:
        raise RuleProblem(
            f"expression {rule.expression!r} aggregates the table; it must be a row condition"
        )
    return expr


def compile_rules(rules: dq.RuleSet, schema: pl.Schema, lf: pl.LazyFrame) -> Plan:
    """Turn every rule into a decided result, a row rule, or a table rule."""
    plan = Plan()
    for index, rule in enumerate(rules.rules):
        try:
            _compile_one(plan, index, rule, schema, lf)
        except RuleProblem as problem:
            plan.decided[index] = error_result(rule, str(problem))
    return plan


def _compile_one(
    plan: Plan, index: int, rule: dq.Rule, schema: pl.Schema, lf: pl.LazyFrame
) -> None:
    check = rule.check
    if check not in SUPPORTED_CHECKS:
        plan.decided[index] = dq.make_result(
            rule,
            dq.RuleStatus.UNSUPPORTED,
            f"rule {rule.id!r}: dq-polars cannot evaluate check {check!r}",
        )
        return
    if check == "row_count":
        plan.table_rules.append(index)
        return
    if check == "schema":
        plan.decided[index] = schema_verdict(rule, schema)  # type: ignore[arg-type]
        return
    if check == "unique" and rule.columns:  # type: ignore[union-attr]
        plan.row_rules.append(_composite_unique(index, rule, schema))  # type: ignore[arg-type]
        return
    if check == "expression":
        condition = _expression(rule, lf)  # type: ignore[arg-type]
        # A null result is unknown, not false: ignored and not counted, like a null
        # under a value check (and like a SQL CHECK constraint).
        fail = condition.not_().fill_null(False)
        plan.row_rules.append(RowRule(index, rule, None, fail, condition.count(), None))
        return
    name: str = rule.column  # type: ignore[union-attr]
    if check == "column_exists":
        present = name in schema
        message = f"column {name!r} is present" if present else _missing(name, schema)
        status = dq.RuleStatus.PASSED if present else dq.RuleStatus.FAILED
        plan.decided[index] = dq.make_result(
            rule, status, message, failed_count=int(not present), element_count=1
        )
        return
    if name not in schema:
        raise RuleProblem(_missing(name, schema))
    dtype = schema[name]
    if check == "dtype":
        plan.decided[index] = _dtype_result(rule, dtype)  # type: ignore[arg-type]
        return
    x = col(name, schema)
    if check in AGGREGATE_CHECKS:
        try:
            plan.table_stats.append(compile_table_stat(index, rule, x, dtype))
        except TableRuleProblem as problem:
            raise RuleProblem(str(problem)) from None
        return
    # Python objects cannot be gathered into a sample list: show their row numbers.
    shown = None if dtype == pl.Object else x
    if check == "not_null":
        row_rule = RowRule(index, rule, name, x.is_null(), pl.len(), shown, sampled=False)
    elif check == "unique":
        row_rule = _unique(index, rule, name, x, dtype, shown)
    else:
        fail = VALUE_COMPILERS[check](rule, x, dtype)
        row_rule = RowRule(index, rule, name, fail, x.count(), shown)
    plan.row_rules.append(row_rule)


def _unique(
    index: int, rule: dq.Rule, name: str, x: pl.Expr, dtype: pl.DataType, shown: pl.Expr | None
) -> RowRule:
    """Rows in duplicate groups, counted by sorting instead of hashing every row.

    ``is_duplicated`` builds a hash table of every value: most of the cost of a whole
    rule set (0.87 s of 1.4 s at 10M shuffled Int64 rows). Sorting the non-null values
    and comparing neighbours gives the same count in 0.15 s: a value is duplicated
    exactly when it equals the one before or after it. Samples then need only the
    (usually few) duplicated values: the rows holding one, in row order. NaN equals
    NaN and 0.0 equals -0.0 both ways, so the counts agree. Types polars cannot sort
    (nested, Object) keep the hash-based mask.
    """
    fail = x.is_duplicated() & x.is_not_null()
    if isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object):
        return RowRule(index, rule, name, fail, x.count(), shown)
    ordered = x.drop_nulls().sort()
    repeated = (ordered == ordered.shift(1)).fill_null(False) | (
        ordered == ordered.shift(-1)
    ).fill_null(False)
    duplicated_values = ordered.filter(repeated).implode()
    return RowRule(
        index,
        rule,
        name,
        fail,
        x.count(),
        shown,
        failed=repeated.sum(),
        locate=x.is_in(duplicated_values).fill_null(False),
    )


def _composite_unique(index: int, rule: dq.Unique, schema: pl.Schema) -> RowRule:
    """Rows whose combination of values occurs more than once (docs/rules.md).

    A row is judged unless every key column is null; among judged rows null equals
    null (as SQL's GROUP BY and dbt's unique_combination_of_columns compare them) and
    NaN equals NaN. With one column this is exactly ``unique``. A sample shows the
    repeated combination.
    """
    for name in rule.columns:
        if name not in schema:
            raise RuleProblem(_missing(name, schema))
    xs = [col(name, schema) for name in rule.columns]
    combination = pl.struct(xs)
    judged = pl.any_horizontal([x.is_not_null() for x in xs])
    fail = combination.is_duplicated() & judged
    shown = None if any(schema[n] == pl.Object for n in rule.columns) else combination
    return RowRule(index, rule, None, fail, judged.sum(), shown)


def _missing(name: str, schema: pl.Schema) -> str:
    names = list(schema)
    shown = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
    return f"column {name!r} not found; the data has {shown or 'no columns'}"


def _dtype_result(rule: dq.DType, dtype: pl.DataType) -> dq.RuleResult:
    """Compare names: the full one (``Datetime(time_unit='us', ...)``) or the base one."""
    actual = str(dtype)
    wanted = "String" if rule.dtype == "Utf8" else rule.dtype  # polars' old name for String
    ok = wanted in {actual, dtype.base_type().__name__}
    message = f"column {rule.column!r} is {actual}" + ("" if ok else f", expected {rule.dtype}")
    status = dq.RuleStatus.PASSED if ok else dq.RuleStatus.FAILED
    return dq.make_result(rule, status, message, failed_count=int(not ok), element_count=1)
