"""The checks that judge the whole table from a few aggregates, and between on dates.

``freshness`` (the newest value), ``mean``, ``stddev`` and ``quantile`` (a statistic,
how many values it was computed from, how many of them are not finite) each add a
few scalars to the fused ``select`` of :mod:`dq_polars._plan`, so they cost no
extra scan; ``schema`` is decided from the schema alone. The verdicts come from
dq-core (``dq.freshness_result``, ``dq.statistic_result``, ``dq.schema_result``) so
that every engine judges the same observation the same way.

``between`` on Date, Datetime and Time columns lives here too: its bounds are TOML
dates, date-times and times, which must be of the column's kind (docs/rules.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import dq
import polars as pl

#: Checks judged here from aggregates of the fused query.
STATISTIC_CHECKS = frozenset({"mean", "stddev", "quantile"})
AGGREGATE_CHECKS = STATISTIC_CHECKS | {"freshness"}


class TableRuleProblem(Exception):
    """The rule cannot be evaluated on this data (wrong column type ...)."""


@dataclass(frozen=True, slots=True)
class TableStat:
    """A table-level rule judged from scalars computed by the fused query."""

    index: int
    rule: dq.Rule
    exprs: tuple[pl.Expr, ...]
    #: (the scalars, in ``exprs`` order; the check's start time) -> the verdict
    verdict: Callable[[Sequence[Any], datetime], dq.RuleResult]

    @property
    def names(self) -> list[str]:
        return [f"__dq_stat_{self.index}_{k}" for k in range(len(self.exprs))]

    def aggregates(self) -> list[pl.Expr]:
        return [e.alias(n) for e, n in zip(self.exprs, self.names, strict=True)]

    def result(self, row: dict[str, Any], now: datetime) -> dq.RuleResult:
        return self.verdict([row[n] for n in self.names], now)


def compile_table_stat(index: int, rule: Any, x: pl.Expr, dtype: pl.DataType) -> TableStat:
    """The aggregates of a ``freshness``/``mean``/``stddev``/``quantile`` rule."""
    if rule.check == "freshness":
        if not isinstance(dtype, pl.Date | pl.Datetime):
            raise TableRuleProblem(
                f"freshness needs a Date or Datetime column, but {rule.column!r} is {dtype}"
            )
        return TableStat(
            index, rule, (x.max(),), lambda v, now: dq.freshness_result(rule, v[0], now)
        )
    if not dtype.is_numeric():
        raise TableRuleProblem(
            f"{rule.check} needs a numeric column, but {rule.column!r} is {dtype}"
        )
    number = x.cast(pl.Float64) if isinstance(dtype, pl.Decimal) else x
    if rule.check == "mean":
        statistic = number.mean()
    elif rule.check == "stddev":
        statistic = number.std(ddof=1)
    else:
        statistic = number.quantile(rule.quantile, interpolation="linear")
    non_finite = (~number.is_finite()).sum() if dtype.is_float() else pl.lit(0)
    return TableStat(
        index,
        rule,
        (statistic, x.count(), non_finite),
        lambda v, _now: dq.statistic_result(rule, v[0], values=v[1], non_finite=v[2]),
    )


def schema_verdict(rule: dq.Schema, schema: pl.Schema) -> dq.RuleResult:
    return dq.schema_result(rule, {name: str(dtype) for name, dtype in schema.items()})


# -- between on dates, date-times and times ----------------------------------------------


def temporal_bounds(rule: dq.Between, dtype: pl.DataType) -> tuple[Any, Any]:
    """The rule's bounds as literals comparable with a Date/Datetime/Time column.

    A bound must be of the column's kind (a date for Date, a date-time with an offset
    exactly when the column has a time zone, a time for Time): anything else is the
    problem every engine reports, from ``dq.between_bounds_problem``, never a silent
    conversion.
    """
    problem = dq.between_bounds_problem(rule, str(dtype))
    if problem:
        raise TableRuleProblem(problem)
    zone = getattr(dtype, "time_zone", None)
    if zone is None:
        return rule.min, rule.max
    # polars compares only Datetimes of one zone: the bound, as the same instant in it
    # (microseconds, the resolution of a TOML date-time, so no bound is rounded).
    target = pl.Datetime("us", zone)
    return tuple(None if b is None else pl.lit(b).cast(target) for b in (rule.min, rule.max))
