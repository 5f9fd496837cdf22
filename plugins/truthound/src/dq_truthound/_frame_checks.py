"""The checks that are given the whole frame: row_count, column_exists, dtype and expression.

The table checks judge the table once (``element`` is 1), so ``mostly`` does not
apply to them; ``expression`` is a row condition over any columns, so it cannot
be given one column alone like the checks in :mod:`dq_truthound._column_checks`.
Like those, each handler takes the engine first, for its validators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dq
import polars as pl

from dq_truthound._outcome import Outcome, RuleProblem
from dq_truthound._truthound import COMMON_OPTIONS, count_issues, run_validator
from dq_truthound._wording import format_bound, missing_column, polars_message

if TYPE_CHECKING:
    from dq_truthound._engine import TruthoundEngine

#: The row-number column an expression's samples are taken from.
ROW = "__dq_row"


def check_expression(engine: TruthoundEngine, rule: dq.Expression, frame: pl.DataFrame) -> Outcome:
    """truthound's custom-expression validator on the polars-SQL expression; it
    sums ``~expr``, so null results are ignored, as dq's rule says."""
    try:
        expr = pl.sql_expr(rule.expression)
        probe = frame.head(0).lazy().select(expr.alias("__dq_probe")).collect()
    except Exception as exc:
        raise RuleProblem(
            f"cannot evaluate expression {rule.expression!r}: {polars_message(exc)}"
        ) from exc
    dtype = probe.schema["__dq_probe"]
    if dtype != pl.Boolean:
        raise RuleProblem(f"expression {rule.expression!r} gives {dtype}, not a Boolean")
    if probe.height != 0:
        raise RuleProblem(
            f"expression {rule.expression!r} aggregates the table; it must be a row condition"
        )
    validator = engine.th.CustomExpressionValidator(
        filter_expr=expr, description=rule.expression, **COMMON_OPTIONS
    )
    failed = count_issues(run_validator(validator, frame.lazy()))
    element = int(frame.select(expr.is_not_null().sum()).item())
    numbered = frame.with_row_index(ROW)
    return Outcome(
        failed,
        element,
        f"{failed} of {element} rows (with a non-null result) fail {rule.expression!r}",
        numbered,
        expr.not_(),
        pl.col(ROW),
    )


def check_row_count(engine: TruthoundEngine, rule: dq.RowCount, frame: pl.DataFrame) -> Outcome:
    issues = run_validator(
        engine.th.RowCountValidator(min_count=rule.min, max_count=rule.max, **COMMON_OPTIONS),
        frame.lazy(),
    )
    bounds = f"[{format_bound(rule.min, '0')}, {format_bound(rule.max, 'inf')}]"
    failed = int(bool(issues))
    verdict = "outside" if failed else "within"
    return Outcome(failed, 1, f"the table has {frame.height} rows, {verdict} {bounds}")


def check_column_exists(
    engine: TruthoundEngine, rule: dq.ColumnExists, frame: pl.DataFrame
) -> Outcome:
    issues = run_validator(
        engine.th.ColumnExistsValidator(columns=[rule.column], **COMMON_OPTIONS), frame.lazy()
    )
    if issues:
        return Outcome(1, 1, missing_column(rule.column, frame.schema))
    return Outcome(0, 1, f"column {rule.column!r} is present")


def check_dtype(engine: TruthoundEngine, rule: dq.DType, frame: pl.DataFrame) -> Outcome:
    """truthound's column-type validator compares polars type classes, so
    ``Datetime`` matches any unit and zone and ``Utf8`` is ``String``. A fully
    written type (``Datetime(time_unit='ms', time_zone=None)``) must also match
    polars' own spelling of the column's type."""
    if rule.column not in frame.schema:
        raise RuleProblem(missing_column(rule.column, frame.schema))
    base = rule.dtype.split("(", 1)[0].strip()
    expected = getattr(pl, base, None)
    if not (isinstance(expected, type) and issubclass(expected, pl.DataType)):
        raise RuleProblem(f"unknown polars dtype {rule.dtype!r}")
    issues = run_validator(
        engine.th.ColumnTypeValidator(expected_types={rule.column: expected}, **COMMON_OPTIONS),
        frame.lazy(),
    )
    actual = frame.schema[rule.column]
    ok = not issues and ("(" not in rule.dtype or str(actual) == rule.dtype)
    message = f"column {rule.column!r} is {actual}" + ("" if ok else f", expected {rule.dtype}")
    return Outcome(int(not ok), 1, message)
