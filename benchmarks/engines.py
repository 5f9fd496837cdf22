"""Benchmark: dq-polars against the single-pass limit and against the peer engines.

The 7-rule set of the engines issue (not_null id, unique id, not_null amount,
between amount 0..1e6, regex email, in_set status, max_length email 254) is run
over generated data of 1M and 10M rows, read lazily from Parquet, by:

* **limit** — one hand-written polars ``select`` computing the same seven failing
  counts (``is_duplicated`` for unique): the cost of answering the question at all;
* **dq-polars** — ``dq check`` semantics through the real plugin host;
* **truthound, pandera, great-expectations** — dq's adapters over the real libraries.

Every engine runs in its own virtual environment (truthound pins polars<2, so it
cannot share one), in a fresh process per measurement so peak RSS belongs to that
engine alone; the median of ``--repeat`` timed runs after one warm-up is reported,
with the failing counts so disagreements show. Ratios are computed within the run.
Targets: dq-polars ≤ 1.1× the limit; ≥ 1.5× faster than truthound and pandera at 10M.

    uv run python benchmarks/engines.py [--rows 1000000 10000000] [--repeat 3]
        [--engines polars,truthound,pandera,gx] [--gx-max-rows 1000000] [--check]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_DIRS = {
    "polars": "plugins/polars",
    "truthound": "plugins/truthound",
    "pandera": "plugins/pandera",
    "gx": "plugins/great-expectations",
}
LIMIT_TARGET = 1.1
PEER_TARGET = 1.5

# Runs inside each engine's venv: times one engine (or the hand-written limit) and
# prints one JSON line. Kept as a string so this script needs no engine installed.
WORKER = r"""
import json, resource, statistics, sys, time
import polars as pl

mode, path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
STATUSES = ["pending", "paid", "shipped", "delivered", "refunded"]
PATTERN = r"[\w.+-]+@[\w-]+\.[\w.]+"


def limit():
    lf = pl.scan_parquet(path)
    return lf.select(
        not_null_id=pl.col("id").is_null().sum(),
        unique_id=(pl.col("id").is_duplicated() & pl.col("id").is_not_null()).sum(),
        not_null_amount=pl.col("amount").is_null().sum(),
        between_amount=(pl.col("amount").is_nan() | (pl.col("amount") < 0)
                        | (pl.col("amount") > 1e6)).sum(),
        regex_email=(~pl.col("email").str.contains(f"^(?:{PATTERN})$")).sum(),
        in_set_status=(~pl.col("status").is_in(STATUSES)).sum(),
        max_length_email=(pl.col("email").str.len_chars() > 254).sum(),
    ).collect().row(0, named=True)


def engine(name):
    import dq
    rules = dq.RuleSet(rules=(
        dq.NotNull(id="not_null_id", column="id"),
        dq.Unique(id="unique_id", column="id"),
        dq.NotNull(id="not_null_amount", column="amount"),
        dq.Between(id="between_amount", column="amount", min=0, max=1e6),
        dq.Regex(id="regex_email", column="email", pattern=PATTERN),
        dq.InSet(id="in_set_status", column="status", values=tuple(STATUSES)),
        dq.MaxLength(id="max_length_email", column="email", length=254),
    ), sample_size=5)
    component = dq.Host(dq.discover()).component("engine", name)

    def run():
        result = component.check(pl.scan_parquet(path), rules)
        out = {}
        for r in result.results:
            counted = r.status.value in ("passed", "failed")
            out[r.rule_id] = r.failed_count if counted else r.status.value
            if r.approximate:
                out[r.rule_id] = f"{r.failed_count}~"
        return out
    return run


run = limit if mode == "limit" else engine(mode)
counts = run()  # warm-up, and the counts to compare
times = []
for _ in range(repeat):
    started = time.perf_counter()
    run()
    times.append(time.perf_counter() - started)
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"median": statistics.median(times), "peak_mb": peak_mb, "counts": counts,
                  "polars": pl.__version__}))
"""


def make_data(path: Path, rows: int) -> None:
    """Deterministic data with defects in every rule's reach, generated with polars expressions."""
    import polars as pl

    i = pl.int_range(rows, dtype=pl.Int64)
    h = i.hash(seed=7)
    # ids in shuffled order (a permutation: 7919 is prime to 10^k), so no engine gets
    # the sorted-input fast path for free; every ~997th row repeats its neighbour's id.
    shuffled = (i * 7919 + 13) % rows
    previous = ((i - 1) * 7919 + 13) % rows
    frame = pl.select(
        id=pl.when(h % 1000 == 0).then(None).when(h % 997 == 0).then(previous).otherwise(shuffled),
        amount=pl.when(h % 500 == 1)
        .then(None)
        .when(h % 499 == 2)
        .then(float("nan"))
        .when(h % 487 == 3)
        .then(-5.0)
        .otherwise((h % 100_000).cast(pl.Float64) / 7.0),
        email=pl.when(h % 300 == 5)
        .then(pl.lit("broken.example.com"))
        .when(h % 100_003 == 6)
        .then(pl.lit("x" * 260 + "@example.com"))
        .otherwise(pl.format("user{}@example{}.com", i, h % 50)),
        status=pl.when(h % 250 == 7)
        .then(pl.lit("shiped"))
        .otherwise(pl.lit(["pending", "paid", "shipped", "delivered", "refunded"]).list.get(h % 5)),
    )
    frame.write_parquet(path)


def make_venv(root: Path, name: str) -> Path:
    """A venv with dq-core and one engine plugin; uv's cache makes repeats cheap."""
    uv = shutil.which("uv") or "uv"
    venv = root / f"venv-{name}"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "-q",
            "--no-sources",  # as a user gets them: not the workspace's editable members
            "--python",
            str(python),
            str(ROOT / "core"),
            str(ROOT / PLUGIN_DIRS[name]),
        ],
        check=True,
    )
    return python


def measure(python: Path, mode: str, data: Path, repeat: int) -> dict:
    proc = subprocess.run(
        [str(python), "-c", WORKER, mode, str(data), str(repeat)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="polars,truthound,pandera,gx")
    parser.add_argument(
        "--gx-max-rows",
        type=int,
        default=1_000_000,
        help="skip GX above this size (it takes ~50 s at 10M rows here)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if "polars" not in engines:
        engines.insert(0, "polars")

    tmp = Path(tempfile.mkdtemp(prefix="dq-bench-engines-"))
    missed = []
    try:
        print(f"setting up {len(engines)} engine environments in {tmp} ...", flush=True)
        pythons = {name: make_venv(tmp, name) for name in engines}
        for rows in args.rows:
            data = tmp / f"data-{rows}.parquet"
            make_data(data, rows)
            print(
                f"\n== {rows:,} rows ({data.stat().st_size / 1e6:.0f} MB parquet), "
                f"median of {args.repeat} ==",
                flush=True,
            )
            results = {"limit": measure(pythons["polars"], "limit", data, args.repeat)}
            for name in engines:
                if name == "gx" and rows > args.gx_max_rows:
                    results[name] = {"error": f"skipped above {args.gx_max_rows:,} rows"}
                    continue
                results[name] = measure(pythons[name], name, data, args.repeat)
            base = results["polars"].get("median")
            limit_t = results["limit"].get("median")
            print(
                f"{'engine':<12}{'median s':>10}{'peak MB':>9}{'vs dq-polars':>14}  polars  counts"
            )
            for name, res in results.items():
                if "error" in res:
                    print(f"{name:<12}{'-':>10}{'-':>9}{'-':>14}  {res['error']}")
                    continue
                ratio = res["median"] / base if base else float("nan")
                counts = ",".join(str(v) for v in res["counts"].values())
                print(
                    f"{name:<12}{res['median']:>10.3f}{res['peak_mb']:>9.0f}{ratio:>13.2f}x"
                    f"  {res['polars']:<7} {counts}"
                )
            ref = results["limit"].get("counts")
            for name, res in results.items():
                if "counts" not in res or not ref:
                    continue
                got = [str(v) for v in res["counts"].values()]
                want = [str(v) for v in ref.values()]
                if [g.rstrip("~") for g in got] != want:
                    print(f"  note: {name} counts differ from the limit's")
                elif got != want:
                    print(f"  note: {name} marks some counts approximate (~); they match")
            if base and limit_t:
                ratio = base / limit_t
                ok = ratio <= LIMIT_TARGET
                print(
                    f"dq-polars / limit = {ratio:.2f} (target <= {LIMIT_TARGET}) "
                    f"{'PASS' if ok else 'MISS'}"
                )
                if not ok:
                    missed.append(f"{rows}: limit ratio {ratio:.2f}")
            for peer in ("truthound", "pandera"):
                if rows >= 10_000_000 and base and "median" in results.get(peer, {}):
                    speedup = results[peer]["median"] / base
                    ok = speedup >= PEER_TARGET
                    print(
                        f"dq-polars is {speedup:.2f}x faster than {peer} (target >= {PEER_TARGET}) "
                        f"{'PASS' if ok else 'MISS'}"
                    )
                    if not ok:
                        missed.append(f"{rows}: {peer} speedup {speedup:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
