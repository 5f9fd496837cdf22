"""From one column's statistics to learned rules and suspected defects (see _learn).

Every learned rule allows every value in the data. Where a few values (at most
``RARE`` of the rows) stand apart, they become a :class:`dq.SuspectedDefect` whose
``suggestion`` is the rule a reviewer adopts to flag them. Ids are the ones a
hand-written rule without an ``id`` gets (``<check>_<column>``); a suggestion that
tightens a learned rule of the same check adds ``_strict``, so uncommenting it never
collides with the rule it tightens.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dq
import polars as pl

from dq_polars._rounding import round_duration, round_length_up, round_out

#: Share of rows that may be presumed defects: rarer than this and standing apart.
RARE = 0.01
#: Tukey's far-out fences: quartiles ± FENCE × the interquartile range.
FENCE = 3.0
IN_SET_MAX_VALUES = 20


def rare(count: int) -> int:
    """How many of *count* rows may be presumed defects (none below 100 rows)."""
    return math.floor(RARE * count)


def may_be_key(dtype: pl.DataType) -> bool:
    """Integers and text can be keys; floats are measurements and timestamps coincide."""
    return dtype.is_integer() or dtype == pl.String or isinstance(dtype, pl.Categorical)


def rule_id(check: str, column: str, strict: bool = False) -> str:
    return f"{check}_{column}" + ("_strict" if strict else "")


def number(value: Any) -> str:
    """``15000`` → ``15,000``; ``0.5`` → ``0.5``; dates as ISO."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.10g}"
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return str(value)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


@dataclass
class Context:
    rows: int
    stats: dict[str, Any]
    supported: frozenset[str]
    now: datetime
    #: (rows holding a repeated value, a few of those values) of a column, on demand.
    repeated: Callable[[str], tuple[int, tuple[Any, ...]]]


@dataclass
class ColumnRules:
    rules: list[Any] = field(default_factory=list)
    findings: list[dq.SuspectedDefect] = field(default_factory=list)

    def learn_or_suspect(
        self,
        rule: Any,
        failing: int,
        of: int,
        *,
        column: str,
        message: str,
        examples: tuple[Any, ...] = (),
    ) -> None:
        """Learn *rule* when none of *of* rows fail it; when a rare few do, list them as a
        suspected defect with *rule* as the tighter rule that flags them; else neither."""
        if of == 0:
            return
        if failing == 0:
            self.rules.append(rule)
        elif failing <= rare(of):
            self.findings.append(
                dq.SuspectedDefect(
                    column=column,
                    message=message,
                    count=failing,
                    examples=examples,
                    suggestions=(rule,),
                )
            )


def column_rules(
    ctx: Context,
    i: int,
    name: str,
    dtype: pl.DataType,
    kind: str,
    *,
    shape: str | None,
    counts: list[tuple[Any, int]] | None,
    repeats: int | None,
) -> ColumnRules:
    out = ColumnRules(rules=[dq.DType(id=rule_id("dtype", name), column=name, dtype=str(dtype))])
    s = ctx.stats
    nulls = s[f"nulls_{i}"]
    present = ctx.rows - nulls
    out.learn_or_suspect(
        dq.NotNull(id=rule_id("not_null", name), column=name),
        nulls,
        ctx.rows,
        column=name,
        message=f"{_plural(nulls, 'null')} in {ctx.rows:,} rows",
    )
    if present == 0:
        return out  # an empty or all-null column tells nothing about its values
    is_key = _unique(ctx, name, present, repeats, out)
    if kind == "numeric" and not (is_key and dtype.is_integer()):
        _numeric(ctx, i, name, present, out)
    elif kind == "temporal":
        _temporal(ctx, i, name, dtype, present, out)
    elif kind == "string":
        in_set = _in_set(name, counts, present, out)
        if shape is not None and not in_set:
            _shape(ctx, i, name, shape, present, out)
        _lengths(ctx, i, name, present, out)
    return out


def _unique(ctx: Context, name: str, present: int, repeats: int | None, out: ColumnRules) -> bool:
    if repeats is None or repeats > rare(present):
        return False
    rule = dq.Unique(id=rule_id("unique", name), column=name)
    if repeats == 0:
        out.rules.append(rule)
        return True
    count, examples = ctx.repeated(name)
    out.findings.append(
        dq.SuspectedDefect(
            column=name,
            message=f"{_plural(count, 'row')} repeat a value that is otherwise unique",
            count=count,
            examples=examples,
            suggestions=(rule,),
        )
    )
    return True


def _examples(*groups: Any) -> tuple[Any, ...]:
    seen: list[Any] = []
    for group in groups:
        for value in group or ():
            scalar = dq.json_scalar(value)
            if scalar not in seen:
                seen.append(scalar)
    return tuple(seen[:5])


def _numeric(ctx: Context, i: int, name: str, present: int, out: ColumnRules) -> None:
    s = ctx.stats
    nans = s.get(f"nans_{i}", 0) or 0
    values = present - nans
    if values == 0 or nans > rare(present):
        return
    lo, hi = s[f"min_{i}"], s[f"max_{i}"]
    learned = None
    if nans == 0:
        low, high = round_out(lo, hi)
        learned = dq.Between(id=rule_id("between", name), column=name, min=low, max=high)
        out.rules.append(learned)
    parts: list[str] = []
    examples: list[Any] = []
    tight_lo, tight_hi, cut_below, cut_above = lo, hi, None, None
    counted_below = counted_above = 0
    negative = s[f"negative_{i}"]
    if 0 < negative <= rare(values) and hi >= 0:
        parts.append(f"{negative:,} negative")
        examples.append(s[f"exneg_{i}"])
        tight_lo, cut_below, counted_below = s[f"minpos_{i}"], s[f"maxneg_{i}"], negative
    if s[f"q1_{i}"] is not None and s[f"q3_{i}"] > s[f"q1_{i}"]:
        below, above = s[f"below_{i}"], s[f"above_{i}"]
        if 0 < below <= rare(values):
            parts.append(f"{below:,} far below the rest")
            examples.append(s[f"exbelow_{i}"])
            tight_lo = max(tight_lo, s[f"inmin_{i}"])
            near = s[f"nearbelow_{i}"]
            cut_below = near if cut_below is None else max(cut_below, near)
            counted_below = max(counted_below, below)
        if 0 < above <= rare(values):
            parts.append(f"{above:,} far above the rest")
            examples.append(s[f"exabove_{i}"])
            tight_hi, cut_above, counted_above = s[f"inmax_{i}"], s[f"nearabove_{i}"], above
    if 0 < nans:
        parts.append(f"{nans:,} NaN")
    if not parts or tight_lo is None or tight_hi is None or tight_lo > tight_hi:
        return
    low, high = round_out(tight_lo, tight_hi, exclude_below=cut_below, exclude_above=cut_above)
    count = counted_below + counted_above + nans
    out.findings.append(
        dq.SuspectedDefect(
            column=name,
            message=f"{_plural(count, 'value')} outside {number(low)} .. {number(high)}: "
            + ", ".join(parts),
            count=count,
            examples=_examples(*examples),
            suggestions=(
                dq.Between(
                    id=rule_id("between", name, strict=learned is not None),
                    column=name,
                    min=low,
                    max=high,
                ),
            ),
        )
    )


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


def _temporal(
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
            message=f"{_plural(count, 'value')} outside {number(low)} .. {number(high)}: "
            + ", ".join(parts),
            count=count,
            examples=_examples(examples),
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


def _in_set(
    name: str, counts: list[tuple[Any, int]] | None, present: int, out: ColumnRules
) -> bool:
    if not counts or len(counts) > IN_SET_MAX_VALUES or 2 * len(counts) > present:
        return False
    values = tuple(sorted(v for v, _ in counts))
    out.rules.append(dq.InSet(id=rule_id("in_set", name), column=name, values=values))
    rare_ones = [(v, n) for v, n in counts if n < RARE * present]
    common = tuple(sorted(v for v, n in counts if n >= RARE * present))
    if rare_ones and common:
        shown = ", ".join(f"{v!r} ({n:,})" for v, n in rare_ones)
        count = sum(n for _, n in rare_ones)
        out.findings.append(
            dq.SuspectedDefect(
                column=name,
                message=f"{_plural(len(rare_ones), 'rare value')} in {_plural(count, 'row')}: "
                f"{shown}",
                count=count,
                suggestions=(
                    dq.InSet(id=rule_id("in_set", name, strict=True), column=name, values=common),
                ),
            )
        )
    return True


def _shape(ctx: Context, i: int, name: str, shape: str, present: int, out: ColumnRules) -> None:
    breaks = ctx.stats[f"breaks_{i}"]
    out.learn_or_suspect(
        dq.Regex(id=rule_id("regex", name), column=name, pattern=shape),
        breaks,
        present,
        column=name,
        message=f"{_plural(breaks, 'value')} break the shape of the rest ({shape})",
        examples=_examples(ctx.stats.get(f"exbreak_{i}")),  # asked only when some break
    )


def _lengths(ctx: Context, i: int, name: str, present: int, out: ColumnRules) -> None:
    s = ctx.stats
    lmin, lmax = s[f"lmin_{i}"], s[f"lmax_{i}"]
    if lmin == lmax:  # fixed width: codes, ids, dates as text
        out.rules.append(dq.MinLength(id=rule_id("min_length", name), column=name, length=lmin))
        out.rules.append(dq.MaxLength(id=rule_id("max_length", name), column=name, length=lmax))
        return
    empty = s[f"empty_{i}"]
    out.learn_or_suspect(
        dq.MinLength(id=rule_id("min_length", name), column=name, length=1),
        empty,
        present,
        column=name,
        message=_plural(empty, "empty string"),
        examples=("",),
    )
    out.rules.append(
        dq.MaxLength(id=rule_id("max_length", name), column=name, length=round_length_up(lmax))
    )
    longer = s[f"longer_{i}"]
    if 0 < longer <= rare(present) and s[f"linmax_{i}"] is not None:
        inner, shortest = s[f"linmax_{i}"], s[f"lnear_{i}"]
        length = min(round_length_up(inner), shortest - 1)
        longest = ", ".join(str(n) for n in s[f"exlong_{i}"])
        out.findings.append(
            dq.SuspectedDefect(
                column=name,
                message=f"{_plural(longer, 'value')} far longer than the rest "
                f"({longest} characters; the rest have at most {inner})",
                count=longer,
                suggestions=(
                    dq.MaxLength(
                        id=rule_id("max_length", name, strict=True), column=name, length=length
                    ),
                ),
            )
        )
