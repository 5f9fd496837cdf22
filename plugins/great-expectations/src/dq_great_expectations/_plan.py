"""Planning: each dq rule becomes one GX expectation, or a verdict GX is not needed for.

A rule the schema already decides (``dtype``; a missing column; a shape this
adapter does not translate) gets its result here, without GX. Every other rule
becomes a :class:`Planned`: how to build its GX expectation, and how NaN rows of
its column must be corrected afterwards (the corrections are explained in
:mod:`dq_great_expectations._engine`). Type mismatches between a rule and its
column (``in_set`` numbers for a String column, ``regex`` on a number) are the
user's mistake and raise :class:`RuleProblem`, which the engine turns into that
rule's ERROR.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dq
import polars as pl

from dq_great_expectations import _regex

#: Value checks (nulls are neither counted nor failed): dq's, less ``expression``.
VALUE_CHECKS = dq.NULL_IGNORING_CHECKS - {"expression"}
TABLE_CHECKS = frozenset({"row_count", "dtype", "column_exists"})
SUPPORTED_CHECKS = frozenset(VALUE_CHECKS | TABLE_CHECKS | {"not_null"})
_UNSUPPORTED_WHY = {
    "expression": "GX has no counterpart of dq's polars-SQL row expressions",
}
#: The key of each expectation's ``meta`` that leads GX's result back to its rule.
META_KEY = "dq_rule_index"
#: Integers up to this magnitude are exact as float64.
_EXACT_FLOAT_INT = 2**53


class RuleProblem(Exception):
    """A rule that cannot be evaluated on this data; becomes an ERROR result."""


# -- results -------------------------------------------------------------------------------


def error_result(rule: dq.Rule, problem: str) -> dq.RuleResult:
    """An ERROR result whose message names the rule, so a user finds it in the file."""
    return dq.make_result(rule, dq.RuleStatus.ERROR, f"rule {rule.id!r} ({rule.check}): {problem}")


def unsupported_result(rule: dq.Rule, why: str) -> dq.RuleResult:
    return dq.make_result(
        rule,
        dq.RuleStatus.UNSUPPORTED,
        f"rule {rule.id!r} ({rule.check}): dq-great-expectations cannot evaluate it: {why}",
    )


# -- the plan: one GX expectation per rule that needs the data ------------------------------


@dataclass(frozen=True, slots=True)
class Planned:
    """A rule sent to GX, and how to turn GX's answer back into dq's."""

    index: int
    rule: dq.Rule
    #: ``gxe`` (the ``great_expectations.expectations`` module) -> an expectation.
    build: Callable[[Any], Any]
    #: How NaN rows of the column count for dq (see :mod:`dq_great_expectations._engine`).
    nan: str = "none"  # none | not_null | fail | unique | member
    approximate: tuple[str, ...] = ()

    @property
    def column(self) -> str | None:
        return getattr(self.rule, "column", None)


def missing_column(name: str, schema: pl.Schema) -> str:
    names = list(schema)
    shown = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
    return f"column {name!r} not found; the data has {shown or 'no columns'}"


def _is_string(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def _meta(index: int) -> dict[str, Any]:
    return {META_KEY: index}


def plan_rule(index: int, rule: dq.Rule, schema: pl.Schema) -> Planned | dq.RuleResult:
    """Turn *rule* into a GX expectation, or decide it from the schema alone."""
    check = rule.check
    meta = _meta(index)
    if check not in SUPPORTED_CHECKS:
        return unsupported_result(rule, _UNSUPPORTED_WHY.get(check, f"unknown check {check!r}"))
    beyond = _beyond_translation(rule, schema)
    if beyond is not None:
        status, why = beyond
        return dq.make_result(rule, status, f"rule {rule.id!r} {why}")
    if isinstance(rule, dq.RowCount):
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectTableRowCountToBeBetween(
                min_value=rule.min, max_value=rule.max, meta=meta
            ),
        )
    name: str = rule.column  # type: ignore[union-attr]
    if isinstance(rule, dq.ColumnExists):
        return Planned(index, rule, lambda gxe: gxe.ExpectColumnToExist(column=name, meta=meta))
    if name not in schema:
        raise RuleProblem(missing_column(name, schema))
    dtype = schema[name]
    if isinstance(rule, dq.DType):
        return _dtype_result(rule, dtype)
    floating = dtype.is_float()
    if isinstance(rule, dq.NotNull):
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectColumnValuesToNotBeNull(column=name, meta=meta),
            nan="not_null" if floating else "none",
        )
    if isinstance(rule, dq.Unique):
        if dtype.is_nested() or dtype == pl.Object:
            return unsupported_result(
                rule, f"GX (pandas) cannot compare {dtype} values for duplicates"
            )
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectColumnValuesToBeUnique(column=name, meta=meta),
            nan="unique" if floating else "none",
        )
    if isinstance(rule, dq.Between):
        if not dtype.is_numeric():
            raise RuleProblem(f"between needs a numeric column, but {name!r} is {dtype}")
        huge = [
            b
            for b in (rule.min, rule.max)
            if b is not None and math.isfinite(b) and abs(b) > _EXACT_FLOAT_INT
        ]
        approximate = (
            (f"bound {huge[0]!r} lies beyond 2**53; GX/pandas compares it as a float",)
            if huge and dtype.is_integer()
            else ()
        )
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectColumnValuesToBeBetween(
                column=name,
                min_value=rule.min,
                max_value=rule.max,
                strict_min=not rule.min_inclusive,
                strict_max=not rule.max_inclusive,
                meta=meta,
            ),
            nan="fail" if floating else "none",
            approximate=approximate,
        )
    if isinstance(rule, dq.Regex):
        _require_string(rule, dtype)
        prepared = _regex.prepare(rule.pattern)
        if prepared.error:
            raise RuleProblem(prepared.error)
        if prepared.unsupported:
            return unsupported_result(rule, prepared.unsupported)
        python = prepared.python
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectColumnValuesToMatchRegex(column=name, regex=python, meta=meta),
            approximate=tuple(f"regex dialect: {r}" for r in prepared.approximate),
        )
    if isinstance(rule, dq.InSet):
        values, nan_member = _in_set_values(rule, dtype)
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectColumnValuesToBeInSet(column=name, value_set=values, meta=meta),
            nan=("member" if nan_member else "fail") if floating else "none",
        )
    if isinstance(rule, dq.MaxLength | dq.MinLength):
        _require_string(rule, dtype)
        bounds = (
            {"max_value": rule.length}
            if isinstance(rule, dq.MaxLength)
            else {"min_value": rule.length}
        )
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectColumnValueLengthsToBeBetween(column=name, meta=meta, **bounds),
        )
    raise AssertionError(f"unhandled supported check {check!r}")  # pragma: no cover


def _require_string(rule: dq.Rule, dtype: pl.DataType) -> None:
    if not _is_string(dtype):
        column = getattr(rule, "column", None)
        raise RuleProblem(f"{rule.check} needs a String column, but {column!r} is {dtype}")


def _in_set_values(rule: dq.InSet, dtype: pl.DataType) -> tuple[list[Any], bool]:
    """The set typed like the column (as dq-polars does), and whether it holds NaN.

    A list of the wrong kind for the column (numbers for a String column) is a
    RuleProblem, as it is surely a mistake; for an integer column, non-integral
    numbers can equal no value and are dropped.
    """
    values = list(rule.values)

    def require(ok: Callable[[object], bool], kind: str) -> None:
        wrong = [v for v in values if not ok(v)]
        if wrong:
            shown = ", ".join(repr(v) for v in wrong[:5])
            raise RuleProblem(
                f"in_set values must be {kind} for column {rule.column!r} ({dtype}); got {shown}"
            )

    if _is_string(dtype):
        require(lambda v: isinstance(v, str), "strings")
        return values, False
    if dtype == pl.Boolean:
        require(lambda v: isinstance(v, bool), "booleans")
        return values, False
    if dtype.is_integer() or dtype.is_float():
        require(lambda v: isinstance(v, int | float) and not isinstance(v, bool), "numbers")
        nan_member = any(isinstance(v, float) and math.isnan(v) for v in values)
        numbers = [v for v in values if not (isinstance(v, float) and math.isnan(v))]
        if dtype.is_integer():
            integral = [int(v) for v in numbers if isinstance(v, int) or float(v).is_integer()]
            # a value the column's type cannot hold can equal no value of it
            return [v for v in integral if _fits(v, dtype)], False
        if dtype == pl.Float32:
            # compare as polars does, in the column's precision (0.1 means float32(0.1));
            # the column itself reaches pandas widened, exactly, to float64
            members = pl.Series(numbers, dtype=pl.Float64).cast(pl.Float32).cast(pl.Float64)
            return [float(v) for v in members.to_list()], nan_member
        return [float(v) for v in numbers], nan_member
    raise RuleProblem(
        f"in_set needs a String, Boolean or numeric column, but {rule.column!r} is {dtype}"
    )


def _fits(value: int, dtype: pl.DataType) -> bool:
    try:
        return pl.Series([value], dtype=pl.Int128).cast(dtype, strict=False).null_count() == 0
    except (pl.exceptions.PolarsError, OverflowError, ValueError):
        return False


def _dtype_result(rule: dq.DType, dtype: pl.DataType) -> dq.RuleResult:
    """Decided from the polars schema: GX only sees the pandas dtypes after conversion.

    Matches the full name (``Datetime(time_unit='us', time_zone=None)``) or the base
    name (``Datetime``: any unit and zone); ``Utf8`` means ``String``.
    """
    actual = str(dtype)
    wanted = "String" if rule.dtype == "Utf8" else rule.dtype
    ok = wanted in {actual, dtype.base_type().__name__}
    message = f"column {rule.column!r} is {actual}" + ("" if ok else f", expected {rule.dtype}")
    status = dq.RuleStatus.PASSED if ok else dq.RuleStatus.FAILED
    return dq.make_result(rule, status, message, failed_count=int(not ok), element_count=1)


def _beyond_translation(rule: dq.Rule, schema: pl.Schema) -> tuple[dq.RuleStatus, str] | None:
    """Rule shapes of dq-core 1.3 that dq-great-expectations does not translate, or None."""
    column = getattr(rule, "column", None)
    dtype = str(schema[column]) if column is not None and column in schema else None
    return dq.unsupported_1_3_shape(rule, dtype, engine="dq-great-expectations")
