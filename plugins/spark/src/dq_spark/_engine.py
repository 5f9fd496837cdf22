"""The Engine: every rule's counts in ONE Spark action, samples in at most one more.

``check`` plans from the schema (no job), then collects one row: the aggregation pass over
the data (``count_if`` of each rule's predicate and judged rows) cross-joined with one
group-count per ``unique`` column (rows in duplicate groups) — Spark runs them as stages of
a single job graph. Samples, when rules failed and ``sample_size > 0``, are one more action:
per failing rule the distinct failing values with their first row, bounded by
``sample_size``, collected as one row of arrays. Nothing but that row leaves the cluster.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import dq

from dq_spark import _profile
from dq_spark._compile import (
    FLOATS,
    SAMPLED,
    SUPPORTED_CHECKS,
    Plan,
    base,
    compile_rule,
    dtype_name,
    error_result,
)
from dq_spark._config import SparkConfig
from dq_spark._rows import JSON_TIMES, rule_set_key, sample_rows
from dq_spark._session import SparkSourceError, session, to_spark
from dq_spark._table_checks import full_dtype_name, quoted

ENGINE_NAME = "spark"


def scalar(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return dq.json_scalar(value)


class SparkEngine:
    """Satisfies ``dq.protocols.Engine`` for Spark tables, paths and DataFrames."""

    supported_checks: frozenset[str] = SUPPORTED_CHECKS
    streams: bool = True  # Spark scans; only one row comes back
    accepts: frozenset[str] = frozenset({"polars", "spark"})
    #: Failure samples carry the rule set's key values, or row numbers (``sample_rows``).
    locates_rows: bool = True

    def __init__(self, config: SparkConfig | None = None) -> None:
        self.config = config or SparkConfig()

    def check(self, data: Any, rules: dq.RuleSet) -> dq.CheckResult:
        started_at, started = datetime.now(UTC), time.perf_counter()
        df, row_column, label = to_spark(data, self.config)
        spark = df.sparkSession
        fields = [f for f in df.schema.fields if f.name != row_column]
        schema = {f.name: dtype_name(f.dataType) for f in fields}
        full = {f.name: full_dtype_name(f.dataType, schema[f.name]) for f in fields}
        dq.refuse_missing_key(rules, schema)  # a wrong key costs no job
        settled: dict[int, dq.RuleResult] = {}
        plans: dict[int, Plan] = {}
        for i, rule in enumerate(rules.rules):
            out = compile_rule(rule, df, schema, spark, full)
            if isinstance(out, Plan):
                plans[i] = out
            elif out is not None:
                settled[i] = out
        try:
            rows, counts = _counts(df, plans, schema)
            zones = _zones(data)
            samples = _samples(df, plans, counts, rules.sample_size, row_column, schema, zones)
            located = sample_rows(
                df,
                plans,
                counts,
                rules,
                row_column,
                schema,
                lambda v, n: scalar(_decode(v, schema[n], zones.get(n))),
            )
        except Exception as exc:  # noqa: BLE001 - a job failed: the source, or the cluster
            raise SparkSourceError(f"{label}: the Spark job failed: {_first(exc)}") from None
        results = []
        for i, rule in enumerate(rules.rules):
            if i in settled:
                results.append(settled[i])
            elif i in plans and plans[i].judge is not None:
                results.append(plans[i].judge(counts[i], started_at))
            elif i in plans:
                results.append(
                    _judged(plans[i], *counts[i], samples.get(i, ()), located.get(i, ()))
                )
            elif rule.check == "schema":
                results.append(dq.schema_result(rule, full))
            else:
                results.append(_table_level(rule, schema, rows))
        return dq.CheckResult(
            status=dq.run_status(results, rules.gate),
            engine=ENGINE_NAME,
            results=tuple(results),
            row_count=rows,
            started_at=started_at,
            key=rule_set_key(rules),
            duration_seconds=time.perf_counter() - started,
        )

    def profile(self, data: Any) -> dq.Profile:
        df, row_column, label = to_spark(data, self.config)
        try:
            return _profile.profile(df, row_column)
        except Exception as exc:  # noqa: BLE001
            raise SparkSourceError(f"{label}: the Spark job failed: {_first(exc)}") from None

    def learn(self, data: Any) -> dq.RuleSet:
        return _profile.learn(self.profile(data))

    def session(self) -> Any:
        """The Spark session this engine uses (created on first call)."""
        return session(self.config)


def _first(exc: BaseException) -> str:
    return (str(exc).strip() or type(exc).__name__).splitlines()[0]


def _as_key(c: Any, dtype: str) -> Any:
    """One text key per value, equal exactly when dq's values are equal: JSON of the value,
    with -0.0 folded into 0.0 (``x + 0.0``) so they group together as numbers do."""
    from pyspark.sql import functions as F

    value = c + F.lit(0.0) if dtype in FLOATS else c
    return F.to_json(F.struct(value.alias("v")), JSON_TIMES)


def _plan_key(plan: Plan, schema: dict[str, str]) -> Any:
    """The grouping key of a unique rule: its column's, or a composite's (fields ``k0``…;
    a null field is left out of the JSON, so each null position stays distinct)."""
    from pyspark.sql import functions as F

    if not plan.key_columns:
        return _as_key(quoted(plan.column), schema[plan.column])  # type: ignore[index]
    parts = []
    for j, name in enumerate(plan.key_columns):
        c = quoted(name)
        parts.append((c + F.lit(0.0) if schema[name] in FLOATS else c).alias(f"k{j}"))
    return F.to_json(F.struct(*parts), JSON_TIMES)


def _decode(value: Any, dtype: str, zone: str | None = None) -> Any:
    """A key's JSON value back to what the oracle shows (NaN/inf floats, ``str`` of a
    date-time; an instant in its polars column's *zone*, which Spark does not keep)."""
    if isinstance(value, str) and dtype in FLOATS:
        return float(value)  # Spark writes NaN and infinities as JSON strings
    if isinstance(value, str) and dtype == "Datetime":
        moment = datetime.fromisoformat(value)
        if zone and moment.tzinfo is not None:
            from zoneinfo import ZoneInfo

            moment = moment.astimezone(ZoneInfo(zone))
        return str(moment)
    return value


def _zones(data: Any) -> dict[str, str]:
    """A polars frame's Datetime zones by column (Spark's TimestampType keeps none)."""
    kind = type(data).__name__
    if kind not in ("DataFrame", "LazyFrame") or not type(data).__module__.startswith("polars"):
        return {}
    schema = data.collect_schema() if kind == "LazyFrame" else data.schema
    return {n: z for n, dtype in schema.items() if (z := getattr(dtype, "time_zone", None))}


def _exploded(df: Any, items: list[tuple[int, Any, Any]]) -> Any:
    """Rows ``(dq_i, dq_k, __dq_first)``: for each (rule, predicate, key) a row where it holds."""
    from pyspark.sql import functions as F

    entries = F.array(
        *[F.when(pred, F.struct(F.lit(i).alias("i"), key.alias("k"))) for i, pred, key in items]
    )
    return (
        df.select(F.explode(entries).alias("dq_e"), F.col("__dq_first"))
        .where(F.col("dq_e").isNotNull())
        .select(F.col("dq_e.i").alias("dq_i"), F.col("dq_e.k").alias("dq_k"), "__dq_first")
    )


def _counts(
    df: Any, plans: dict[int, Plan], schema: dict[str, str]
) -> tuple[int, dict[int, tuple[int, int]]]:
    """ONE action: the aggregation pass, cross-joined with every unique rule's group counts."""
    from pyspark.sql import functions as F

    aggs = [F.count(F.lit(1)).alias("dq_rows")]
    for i, p in plans.items():
        if p.judge is not None:
            aggs += [a.alias(f"dq_t{i}_{k}") for k, a in enumerate(p.aggs)]
            continue
        if not p.unique:
            aggs.append(F.sum(F.when(p.fails, 1).otherwise(0)).alias(f"dq_f{i}"))
        aggs.append(F.sum(F.when(p.judged, 1).otherwise(0)).alias(f"dq_e{i}"))
    row_df = df.agg(*aggs)
    uniques = [(i, p.judged, _plan_key(p, schema)) for i, p in plans.items() if p.unique]
    if len(uniques) == 1:
        # one rule: group on its values as they are (Spark's grouping already folds -0.0
        # into 0.0, NaN with NaN and null with null), skipping the JSON keys the exploded
        # form needs
        i, judged, _ = uniques[0]
        keys = plans[i].key_columns or (plans[i].column,)
        dups = (
            df.where(judged)
            .groupBy(*[quoted(k) for k in keys])
            .agg(F.count(F.lit(1)).alias("dq_n"))
            .where(F.col("dq_n") > 1)
            .agg(F.sum("dq_n").alias("dq_n"))
            .select(F.lit(i).alias("dq_i"), F.coalesce("dq_n", F.lit(0)).alias("dq_n"))
            .agg(F.collect_list(F.struct("dq_i", "dq_n")).alias("dq_dups"))
        )
        row_df = row_df.crossJoin(dups)
    elif uniques:
        dups = (
            _exploded(df.withColumn("__dq_first", F.lit(0)), uniques)
            .groupBy("dq_i", "dq_k")
            .agg(F.count(F.lit(1)).alias("dq_n"))
            .where(F.col("dq_n") > 1)
            .groupBy("dq_i")
            .agg(F.sum("dq_n").alias("dq_n"))
            .agg(F.collect_list(F.struct("dq_i", "dq_n")).alias("dq_dups"))
        )
        row_df = row_df.crossJoin(dups)
    row = row_df.collect()[0].asDict()
    dup = {int(s["dq_i"]): int(s["dq_n"]) for s in row.get("dq_dups") or ()}
    counts: dict[int, Any] = {}
    for i, p in plans.items():
        if p.judge is not None:
            counts[i] = [row[f"dq_t{i}_{k}"] for k in range(len(p.aggs))]
            continue
        failed = dup.get(i, 0) if p.unique else int(row[f"dq_f{i}"] or 0)
        counts[i] = (failed, int(row[f"dq_e{i}"] or 0))
    return int(row["dq_rows"]), counts


def _samples(
    df: Any,
    plans: dict[int, Plan],
    counts: dict[int, tuple[int, int]],
    size: int,
    row: str | None,
    schema: dict[str, str],
    zones: dict[str, str],
) -> dict[int, tuple[Any, ...]]:
    """ONE action: distinct failing values of every failing rule, first row first, bounded."""
    import json

    from pyspark.sql import Window
    from pyspark.sql import functions as F

    wanted = [
        i
        for i, p in plans.items()
        if size > 0
        and (p.column or p.key_columns)
        and p.rule.check in SAMPLED
        and p.judge is None
        and counts[i][0] > 0
    ]
    if not wanted:
        return {}
    order = F.col(f"`{row}`") if row else F.monotonically_increasing_id()
    items = []
    for i in wanted:
        p = plans[i]
        items.append((i, p.judged if p.unique else p.fails, _plan_key(p, schema)))
    unique_ids = [i for i in wanted if plans[i].unique]
    grouped = (
        _exploded(df.withColumn("__dq_first", order), items)
        .groupBy("dq_i", "dq_k")
        .agg(F.min("__dq_first").alias("dq_first"), F.count(F.lit(1)).alias("dq_n"))
    )
    if unique_ids:  # a unique rule's failing values are those of duplicate groups
        grouped = grouped.where(~F.col("dq_i").isin(unique_ids) | (F.col("dq_n") > 1))
    ranked = grouped.withColumn(
        "dq_rank", F.row_number().over(Window.partitionBy("dq_i").orderBy("dq_first"))
    ).where(F.col("dq_rank") <= size)
    got: dict[int, list[tuple[int, Any]]] = {}
    for r in ranked.select("dq_i", "dq_k", "dq_first").collect():
        i = int(r["dq_i"])
        decoded = json.loads(r["dq_k"])
        names = plans[i].key_columns
        if names:  # composite unique: the repeated combination, {column: value}
            value: Any = {
                n: scalar(_decode(decoded.get(f"k{j}"), schema[n], zones.get(n)))
                for j, n in enumerate(names)
            }
        else:
            column = plans[i].column
            value = _decode(decoded["v"], schema[column], zones.get(column))
        got.setdefault(i, []).append((r["dq_first"], value))
    return {
        i: tuple(
            v if isinstance(v, dict) else scalar(v)
            for _, v in sorted(got.get(i, []), key=lambda t: t[0])
        )
        for i in wanted
    }


def _judged(
    plan: Plan,
    failed: int,
    element: int,
    samples: tuple[Any, ...],
    located: tuple[dq.SampleRow, ...] = (),
) -> dq.RuleResult:
    rule = plan.rule
    ok = element == 0 or (element - failed) / element >= rule.mostly
    return dq.RuleResult(
        **base(rule),
        status=dq.RuleStatus.PASSED if ok else dq.RuleStatus.FAILED,
        failed_count=failed,
        element_count=element,
        message=f"{failed} of {element} rows failed",
        samples=samples,
        sample_rows=located,
    )


def _table_level(rule: Any, schema: dict[str, str], rows: int) -> dq.RuleResult:
    if rule.check == "row_count":
        bad = (rule.min is not None and rows < rule.min) or (
            rule.max is not None and rows > rule.max
        )
        message = f"{rows} rows (expected {rule.min}..{rule.max})"
    elif rule.check == "column_exists":
        bad = rule.column not in schema
        message = f"column {rule.column!r} is {'missing' if bad else 'present'}"
    else:
        if rule.column not in schema:
            return error_result(rule, f"unknown column {rule.column!r}")
        wanted = "String" if rule.dtype == "Utf8" else rule.dtype
        bad = schema[rule.column] != wanted
        message = f"{rule.column!r} is {schema[rule.column]}"
    return dq.RuleResult(
        **base(rule),
        status=dq.RuleStatus.FAILED if bad else dq.RuleStatus.PASSED,
        failed_count=int(bad),
        element_count=1,
        message=message,
    )
