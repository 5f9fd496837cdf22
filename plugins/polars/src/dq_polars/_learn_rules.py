"""From one column's statistics to learned rules and suspected defects (see _learn).

Every learned rule allows every value in the data. Where a few values (at most
``RARE`` of the rows) stand apart, they become a :class:`dq.SuspectedDefect` whose
``suggestion`` is the rule a reviewer adopts to flag them. Ids are the ones a
hand-written rule without an ``id`` gets (``<check>_<column>``); a suggestion that
tightens a learned rule of the same check adds ``_strict``, so uncommenting it never
collides with the rule it tightens.
"""

from __future__ import annotations

from typing import Any

import dq
import polars as pl

from dq_polars._learn_context import (
    RARE,
    ColumnRules,
    Context,
    distinct_examples,
    number,
    plural,
    rare,
    rule_id,
)
from dq_polars._learn_temporal import temporal_rules
from dq_polars._rounding import round_length_up, round_out

#: Tukey's far-out fences: quartiles ± FENCE × the interquartile range.
FENCE = 3.0
IN_SET_MAX_VALUES = 20


def may_be_key(dtype: pl.DataType) -> bool:
    """Integers and text can be keys; floats are measurements and timestamps coincide."""
    return dtype.is_integer() or dtype == pl.String or isinstance(dtype, pl.Categorical)


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
        message=f"{plural(nulls, 'null')} in {ctx.rows:,} rows",
    )
    if present == 0:
        return out  # an empty or all-null column tells nothing about its values
    is_key = _unique(ctx, name, present, repeats, out)
    if kind == "numeric" and not (is_key and dtype.is_integer()):
        _numeric(ctx, i, name, present, out)
    elif kind == "temporal":
        temporal_rules(ctx, i, name, dtype, present, out)
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
            message=f"{plural(count, 'row')} repeat a value that is otherwise unique",
            count=count,
            examples=examples,
            suggestions=(rule,),
        )
    )
    return True


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
            message=f"{plural(count, 'value')} outside {number(low)} .. {number(high)}: "
            + ", ".join(parts),
            count=count,
            examples=distinct_examples(*examples),
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
                message=f"{plural(len(rare_ones), 'rare value')} in {plural(count, 'row')}: "
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
        message=f"{plural(breaks, 'value')} break the shape of the rest ({shape})",
        examples=distinct_examples(ctx.stats.get(f"exbreak_{i}")),  # asked only when some break
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
        message=plural(empty, "empty string"),
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
                message=f"{plural(longer, 'value')} far longer than the rest "
                f"({longest} characters; the rest have at most {inner})",
                count=longer,
                suggestions=(
                    dq.MaxLength(
                        id=rule_id("max_length", name, strict=True), column=name, length=length
                    ),
                ),
            )
        )
