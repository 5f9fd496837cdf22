"""Benchmark: dq-sql against one hand-written SQL query, on DuckDB and PostgreSQL.

The 7-rule set of the engines issue (not_null id, unique id, not_null amount, between amount
0..1e6, regex email, in_set status, max_length email 254) over generated rows, loaded once
into a DuckDB file and a PostgreSQL table. Per backend, the median of ``--repeat`` runs after
one warm-up of:

* **hand** — ONE hand-written query computing the seven failing counts (``count(*) FILTER``,
  a grouped subquery for unique): the cost of asking the database the question at all;
* **dq-sql counts** — ``SqlEngine.check`` with ``sample_size = 0`` (the same question, plus
  dq's LIMIT-0 column probe and regex probe);
* **dq-sql + samples** — with ``sample_size = 5`` (one more bounded query for failing rules).

Counts are printed so a disagreement shows; the peak RSS of a fresh process running only a
dq-sql check shows the table never comes into Python (pushdown: flat as --rows grows).
Target: dq-sql counts ≤ 1.1× hand.

    uv run --with './plugins/sql[postgres]' python benchmarks/engines_sql.py \\
        [--rows 1000000] [--repeat 3] [--pg postgresql://user:pw@host/db]

Without ``--pg`` a throwaway PostgreSQL is started from the machine's server binaries
(``initdb`` + ``pg_ctl``, as the dq-sql tests do), or the PostgreSQL half is skipped.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dq
import polars as pl

RULES = dq.RuleSet(
    rules=(
        dq.NotNull(id="nn_id", column="id"),
        dq.Unique(id="u_id", column="id"),
        dq.NotNull(id="nn_amount", column="amount"),
        dq.Between(id="b_amount", column="amount", min=0, max=1e6),
        dq.Regex(id="re_email", column="email", pattern=r"[a-z0-9.+-]+@[a-z0-9-]+\.[a-z.]+"),
        dq.InSet(
            id="s_status", column="status", values=("new", "paid", "shipped", "done", "refunded")
        ),
        dq.MaxLength(id="ml_email", column="email", length=254),
    ),
    sample_size=0,
)
STATUS = "('new', 'paid', 'shipped', 'done', 'refunded')"


def hand_query(table: str, regex: str) -> str:
    return f"""
SELECT
  count(*) - count(id),
  (SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {table} WHERE id IS NOT NULL
     GROUP BY id) g WHERE n > 1),
  count(*) - count(amount),
  count(*) FILTER (WHERE amount < 0 OR amount > 1000000 OR amount = 'NaN'),
  count(*) FILTER (WHERE NOT {regex}),
  count(*) FILTER (WHERE status NOT IN {STATUS}),
  count(*) FILTER (WHERE char_length(email) > 254)
FROM {table}"""


def generate(rows: int) -> pl.DataFrame:
    """Deterministic rows with a few of every defect (duplicates, nulls, bad values)."""
    i = pl.int_range(0, rows)
    statuses = pl.Series(["new", "paid", "shipped", "done", "refunded"])
    return pl.select(
        id=(i * 7919 % (rows - rows // 1000)).cast(pl.Int64),
        amount=pl.when(i % 997 == 0).then(None).otherwise((i % 50000) * 0.37 - 3.0),
        email=pl.when(i % 1009 == 0)
        .then(pl.format("user{}example.com", i))
        .otherwise(pl.format("user{}@example.com", i)),
        status=pl.when(i % 1013 == 0)
        .then(pl.lit("cancelled"))
        .otherwise(pl.lit(statuses).gather(i % 5)),
    ).with_columns(pl.col("amount").cast(pl.Float64))


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    out = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), out


@contextmanager
def throwaway_postgres() -> Iterator[str | None]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        yield None
        return
    bindir = Path(found[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="dq-bench-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = root / "data"
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "dq",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-w",
            "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://dq@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def load_postgres(url: str, frame: pl.DataFrame) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench")
        conn.execute("CREATE TABLE bench (id bigint, amount float8, email text, status text)")
        with conn.cursor() as cur, cur.copy("COPY bench FROM STDIN") as copy:
            for row in frame.iter_rows():
                copy.write_row(row)
        conn.execute("ANALYZE bench")


def bench(label: str, url: str, run_hand: Callable[[str], tuple], repeat: int) -> None:
    from dq_sql import SqlEngine, SqlTable

    source = SqlTable(table="bench", url=url, name=label)
    engine = SqlEngine()
    hand_s, hand_counts = median_time(lambda: run_hand(url), repeat)
    dq_s, result = median_time(lambda: engine.check(source, RULES), repeat)
    sampled = RULES.__class__(rules=RULES.rules, sample_size=5)
    smp_s, _ = median_time(lambda: engine.check(source, sampled), repeat)
    dq_counts = tuple(r.failed_count for r in result.results)  # type: ignore[attr-defined]
    rss = dq_process_rss(url)
    print(
        f"{label:9} hand {hand_s:7.3f}s  dq-sql {dq_s:7.3f}s ({dq_s / hand_s:4.2f}x)  "
        f"+samples {smp_s:7.3f}s ({smp_s / hand_s:4.2f}x)  dq process peak RSS {rss:5.0f} MB"
    )
    print(
        f"{'':9} counts hand {tuple(int(c) for c in hand_counts)}  dq-sql {dq_counts}"
        f"  {'agree' if tuple(int(c) for c in hand_counts) == dq_counts else 'DIFFER'}"
    )


CHILD = """
import sys
import dq
from dq_sql import SqlEngine, SqlTable
rules = dq.RuleSet(rules=(dq.Unique(id="u", column="id"), dq.NotNull(id="n", column="amount")))
SqlEngine().check(SqlTable(table="bench", url=sys.argv[1]), rules)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent across exec
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(int(hwm.split()[1]) / 1024)
"""


def dq_process_rss(url: str) -> float:
    """Peak RSS (MB) of a fresh process that only runs a dq-sql check: flat as rows grow."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, url], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", help="PostgreSQL URL (default: start a throwaway server)")
    args = parser.parse_args()
    import duckdb

    frame = generate(args.rows)
    work = Path(tempfile.mkdtemp(prefix="dq-bench-sql-"))
    duck_path = work / "bench.duckdb"
    with duckdb.connect(str(duck_path)) as conn:
        frame.write_parquet(work / "bench.parquet")
        conn.execute(
            f"CREATE TABLE bench AS SELECT * FROM read_parquet('{work / 'bench.parquet'}')"
        )
    print(f"{args.rows:,} rows x {len(RULES.rules)} rules, median of {args.repeat}")

    def duck_hand(url: str) -> tuple:
        with duckdb.connect(str(duck_path), read_only=True) as conn:
            regex = "regexp_full_match(email, '[a-z0-9.+-]+@[a-z0-9-]+\\.[a-z.]+')"
            return conn.execute(hand_query("bench", regex)).fetchone()

    bench("duckdb", f"duckdb:///{duck_path}", duck_hand, args.repeat)

    def pg_hand(url: str) -> tuple:
        import psycopg

        with psycopg.connect(url) as conn:
            regex = "(email ~ '^(?:[a-z0-9.+-]+@[a-z0-9-]+\\.[a-z.]+)$')"
            return conn.execute(hand_query("bench", regex).replace("%", "%%")).fetchone()

    with throwaway_postgres() if args.pg is None else _given(args.pg) as pg:
        if pg is None:
            print("postgres  skipped: no server binaries and no --pg")
        else:
            load_postgres(pg, frame)
            bench("postgres", pg, pg_hand, args.repeat)
    shutil.rmtree(work, ignore_errors=True)


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


if __name__ == "__main__":
    main()
