"""The verdicts of the table-level checks that need more than a row count.

``freshness``, ``schema``, ``mean``, ``stddev`` and ``quantile`` each judge the table
once (element_count 1). An engine computes only what its own engine is good at — the
newest value, the table's column types, a statistic and how many values it was computed
from — and hands it here, so every engine turns the same observation into the same
verdict and the same message (docs/rules.md pins the semantics; the engine contract
checks them). Nothing here reads data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from dq.checks._engine_kit import make_result
from dq.model._results import RuleResult, RuleStatus
from dq.model._rule_fields import bound_kind
from dq.model._rules import Freshness, Schema, SchemaMode


def _verdict(rule: Any, ok: bool, message: str) -> RuleResult:
    status = RuleStatus.PASSED if ok else RuleStatus.FAILED
    return make_result(rule, status, message, failed_count=int(not ok), element_count=1)


# -- freshness -----------------------------------------------------------------------------


def zone(name: str) -> tzinfo:
    """The IANA zone *name* (``UTC`` even on a machine without a zone database)."""
    return UTC if name.upper() == "UTC" else ZoneInfo(name)


def newest_instant(newest: date | datetime, timezone: str) -> datetime:
    """The instant a column's newest value stands for, as an aware datetime.

    An aware date-time is already an instant. A naive one is a wall-clock reading in the
    rule's ``timezone``. A date covers its whole day, so it stands for the *end* of that
    day (midnight starting the next day) in ``timezone``: data dated today is fresh all day.
    """
    if isinstance(newest, datetime):
        return newest if newest.tzinfo is not None else newest.replace(tzinfo=zone(timezone))
    next_day = newest + timedelta(days=1)
    return datetime.combine(next_day, time(0), tzinfo=zone(timezone))


def format_age(age: timedelta) -> str:
    """``1d 2h 3m``, to the second, never empty (``0s``)."""
    seconds = int(abs(age).total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts) or "0s"


def freshness_result(rule: Freshness, newest: date | datetime | None, now: datetime) -> RuleResult:
    """Fresh when the newest value is at most ``max_age`` older than *now* (aware, UTC).

    *newest* is the column's largest non-null value (None when it has none, which fails:
    nothing to judge is not fresh). *now* is the moment the check started; engines pass
    ``datetime.now(UTC)`` and tests pass a fixed instant. A value in the future passes
    (it is as new as can be); ``between`` with a ``max`` catches clocks that run ahead.
    """
    if newest is None:
        return _verdict(rule, False, f"column {rule.column!r} has no values: nothing is fresh")
    instant = newest_instant(newest, rule.timezone)
    age = now - instant
    limit = rule.max_age_delta
    ok = age <= limit
    if age < timedelta(0):
        when = f"{format_age(age)} in the future"
    else:
        when = f"{format_age(age)} old"
    shown = newest.isoformat()
    relation = "within" if ok else "older than"
    message = f"newest {rule.column!r} is {shown}, {when} ({relation} max_age {rule.max_age})"
    return _verdict(rule, ok, message)


# -- schema --------------------------------------------------------------------------------


def dtype_name_matches(actual: str, wanted: str) -> bool:
    """``dtype`` naming: the full polars name, or its base (``Datetime`` = any unit and zone).

    ``Utf8`` is polars' old name for ``String``. *actual* is ``str(polars dtype)``, or
    the same spelling from an engine that maps its own types to polars names.
    """
    wanted = "String" if wanted == "Utf8" else wanted
    return wanted in {actual, actual.split("(", 1)[0]}


def schema_result(rule: Schema, columns: Mapping[str, str]) -> RuleResult:
    """The table's columns (name -> polars type name) against the rule's.

    ``at_least``: every listed column exists with its type; others may exist too.
    ``exact``: additionally no other column exists (order is ignored).
    """
    missing = [name for name in rule.columns if name not in columns]
    mismatched = [
        f"{name!r} is {columns[name]}, expected {wanted}"
        for name, wanted in rule.columns.items()
        if name in columns and not dtype_name_matches(columns[name], wanted)
    ]
    extra = (
        [name for name in columns if name not in rule.columns]
        if rule.mode is SchemaMode.EXACT
        else []
    )
    problems = []
    if missing:
        problems.append("missing " + ", ".join(repr(n) for n in missing))
    if extra:
        problems.append("unexpected " + ", ".join(repr(n) for n in extra))
    problems.extend(mismatched)
    if not problems:
        return _verdict(rule, True, f"{len(rule.columns)} columns as listed ({rule.mode.value})")
    return _verdict(rule, False, f"schema ({rule.mode.value}): " + "; ".join(problems))


# -- mean, stddev, quantile ----------------------------------------------------------------


def _statistic_name(rule: Any) -> str:
    if rule.check == "quantile":
        return f"quantile {rule.quantile:g}"
    return rule.check


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal | int | float):
        return float(value)
    raise TypeError(f"a statistic must be a number, got {type(value).__name__}")


def statistic_result(
    rule: Any, value: float | Decimal | None, *, values: int, non_finite: int = 0
) -> RuleResult:
    """``mean``/``stddev``/``quantile`` from the statistic the engine computed.

    *values* is how many non-null values it was computed from and *non_finite* how many
    of them are NaN or ±inf. The statistic is undefined — and the rule fails, saying why —
    when there are no values (fewer than two for ``stddev``, the sample standard
    deviation), or when any value is not finite: IEEE arithmetic gives NaN or ±inf there
    and engines disagree on which, so dq pins "undefined" instead. Otherwise the bounds
    are inclusive.
    """
    name = _statistic_name(rule)
    needed = 2 if rule.check == "stddev" else 1
    if values < needed:
        what = "no values" if values == 0 else f"{values} value (needs {needed})"
        return _verdict(rule, False, f"{name} of {rule.column!r} is undefined: {what}")
    if non_finite:
        return _verdict(
            rule,
            False,
            f"{name} of {rule.column!r} is undefined: {non_finite} of {values} values are "
            "NaN or infinite",
        )
    number = _number(value)
    if number is None or math.isnan(number):
        return _verdict(rule, False, f"{name} of {rule.column!r} is undefined")
    low = rule.min is not None and number < rule.min
    high = rule.max is not None and number > rule.max
    bounds = f"[{'' if rule.min is None else f'{rule.min:.10g}'}, "
    bounds += f"{'' if rule.max is None else f'{rule.max:.10g}'}]"
    where = "below" if low else "above" if high else "within"
    message = f"{name} of {rule.column!r} is {number:.10g} ({values} values), {where} {bounds}"
    return _verdict(rule, not (low or high), message)


# -- between: do the bounds fit the column? ---------------------------------------------------

_KIND_OF_TYPE = {"Date": "date", "Datetime": "date-time", "Time": "time"}
_EXAMPLES = {
    "number": "0",
    "date": "2024-01-31",
    "date-time": "2024-01-31T00:00:00",
    "time": "08:30:00",
}


def between_bounds_problem(rule: Any, dtype: str) -> str | None:
    """Why *rule*'s bounds cannot be compared with a column of (polars) type *dtype*, or None.

    docs/rules.md: numbers for numeric columns, dates for Date, date-times for Datetime
    (with an offset exactly when the column has a time zone, when *dtype* is the full
    name that says so), times for Time. For engines that judge ``between`` on dates
    themselves, or that report it unsupported but must still report a mistaken rule as
    the ``error`` it is on every engine.
    """
    base = dtype.split("(", 1)[0]
    bounds = [b for b in (rule.min, rule.max) if b is not None]
    kind = bound_kind(bounds[0]) if bounds else "number"
    numeric = base.startswith(("Int", "UInt", "Float", "Decimal"))
    wanted = "number" if numeric else _KIND_OF_TYPE.get(base)
    if wanted is None:
        return (
            f"between needs a numeric, Date, Datetime or Time column, "
            f"but {rule.column!r} is {dtype}"
        )
    if kind != wanted:
        return (
            f"between on {base} column {rule.column!r} needs {wanted} bounds "
            f"(like {_EXAMPLES[wanted]}), not {kind}s"
        )
    if wanted == "date-time" and "time_zone=" in dtype:
        zoned = "time_zone=None" not in dtype
        aware = bounds[0].tzinfo is not None
        if zoned and not aware:
            return (
                f"column {rule.column!r} has a time zone: give min/max with an offset "
                "(2024-01-31T00:00:00Z or +01:00) so they are instants too"
            )
        if aware and not zoned:
            return (
                f"column {rule.column!r} has no time zone: give min/max without an offset "
                "(2024-01-31T00:00:00), read as the same wall-clock time"
            )
    return None


def unsupported_1_3_shape(
    rule: Any, column_dtype: str | None, *, engine: str
) -> tuple[RuleStatus, str] | None:
    """For an engine that checks only dq-core 1.2's rule shapes: (status, why) for a rule
    that uses a 1.3 shape, or None when the engine may run the rule as before.

    A composite ``unique`` (``columns``) is UNSUPPORTED, never run as a one-column unique.
    ``between`` with date/time bounds, or on a Date/Datetime/Time column, is the ERROR
    every engine reports for a bound of the wrong kind (:func:`between_bounds_problem`),
    else UNSUPPORTED. *column_dtype* is the polars type name of the rule's column (None
    when the column is missing: the engine reports that its own way).
    """
    if rule.check == "unique" and getattr(rule, "columns", ()):
        return RuleStatus.UNSUPPORTED, f"{engine} does not check unique over several columns"
    if rule.check != "between" or column_dtype is None:
        return None
    dated = any(bound_kind(b) != "number" for b in (rule.min, rule.max) if b is not None)
    if not (dated or column_dtype.split("(", 1)[0] in _KIND_OF_TYPE):
        return None
    problem = between_bounds_problem(rule, column_dtype)
    if problem:
        return RuleStatus.ERROR, f"({rule.check}): {problem}"
    if dated:
        return RuleStatus.UNSUPPORTED, f"{engine} does not check between on dates and times"
    return None
