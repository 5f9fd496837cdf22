"""Round learned bounds the way a person would write them, never inward.

``between amount 0.5 .. 14285.57`` is what the data says; a person writes
``0 .. 15000``. Bounds are rounded *outward* to two significant digits of the
spread (``_round_out``), so the data still passes; a tighter rule proposed to flag
outliers is rounded the same way but never so far that it reaches an outlier
(it falls back to finer digits, down to the exact value). Decimal arithmetic keeps
``0.30000000000000004`` out of a rules file, and a bound is checked against the
value as a float after conversion (integers above 2**53 do not convert exactly).
Durations for ``freshness`` come from a ladder of round values (``6h``, ``2d``, ``1w``).
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

Number = int | float


def _at(value: Number, exponent: int, rounding: str) -> Decimal:
    step = Decimal(1).scaleb(exponent)
    return (Decimal(value) / step).to_integral_value(rounding=rounding) * step


def _tidy(value: Decimal) -> Number:
    """An int when the rounded bound is whole (``15000``, not ``15000.0``) and small enough
    for every reader, else a float."""
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    return float(value)


def _below(bound: Number, value: Number) -> Number:
    """*bound*, or the float just below *value* if *bound* as a float would exceed it."""
    return bound if float(bound) <= value else math.nextafter(float(value), -math.inf)


def _above(bound: Number, value: Number) -> Number:
    return bound if float(bound) >= value else math.nextafter(float(value), math.inf)


def _exponent(low: Number, high: Number) -> int:
    """Two significant digits of the spread (or of the value, when there is no spread)."""
    scale = max(abs(high - low), 0) or max(abs(low), abs(high))
    if scale == 0 or not math.isfinite(scale):
        return 0
    return math.floor(math.log10(scale)) - 1


def _start(value: Number, spread_exponent: int, away_from_zero: bool) -> int:
    """Rounding away from zero uses the finer of the spread's and the value's own digits,
    so ``-15 .. 1,250,000`` becomes ``-15 .. 1,300,000``, not ``-100,000 .. 1,300,000``;
    towards zero the spread's digits are fine (``0.5 .. 14,285`` → ``0 .. 15,000``)."""
    if not away_from_zero or value == 0:
        return spread_exponent
    return min(spread_exponent, _exponent(value, value))


def round_out(
    low: Number,
    high: Number,
    *,
    exclude_below: Number | None = None,
    exclude_above: Number | None = None,
) -> tuple[Number, Number]:
    """Bounds at or outside ``[low, high]``, rounded, staying strictly inside
    ``(exclude_below, exclude_above)`` when those are given (the nearest outliers)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return low, high  # an infinite bound stays as it is (TOML writes inf)
    exponent = _exponent(low, high)
    lo: Number = low
    start = _start(low, exponent, away_from_zero=low < 0)
    for e in range(start, start - 12, -1):
        candidate = _tidy(_at(low, e, ROUND_FLOOR))
        if exclude_below is None or candidate > exclude_below:
            lo = candidate
            break
    hi: Number = high
    start = _start(high, exponent, away_from_zero=high > 0)
    for e in range(start, start - 12, -1):
        candidate = _tidy(_at(high, e, ROUND_CEILING))
        if exclude_above is None or candidate < exclude_above:
            hi = candidate
            break
    return _below(lo, low), _above(hi, high)


def round_length_up(length: int) -> int:
    """A max_length with a little room: 7 → 10, 24 → 30, 262 → 270, 1234 → 1300."""
    if length <= 0:
        return length
    step = 10 if length < 1000 else 10 ** (len(str(length)) - 2)
    return -(-length // step) * step


#: Round durations for ``freshness``: the smallest one at least the needed age is chosen.
LADDER = (
    (timedelta(hours=1), "1h"),
    (timedelta(hours=2), "2h"),
    (timedelta(hours=6), "6h"),
    (timedelta(hours=12), "12h"),
    (timedelta(days=1), "1d"),
    (timedelta(days=2), "2d"),
    (timedelta(days=3), "3d"),
    (timedelta(weeks=1), "1w"),
    (timedelta(weeks=2), "2w"),
    (timedelta(days=30), "30d"),
    (timedelta(days=90), "90d"),
    (timedelta(days=180), "180d"),
    (timedelta(days=365), "365d"),
)


def round_duration(needed: timedelta) -> str:
    """The smallest round duration at least *needed* (``"36h"`` → ``"2d"``)."""
    for duration, text in LADDER:
        if duration >= needed:
            return text
    return f"{math.ceil(needed / timedelta(days=365)) * 365}d"
