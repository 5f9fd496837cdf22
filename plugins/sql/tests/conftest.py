"""A real PostgreSQL (one per test session) and DuckDB, both holding examples/orders.csv.

``postgres``: ``initdb`` + ``pg_ctl`` from the machine's PostgreSQL binaries
(``/usr/lib/postgresql/*/bin``) into a fresh temp dir, UTF-8 with the ``C.UTF-8`` locale,
password authentication (scram-sha-256) so wrong credentials can be tested, listening on
127.0.0.1 at a free port and on a unix socket inside the temp dir. PostgreSQL refuses to run
as root: under root the server runs as the ``postgres`` user. (The approach of
plugins/dbt/tests/conftest.py, copied rather than imported: no plugin imports another.)
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

os.environ.pop("DQ_CONFIG", None)
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PG_USER, PG_PASSWORD = "dq", "pg-Pa55-w0rd-never-shown"


def _pg_bin() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    if which is None:
        pytest.skip("no PostgreSQL server binaries (initdb) on this machine")
    return Path(which).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres() -> Iterator[dict[str, Any]]:
    """A running PostgreSQL: ``{"host", "port", "user", "password", "url"}`` (database ``dq``)."""
    psycopg = pytest.importorskip("psycopg")
    bindir = _pg_bin()
    root = Path(tempfile.mkdtemp(prefix="dq-sql-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    pwfile = root / "pw"
    pwfile.write_text(PG_PASSWORD)
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb and postgres refuse root
        for path in (root, sock, pwfile):
            shutil.chown(path, "postgres")
        root.chmod(0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            PG_USER,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    started = time.perf_counter()
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port} -k {sock} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )
    url = f"postgresql://{PG_USER}:{PG_PASSWORD}@127.0.0.1:{port}/postgres"
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE dq")
        yield {
            "host": "127.0.0.1",
            "port": port,
            "user": PG_USER,
            "password": PG_PASSWORD,
            "url": url.removesuffix("/postgres") + "/dq",
            "started_in": time.perf_counter() - started,
        }
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


def orders_frame() -> pl.DataFrame:
    """examples/orders.csv as dq-polars reads it (``dq check examples/orders.csv``)."""
    return pl.read_csv(EXAMPLES / "orders.csv")


def _pg_type(dtype: pl.DataType) -> str:
    if dtype.is_integer():
        return "bigint"
    if dtype.is_float():
        return "double precision"
    return "text"


def load_into_postgres(url: str, table: str, frame: pl.DataFrame) -> None:
    """Create *table* from *frame* with COPY (the driver's bulk path)."""
    import psycopg
    from psycopg import sql

    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(_pg_type(t)))
        for n, t in frame.schema.items()
    )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(table), columns))
        copy = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
        with conn.cursor() as cur, cur.copy(copy) as out:
            for row in frame.iter_rows():
                out.write_row(row)


@pytest.fixture(scope="session")
def pg_orders(postgres: dict[str, Any]) -> str:
    """The database URL; table ``orders`` holds examples/orders.csv."""
    load_into_postgres(postgres["url"], "orders", orders_frame())
    return postgres["url"]


@pytest.fixture(scope="session")
def duckdb_orders(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A DuckDB database file URL; table ``main.orders`` holds examples/orders.csv."""
    import duckdb

    path = tmp_path_factory.mktemp("duck") / "orders.duckdb"
    frame = orders_frame()
    with duckdb.connect(str(path)) as conn:
        csv = EXAMPLES / "orders.csv"
        conn.execute(f"CREATE TABLE orders AS SELECT * FROM read_csv('{csv}', header=true)")
        assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == frame.height
    return f"duckdb:///{path}"
