"""The oracle's reading of between on dates, composite unique, freshness, schema and statistics.

Plain Python over ``Series.to_list()``, one small function per docs/rules.md section, sharing
no code with any engine (the verdict wording aside: the oracle's messages are its own).
Used by :mod:`dq_contract.reference`.

Known limit: ``to_list()`` gives Python datetimes, which hold microseconds, so a nanosecond
``Datetime`` column is judged at microsecond precision here; the contract's cases and
strategies use microsecond data.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

#: The table-level checks this module judges.
NEW_TABLE_CHECKS = frozenset({"freshness", "schema", "mean", "stddev", "quantile"})


class RuleUnevaluable(Exception):
    """The rule cannot be evaluated against this frame (an ERROR result)."""


def is_variant(rule: Any) -> bool:
    """A shape an engine may report UNSUPPORTED even though it supports the check itself.

    dq-core 1.3 added composite ``unique`` (``columns``) and ``between`` with date/time
    bounds to existing checks; an engine that declares ``unique``/``between`` from before
    may not know these shapes. UNSUPPORTED is honest (it counts against the gate); a
    verdict must still be right.
    """
    if rule.check == "unique":
        return bool(getattr(rule, "columns", ()))
    if rule.check == "between":
        return any(isinstance(b, date | time) for b in (rule.min, rule.max))
    return False


# -- between on dates, date-times and times ------------------------------------------------


def _bound_kind(value: Any) -> str:
    if isinstance(value, datetime):
        return "date-time"
    if isinstance(value, date):
        return "date"
    if isinstance(value, time):
        return "time"
    return "number"


def temporal_between_check(rule: Any, dtype: pl.DataType) -> None:
    """Raise RuleUnevaluable when the bounds are not of the column's kind (rules.md)."""
    kinds = {pl.Date: "date", pl.Datetime: "date-time", pl.Time: "time"}
    wanted = "number" if dtype.is_numeric() else kinds.get(dtype.base_type())  # type: ignore[call-overload]
    if wanted is None:
        raise RuleUnevaluable(f"between needs a numeric or temporal column, not {dtype}")
    bound = rule.min if rule.min is not None else rule.max
    if _bound_kind(bound) != wanted:
        raise RuleUnevaluable(f"between on {dtype} needs {wanted} bounds, not {bound!r}")
    if wanted == "date-time":
        zoned = dtype.time_zone is not None  # type: ignore[attr-defined]
        if zoned != (bound.tzinfo is not None):
            raise RuleUnevaluable(f"{dtype} and bound {bound!r} differ in having a time zone")


# -- composite unique -----------------------------------------------------------------------


def _key(value: object) -> object:
    return ("<NaN>",) if isinstance(value, float) and math.isnan(value) else value


def composite_unique(frame: pl.DataFrame, rule: Any) -> tuple[int, int]:
    """(failed, judged): rows whose combination repeats; all-null rows are not judged."""
    for name in rule.columns:
        if name not in frame.columns:
            raise RuleUnevaluable(f"unknown column {name!r}")
    rows = zip(*(frame.get_column(n).to_list() for n in rule.columns), strict=True)
    judged = [tuple(_key(v) for v in row) for row in rows if any(v is not None for v in row)]
    counts = Counter(judged)
    return sum(1 for k in judged if counts[k] > 1), len(judged)


# -- table-level: freshness, schema, statistics ----------------------------------------------


def _zone(name: str) -> tzinfo:
    return UTC if name.upper() == "UTC" else ZoneInfo(name)


def _freshness(rule: Any, series: pl.Series) -> tuple[bool, str]:
    if not (series.dtype == pl.Date or isinstance(series.dtype, pl.Datetime)):
        raise RuleUnevaluable(f"freshness needs a Date or Datetime column, not {series.dtype}")
    values = [v for v in series.to_list() if v is not None]
    if not values:
        return True, "no values"
    newest = max(values)
    if isinstance(newest, datetime):
        instant = newest if newest.tzinfo else newest.replace(tzinfo=_zone(rule.timezone))
    else:  # a date lasts until the end of its day
        instant = datetime.combine(newest + timedelta(days=1), time(0), tzinfo=_zone(rule.timezone))
    age = datetime.now(UTC) - instant
    return age > rule.max_age_delta, f"newest {newest}, age {age}"


def _dtype_matches(observed: pl.DataType, wanted: str) -> bool:
    wanted = "String" if wanted == "Utf8" else wanted
    return wanted in (str(observed), observed.base_type().__name__)


def _schema(frame: pl.DataFrame, rule: Any) -> tuple[bool, str]:
    problems = [
        name
        for name, wanted in rule.columns.items()
        if name not in frame.schema or not _dtype_matches(frame.schema[name], wanted)
    ]
    if rule.mode.value == "exact":
        problems += [name for name in frame.columns if name not in rule.columns]
    return bool(problems), f"columns at fault: {problems}"


def _linear_quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _statistic(rule: Any, series: pl.Series) -> tuple[bool, str]:
    if not series.dtype.is_numeric():
        raise RuleUnevaluable(f"{rule.check} needs a numeric column, not {series.dtype}")
    values = [float(v) if isinstance(v, Decimal) else v for v in series.to_list()]
    present = [float(v) for v in values if v is not None]
    if len(present) < (2 if rule.check == "stddev" else 1):
        return True, f"undefined: {len(present)} values"
    if not all(math.isfinite(v) for v in present):
        return True, "undefined: a value is NaN or infinite"
    if rule.check == "mean":
        value = statistics.fmean(present)
    elif rule.check == "stddev":
        value = statistics.stdev(present)
    else:
        value = _linear_quantile(present, rule.quantile)
    bad = (rule.min is not None and value < rule.min) or (rule.max is not None and value > rule.max)
    return bad, f"{rule.check} {value}"


def table_level(frame: pl.DataFrame, rule: Any) -> tuple[bool, str]:
    """(failed, what was observed) for freshness, schema, mean, stddev, quantile."""
    if rule.check == "schema":
        return _schema(frame, rule)
    if rule.column not in frame.columns:
        raise RuleUnevaluable(f"unknown column {rule.column!r}")
    series = frame.get_column(rule.column)
    if rule.check == "freshness":
        return _freshness(rule, series)
    return _statistic(rule, series)
