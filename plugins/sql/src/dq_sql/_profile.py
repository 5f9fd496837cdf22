"""``profile`` in ONE aggregate query (top values ride along as grouped scalar subqueries),
and ``learn`` from that profile.

Per column: count, nulls, distinct count, min/max (numbers, strings, dates), mean (numbers),
min/max length in characters (strings), and the ten most frequent values of string, boolean
and integer columns (by count, then value). Quantiles are left out: DuckDB and PostgreSQL
spell them differently and an exact quantile forces a sort of the whole column.

``learn`` proposes, from that profile: ``row_count >= 1``; each column's ``dtype``;
``not_null`` when at most 1% of rows are null; ``unique`` for non-float columns whose
non-null values are all distinct; ``between`` on numeric columns with the observed range
(lower bound 0 when no value is negative); for strings ``max_length`` = the observed maximum
and ``min_length = 1`` when no value is empty; ``in_set`` for string columns with at most 10
distinct values. It sees only the aggregates, never the rows.
"""

from __future__ import annotations

import math
from typing import Any

import dq

from dq_sql._connect import Connection
from dq_sql._dialect import FLOATS, NUMERIC, TEMPORAL

TOP_VALUES = 10
RARE = 0.01


def profile(conn: Connection, source: str, schema: list[tuple[str, str]]) -> dq.Profile:
    from dq_sql._engine import scalar

    d = conn.dialect
    items = ["count(*)"]
    layout: list[list[str]] = []
    for name, dtype in schema:
        c = d.ident(name)
        stats = {"count": f"count({c})", "distinct": f"count(DISTINCT {c})"}
        if dtype in NUMERIC or dtype in TEMPORAL or dtype == "String":
            stats |= {"min": f"min({c})", "max": f"max({c})"}
        if dtype in NUMERIC:
            stats["mean"] = f"avg(CAST({c} AS DOUBLE PRECISION))"
        if dtype == "String":
            stats |= {"minlen": f"min({d.length(c)})", "maxlen": f"max({d.length(c)})"}
        if dtype in ("String", "Boolean") or (dtype in NUMERIC and dtype not in FLOATS):
            top = (
                f"FROM (SELECT {c} AS dq_v, count(*) AS dq_c FROM {source} WHERE {c} IS NOT NULL "
                f"GROUP BY {c} ORDER BY dq_c DESC, dq_v LIMIT {TOP_VALUES}) AS dq_t"
            )
            stats["top_v"] = f"(SELECT array_agg(dq_v ORDER BY dq_c DESC, dq_v) {top})"
            stats["top_c"] = f"(SELECT array_agg(dq_c ORDER BY dq_c DESC, dq_v) {top})"
        layout.append(list(stats))
        items += list(stats.values())
    try:
        _, rows = conn.run(f"SELECT {', '.join(items)} FROM {source}")
    except Exception as exc:  # noqa: BLE001 - the driver's own error types
        raise conn.fail(exc, "profiling") from None
    row, k = rows[0], 1
    columns = []
    for (name, dtype), keys in zip(schema, layout, strict=True):
        got = dict(zip(keys, row[k : k + len(keys)], strict=True))
        k += len(keys)
        count = int(got["count"])
        tops = tuple(
            dq.ValueCount(value=scalar(v), count=int(n))
            for v, n in zip(got.get("top_v") or (), got.get("top_c") or (), strict=True)
        )
        mean = got.get("mean")
        columns.append(
            dq.ColumnProfile(
                name=name,
                dtype=dtype,
                count=count,
                null_count=int(row[0]) - count,
                distinct_count=int(got["distinct"]),
                min=scalar(got.get("min")),
                max=scalar(got.get("max")),
                mean=None if mean is None else float(mean),
                min_length=None if got.get("minlen") is None else int(got["minlen"]),
                max_length=None if got.get("maxlen") is None else int(got["maxlen"]),
                top_values=tops,
            )
        )
    return dq.Profile(row_count=int(row[0]), columns=tuple(columns))


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
