"""A throwaway PostgreSQL for the differential test, and loading a polars frame into it.

``initdb`` + ``pg_ctl`` from the machine's server binaries (``/usr/lib/postgresql/*/bin``)
into a fresh temp dir, UTF-8 with the ``C.UTF-8`` locale, listening on 127.0.0.1 at a free
port; under root the server runs as the ``postgres`` user (it refuses root). The approach of
plugins/sql/tests/conftest.py, copied rather than imported (tests do not import a plugin's
tests). Trust authentication: this test compares counts, the sql plugin's own tests cover
passwords.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl


def server_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (newest version), or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_postgres(bindir: Path) -> Iterator[str]:
    """A running server for the life of the block; yields the URL of its database ``dq``."""
    import psycopg

    root = Path(tempfile.mkdtemp(prefix="dq-agree-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        for path in (root, sock):
            shutil.chown(path, "postgres")
        root.chmod(0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "dq", "-A", "trust", "-E", "UTF8"]
    subprocess.run(
        [*prefix, *initdb, "--locale=C.UTF-8"], check=True, capture_output=True, timeout=120
    )
    options = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log")]
    subprocess.run(
        [*prefix, *pg_ctl, "-w", "-t", "60", "-o", options, "start"],
        check=True,
        capture_output=True,
        timeout=90,
    )
    try:
        base = f"postgresql://dq@127.0.0.1:{port}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE dq")
        yield f"{base}/dq"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


def _pg_type(dtype: pl.DataType) -> str:
    if dtype.is_integer():
        return "bigint"
    if dtype.is_float():
        return "double precision"
    if dtype == pl.Boolean:
        return "boolean"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):  # a zone: instants (timestamptz); none: wall-clock
        return "timestamptz" if dtype.time_zone else "timestamp"
    return "text"


def load(conn: Any, table: str, frame: pl.DataFrame) -> None:
    """Replace *table* with *frame*'s rows (COPY, the driver's bulk path), in frame order."""
    from psycopg import sql

    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(_pg_type(t)))
        for n, t in frame.schema.items()
    )
    name = sql.Identifier(table)
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(name))
    conn.execute(sql.SQL("CREATE TABLE {} ({})").format(name, columns))
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} FROM STDIN").format(name)) as out:
        for row in frame.iter_rows():
            out.write_row(row)
