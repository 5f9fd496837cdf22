"""Locating failing rows: each rule's first ``sample_size`` failing rows, in row order.

docs/rules.md: a sample row holds the rule set's key values (``key = [...]``) or, without a
key, the 0-based row number, and the failing value for single-column value checks. One
action serves every rule that failed rows: each row is exploded into one entry per rule it
fails (position, value and key as JSON, so columns of any type share one column), ranked
by position within its rule, and the first ``sample_size`` per rule come back.

Row numbers are exact. A polars frame carries dq's row-order column. A Spark table or path
is numbered as read: ``monotonically_increasing_id`` holds the partition in its upper bits
and the row within the partition below, so one small action counting the rows of each
partition gives every partition's offset (run only when rules failed and there is no key).
"""

from __future__ import annotations

import json
from typing import Any

import dq

from dq_spark._compile import FLOATS, Plan
from dq_spark._table_checks import quoted

#: Checks whose sample rows carry the failing value (one column judged per row).
VALUE_SHOWN = frozenset({"unique", "between", "regex", "in_set", "max_length", "min_length"})
#: date-times in JSON to the microsecond (to_json's default stops at milliseconds)
JSON_TIMES = {
    "timestampFormat": "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
    "timestampNTZFormat": "yyyy-MM-dd'T'HH:mm:ss.SSSSSS",
}
_PARTITION_BITS = 33  # monotonically_increasing_id: partition << 33 | row in partition


def rule_set_key(rules: dq.RuleSet) -> tuple[str, ...]:
    return tuple(getattr(rules, "key", ()))


def sample_rows(
    df: Any,
    plans: dict[int, Plan],
    counts: dict[int, Any],
    rules: dq.RuleSet,
    row: str | None,
    schema: dict[str, str],
    decode: Any,
) -> dict[int, tuple[dq.SampleRow, ...]]:
    """The sample rows of every row-level rule that failed rows (none when sampling is off).

    *decode* ``(json_value, column) -> shown value`` is the engine's own reading of a JSON
    value, the one its value samples use.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    size = rules.sample_size
    wanted = [i for i, p in plans.items() if p.judge is None and counts[i][0] > 0]
    if size <= 0 or not wanted:
        return {}
    key = rule_set_key(rules)
    framed = _positioned(df, row)
    items = []
    for i in wanted:
        plan = plans[i]
        fails = plan.fails
        if plan.unique:  # every row of a repeated value (or combination) fails
            names = plan.key_columns or (plan.column,)
            parts = [_groupable(n, schema) for n in names]
            framed = framed.withColumn(
                f"__dq_dup{i}", F.count(F.lit(1)).over(Window.partitionBy(*parts))
            )
            fails = plan.judged & (F.col(f"__dq_dup{i}") > 1)
        shows = plan.rule.check in VALUE_SHOWN and not plan.key_columns
        value = F.to_json(F.struct(quoted(plan.column).alias("v")), JSON_TIMES) if shows else None
        items.append((i, fails, value))
    keyed = (
        F.to_json(F.struct(*[quoted(n).alias(f"k{j}") for j, n in enumerate(key)]), JSON_TIMES)
        if key
        else F.lit(None).cast("string")
    )
    entries = F.array(
        *[
            F.when(
                fails,
                F.struct(
                    F.lit(i).alias("i"),
                    (value if value is not None else F.lit(None).cast("string")).alias("v"),
                ),
            )
            for i, fails, value in items
        ]
    )
    ranked = (
        framed.select(F.explode(entries).alias("dq_e"), F.col("__dq_at"), keyed.alias("dq_k"))
        .where(F.col("dq_e").isNotNull())
        .select(F.col("dq_e.i").alias("dq_i"), F.col("dq_e.v").alias("dq_v"), "__dq_at", "dq_k")
        .withColumn("dq_rank", F.row_number().over(Window.partitionBy("dq_i").orderBy("__dq_at")))
        .where(F.col("dq_rank") <= size)
    )
    got: dict[int, list[tuple[int, dq.SampleRow]]] = {}
    for r in ranked.collect():
        i = int(r["dq_i"])
        plan = plans[i]
        value = decode(json.loads(r["dq_v"])["v"], plan.column) if r["dq_v"] else None
        if key:
            fields = json.loads(r["dq_k"])
            values = tuple(decode(fields.get(f"k{j}"), n) for j, n in enumerate(key))
            located = dq.SampleRow(value=value, key=values)
        else:
            located = dq.SampleRow(value=value, row=int(r["__dq_at"]))
        got.setdefault(i, []).append((int(r["__dq_at"]), located))
    return {i: tuple(s for _, s in sorted(got.get(i, []), key=lambda t: t[0])) for i in wanted}


def _groupable(name: str, schema: dict[str, str]) -> Any:
    """A column as a partition key: -0.0 folded into 0.0, as dq's groups hold them equal."""
    from pyspark.sql import functions as F

    c = quoted(name)
    return c + F.lit(0.0) if schema[name] in FLOATS else c


def _positioned(df: Any, row: str | None) -> Any:
    """*df* with ``__dq_at``, each row's 0-based position in the data as read."""
    from pyspark.sql import functions as F

    if row:
        return df.withColumn("__dq_at", quoted(row))
    marked = df.withColumn("__dq_id", F.monotonically_increasing_id())
    part = F.shiftright(F.col("__dq_id"), _PARTITION_BITS)
    sizes = marked.groupBy(part.alias("p")).count().collect()
    offset, offsets = 0, {}
    for r in sorted(sizes, key=lambda r: r["p"]):
        offsets[int(r["p"])] = offset
        offset += int(r["count"])
    start = F.element_at(
        F.create_map(*[F.lit(x) for p, first in offsets.items() for x in (p, first)]), part
    ).cast("long")
    within = F.col("__dq_id") - F.shiftleft(part, _PARTITION_BITS)
    return marked.withColumn("__dq_at", start + within)
