"""Build a wheel and an sdist of every dq distribution into one folder (a wheelhouse).

    uv run python scripts/build_wheelhouse.py [--out dist/wheelhouse] [NAME ...]

NAME is a project name (``dq-slack``) or a folder name (``slack``); none means every
distribution: ``core``, ``contract-tests`` and each ``plugins/*`` with a pyproject.toml.
Each is built by ``uv build --no-sources``: the sdist first, then the wheel *from that sdist*,
so a file missing from the sdist breaks the wheel here rather than on a user's machine, and
workspace sources cannot stand in for a declared dependency. Install from the result with
``pip install --find-links dist/wheelhouse dq-core dq-polars`` (see docs/releasing.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _distributions import REPO, Distribution, select  # noqa: E402


def _normalized(name: str) -> str:
    """The file-name form of a project name (PEP 427/625): ``dq-slack`` -> ``dq_slack``."""
    return name.replace("-", "_").lower()


def build_one(dist: Distribution, out: Path, uv: str) -> tuple[Distribution, list[Path], float]:
    """Build one distribution; raise ``RuntimeError`` naming it and uv's last words on failure."""
    started = time.perf_counter()
    command = [uv, "build", str(dist.folder), "--out-dir", str(out), "--no-sources", "--quiet"]
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        raise RuntimeError(f"{dist.name} ({dist.rel}) failed to build:\n  " + "\n  ".join(tail))
    stem = f"{_normalized(dist.name)}-{dist.version}"
    made = [out / f"{stem}.tar.gz", *sorted(out.glob(f"{stem}-*.whl"))]
    missing = [p.name for p in made if not p.exists()]
    if missing or len(made) != 2:
        raise RuntimeError(f"{dist.name}: expected {stem}.tar.gz and one {stem}-*.whl in {out}")
    return dist, made, time.perf_counter() - started


def build(names: list[str], out: Path, jobs: int = 2) -> list[Path]:
    """Build the named distributions (all when empty) into ``out``; return the files made."""
    uv = shutil.which("uv")
    if uv is None:
        raise SystemExit("build_wheelhouse needs uv on PATH (pip install uv)")
    out.mkdir(parents=True, exist_ok=True)
    dists = select(names)
    files: list[Path] = []
    failures: list[str] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(build_one, d, out, uv) for d in dists]
        for future in futures:
            try:
                dist, made, seconds = future.result()
            except RuntimeError as exc:
                failures.append(str(exc))
                continue
            files += made
            print(f"built {dist.name} {dist.version} in {seconds:.1f}s", file=sys.stderr)
    if failures:
        raise SystemExit("\n".join(failures))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="distributions (default: all)")
    parser.add_argument("--out", type=Path, default=REPO / "dist" / "wheelhouse",
                        help="the wheelhouse folder (default: dist/wheelhouse)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="builds run at once (default: 2)")
    args = parser.parse_args(argv)
    files = build(args.names, args.out.resolve(), args.jobs)
    print(f"{len(files)} files in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
