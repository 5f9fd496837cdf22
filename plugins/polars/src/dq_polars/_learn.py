"""``learn``: propose rules from data without blessing the defects already in it.

Learning "whatever the data does" would turn today's bad rows into tomorrow's
allowed values: a typo in a status column would join the ``in_set``, a negative
amount would widen the ``between``. So every heuristic treats what is *rare* as a
suspected defect rather than as evidence, and learns a rule that the rare rows
fail. The rules, all computed in one fused query (plus one frequency query per
low-cardinality text column):

* ``row_count >= 1`` and each column's ``dtype``.
* ``not_null`` when at most 1% of rows are null.
* ``unique`` for non-float columns when at most 1% of non-null rows repeat a value
  (keys with a few accidental duplicates are still keys; distinct floats are
  measurements, not keys).
* ``between`` for numeric columns that are not keys: Tukey's far-out fences
  (quartiles ± 3 × IQR) clipped to the observed range, used only if at most 1% of
  values fall outside them; the lower bound is 0 when at most 1% of values are
  negative. Not learned when more than 1% of values are NaN.
* ``max_length`` = the larger of 2 × and 10 + the 99th-percentile length, clipped to
  the observed maximum, when at most 1% of values are longer; else the maximum.
  Fixed-width columns (all one length) get exact ``min_length``/``max_length``;
  others get ``min_length = 1`` when at most 1% of values are empty.
* ``in_set`` for text columns with at most 20 distinct values: the values seen at
  least twice and in at least 1% of rows, if they cover at least 99% of rows.

On data with fewer than 100 rows "1%" is less than one row, so nothing counts as
rare and the data passes what is learned from it.
"""

from __future__ import annotations

import math
from typing import Any

import dq
import polars as pl

from dq_polars._compile import PolarsEngineName, col

RARE = 0.01
FENCE = 3.0
IN_SET_MAX_VALUES = 20


def _rare(count: int) -> int:
    """How many of *count* rows may be presumed defects."""
    return math.floor(RARE * count)


def _kind(dtype: pl.DataType) -> str:
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_integer() or dtype.is_float():
        return "numeric"
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return "string"
    if isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object):
        return "nested"
    return "other"


def _stats(i: int, x: pl.Expr, dtype: pl.DataType) -> list[pl.Expr]:
    kind = _kind(dtype)
    out = [x.null_count().alias(f"nulls_{i}")]
    if kind != "nested":
        out.append((x.is_duplicated() & x.is_not_null()).sum().alias(f"dups_{i}"))
    if kind == "numeric":
        v = x.drop_nulls()
        if dtype.is_float():
            out.append(v.is_nan().sum().alias(f"nans_{i}"))
            v = v.filter(v.is_not_nan())
        q1, q3 = v.quantile(0.25), v.quantile(0.75)
        low, high = q1 - FENCE * (q3 - q1), q3 + FENCE * (q3 - q1)
        out += [
            v.len().alias(f"values_{i}"),
            v.min().cast(pl.Float64).alias(f"min_{i}"),
            v.max().cast(pl.Float64).alias(f"max_{i}"),
            low.alias(f"low_{i}"),
            high.alias(f"high_{i}"),
            ((v < low) | (v > high)).sum().alias(f"outside_{i}"),
            (v < 0).sum().alias(f"negative_{i}"),
        ]
    elif kind == "string":
        lengths = x.cast(pl.String).str.len_chars().drop_nulls()
        q99 = lengths.quantile(0.99, "higher")
        cap = pl.max_horizontal(2 * q99, q99 + 10)
        out += [
            lengths.min().alias(f"lmin_{i}"),
            lengths.max().alias(f"lmax_{i}"),
            cap.alias(f"lcap_{i}"),
            (lengths > cap).sum().alias(f"longer_{i}"),
            (lengths == 0).sum().alias(f"empty_{i}"),
            x.drop_nulls().n_unique().alias(f"distinct_{i}"),
        ]
    return out


def learn(lf: pl.LazyFrame, engine: PolarsEngineName) -> dq.RuleSet:
    schema = lf.collect_schema()
    columns = list(schema.items())
    exprs = [pl.len().alias("rows")]
    for i, (name, dtype) in enumerate(columns):
        exprs += _stats(i, col(name, schema), dtype)
    stats = lf.select(exprs).collect(engine=engine).row(0, named=True)
    rows = stats["rows"]
    frequencies = _frequencies(lf, schema, columns, stats, engine)

    rules: list[Any] = [dq.RowCount(id="row_count", min=1)] if rows else []
    for i, (name, dtype) in enumerate(columns):
        rules.append(dq.DType(id=f"{name}__dtype", column=name, dtype=str(dtype)))
        present = rows - stats[f"nulls_{i}"]
        if present == 0:
            continue  # an empty or all-null column tells nothing about its values
        if stats[f"nulls_{i}"] <= _rare(rows):
            rules.append(dq.NotNull(id=f"{name}__not_null", column=name))
        # Measurements (floats) are distinct by nature, not keys.
        is_key = (
            f"dups_{i}" in stats
            and not dtype.is_float()
            and present > 1
            and stats[f"dups_{i}"] <= _rare(present)
        )
        if is_key:
            rules.append(dq.Unique(id=f"{name}__unique", column=name))
        kind = _kind(dtype)
        if kind == "numeric" and not is_key:
            between = _between(name, i, stats)
            if between is not None:
                rules.append(between)
        if kind == "string":
            rules += _lengths(name, i, stats, present)
            if name in frequencies:
                in_set = _in_set(name, frequencies[name], present)
                if in_set is not None:
                    rules.append(in_set)
    return dq.RuleSet(rules=tuple(rules))


def _between(name: str, i: int, stats: dict[str, Any]) -> dq.Between | None:
    values = stats[f"values_{i}"]
    if not values or stats.get(f"nans_{i}", 0) > _rare(values + stats.get(f"nans_{i}", 0)):
        return None
    lo, hi = stats[f"min_{i}"], stats[f"max_{i}"]
    if stats[f"outside_{i}"] <= _rare(values) and stats[f"low_{i}"] is not None:
        lo, hi = max(lo, stats[f"low_{i}"]), min(hi, stats[f"high_{i}"])
    if 0 < stats[f"negative_{i}"] <= _rare(values) and hi >= 0:
        lo = max(lo, 0.0)
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        return None
    # Bounds are floats: widen by one ulp where a large integer did not convert exactly.
    return dq.Between(
        id=f"{name}__between",
        column=name,
        min=math.nextafter(lo, -math.inf) if lo != round(lo) or abs(lo) > 2**53 else lo,
        max=math.nextafter(hi, math.inf) if hi != round(hi) or abs(hi) > 2**53 else hi,
    )


def _lengths(name: str, i: int, stats: dict[str, Any], present: int) -> list[Any]:
    lmin, lmax = stats[f"lmin_{i}"], stats[f"lmax_{i}"]
    if lmin == lmax:  # fixed width: codes, ids, dates as text
        return [
            dq.MinLength(id=f"{name}__min_length", column=name, length=lmin),
            dq.MaxLength(id=f"{name}__max_length", column=name, length=lmax),
        ]
    rules: list[Any] = []
    if stats[f"empty_{i}"] <= _rare(present):
        rules.append(dq.MinLength(id=f"{name}__min_length", column=name, length=1))
    longest = stats[f"lcap_{i}"] if stats[f"longer_{i}"] <= _rare(present) else lmax
    rules.append(
        dq.MaxLength(id=f"{name}__max_length", column=name, length=int(min(lmax, longest)))
    )
    return rules


def _frequencies(
    lf: pl.LazyFrame,
    schema: pl.Schema,
    columns: list[tuple[str, pl.DataType]],
    stats: dict[str, Any],
    engine: PolarsEngineName,
) -> dict[str, list[tuple[str, int]]]:
    """Value counts of the text columns with few distinct values, in one batch of queries."""
    wanted = [
        (name, i)
        for i, (name, dtype) in enumerate(columns)
        if _kind(dtype) == "string" and 0 < (stats.get(f"distinct_{i}") or 0) <= IN_SET_MAX_VALUES
    ]
    queries = [
        lf.select(col(name, schema).cast(pl.String).drop_nulls().alias("v"))
        .group_by("v")
        .agg(pl.len().alias("n"))
        for name, _ in wanted
    ]
    frames = pl.collect_all(queries, engine=engine) if queries else []
    return {name: list(frame.iter_rows()) for (name, _), frame in zip(wanted, frames, strict=True)}


def _in_set(name: str, counts: list[tuple[str, int]], present: int) -> dq.InSet | None:
    floor = max(2, math.ceil(RARE * present))
    allowed = sorted(value for value, n in counts if n >= floor)
    covered = sum(n for value, n in counts if n >= floor)
    if not allowed or covered < (1 - RARE) * present or len(allowed) == present:
        return None
    return dq.InSet(id=f"{name}__in_set", column=name, values=tuple(allowed))
