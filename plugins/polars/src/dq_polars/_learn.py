"""``learn``: rules the data passes, and the suspected defects they would otherwise bless.

Two promises pull against each other. Learned rules must pass on the data they were
learned from (``dq learn DATA > r.toml && dq check DATA -r r.toml`` exits 0), yet a
typo in a status column or an absurd amount must not silently become "allowed". So
every learned rule allows all the data, and what looks like a defect — a value rarer
than 1% of rows that stands apart (a rare category, a value beyond Tukey's far-out
fences, a string that breaks the column's shape, a stray null, a repeated key) — is
reported as a :class:`dq.SuspectedDefect` with its count, examples and a tighter rule
that flags it, which ``dq learn`` writes commented out (decision 28; docs/cli.md).

Cost, for tens of millions of rows (benchmarks/profile_learn.py): three steps.

1. *peek*: the row count (free for Parquet) and the first rows, which propose each
   text column's shape (``_shapes``);
2. *one fused select* of cheap statistics for every column — nulls, min/max, an
   estimate of distinct values (HyperLogLog), quartiles (exact up to
   ``QUANTILE_SAMPLE`` rows, else over an even sample), string lengths, how many
   values break the proposed shape;
3. *one batch of follow-ups*, only for the columns that need them: value counts of
   the few low-cardinality text columns, an exact uniqueness test of the columns the
   estimate says may be keys, and — with the fences and caps from step 2 as constants —
   what lies beyond them, for the columns whose min/max says something does.

Exact distinct counts hash every value, and thresholds computed inside the same query
are recomputed by every expression that uses them; doing both only where step 2 makes
them worth it is the speed-up over the old single query.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import dq
import polars as pl

from dq_polars import _learn_rules as rules_for
from dq_polars._compile import SUPPORTED_CHECKS, PolarsEngineName, col
from dq_polars._learn_context import Context
from dq_polars._regex import full_match_pattern
from dq_polars._shapes import infer

#: Rows read up front to propose shapes.
PEEK_ROWS = 10_000
#: Quartiles are exact up to this many rows, then computed over an even sample.
QUANTILE_SAMPLE = 1_000_000
#: Text columns with at most this many distinct values get their value counts.
IN_SET_MAX_VALUES = rules_for.IN_SET_MAX_VALUES
#: A column is tested for uniqueness when its estimated distinct count is this close to
#: its value count (the estimate's error is about 1-2%).
KEY_ESTIMATE = 0.95
#: Examples kept per suspected defect.
EXAMPLES = 3


def kind(dtype: pl.DataType) -> str:
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_integer() or dtype.is_float():
        return "numeric"
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return "string"
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return "temporal"
    if dtype.is_nested() or dtype == pl.Object:
        return "nested"
    return "other"


def _text(x: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    return x if dtype == pl.String else x.cast(pl.String)


def _sampled(v: pl.Expr, stride: int) -> pl.Expr:
    return v if stride == 1 else v.gather_every(stride)


def _values(x: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """The non-null values a range is learned from: NaN left out, dates as integers."""
    v = x.drop_nulls()
    if dtype.is_float():
        v = v.filter(v.is_not_nan())
    return v.to_physical() if kind(dtype) == "temporal" else v


def _stats(i: int, x: pl.Expr, dtype: pl.DataType, stride: int, shape: str | None) -> list[pl.Expr]:
    """The first pass: statistics that cost one streaming aggregate each."""
    k = kind(dtype)
    out = [x.null_count().alias(f"nulls_{i}")]
    if k in ("nested", "other"):
        return out
    # physical values: polars 1.32 has no approx_n_unique for Date/Datetime
    out.append(x.drop_nulls().to_physical().approx_n_unique().alias(f"approx_{i}"))
    if k in ("numeric", "temporal"):
        v = _values(x, dtype)
        sample = _sampled(v, stride)
        # min/max as the column's own type (dates as dates); pmin/pmax as the fences see them
        typed = x.drop_nulls().filter(x.drop_nulls().is_not_nan()) if dtype.is_float() else x
        out += [
            typed.min().alias(f"min_{i}"),
            typed.max().alias(f"max_{i}"),
            v.min().alias(f"pmin_{i}"),
            v.max().alias(f"pmax_{i}"),
            sample.quantile(0.25, "nearest").alias(f"q1_{i}"),
            sample.quantile(0.75, "nearest").alias(f"q3_{i}"),
        ]
        if k == "numeric":
            out.append((v < 0).sum().alias(f"negative_{i}"))
        if dtype.is_float():
            out.append(x.drop_nulls().is_nan().sum().alias(f"nans_{i}"))
    elif k == "string":
        text = _text(x, dtype)
        lengths = text.str.len_chars().drop_nulls()
        out += [
            lengths.min().alias(f"lmin_{i}"),
            lengths.max().alias(f"lmax_{i}"),
            (text == "").sum().alias(f"empty_{i}"),
            _sampled(text.drop_nulls(), stride)
            .str.len_chars()
            .quantile(0.99, "higher")
            .alias(f"q99_{i}"),
        ]
        if shape is not None:
            breaks = ~text.drop_nulls().str.contains(full_match_pattern(shape))
            out.append(breaks.sum().alias(f"breaks_{i}"))
    return out


def _fences(q1: Any, q3: Any) -> tuple[float, float] | None:
    if q1 is None or q3 is None or not q3 > q1:
        return None
    iqr = q3 - q1
    return q1 - rules_for.FENCE * iqr, q3 + rules_for.FENCE * iqr


def _details(
    i: int, x: pl.Expr, dtype: pl.DataType, shape: str | None, stats: dict[str, Any]
) -> list[pl.Expr]:
    """The second pass, for this column only if the first found something to look at:
    what lies beyond the fences, negative values, over-long strings, shape breaks —
    with the thresholds as constants, so each is a cheap filter."""
    k = kind(dtype)
    out: list[pl.Expr] = []
    if k in ("numeric", "temporal"):
        v = _values(x, dtype)
        fences = _fences(stats[f"q1_{i}"], stats[f"q3_{i}"])
        stats[f"below_{i}"] = stats[f"above_{i}"] = 0
        if fences is not None and (
            stats[f"pmin_{i}"] < fences[0] or stats[f"pmax_{i}"] > fences[1]
        ):
            low, high = fences
            below, above = v < low, v > high
            out += [
                below.sum().alias(f"below_{i}"),
                above.sum().alias(f"above_{i}"),
                v.filter(~below).min().alias(f"inmin_{i}"),
                v.filter(~above).max().alias(f"inmax_{i}"),
                v.filter(below).max().alias(f"nearbelow_{i}"),
                v.filter(above).min().alias(f"nearabove_{i}"),
                v.filter(below).bottom_k(EXAMPLES).implode().alias(f"exbelow_{i}"),
                v.filter(above).top_k(EXAMPLES).implode().alias(f"exabove_{i}"),
            ]
        if k == "numeric" and stats[f"negative_{i}"]:
            out += [
                v.filter(v >= 0).min().alias(f"minpos_{i}"),
                v.filter(v < 0).max().alias(f"maxneg_{i}"),
                v.filter(v < 0).bottom_k(EXAMPLES).implode().alias(f"exneg_{i}"),
            ]
    elif k == "string":
        text = _text(x, dtype)
        q99 = stats[f"q99_{i}"]
        stats[f"longer_{i}"] = 0
        if q99 is not None and stats[f"lmax_{i}"] > max(2 * q99, q99 + 10):
            lengths = text.str.len_chars().drop_nulls()
            longer = lengths > max(2 * q99, q99 + 10)
            out += [
                longer.sum().alias(f"longer_{i}"),
                lengths.filter(~longer).max().alias(f"linmax_{i}"),
                lengths.filter(longer).min().alias(f"lnear_{i}"),
                lengths.filter(longer).top_k(EXAMPLES).implode().alias(f"exlong_{i}"),
            ]
        if shape is not None and stats[f"breaks_{i}"]:
            values = text.drop_nulls()
            breaks = ~values.str.contains(full_match_pattern(shape))
            out.append(values.filter(breaks).head(EXAMPLES).implode().alias(f"exbreak_{i}"))
    return out


def _peek(lf: pl.LazyFrame, engine: PolarsEngineName) -> tuple[int, pl.DataFrame]:
    rows = lf.select(pl.len()).collect(engine=engine).item()
    return rows, lf.head(PEEK_ROWS).collect(engine=engine)


def _follow_ups(
    lf: pl.LazyFrame,
    schema: pl.Schema,
    columns: list[tuple[str, pl.DataType]],
    stats: dict[str, Any],
    shapes: dict[str, str | None],
    engine: PolarsEngineName,
) -> tuple[dict[str, list[tuple[Any, int]]], dict[str, int]]:
    """The second pass, run as one batch: value counts of low-cardinality text columns,
    exact repeats of possible keys, and each column's details (``_details``)."""
    counted, keys = [], []
    for i, (name, dtype) in enumerate(columns):
        present = stats["rows"] - stats[f"nulls_{i}"]
        approx = stats.get(f"approx_{i}")
        if approx is None or present == 0:
            continue
        if kind(dtype) == "string" and approx <= 2 * IN_SET_MAX_VALUES:
            counted.append(name)
        if rules_for.may_be_key(dtype) and present > 1 and approx >= KEY_ESTIMATE * present:
            keys.append(name)
    queries = [
        lf.select(_text(col(name, schema), schema[name]).drop_nulls().alias("v"))
        .group_by("v")
        .agg(pl.len().alias("n"))
        .sort("n", "v", descending=[True, False])
        .head(IN_SET_MAX_VALUES + 1)
        for name in counted
    ]
    if keys:
        queries.append(
            lf.select(
                [
                    (col(name, schema).count() - col(name, schema).drop_nulls().n_unique())
                    .cast(pl.Int64)
                    .alias(name)
                    for name in keys
                ]
            )
        )
    details = [
        e
        for i, (name, dtype) in enumerate(columns)
        for e in _details(i, col(name, schema), dtype, shapes.get(name), stats)
    ]
    if details:
        queries.append(lf.select(details))
    frames = pl.collect_all(queries, engine=engine) if queries else []
    if details:
        stats.update(frames.pop().row(0, named=True))
    counts = {name: list(f.iter_rows()) for name, f in zip(counted, frames, strict=False)}
    repeats = frames[-1].row(0, named=True) if keys else {}
    return counts, repeats


def repeated_keys(
    lf: pl.LazyFrame, schema: pl.Schema, name: str, engine: PolarsEngineName
) -> tuple[int, tuple[Any, ...]]:
    """Rows holding a repeated value of *name* (as ``unique`` counts them) and a few of them."""
    x = col(name, schema)
    frame = (
        lf.select(x.alias("v"))
        .drop_nulls()
        .group_by("v")
        .agg(pl.len().alias("n"))
        .filter(pl.col("n") > 1)
        .sort("n", "v", descending=[True, False])
        .select(pl.col("n").sum().alias("rows"), pl.col("v").head(EXAMPLES).implode())
        .collect(engine=engine)
    )
    return int(frame["rows"][0] or 0), tuple(dq.json_scalar(v) for v in frame["v"][0])


def learn(
    lf: pl.LazyFrame,
    engine: PolarsEngineName,
    *,
    supported: frozenset[str] = SUPPORTED_CHECKS,
    now: datetime | None = None,
) -> dq.LearnedRules:
    """Rules the data passes, and the suspected defects found in it (see module doc)."""
    schema = lf.collect_schema()
    columns = list(schema.items())
    rows, peek = _peek(lf, engine)
    stride = max(1, math.ceil(rows / QUANTILE_SAMPLE))
    shapes = {
        name: infer(peek.get_column(name).cast(pl.String).drop_nulls().to_list())
        for name, dtype in columns
        if kind(dtype) == "string"
    }
    exprs = [pl.len().alias("rows")]
    for i, (name, dtype) in enumerate(columns):
        exprs += _stats(i, col(name, schema), dtype, stride, shapes.get(name))
    stats = lf.select(exprs).collect(engine=engine).row(0, named=True)
    counts, repeats = _follow_ups(lf, schema, columns, stats, shapes, engine)

    context = Context(
        rows=rows,
        stats=stats,
        supported=supported,
        now=now or datetime.now(UTC),
        repeated=lambda name: repeated_keys(lf, schema, name, engine),
    )
    learned: list[Any] = [dq.RowCount(id="row_count", min=1)] if rows else []
    findings: list[dq.SuspectedDefect] = []
    for i, (name, dtype) in enumerate(columns):
        column = rules_for.column_rules(
            context,
            i,
            name,
            dtype,
            kind(dtype),
            shape=shapes.get(name),
            counts=counts.get(name),
            repeats=repeats.get(name),
        )
        learned += column.rules
        findings += column.findings
    return dq.LearnedRules(rules=tuple(learned), findings=tuple(findings))
