"""Learning Date, Datetime and Time columns: a ``between`` range and ``freshness``.

Why apart from the other kinds: a temporal column's range reaches past the data (up
to a year after now, so the next loads still pass), its statistics arrive as physical
integers to convert back, and its ``max_age`` comes from how old the newest value is
and how far apart values are: calendar arithmetic the other kinds never need.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dq
import polars as pl

from dq_polars._learn_context import (
    ColumnRules,
    Context,
    distinct_examples,
    number,
    plural,
    rare,
    rule_id,
)
from dq_polars._rounding import round_duration


def _from_physical(value: Any, dtype: pl.DataType) -> Any:
    if value is None:
        return None
    return pl.Series([value], dtype=pl.Int64).cast(dtype).item()


def _day_floor(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime):
        return value.replace(hour=0, minute=0, second=0, microsecond=0)
    return value


def _day_ceil(value: date | datetime) -> date | datetime:
    floor = _day_floor(value)
    if isinstance(value, datetime) and floor != value:
        return floor + timedelta(days=1)
    return floor


def _now_like(ctx: Context, dtype: pl.DataType) -> date | datetime:
    """Now, as a value of the column's type (naive columns are read as UTC)."""
    if dtype == pl.Date:
        return ctx.now.astimezone(UTC).date()
    tz = getattr(dtype, "time_zone", None)
    if tz:
        return ctx.now.astimezone(ZoneInfo(tz))
    return ctx.now.astimezone(UTC).replace(tzinfo=None)


def _instant(value: date | datetime, end_of_day: bool) -> datetime:
    if not isinstance(value, datetime):
        start = datetime(value.year, value.month, value.day, tzinfo=UTC)
        return start + timedelta(days=1) if end_of_day else start
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def temporal_rules(
    ctx: Context, i: int, name: str, dtype: pl.DataType, present: int, out: ColumnRules
) -> None:
    s = ctx.stats
    lo, hi = s[f"min_{i}"], s[f"max_{i}"]
    # Up to a year past the later of the newest value and now: the next loads still pass,
    # a year-2099 placeholder does not.
    horizon = max(hi, _now_like(ctx, dtype))
    horizon = (
        horizon.replace(year=horizon.year + 1)
        if not (horizon.month == 2 and horizon.day == 29)
        else horizon + timedelta(days=365)
    )
    out.rules.append(
        dq.Between(
            id=rule_id("between", name), column=name, min=_day_floor(lo), max=_day_ceil(horizon)
        )
    )
    if "freshness" in ctx.supported:
        _freshness(ctx, name, lo, hi, present, dtype, out)
    if s[f"q1_{i}"] is None or not s[f"q3_{i}"] > s[f"q1_{i}"]:
        return
    below, above = s[f"below_{i}"], s[f"above_{i}"]
    flagged_below = 0 < below <= rare(present)
    flagged_above = 0 < above <= rare(present)
    if not (flagged_below or flagged_above):
        return
    tight_lo = _from_physical(s[f"inmin_{i}"], dtype) if flagged_below else lo
    tight_hi = _from_physical(s[f"inmax_{i}"], dtype) if flagged_above else _day_ceil(horizon)
    near_below = _from_physical(s[f"nearbelow_{i}"], dtype) if flagged_below else None
    near_above = _from_physical(s[f"nearabove_{i}"], dtype) if flagged_above else None
    low = _day_floor(tight_lo)
    low = low if near_below is None or low > near_below else tight_lo
    high = _day_ceil(tight_hi)
    high = high if near_above is None or high < near_above else tight_hi
    parts, examples = [], []
    if flagged_below:
        parts.append(f"{below:,} far before the rest")
        examples += [_from_physical(v, dtype) for v in s[f"exbelow_{i}"]]
    if flagged_above:
        parts.append(f"{above:,} far after the rest")
        examples += [_from_physical(v, dtype) for v in s[f"exabove_{i}"]]
    count = (below if flagged_below else 0) + (above if flagged_above else 0)
    out.findings.append(
        dq.SuspectedDefect(
            column=name,
            message=f"{plural(count, 'value')} outside {number(low)} .. {number(high)}: "
            + ", ".join(parts),
            count=count,
            examples=distinct_examples(examples),
            suggestions=(
                dq.Between(
                    id=rule_id("between", name, strict=True), column=name, min=low, max=high
                ),
            ),
        )
    )


def _freshness(
    ctx: Context,
    name: str,
    lo: date | datetime,
    hi: date | datetime,
    present: int,
    dtype: pl.DataType,
    out: ColumnRules,
) -> None:
    """``max_age`` = how old the newest value is now, plus two of the data's usual gaps."""
    newest = _instant(hi, end_of_day=False)
    age = max(ctx.now - newest, timedelta(0))
    span = _instant(hi, False) - _instant(lo, False)
    cadence = span / (present - 1) if present > 1 else timedelta(0)
    needed = age + max(2 * cadence, timedelta(hours=1))
    if dtype == pl.Date:
        needed += timedelta(days=1)  # a date is new all day long
    max_age = round_duration(needed)
    out.rules.append(
        dq.Freshness(
            id=rule_id("freshness", name),
            column=name,
            max_age=max_age,
            description=f"when learned, the newest value ({number(hi)}) was "
            f"{_duration_text(age)} old; values are about {_duration_text(cadence)} apart",
        )
    )


def _duration_text(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g}{unit}"
    return f"{seconds}s"
