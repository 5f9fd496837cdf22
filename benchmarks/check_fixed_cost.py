"""Benchmark: the fixed cost of ``dq check`` on a small file, against polars alone.

A data engineer's first impression of dq is ``dq check`` on a few hundred rows, where
the data costs nothing and start-up is everything. The yardstick is what any polars
program pays for the same job: start Python, ``import polars``, read the CSV. dq adds
its own imports (attrs, cattrs, the converter, plugin discovery), the rules, the
engine's query and the report. Target (issue 11): the median of the per-pair ratios
dq / polars-alone <= 1.1.

Setup: a fresh venv in a temp dir with dq-core and dq-polars installed from their
folders (non-editable, as a user gets them; the warm-up runs write the bytecode).
The two commands run in turn (A, B, A, B ...) and the ratio is taken pair by pair, so drift in the
machine's speed cancels. ``-X importtime`` of the dq run is summarised by top-level
package so a regression shows where it came from.

A third command, C, is the floor any dq must pay: polars-alone plus the stack the project is
built on (attrs, cattrs, pluggy, tomllib imported; the ``dq`` entry-point group scanned through
importlib.metadata) and no dq code at all. C/B is printed from the same interleaved run, so
the target can be read against what the stack itself costs (decision 29).

    uv run python benchmarks/check_fixed_cost.py [--runs 30] [--check] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from engines import make_venv  # the same venv (dq-core + dq-polars) the engines benchmark uses

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "orders.csv"
RULES = ROOT / "examples" / "orders.rules.toml"
WARMUP = 3
TARGET = 1.1
# C: what polars-alone costs plus the stack dq is built on, with no dq module imported.
STACK_ALONE = (
    "import polars as pl, attrs, cattrs, pluggy, tomllib; "
    "from importlib.metadata import entry_points; "
    "entry_points(group='dq'); "
    "pl.read_csv({data!r})"
)


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DQ_", "PYTHON", "VIRTUAL"))}
    env["NO_COLOR"] = "1"
    return env


def time_once(cmd: list[str], env: dict[str, str], cwd: Path, ok: tuple[int, ...]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return elapsed


def importtime_by_package(
    python: Path, dq_args: list[str], env: dict[str, str], cwd: Path
) -> dict[str, float]:
    """Self time (ms) of every top-level package imported by one ``dq check``."""
    proc = subprocess.run(
        [str(python), "-X", "importtime", "-m", "dq", *dq_args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
    )
    totals: dict[str, float] = defaultdict(float)
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[0].startswith("import time:"):
            try:
                self_us = float(parts[0].removeprefix("import time:"))
            except ValueError:
                continue
            totals[parts[2].strip().split(".")[0]] += self_us / 1000
    return dict(totals)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed pairs (default 30)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="dq-bench-fixed-"))
    try:
        print(f"setting up in {tmp} (fresh venv: dq-core + dq-polars) ...")
        python = make_venv(tmp, "polars")  # bytecode is written by the warm-up runs
        dq = python.parent / "dq"
        env, work = clean_env(), tmp / "work"
        work.mkdir()  # an empty cwd: no ./dq.toml is picked up
        dq_args = ["check", str(DATA), "--rules", str(RULES)]
        a = [str(dq), *dq_args]
        b = [str(python), "-c", f"import polars as pl; pl.read_csv({str(DATA)!r})"]
        floor = [str(python), "-c", "pass"]
        stack = [str(python), "-c", STACK_ALONE.format(data=str(DATA))]
        for _ in range(WARMUP):
            time_once(a, env, work, (0, 1))
            time_once(b, env, work, (0,))
            time_once(stack, env, work, (0,))
        ta, tb, tc, tf, ratios, stack_ratios = [], [], [], [], [], []
        for _ in range(args.runs):
            x = time_once(a, env, work, (0, 1))  # the example has failing rules: exit 1
            y = time_once(b, env, work, (0,))
            z = time_once(stack, env, work, (0,))
            tf.append(time_once(floor, env, work, (0,)))
            ta.append(x)
            tb.append(y)
            tc.append(z)
            ratios.append(x / y)
            stack_ratios.append(z / y)
        ratio = statistics.median(ratios)
        print(f"\n{'command':<44} {'median ms':>10} {'min ms':>8}")
        for label, ts in (
            ("A  dq check orders.csv (500 rows, 10 rules)", ta),
            ("B  python: import polars; read_csv", tb),
            ("C  B + the stack alone (no dq code)", tc),
            ("   python -c pass", tf),
        ):
            print(f"{label:<44} {statistics.median(ts) * 1000:>10.1f} {min(ts) * 1000:>8.1f}")
        print(
            f"\nA/B median of {args.runs} pair ratios: {ratio:.3f} (target <= {TARGET}) "
            f"{'PASS' if ratio <= TARGET else 'MISS'}"
        )
        floor_ratio = statistics.median(stack_ratios)
        print(f"C/B median of {args.runs} pair ratios: {floor_ratio:.3f} (the stack's floor)")
        print(f"A - B median: {(statistics.median(ta) - statistics.median(tb)) * 1000:.1f} ms")
        own_ms = (statistics.median(ta) - statistics.median(tc)) * 1000
        print(f"A - C median: {own_ms:.1f} ms (dq's own code)")
        packages = importtime_by_package(python, dq_args, env, work)
        top = sorted(packages.items(), key=lambda kv: -kv[1])[:12]
        print(
            "\nimport self time by package in one dq check (-X importtime, ms): "
            + ", ".join(f"{name} {ms:.0f}" for name, ms in top)
        )
    finally:
        if args.keep:
            print(f"\nkept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if args.check and ratio > TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
