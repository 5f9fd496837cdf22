"""``profile`` in one Spark action (stats pass cross-joined with top-value arrays), and
``learn`` from that profile (the same heuristics as dq-sql: see its README)."""

from __future__ import annotations

import math
from typing import Any

import dq

from dq_spark._compile import FLOATS, NUMERIC, TEMPORAL, dtype_name

TOP_VALUES = 10
RARE = 0.01


def profile(df: Any, row_column: str | None) -> dq.Profile:
    from pyspark.sql import functions as F

    from dq_spark._engine import quoted, scalar

    schema = [(f.name, dtype_name(f.dataType)) for f in df.schema.fields if f.name != row_column]
    aggs = [F.count(F.lit(1)).alias("dq_rows")]
    tops = []
    for k, (name, dtype) in enumerate(schema):
        c = quoted(name)
        aggs += [F.count(c).alias(f"c{k}"), F.countDistinct(c).alias(f"d{k}")]
        if dtype in NUMERIC or dtype in TEMPORAL or dtype == "String":
            aggs += [F.min(c).alias(f"lo{k}"), F.max(c).alias(f"hi{k}")]
        if dtype in NUMERIC:
            aggs.append(F.avg(c.cast("double")).alias(f"m{k}"))
        if dtype == "String":
            aggs += [F.min(F.length(c)).alias(f"ml{k}"), F.max(F.length(c)).alias(f"xl{k}")]
        if dtype in ("String", "Boolean") or (dtype in NUMERIC and dtype not in FLOATS):
            tops.append(
                df.where(c.isNotNull())
                .groupBy(c.alias("v"))
                .agg(F.count(F.lit(1)).alias("n"))
                .orderBy(F.desc("n"), F.asc("v"))
                .limit(TOP_VALUES)
                .agg(F.collect_list(F.struct("n", "v")).alias(f"t{k}"))
            )
    row_df = df.agg(*aggs)
    for top in tops:
        row_df = row_df.crossJoin(top)
    row = row_df.collect()[0].asDict()
    rows = int(row["dq_rows"])
    columns = []
    for k, (name, dtype) in enumerate(schema):
        top = sorted(row.get(f"t{k}") or (), key=lambda s: (-s["n"], s["v"]))
        mean = row.get(f"m{k}")
        columns.append(
            dq.ColumnProfile(
                name=name,
                dtype=dtype,
                count=int(row[f"c{k}"]),
                null_count=rows - int(row[f"c{k}"]),
                distinct_count=int(row[f"d{k}"]),
                min=scalar(row.get(f"lo{k}")),
                max=scalar(row.get(f"hi{k}")),
                mean=None if mean is None else float(mean),
                min_length=row.get(f"ml{k}"),
                max_length=row.get(f"xl{k}"),
                top_values=tuple(
                    dq.ValueCount(value=scalar(s["v"]), count=int(s["n"])) for s in top
                ),
            )
        )
    return dq.Profile(row_count=rows, columns=tuple(columns))


def learn(prof: dq.Profile) -> dq.RuleSet:
    rules: list[Any] = [dq.RowCount(id="row_count", min=1)]
    rows = prof.row_count
    for col in prof.columns:
        name = col.name
        rules.append(dq.DType(id=f"{name}_dtype", column=name, dtype=col.dtype))
        if rows and col.null_count / rows <= RARE:
            rules.append(dq.NotNull(id=f"{name}_not_null", column=name))
        if col.count and col.dtype not in FLOATS and col.distinct_count == col.count:
            rules.append(dq.Unique(id=f"{name}_unique", column=name))
            continue
        if col.dtype in NUMERIC and _finite(col.min) and _finite(col.max):
            low = 0 if col.min >= 0 else col.min
            rules.append(dq.Between(id=f"{name}_between", column=name, min=low, max=col.max))
        if col.dtype == "String" and col.max_length is not None:
            rules.append(dq.MaxLength(id=f"{name}_max_length", column=name, length=col.max_length))
            if col.min_length:
                rules.append(dq.MinLength(id=f"{name}_min_length", column=name, length=1))
            if col.distinct_count and col.distinct_count <= TOP_VALUES:
                values = tuple(sorted(str(v.value) for v in col.top_values))
                rules.append(dq.InSet(id=f"{name}_in_set", column=name, values=values))
    return dq.RuleSet(rules=tuple(rules))


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
