"""Profiling in as few passes as the statistics allow.

``profile`` computes every column's scalar statistics in one fused ``select``
(the same single-scan idea as ``check``), then the most frequent values with one
``group_by`` per column, run together with ``pl.collect_all``: frequency tables
cannot be a scalar aggregate, and polars' ``value_counts`` inside a fused
streaming query gave wrong counts on polars 2.1 (see _compile.py on ``unique``).
``learn`` has its own fused query (see _learn.py): it needs statistics a profile
does not report, such as how many values fall outside the quartile fences.

At scale (tens of millions of rows), two things dominated and are bounded here:
quantiles sort their column, so above ``QUANTILE_SAMPLE`` rows they are computed over
an even sample of that many values (as Spark's ``approxQuantile`` and Deequ do), and
the frequency table of a column with more than ``TOP_VALUES_MAX_DISTINCT`` distinct
values (ids, e-mails, timestamps) is skipped: its top values are each seen a handful
of times and tell nothing, while hashing every value costs seconds.
"""

from __future__ import annotations

from typing import Any

import dq
import polars as pl

from dq_polars._compile import PolarsEngineName, col

#: Quantiles reported for numeric columns, keyed as their string ("0.25").
QUANTILES = (0.25, 0.5, 0.75)
#: How many most frequent values a profile keeps per column.
TOP_VALUES = 10
#: Quantiles are exact up to this many rows, then computed over an even sample.
QUANTILE_SAMPLE = 1_000_000
#: Columns with more distinct values than this get no top values.
TOP_VALUES_MAX_DISTINCT = 100_000


def _kind(dtype: pl.DataType) -> str:
    """Which statistics apply: numeric, string, boolean, temporal or other."""
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_integer() or dtype.is_float():
        return "numeric"
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return "string"
    if dtype.is_temporal():
        return "temporal"
    return "other"


def _stats(
    i: int, name: str, dtype: pl.DataType, schema: pl.Schema, stride: int = 1
) -> list[pl.Expr]:
    x = col(name, schema)
    kind = _kind(dtype)
    exprs = [x.count().alias(f"{i}:count"), x.null_count().alias(f"{i}:nulls")]
    if dtype == pl.Object or dtype.is_nested():
        return exprs
    # n_unique counts null as a value; subtract it so distinct_count is over values.
    has_null = (x.null_count() > 0).cast(pl.Int64)
    exprs.append((x.n_unique().cast(pl.Int64) - has_null).alias(f"{i}:distinct"))
    if kind in ("numeric", "temporal"):
        exprs += [x.min().alias(f"{i}:min"), x.max().alias(f"{i}:max")]
    if kind == "numeric":
        exprs.append(x.cast(pl.Float64).mean().alias(f"{i}:mean"))
        values = x.cast(pl.Float64) if stride == 1 else x.cast(pl.Float64).gather_every(stride)
        exprs += [values.quantile(q, "linear").alias(f"{i}:q{q}") for q in QUANTILES]
    if kind == "string":
        text = x if dtype == pl.String else x.cast(pl.String)
        chars = text.str.len_chars()
        exprs += [
            text.min().alias(f"{i}:min"),
            text.max().alias(f"{i}:max"),
            chars.min().alias(f"{i}:minlen"),
            chars.max().alias(f"{i}:maxlen"),
        ]
    return exprs


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def profile(lf: pl.LazyFrame, engine: PolarsEngineName) -> dq.Profile:
    schema = lf.collect_schema()
    columns = list(schema.items())
    rows = lf.select(pl.len()).collect(engine=engine).item()  # free for Parquet
    stride = max(1, -(-rows // QUANTILE_SAMPLE))
    exprs: list[pl.Expr] = [pl.len().alias("__rows")]
    for i, (name, dtype) in enumerate(columns):
        exprs += _stats(i, name, dtype, schema, stride)
    row = lf.select(exprs).collect(engine=engine).row(0, named=True)

    few = {
        name
        for i, (name, _) in enumerate(columns)
        if (row.get(f"{i}:distinct") or 0) <= TOP_VALUES_MAX_DISTINCT
    }
    tops = _top_values(lf, schema, engine, few)
    profiles: list[dq.ColumnProfile] = []
    by_column: dict[str, dict[str, Any]] = {}
    for key, value in row.items():
        index, _, stat_name = key.partition(":")
        by_column.setdefault(index, {})[stat_name] = value
    for i, (name, dtype) in enumerate(columns):
        stat = by_column[str(i)]
        quantiles = {
            str(q): float(stat[f"q{q}"]) for q in QUANTILES if stat.get(f"q{q}") is not None
        }
        profiles.append(
            dq.ColumnProfile(
                name=name,
                dtype=str(dtype),
                count=stat["count"],
                null_count=stat["nulls"],
                distinct_count=stat.get("distinct"),
                min=dq.json_scalar(stat.get("min")),
                max=dq.json_scalar(stat.get("max")),
                mean=_float_or_none(stat.get("mean")),
                quantiles=quantiles,
                min_length=stat.get("minlen"),
                max_length=stat.get("maxlen"),
                top_values=tops.get(name, ()),
            )
        )
    return dq.Profile(row_count=row["__rows"], columns=tuple(profiles))


def _top_values(
    lf: pl.LazyFrame, schema: pl.Schema, engine: PolarsEngineName, few: set[str]
) -> dict[str, tuple[dq.ValueCount, ...]]:
    """Most frequent non-null values of string, boolean and integer columns.

    Ordered by count, then value, so the result is deterministic. Floats, dates
    and nested columns are left out: their frequency tables are rarely telling.
    """
    wanted = [
        (i, name, dtype)
        for i, (name, dtype) in enumerate(schema.items())
        if (_kind(dtype) in ("string", "boolean") or dtype.is_integer()) and name in few
    ]
    queries = []
    for _, name, dtype in wanted:
        x = col(name, schema)
        value = x.cast(pl.String) if isinstance(dtype, pl.Categorical | pl.Enum) else x
        query = (
            lf.select(value.alias("value"))
            .drop_nulls()
            .group_by("value")
            .agg(pl.len().alias("count"))
            .sort(["count", "value"], descending=[True, False])
            .head(TOP_VALUES)
        )
        queries.append(query)
    frames = pl.collect_all(queries, engine=engine) if queries else []
    return {
        name: tuple(dq.ValueCount(value=dq.json_scalar(v), count=c) for v, c in frame.iter_rows())
        for (_, name, _), frame in zip(wanted, frames, strict=True)
    }
