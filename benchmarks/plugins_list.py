"""Benchmark: how much does ``dq plugins list`` cost over the bare entry-point scan?

Every plugin system built on entry points must at least start Python and read the
entry-point metadata of every installed distribution. That cost, measured as
``python -c "import importlib.metadata as m; m.entry_points()"``, is the *floor*:
nothing that lists plugins from metadata can beat it. ``dq plugins list`` promises
to stay close to it (target: median(list) / median(floor) <= 1.5) and to import no
plugin. ``import dq`` must stay cheap too (target: < 100 ms), since every command
and every plugin pays for it; it is measured as median(import dq) minus
median(``python -c pass``), and cross-checked with ``-X importtime``.

Setup: a fresh venv in a temp dir with dq-core installed (non-editable) and 40
synthetic plugins spread over the five kinds. Each plugin writes a marker file
when imported, so the run proves listing imported none. Commands are run
interleaved (A, B, C, A, B, C ...) so they share the machine's noise.

    uv run python benchmarks/plugins_list.py [--runs 30] [--check] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "core"
N_PLUGINS = 40
GROUPS = ("dq.engines", "dq.notifiers", "dq.secrets", "dq.tenants", "dq.orchestrators")
WARMUP = 3
IMPORTTIME_RUNS = 5
RATIO_TARGET = 1.5
IMPORT_TARGET_MS = 100.0

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "dq-bench-{nn}"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["dq-core>=1,<2"]

[project.entry-points."{group}"]
bench-{nn} = "dq_bench_{nn}"

[project.entry-points."dq.hook_api"]
"^1.0" = "dq_bench_{nn}"
"""

INIT = """\
import os

_marker = os.environ.get("DQ_BENCH_IMPORT_MARKER")
if _marker:
    with open(_marker, "a") as f:
        f.write(__name__ + "\\n")
"""


def find_uv() -> str:
    found = shutil.which("uv")
    if found:
        return found
    from uv import find_uv_bin

    return str(find_uv_bin())


def sh(
    *cmd: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a setup command; on failure show its output and stop (setup must not fail)."""
    args = [str(c) for c in cmd]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    if proc.returncode != 0:
        sys.exit(f"setup failed: {' '.join(map(str, cmd))}\n{proc.stdout}\n{proc.stderr}")
    return proc


def setup(tmp: Path, uv: str) -> tuple[Path, Path]:
    venv = tmp / "venv"
    sh(uv, "venv", "--quiet", "--python", "3.11", venv)
    python = venv / "bin" / "python"
    sh(uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", python, CORE)
    sources = []
    for i in range(N_PLUGINS):
        nn = f"{i:02d}"
        src = tmp / "src" / f"dq-bench-{nn}"
        (src / f"dq_bench_{nn}").mkdir(parents=True)
        (src / "pyproject.toml").write_text(PYPROJECT.format(nn=nn, group=GROUPS[i % len(GROUPS)]))
        (src / f"dq_bench_{nn}" / "__init__.py").write_text(INIT)
        sources.append(src)
    sh(uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", python, *sources)
    return python, venv / "bin" / "dq"


def clean_env(marker: Path) -> dict[str, str]:
    """The caller's env minus anything that would change what Python or dq do."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "DQ_", "VIRTUAL_ENV", "UV_"))
    }
    env["DQ_BENCH_IMPORT_MARKER"] = str(marker)
    return env


def verify(dq: Path, marker: Path, env: dict[str, str], cwd: Path) -> None:
    proc = sh(dq, "plugins", "list", "--json", env=env, cwd=cwd)
    plugins = json.loads(proc.stdout)["plugins"]
    ours = [p for p in plugins if p["distribution"].startswith("dq-bench-")]
    bad = [f"{p['name']}: {p['status']} {p['reason']}" for p in ours if p["status"] != "ok"]
    if len(ours) != N_PLUGINS or bad:
        sys.exit(f"verification failed: {len(ours)}/{N_PLUGINS} plugins listed; not ok: {bad}")
    kinds = sorted({p["kind"] for p in ours})
    print(f"verified: {len(ours)} plugins ok across {len(kinds)} kinds ({', '.join(kinds)})")
    check_marker(marker)


def check_marker(marker: Path) -> None:
    if marker.exists():
        sys.exit(f"FAIL: a plugin was imported while listing: {marker.read_text().split()}")


def time_once(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, env=env, cwd=cwd, check=True)
    return time.perf_counter() - start


def measure(
    cmds: dict[str, list[str]], runs: int, env: dict[str, str], cwd: Path
) -> dict[str, list[float]]:
    for _ in range(WARMUP):
        for cmd in cmds.values():
            time_once(cmd, env, cwd)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):  # interleaved: A, B, C, A, B, C ...
        for name, cmd in cmds.items():
            times[name].append(time_once(cmd, env, cwd))
    return times


def importtime_us(python: Path, env: dict[str, str], cwd: Path) -> float:
    """Median cumulative microseconds of the ``dq`` line of ``-X importtime``."""
    values = []
    for _ in range(IMPORTTIME_RUNS):
        proc = sh(python, "-X", "importtime", "-c", "import dq", env=env, cwd=cwd)
        for line in proc.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[2].strip() == "dq":
                values.append(float(parts[1]))
    if not values:
        sys.exit("setup failed: no 'dq' line in -X importtime output")
    return statistics.median(values)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def report(times: dict[str, list[float]], importtime: float) -> bool:
    ms = {name: [t * 1000 for t in ts] for name, ts in times.items()}
    med = {name: statistics.median(v) for name, v in ms.items()}
    print(f"\n{'command':<40} {'median ms':>10} {'p90 ms':>10}")
    labels = {
        "floor": "floor: entry_points()",
        "list": "dq plugins list",
        "import": "python -c 'import dq'",
        "pass": "python -c 'pass' (baseline)",
    }
    for name, label in labels.items():
        print(f"{label:<40} {med[name]:>10.1f} {p90(ms[name]):>10.1f}")

    ratio = med["list"] / med["floor"]
    import_ms = med["import"] - med["pass"]
    ratio_ok = ratio <= RATIO_TARGET
    import_ok = import_ms < IMPORT_TARGET_MS
    print(f"\n{'measure':<40} {'value':>10} {'target':>10}  result")
    print(
        f"{'list / floor (medians)':<40} {ratio:>10.2f} {'<= 1.5':>10}  "
        f"{'PASS' if ratio_ok else 'FAIL'}"
    )
    print(
        f"{'import dq ms (median - pass median)':<40} {import_ms:>10.1f} {'< 100 ms':>10}  "
        f"{'PASS' if import_ok else 'FAIL'}"
    )
    print(f"{'import dq ms (raw median)':<40} {med['import']:>10.1f}")
    print(f"{'import dq ms (-X importtime, cumul.)':<40} {importtime / 1000:>10.1f}")
    return ratio_ok and import_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per command (default 30)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    tmp = Path(tempfile.mkdtemp(prefix="dq-bench-"))
    try:
        print(f"setting up in {tmp} (fresh venv, dq-core from {CORE}, {N_PLUGINS} plugins) ...")
        python, dq = setup(tmp, find_uv())
        marker = tmp / "imported.txt"
        env = clean_env(marker)
        work = tmp / "work"  # an empty cwd: no ./dq.toml gets picked up
        work.mkdir()
        verify(dq, marker, env, work)

        py = str(python)
        cmds = {
            "floor": [py, "-c", "import importlib.metadata as m; m.entry_points()"],
            "list": [str(dq), "plugins", "list"],
            "import": [py, "-c", "import dq"],
            "pass": [py, "-c", "pass"],
        }
        print(f"measuring: {WARMUP} warm-up + {args.runs} interleaved runs of each command ...")
        times = measure(cmds, args.runs, env, work)
        importtime = importtime_us(python, env, work)
        check_marker(marker)
        print(f"no plugin imported by any of the {WARMUP + args.runs + 1} listings")
        ok = report(times, importtime)
    finally:
        if args.keep:
            print(f"\nkept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
