"""What a rule's fields may hold: rates, counts, ``between`` bounds, durations, time zones.

The validators the rule classes share, and the two helpers other modules need about those
values (:func:`bound_kind`, :func:`parse_duration`). They run when a rule is built, so a
mistake in a rules file is reported at load, with the field's name, before any data is read.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import attrs


def mostly_in_range(_inst: object, attribute: attrs.Attribute, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def optional_rate(_inst: object, attribute: attrs.Attribute, value: float | None) -> None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def optional_non_negative(_inst: object, attribute: attrs.Attribute, value: float | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def non_negative(_inst: object, attribute: attrs.Attribute, value: int | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


#: What a ``between`` bound may be: a number, or (for date/time columns) a TOML
#: date, date-time or time. Both bounds of one rule are of the same kind.
Bound = float | date | datetime | time


def bound_kind(value: object) -> str:
    """``number``, ``date``, ``date-time`` or ``time``: what a ``between`` bound is."""
    # datetime is a date subclass: test it first.
    if isinstance(value, datetime):
        return "date-time"
    if isinstance(value, date):
        return "date"
    if isinstance(value, time):
        return "time"
    return "number"


def check_bounds(check: str, low: object, high: object) -> None:
    if low is None and high is None:
        raise ValueError(f"{check} needs min, max or both")
    if low is None or high is None:
        return
    if bound_kind(low) != bound_kind(high):
        raise ValueError(
            f"{check}: min is a {bound_kind(low)} but max is a {bound_kind(high)}; "
            "give both bounds of the same kind"
        )
    try:
        inverted = low > high  # type: ignore[operator]
    except TypeError:  # an aware and a naive date-time
        raise ValueError(
            f"{check}: min and max must both have a time zone or both have none"
        ) from None
    if inverted:
        raise ValueError(f"{check}: min {low!r} is greater than max {high!r}")


_DURATION_PART = re.compile(r"(\d+)([wdhms])")
_DURATION = re.compile(r"(?:\d+[wdhms])+")
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """``"36h"``, ``"2d"``, ``"1d12h"``, ``"90m"``, ``"1w"`` → a timedelta (> 0).

    A compact spelling (weeks, days, hours, minutes, seconds) rather than ISO 8601's
    ``P1DT12H``, which is easy to get wrong by one letter.
    """
    if not isinstance(text, str) or not _DURATION.fullmatch(text.strip()):
        raise ValueError(
            f"duration {text!r} is not like '36h', '2d', '1d12h', '90m' or '1w' "
            "(units w, d, h, m, s)"
        )
    seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(text))
    if seconds <= 0:
        raise ValueError(f"duration {text!r} must be longer than zero")
    return timedelta(seconds=seconds)


def duration(_inst: object, attribute: attrs.Attribute, value: str) -> None:
    try:
        parse_duration(value)
    except ValueError as exc:
        raise ValueError(f"{attribute.name}: {exc}") from None


def time_zone(_inst: object, attribute: attrs.Attribute, value: str) -> None:
    """An IANA zone name the machine knows, checked when the rules are loaded."""
    if value.upper() == "UTC":
        return
    # imported here: only a freshness rule naming a zone needs it (~4 ms at every start)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"{attribute.name}: unknown time zone {value!r}; use an IANA name such as "
            "'UTC' or 'Europe/Paris'"
        ) from None


def quantile_in_range(_inst: object, attribute: attrs.Attribute, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def distinct_names(_inst: object, attribute: attrs.Attribute, value: tuple[str, ...]) -> None:
    if len(set(value)) != len(value):
        raise ValueError(f"{attribute.name} lists a column twice: {list(value)!r}")
