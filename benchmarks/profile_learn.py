"""Benchmark: ``dq profile`` and ``dq learn`` at scale, against hand-written polars baselines.

Generates an orders table (default 20M rows: int ids, e-mails, amounts, quantities,
statuses, countries, SKU codes, timestamps) as Parquet, then times in a fresh process
each (peak RSS belongs to that run alone; the median of ``--repeat`` runs):

* **profile** / **learn** — the dq-polars engine through the real plugin host;
* **baseline-profile** — one hand-written ``select`` of what a profile reports (count,
  nulls, exact distinct, min/max/mean, three quantiles, string lengths) plus the top
  values of the low-cardinality columns: what a careful polars user would write;
* **baseline-learn** — one hand-written ``select`` of what rule proposals need at the
  least (nulls, min/max, exact distinct, string lengths).

    uv run python benchmarks/profile_learn.py [--rows 20000000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

WORKER = r"""
import json, resource, statistics, sys, time
import polars as pl

mode, path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])


def baseline_profile():
    lf = pl.scan_parquet(path)
    schema = lf.collect_schema()
    exprs = [pl.len().alias("rows")]
    for name, dtype in schema.items():
        x = pl.col(name)
        exprs += [x.null_count().alias(f"{name}:nulls"), x.n_unique().alias(f"{name}:distinct")]
        if dtype.is_numeric() or dtype.is_temporal():
            exprs += [x.min().alias(f"{name}:min"), x.max().alias(f"{name}:max")]
        if dtype.is_numeric():
            exprs.append(x.mean().alias(f"{name}:mean"))
            exprs += [x.quantile(q).alias(f"{name}:q{q}") for q in (0.25, 0.5, 0.75)]
        if dtype == pl.String:
            exprs += [x.str.len_chars().min().alias(f"{name}:lmin"),
                      x.str.len_chars().max().alias(f"{name}:lmax")]
    lf.select(exprs).collect()
    low = [n for n, d in schema.items() if d == pl.String and n in ("status", "country")]
    pl.collect_all([lf.group_by(n).agg(pl.len()).sort("len").tail(10) for n in low])


def baseline_learn():
    lf = pl.scan_parquet(path)
    schema = lf.collect_schema()
    exprs = []
    for name, dtype in schema.items():
        x = pl.col(name)
        exprs += [x.null_count().alias(f"{name}:nulls"), x.n_unique().alias(f"{name}:distinct")]
        if dtype.is_numeric() or dtype.is_temporal():
            exprs += [x.min().alias(f"{name}:min"), x.max().alias(f"{name}:max")]
        if dtype == pl.String:
            exprs.append(x.str.len_chars().max().alias(f"{name}:lmax"))
    lf.select(exprs).collect()


def engine(method):
    import dq
    component = dq.Host(dq.discover()).component("engine", "polars")
    return lambda: getattr(component, method)(pl.scan_parquet(path))


run = {"baseline-profile": baseline_profile, "baseline-learn": baseline_learn}.get(mode)
run = run or engine(mode)
times = []
for _ in range(repeat):
    started = time.perf_counter()
    run()
    times.append(time.perf_counter() - started)
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"median": statistics.median(times), "peak_mb": peak_mb}))
"""

GENERATE = r"""
import sys, polars as pl
rows, path = int(sys.argv[1]), sys.argv[2]
i = pl.int_range(rows, dtype=pl.Int64)
h = i.hash(seed=7)
pl.select(
    order_id=(i * 7919 + 13) % rows + 1_000_000,
    customer_email=pl.format("user{}@example{}.com", h % 1_000_000, h % 50),
    amount=((h % 100_000).cast(pl.Float64) / 7.0).round(2),
    quantity=(h % 9 + 1).cast(pl.Int32),
    status=pl.lit(["pending", "paid", "shipped", "delivered", "refunded"]).list.get(h % 5),
    country=pl.lit(["DE", "FR", "SE", "ES", "IT", "NL"]).list.get(h % 6),
    sku=pl.format("AB-{}", (h % 9000 + 1000)),
    created_at=pl.datetime(2025, 1, 1) + pl.duration(seconds=i * 3),
).write_parquet(path)
"""


def measure(mode: str, data: Path, repeat: int) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", WORKER, mode, str(data), str(repeat)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--data", help="reuse this Parquet file instead of generating one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dq-bench-profile-") as tmp:
        data = Path(args.data) if args.data else Path(tmp) / "orders.parquet"
        if not args.data:
            subprocess.run([sys.executable, "-c", GENERATE, str(args.rows), str(data)], check=True)
        print(f"{args.rows:,} rows ({data.stat().st_size / 1e6:.0f} MB parquet)")
        print(f"{'run':<18}{'median s':>10}{'peak MB':>9}{'vs baseline':>13}")
        for method in ("profile", "learn"):
            base = measure(f"baseline-{method}", data, args.repeat)
            ours = measure(method, data, args.repeat)
            for label, res in ((f"baseline-{method}", base), (method, ours)):
                if "error" in res:
                    print(f"{label:<18}{'-':>10}{'-':>9}{'-':>13}  {res['error']}")
                    continue
                ratio = res["median"] / base["median"] if "median" in base else float("nan")
                print(f"{label:<18}{res['median']:>10.2f}{res['peak_mb']:>9.0f}{ratio:>12.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
