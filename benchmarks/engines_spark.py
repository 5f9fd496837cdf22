"""Benchmark: dq-spark against one hand-written PySpark aggregation, and against dq-polars.

The 7-rule set of the engines issue (not_null id, unique id, not_null amount, between amount
0..1e6, regex email, in_set status, max_length email 254; ``benchmarks/engines_sql.py``'s
rules and generator) over generated rows written once to Parquet. For each ``--rows``, the
median of ``--repeat`` runs after one warm-up (50M rows and up: one run after the warm-up,
see ``--single-above``) of:

* **hand** — ONE hand-written PySpark action over ``spark.read.parquet``: an ``agg`` of
  ``count_if`` per rule cross-joined with the duplicate-group count for ``unique`` (what a
  Spark user writes to ask the question at all);
* **dq-spark** — ``SparkEngine.check`` of a ``type = "spark"`` source on the same path,
  ``sample_size = 0`` (counts only), and **+samples** with ``sample_size = 5`` (one more
  action for the failing rules' samples);
* **dq-polars** — the default engine on ``pl.scan_parquet`` of the same file, as
  ``dq check bench.parquet`` would hand it.

All in one process, one ``local[N]`` session (started once; its start-up is printed, not
counted). Ratios are taken within the run; counts are printed so a disagreement shows.
Target: dq-spark ≤ 1.1× hand.

    uv run --with ./plugins/spark --with ./plugins/polars python benchmarks/engines_spark.py \\
        [--rows 1000000 10000000 50000000] [--repeat 3] [--master local[2]]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dq
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engines_sql import RULES, generate  # noqa: E402  (one rule set and generator for both)

HAND_TARGET = 1.1
STATUSES = ("new", "paid", "shipped", "done", "refunded")
PATTERN = r"^[a-z0-9.+-]+@[a-z0-9-]+\.[a-z.]+$"


def hand(spark: Any, path: str) -> tuple[int, ...]:
    """The seven failing counts in ONE Spark action, written as a Spark user would."""
    from pyspark.sql import functions as F

    df = spark.read.parquet(path)
    amount = F.col("amount")
    counts = df.agg(
        F.count_if(F.col("id").isNull()).alias("nn_id"),
        F.count_if(amount.isNull()).alias("nn_amount"),
        F.count_if((amount < 0) | (amount > 1e6) | F.isnan(amount)).alias("b_amount"),
        F.count_if(~F.col("email").rlike(PATTERN)).alias("re_email"),
        F.count_if(~F.col("status").isin(*STATUSES)).alias("s_status"),
        F.count_if(F.length("email") > 254).alias("ml_email"),
    )
    dups = (
        df.where(F.col("id").isNotNull())
        .groupBy("id")
        .count()
        .where("count > 1")
        .agg(F.coalesce(F.sum("count"), F.lit(0)).alias("u_id"))
    )
    row = counts.crossJoin(dups).collect()[0]
    return tuple(
        int(row[k])
        for k in ("nn_id", "u_id", "nn_amount", "b_amount", "re_email", "s_status", "ml_email")
    )


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median seconds of *repeat* runs after one warm-up, and the last output."""
    out = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), out


def failing(result: Any) -> tuple[int, ...]:
    return tuple(r.failed_count for r in result.results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--single-above",
        type=int,
        default=20_000_000,
        help="above this many rows, one timed run after the warm-up (a Spark pass is long)",
    )
    parser.add_argument("--master", default=f"local[{os.cpu_count() or 2}]")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()

    from dq_spark import SparkConfig, SparkEngine

    host = dq.Host(dq.discover())
    polars_engine = host.component("engine", "polars")
    config = SparkConfig(
        master=args.master,
        conf={
            "spark.driver.memory": args.driver_memory,
            "spark.sql.shuffle.partitions": str(2 * (os.cpu_count() or 2)),
            "spark.ui.showConsoleProgress": "false",
        },
    )
    spark_engine = SparkEngine(config)
    started = time.perf_counter()
    spark = spark_engine.session()
    spark.sparkContext.setLogLevel("ERROR")
    print(
        f"Spark {spark.version} session {args.master} started in "
        f"{time.perf_counter() - started:.1f} s (not counted); polars {pl.__version__}; "
        f"{os.cpu_count()} cores"
    )
    counts_only = RULES
    sampled = dq.RuleSet(rules=RULES.rules, sample_size=5)
    work = Path(tempfile.mkdtemp(prefix="dq-bench-spark-"))
    missed = False
    rows_table = []
    try:
        for rows in args.rows:
            path = work / f"bench-{rows}.parquet"
            generate(rows).write_parquet(path, row_group_size=1_000_000)
            repeat = 1 if rows > args.single_above else args.repeat
            source = dq.SourceRef(type="spark", label="bench", path=str(path), format="parquet")
            hand_s, hand_counts = timed(lambda p=str(path): hand(spark, p), repeat)
            dq_s, result = timed(lambda s=source: spark_engine.check(s, counts_only), repeat)
            smp_s, _ = timed(lambda s=source: spark_engine.check(s, sampled), repeat)
            pol_s, pol_result = timed(
                lambda p=path: polars_engine.check(pl.scan_parquet(p), counts_only), repeat
            )
            agree = hand_counts == failing(result) == failing(pol_result)
            ratio = dq_s / hand_s
            missed |= ratio > HAND_TARGET or not agree
            rows_table.append((rows, pol_s, dq_s))
            print(
                f"{rows:>11,} rows ({repeat} run{'s' if repeat > 1 else ''}): "
                f"hand {hand_s:7.2f}s  dq-spark {dq_s:7.2f}s ({ratio:4.2f}x hand)  "
                f"+samples {smp_s:7.2f}s ({smp_s / hand_s:4.2f}x)  "
                f"dq-polars {pol_s:6.2f}s (dq-spark {dq_s / pol_s:5.1f}x dq-polars)"
            )
            print(
                f"{'':11} counts hand {hand_counts} dq-spark {failing(result)} "
                f"dq-polars {failing(pol_result)} {'agree' if agree else 'DIFFER'}"
            )
            path.unlink()
    finally:
        spark.stop()
        shutil.rmtree(work, ignore_errors=True)
    _crossover(rows_table, os.cpu_count() or 2)
    return 1 if (args.check and missed) else 0


def _crossover(table: list[tuple[int, float, float]], cores: int) -> None:
    """Where Spark would overtake: the per-row costs measured here, and the cores that the
    Spark pass needs to match dq-polars on this machine's cores (Spark's scan and
    aggregation scale out across executors; dq-polars is bound to one machine)."""
    if len(table) < 2:
        return
    (r0, p0, s0), (r1, p1, s1) = table[-2], table[-1]
    spark_per_row = (s1 - s0) / (r1 - r0)  # marginal: start-up and job overheads cancel
    polars_per_row = (p1 - p0) / (r1 - r0)
    fixed = s1 - spark_per_row * r1
    print(
        f"marginal cost per 1M rows, {r0:,}..{r1:,}: dq-spark {spark_per_row * 1e6:.2f}s, "
        f"dq-polars {polars_per_row * 1e6:.3f}s, on {cores} cores; dq-spark fixed cost "
        f"per check ~{fixed:.1f}s"
    )
    if spark_per_row <= polars_per_row:
        print("dq-spark's marginal cost is at or below dq-polars' here: it overtakes as rows grow")
        return
    factor = spark_per_row / polars_per_row
    print(
        f"on this machine dq-spark does not overtake: each row costs {factor:.0f}x more; a "
        f"cluster with ~{factor * cores:.0f} cores of this speed matches dq-polars' scan rate "
        f"(more once the data no longer fits one machine's memory, where dq-polars stops)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
