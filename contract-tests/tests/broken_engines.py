"""Deliberately broken engines: each breaks exactly one pinned rule of docs/rules.md.

A contract is only as good as what it catches (DESIGN.md §4). Each class here subclasses the
correct TrivialEngine and overrides one method with a mistake a real engine author could
plausibly make; tests/test_broken_engines.py runs the whole contract against each and
asserts that it fails, and in the test that pins the broken rule.
"""

from __future__ import annotations

from typing import Any

import attrs
import dq
import polars as pl
from dq_contract.trivial import TrivialEngine


class NullsPassNotNull(TrivialEngine):
    """not_null that lets nulls through (as if it only looked at non-null rows)."""

    def fails(self, frame: pl.DataFrame, rule: Any, col: pl.Expr) -> pl.Expr:
        if rule.check == "not_null":
            return pl.lit(False)
        return super().fails(frame, rule, col)


class UniqueCountsExtraOccurrences(TrivialEngine):
    """unique that counts n-1 failures per group of n (rows *after* the first)."""

    def fails(self, frame: pl.DataFrame, rule: Any, col: pl.Expr) -> pl.Expr:
        if rule.check == "unique":
            return col.is_duplicated() & ~col.is_first_distinct()
        return super().fails(frame, rule, col)


class NanAsNullInBetween(TrivialEngine):
    """between that turns NaN into null first, so NaN is ignored instead of failed."""

    def row_level(self, frame: pl.DataFrame, rule: Any, sample_size: int) -> Any:
        if rule.check == "between" and rule.column in frame.columns:
            if frame.schema[rule.column].is_float():
                frame = frame.with_columns(pl.col(rule.column).fill_nan(None))
        return super().row_level(frame, rule, sample_size)


class UnsupportedAsPassed(TrivialEngine):
    """Declares no regex support, then reports regex (and unknown checks) as PASSED."""

    def __init__(self) -> None:
        super().__init__(supported_checks=set(dq.CHECKS) - {"regex"})

    def rule_result(self, frame: pl.DataFrame, rule: Any, sample_size: int) -> dq.RuleResult:
        result = super().rule_result(frame, rule, sample_size)
        if result.status is dq.RuleStatus.UNSUPPORTED:
            return dq.RuleResult(
                rule_id=rule.id,
                check=rule.check,
                column=result.column,
                severity=rule.severity,
                status=dq.RuleStatus.PASSED,
            )
        return result


class ByteLengths(TrivialEngine):
    """Length checks that count UTF-8 bytes instead of characters."""

    def fails(self, frame: pl.DataFrame, rule: Any, col: pl.Expr) -> pl.Expr:
        if rule.check == "max_length":
            return col.str.len_bytes() > rule.length
        if rule.check == "min_length":
            return col.str.len_bytes() < rule.length
        return super().fails(frame, rule, col)


class UnanchoredAlternation(TrivialEngine):
    """regex anchored as ``^pattern$`` without a group, so ``a|b`` means ``^a`` or ``b$``."""

    def fails(self, frame: pl.DataFrame, rule: Any, col: pl.Expr) -> pl.Expr:
        if rule.check == "regex":
            return ~col.str.contains(f"^{rule.pattern}$")
        return super().fails(frame, rule, col)


class AnchoringMendsBrokenPatterns(TrivialEngine):
    """regex that only compiles the anchored pattern, so `a)|(b` runs as `^(?:a)|(b)$`."""

    def fails(self, frame: pl.DataFrame, rule: Any, col: pl.Expr) -> pl.Expr:
        if rule.check == "regex":
            return ~col.str.contains(f"^(?:{rule.pattern})$")
        return super().fails(frame, rule, col)


class SamplesIgnoreSampleSizeZero(TrivialEngine):
    """Treats sample_size=0 as "use the default", leaking values that must stay put."""

    def row_level(self, frame: pl.DataFrame, rule: Any, sample_size: int) -> Any:
        return super().row_level(frame, rule, sample_size or 5)


class CrashesOnUnknownColumn(TrivialEngine):
    """Lets the lookup of a missing column escape as an exception."""

    def require_column(self, frame: pl.DataFrame, rule: Any) -> None:
        if rule.column not in frame.columns:
            raise KeyError(rule.column)
        super().require_column(frame, rule)


class DropsPassingResults(TrivialEngine):
    """Drops passing results, reporting only failures (an easy 'optimisation')."""

    def check(self, data: Any, rules: dq.RuleSet) -> dq.CheckResult:
        result = super().check(data, rules)
        kept = tuple(r for r in result.results if r.status is not dq.RuleStatus.PASSED)
        return dq.CheckResult(
            status=dq.run_status(kept, rules.gate),
            engine=self.name,
            results=kept,
            row_count=result.row_count,
        )


class CompositeUniqueSkipsPartialNulls(TrivialEngine):
    """Composite unique judging only rows with no null key (SQL UNIQUE), not rules.md's."""

    def row_level(self, frame: pl.DataFrame, rule: Any, sample_size: int) -> Any:
        if rule.check == "unique" and rule.columns:
            complete = frame.drop_nulls(list(rule.columns))
            key = pl.struct([pl.col(n) for n in rule.columns])
            failed = int(complete.select(key.is_duplicated().sum()).item())
            return failed, complete.height, ()
        return super().row_level(frame, rule, sample_size)


class PopulationStdDev(TrivialEngine):
    """stddev with ddof 0 (the population deviation) instead of the sample one."""

    def judged_table(self, frame: pl.DataFrame, rule: Any) -> dq.RuleResult:
        if rule.check == "stddev":
            values = frame.get_column(rule.column).drop_nulls().cast(pl.Float64)
            bad = int((~values.is_finite()).sum())
            std = values.std(ddof=0) if values.len() > 1 else None
            return dq.statistic_result(rule, std, values=values.len(), non_finite=bad)
        return super().judged_table(frame, rule)


class OneBasedSampleRows(TrivialEngine):
    """Sample rows numbered from 1, as a spreadsheet would, instead of 0-based row numbers."""

    def located(self, frame: pl.DataFrame, rule: Any, result: Any, rules: dq.RuleSet) -> Any:
        result = super().located(frame, rule, result, rules)
        shifted = tuple(
            dq.SampleRow(value=r.value, key=r.key, row=None if r.row is None else r.row + 1)
            for r in result.sample_rows
        )
        return attrs.evolve(result, sample_rows=shifted)


class ReferenceFailsNulls(TrivialEngine):
    """reference that judges nulls and fails them (a null is "not in" the reference)."""

    def row_terms(self, frame: pl.DataFrame, rule: Any) -> Any:
        frame, judged, fails, value = super().row_terms(frame, rule)
        if rule.check == "reference":
            judged, fails = pl.lit(True), fails.fill_null(True)
        return frame, judged, fails, value
