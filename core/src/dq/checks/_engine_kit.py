"""Helpers every engine needs to report results the same way.

The rule semantics (docs/rules.md) leave each engine only the counting; how a
count becomes a verdict, a message and samples is the same for all of them, so
it lives here rather than in four copies that could drift apart. Engines are
free not to use these, but then the contract is what keeps them honest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from dq.model._errors import UsageError
from dq.model._rates import percent
from dq.model._results import RuleResult, RuleStatus, Scalar
from dq.model._rules import RowCount, RuleSet

#: Checks that ignore nulls: their element count is the non-null rows.
NULL_IGNORING_CHECKS = frozenset(
    {"unique", "between", "regex", "in_set", "max_length", "min_length", "expression"}
)


#: Checks whose unit is a non-null value (for the wording of messages): the null-ignoring
#: row checks, and ``reference``, which engines opt into one by one (so it is not in
#: NULL_IGNORING_CHECKS, from which engines build what they claim to support).
_VALUE_CHECKS = NULL_IGNORING_CHECKS | {"reference"}


def rule_passes(failed: int, elements: int, mostly: float) -> bool:
    """The passing share of judged elements is at least ``mostly``; nothing judged passes.

    ``(elements - failed) / elements`` is correctly rounded, so a share equal to
    ``mostly`` in decimal (9/10 vs 0.9) compares equal.
    """
    if elements == 0:
        return True
    return (elements - failed) / elements >= mostly


def make_result(
    rule: Any,
    status: RuleStatus,
    message: str = "",
    *,
    failed_count: int = 0,
    element_count: int = 0,
    samples: tuple[Scalar, ...] = (),
    approximate: bool = False,
) -> RuleResult:
    """A RuleResult carrying the rule's identity (id, check, column, severity)."""
    return RuleResult(
        rule_id=rule.id,
        check=rule.check,
        column=getattr(rule, "column", None),
        status=status,
        severity=rule.severity,
        message=message,
        failed_count=failed_count,
        element_count=element_count,
        samples=samples,
        approximate=approximate,
        description=getattr(rule, "description", ""),
    )


def judge(rule: Any, failed: int, elements: int, *, samples: tuple[Scalar, ...] = ()) -> RuleResult:
    """The verdict on a row-level rule from its counts, with the standard message."""
    ok = rule_passes(failed, elements, rule.mostly)
    unit = "non-null rows" if rule.check in _VALUE_CHECKS else "rows"
    if failed == 0:
        message = f"all {elements} {unit} passed"
    else:
        message = f"{failed} of {elements} {unit} failed ({percent(failed, elements)})"
        if rule.mostly < 1.0:
            relation = "meets" if ok else "is below"
            message += f"; passing share {percent(elements - failed, elements)} {relation} mostly"
            message += f" {rule.mostly:.2%}"
    status = RuleStatus.PASSED if ok else RuleStatus.FAILED
    return make_result(
        rule, status, message, failed_count=failed, element_count=elements, samples=samples
    )


def row_count_result(rule: RowCount, rows: int) -> RuleResult:
    """The table-level verdict of a ``row_count`` rule: one element, failed or not."""
    too_few = rule.min is not None and rows < rule.min
    too_many = rule.max is not None and rows > rule.max
    ok = not (too_few or too_many)
    bounds = f"[{'' if rule.min is None else rule.min}, {'' if rule.max is None else rule.max}]"
    message = f"{rows} rows" + (" within " if ok else " outside ") + bounds
    status = RuleStatus.PASSED if ok else RuleStatus.FAILED
    return make_result(rule, status, message, failed_count=int(not ok), element_count=1)


def json_scalar(value: Any) -> Scalar:
    """A JSON-safe sample value: dates, decimals, lists ... are shown as their string."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _sample_key(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    try:
        hash(value)
    except TypeError:
        return ("repr", repr(value))
    return (type(value).__name__, value)


def distinct_samples(values: Iterable[Any], limit: int) -> tuple[Scalar, ...]:
    """The first *limit* distinct values, JSON-safe, in the order given (NaN equals NaN)."""
    samples: list[Scalar] = []
    if limit <= 0:
        return ()
    seen: set[Any] = set()
    for value in values:
        key = _sample_key(value)
        if key in seen:
            continue
        seen.add(key)
        samples.append(json_scalar(value))
        if len(samples) == limit:
            break
    return tuple(samples)


def refuse_missing_key(rules: RuleSet, columns: Iterable[str]) -> None:
    """One line (exit 2) naming a key column the data lacks, for an engine that locates rows.

    An engine calls it with the data's columns before its scan, so a wrong key costs no
    read. Refused rather than replaced by row numbers: a sample that quietly changed
    meaning would send people to the wrong rows.
    """
    there = list(columns)
    missing = [name for name in getattr(rules, "key", ()) if name not in there]
    if missing:
        shown = ", ".join(repr(n) for n in there[:20]) + (" ..." if len(there) > 20 else "")
        raise UsageError(
            f"key: column {missing[0]!r} not found; the data has {shown or 'no columns'} "
            "(fix the rule set's key = [...] or remove it to sample row numbers)"
        )
