"""The reference oracle: docs/rules.md transcribed as plainly as possible.

:func:`reference_check` is what every engine is compared with, so it is written to be
*obviously* right rather than fast: each rule is judged row by row in plain Python over the
column's values (``Series.to_list()``), one small function per check, each a near-literal
reading of its line in docs/rules.md. It deliberately shares no code with any engine and
uses no fused polars expressions, so a bug in an engine's expression building cannot hide
behind the same bug here.

Two places where the oracle leans on something else, on purpose:

* ``regex`` uses Python's :func:`re.fullmatch`. dq's dialect is Rust's (polars'), and the two
  disagree on some constructs (``\\w`` tables, look-around, possessive quantifiers...), so the
  strategies in :mod:`dq_contract.strategies` only generate patterns on which they agree
  (ASCII literals, ``.``, explicit classes, ``* + ? {m,n}``, groups, alternation).
* ``expression`` is SQL, which only a SQL engine can evaluate; the oracle runs it with
  ``polars.SQLContext`` and owns what dq adds on top: null results ignored, false rows failed,
  any error (parse, unknown column, non-boolean result) turned into an ERROR result.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import dq
import polars as pl

from dq_contract.reference_table import (
    NEW_TABLE_CHECKS,
    RuleUnevaluable,
    composite_unique,
    table_level,
    temporal_between_check,
)

#: Checks that judge the whole table once (element_count 1, failed_count 0 or 1, no mostly).
TABLE_LEVEL_CHECKS = frozenset({"row_count", "dtype", "column_exists"}) | NEW_TABLE_CHECKS
#: Checks whose samples are failing column values, compared exactly with the oracle.
#: (``not_null`` must have none; ``expression`` and table-level checks have no single value.)
SAMPLED_CHECKS = frozenset(
    {"unique", "between", "regex", "in_set", "max_length", "min_length", "reference"}
)
#: Checks that need a String column.
STRING_CHECKS = frozenset({"regex", "max_length", "min_length"})


class Unevaluable(Exception):
    """The rule cannot be evaluated against this frame; becomes an ERROR result."""


class OutOfScope(Exception):
    """The oracle does not model this case; becomes an UNSUPPORTED result (never a verdict)."""


def is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def value_key(value: object) -> object:
    """Equality key for values: NaN equals NaN (rules.md: unique treats NaNs as equal).

    Everything else keeps Python's equality, under which ``0.0 == -0.0`` and ``1 == 1.0``,
    as numbers compare.
    """
    return ("<NaN>",) if is_nan(value) else value


def distinct_in_order(values: Iterable[Any], limit: int | None = None) -> tuple[Any, ...]:
    """Distinct values (by :func:`value_key`) in order of first appearance, at most *limit*."""
    seen: set[object] = set()
    out: list[Any] = []
    for value in values:
        if limit is not None and len(out) >= limit:
            break
        key = value_key(value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return tuple(out)


def rule_passes(rule: Any, failed: int, element: int) -> bool:
    """The pass rule of docs/rules.md, literally (``mostly`` ignored for table-level checks)."""
    if rule.check in TABLE_LEVEL_CHECKS:
        return failed == 0
    if element == 0:
        return True
    return (element - failed) / element >= rule.mostly


def dtype_matches(observed: pl.DataType, wanted: str) -> bool:
    """``Datetime`` matches any unit and zone; ``Utf8`` means ``String``; else the exact name."""
    if wanted == "Utf8":
        wanted = "String"
    if wanted == "Datetime":
        return isinstance(observed, pl.Datetime)
    return str(observed) == wanted


# -- per-check judges: each returns (failed flags for the judged rows, their values) ------

Judged = tuple[list[bool], list[Any]]


def _non_null(values: Sequence[Any]) -> list[Any]:
    return [v for v in values if v is not None]


def _judge(values: Sequence[Any], fails: Callable[[Any], bool]) -> Judged:
    """Judge the non-null values only: rules.md, "value checks ignore nulls"."""
    kept = _non_null(values)
    return [fails(v) for v in kept], kept


def _unique(rule: Any, values: list[Any]) -> Judged:
    counts = Counter(value_key(v) for v in _non_null(values))
    return _judge(values, lambda v: counts[value_key(v)] > 1)


def _between(rule: Any, values: list[Any]) -> Judged:
    def fails(v: Any) -> bool:
        if is_nan(v):
            return True
        if rule.min is not None and (v < rule.min if rule.min_inclusive else v <= rule.min):
            return True
        if rule.max is not None and (v > rule.max if rule.max_inclusive else v >= rule.max):
            return True
        return False

    return _judge(values, fails)


def _regex(rule: Any, values: list[Any]) -> Judged:
    try:
        pattern = re.compile(rule.pattern)
    except re.error as exc:
        raise Unevaluable(f"invalid regex {rule.pattern!r}: {exc}") from None
    return _judge(values, lambda v: pattern.fullmatch(v) is None)


def _in_set(rule: Any, values: list[Any]) -> Judged:
    allowed = {value_key(x) for x in rule.values}
    return _judge(values, lambda v: value_key(v) not in allowed)


def _max_length(rule: Any, values: list[Any]) -> Judged:
    return _judge(values, lambda v: len(v) > rule.length)  # len(str): code points


def _min_length(rule: Any, values: list[Any]) -> Judged:
    return _judge(values, lambda v: len(v) < rule.length)


def reference_kind(dtype: pl.DataType) -> str:
    """What a reference compares: text with text, numbers with numbers, ... (rules.md)."""
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return "text"
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_numeric():
        return "number"
    if dtype.is_temporal():
        return f"{dtype.base_type().__name__} {getattr(dtype, 'time_zone', None)}"
    return f"other {dtype}"


def _reference(rule: Any, series: pl.Series) -> Judged:
    """A non-null value fails when no non-null value of the reference column equals it."""
    try:
        other = dq.reference_data(rule).collect()
    except dq.DqError as exc:
        raise Unevaluable(str(exc)) from None
    target = rule.dataset_column or rule.column
    if target not in other.columns:
        raise Unevaluable(f"column {target!r} not found in reference dataset {rule.dataset!r}")
    theirs = other.get_column(target)
    mine = reference_kind(series.dtype)
    if mine != reference_kind(theirs.dtype) or mine.startswith("other"):
        raise Unevaluable(f"{series.dtype} cannot be compared with {theirs.dtype}")
    allowed = {value_key(v) for v in theirs.to_list() if v is not None}
    return _judge(series.to_list(), lambda v: value_key(v) not in allowed)


_VALUE_JUDGES: dict[str, Callable[[Any, list[Any]], Judged]] = {
    "unique": _unique,
    "between": _between,
    "regex": _regex,
    "in_set": _in_set,
    "max_length": _max_length,
    "min_length": _min_length,
}


def _column(frame: pl.DataFrame, rule: Any) -> pl.Series:
    if rule.column not in frame.columns:
        raise Unevaluable(f"unknown column {rule.column!r} (columns: {', '.join(frame.columns)})")
    series = frame.get_column(rule.column)
    if rule.check in STRING_CHECKS and series.dtype != pl.String:
        raise Unevaluable(f"{rule.check} needs a String column, {rule.column!r} is {series.dtype}")
    if rule.check == "between":
        if series.dtype == pl.Duration or series.dtype.base_type() == pl.Duration:
            raise OutOfScope("the reference oracle does not judge between on Duration columns")
        temporal_between_check(rule, series.dtype)  # rules.md: bounds of the column's kind
    return series


def _expression(frame: pl.DataFrame, rule: Any) -> Judged:
    try:
        out = pl.SQLContext(frame=frame).execute(
            f"SELECT ({rule.expression}) AS dq_ok FROM frame", eager=True
        )
    except Exception as exc:  # noqa: BLE001 - any SQL fault means "cannot be evaluated"
        raise Unevaluable(f"invalid expression {rule.expression!r}: {exc}") from None
    series = out.to_series()
    if series.dtype not in (pl.Boolean, pl.Null) or out.height != frame.height:
        raise Unevaluable(f"expression {rule.expression!r} is not a row-level boolean")
    flags = [v is False for v in series.to_list() if v is not None]
    return flags, []  # no single failing value to sample


def _table_level(frame: pl.DataFrame, rule: Any) -> tuple[bool, str]:
    """(failed, what was observed) for the checks that judge the table once."""
    if rule.check == "row_count":
        n = frame.height
        bad = (rule.min is not None and n < rule.min) or (rule.max is not None and n > rule.max)
        return bad, f"{n} rows (expected {rule.min}..{rule.max})"
    if rule.check == "column_exists":
        present = rule.column in frame.columns
        return (not present), f"column {rule.column!r} is {'present' if present else 'missing'}"
    if rule.check in NEW_TABLE_CHECKS:
        return table_level(frame, rule)
    observed = _column(frame, rule).dtype
    return (not dtype_matches(observed, rule.dtype)), f"{rule.column!r} is {observed}"


def reference_rule(frame: pl.DataFrame, rule: Any, sample_size: int) -> dq.RuleResult:
    """The one result docs/rules.md prescribes for *rule* on *frame*."""
    base = {
        "rule_id": rule.id,
        "check": rule.check,
        "column": getattr(rule, "column", None),
        "severity": rule.severity,
    }
    try:
        if rule.check in TABLE_LEVEL_CHECKS:
            bad, observed = _table_level(frame, rule)
            status = dq.RuleStatus.FAILED if bad else dq.RuleStatus.PASSED
            return dq.RuleResult(
                **base, status=status, failed_count=int(bad), element_count=1, message=observed
            )
        samples: tuple[Any, ...] = ()
        if rule.check == "not_null":
            values = _column(frame, rule).to_list()
            failed, element = sum(v is None for v in values), len(values)
        elif rule.check == "expression":
            flags, _ = _expression(frame, rule)
            failed, element = sum(flags), len(flags)
        elif rule.check == "unique" and getattr(rule, "columns", ()):
            failed, element = composite_unique(frame, rule)  # samples: not compared
        elif rule.check in _VALUE_JUDGES or rule.check == "reference":
            if rule.check == "reference":
                flags, kept = _reference(rule, _column(frame, rule))
            else:
                flags, kept = _VALUE_JUDGES[rule.check](rule, _column(frame, rule).to_list())
            failed, element = sum(flags), len(flags)
            failing = (v for v, bad in zip(kept, flags, strict=True) if bad)
            # JSON-safe, as results carry them (a date sample is its ISO text)
            samples = tuple(dq.json_scalar(v) for v in distinct_in_order(failing, sample_size))
        else:
            raise OutOfScope(f"unknown check {rule.check!r}")
    except (Unevaluable, RuleUnevaluable) as exc:
        return dq.RuleResult(**base, status=dq.RuleStatus.ERROR, message=f"rule {rule.id}: {exc}")
    except OutOfScope as exc:
        return dq.RuleResult(
            **base, status=dq.RuleStatus.UNSUPPORTED, message=f"rule {rule.id}: {exc}"
        )
    passed = rule_passes(rule, failed, element)
    return dq.RuleResult(
        **base,
        status=dq.RuleStatus.PASSED if passed else dq.RuleStatus.FAILED,
        failed_count=failed,
        element_count=element,
        message=f"{failed} of {element} rows failed",
        samples=samples,
    )


def reference_check(frame: pl.DataFrame | pl.LazyFrame, rules: dq.RuleSet) -> dq.CheckResult:
    """Judge *frame* against *rules* exactly as docs/rules.md says: the contract's oracle."""
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    results = tuple(reference_rule(frame, rule, rules.sample_size) for rule in rules.rules)
    return dq.CheckResult(
        status=dq.run_status(results, rules.gate),
        engine="reference",
        results=results,
        row_count=frame.height,
    )
