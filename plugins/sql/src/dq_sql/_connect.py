"""Where the data is: a reference to a table or query, and one open connection to run SQL on.

``SqlTable`` names a table (``schema.table``) or a read-only query in a database given by a
URL: ``duckdb:///path/to/file.duckdb``, ``duckdb:`` (in memory), or
``postgresql://user:password@host:port/db`` (psycopg 3, any libpq URL or key/value DSN).
The URL is a :class:`dq.SecretValue` because it usually carries a password; it is revealed
only to hand it to the driver and is masked in every message.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import dq

from dq_sql._dialect import DUCKDB, POSTGRES, Dialect
from dq_sql._errors import SqlSourceError, SqlSourceNotFound, mask

#: The row-order column added to a polars frame loaded into DuckDB (dropped from the schema).
ROW_COLUMN = "__dq_row"


def is_polars_frame(data: Any) -> bool:
    """A polars DataFrame/LazyFrame, recognised without importing polars (import cost)."""
    return type(data).__module__.startswith("polars") and type(data).__name__ in (
        "DataFrame",
        "LazyFrame",
    )


def _as_secret(value: dq.SecretValue | str | None) -> dq.SecretValue | None:
    if value is None or isinstance(value, dq.SecretValue):
        return value
    return dq.SecretValue(value)


@attrs.frozen(kw_only=True)
class SqlTable:
    """A table or a query in a database: what ``dq_sql`` checks in place.

    Exactly one of ``table`` and ``query`` is set. ``url`` may be left out when the engine's
    own config carries one. ``name`` is how messages refer to the source (never the URL).
    """

    table: str | None = None
    query: str | None = None
    url: dq.SecretValue | None = attrs.field(default=None, converter=_as_secret)
    name: str | None = None

    def __attrs_post_init__(self) -> None:
        if (self.table is None) == (self.query is None):
            raise dq.UsageError("a SQL source names exactly one of 'table' and 'query'")

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return f"table {self.table}" if self.table else "query"


def scheme_of(url: str) -> str:
    head = url.split(":", 1)[0].lower()
    if head in ("postgresql", "postgres") or "=" in url.split("://", 1)[0]:
        return "postgres"
    if head == "duckdb":
        return "duckdb"
    raise dq.UsageError(
        f"unsupported SQL URL scheme {head!r}: use duckdb:///path, duckdb: or postgresql://..."
    )


class Connection:
    """One open database connection and the dialect its SQL is written in."""

    def __init__(self, raw: Any, dialect: Dialect, label: str, secrets: tuple[str, ...]) -> None:
        self.raw = raw
        self.dialect = dialect
        self.label = label
        self.secrets = secrets
        self.row_column: str | None = None  # set when the source carries a row-order column
        #: a polars frame's Datetime zones (DuckDB keeps the instants, not the zone name)
        self.zones: dict[str, str] = {}

    def fail(self, exc: BaseException, doing: str) -> SqlSourceError:
        return SqlSourceError(
            f"{self.label}: {doing} failed: {mask(_first_line(exc), *self.secrets)}"
        )

    def run(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run *sql*; return column names and rows. Raises the driver's error as is."""
        if self.dialect is DUCKDB:
            rel = self.raw.execute(sql)
            names = [d[0] for d in rel.description or ()]
            return names, rel.fetchall()
        with self.raw.cursor() as cur:
            # no parameters: psycopg 3 sends the text as is (``%`` is not a placeholder, and
            # doubling it would turn ``id % 2`` into the operator ``%%``)
            cur.execute(sql)
            names = [d.name for d in cur.description or ()]
            return names, cur.fetchall()

    def describe(self, sql: str, *, full: bool = False) -> list[tuple[str, str]]:
        """(name, dq dtype name) of each column *sql* returns, without reading its rows.

        *full*: a ``Datetime`` with its unit and zone (``Dialect.full_dtype_name``).
        """
        name = self.dialect.full_dtype_name if full else self.dialect.dtype_name
        if self.dialect is DUCKDB:
            _, rows = self.run(f"DESCRIBE {sql}")
            found = [(r[0], name(r[1])) for r in rows]
        else:
            with self.raw.cursor() as cur:
                cur.execute(f"SELECT * FROM ({sql}) AS dq_probe LIMIT 0")
                found = [(d.name, name(d.type_code)) for d in cur.description or ()]
        return [(n, self._zoned(n, t)) for n, t in found]

    def _zoned(self, column: str, dtype: str) -> str:
        zone = self.zones.get(column)
        return dtype.replace("time_zone='UTC'", f"time_zone={zone!r}") if zone else dtype

    def sample(self, column: str | None, value: Any) -> Any:
        """A failing value as the oracle shows it: an instant in its column's zone."""
        zone = self.zones.get(column or "")
        if zone and getattr(value, "tzinfo", None) is not None:
            from zoneinfo import ZoneInfo

            return value.astimezone(ZoneInfo(zone))
        return value

    def close(self) -> None:
        try:
            self.raw.close()
        except Exception:  # noqa: BLE001 - closing must never hide the real outcome
            pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _connect_url(url: dq.SecretValue, label: str) -> Connection:
    text = url.reveal_text()
    secrets = (text,)
    scheme = scheme_of(text)
    if scheme == "duckdb":
        import duckdb

        path = text.split(":", 1)[1].removeprefix("//").removeprefix("/") if ":" in text else ""
        path = "/" + path if text.startswith("duckdb:///") else path
        try:
            raw = duckdb.connect(path or ":memory:", read_only=bool(path))
        except Exception as exc:  # noqa: BLE001 - duckdb raises several unrelated types
            raise SqlSourceError(
                f"{label}: cannot open the DuckDB database: {mask(_first_line(exc), *secrets)}"
            ) from None
        return Connection(raw, DUCKDB, label, secrets)
    try:
        import psycopg
    except ImportError:
        raise dq.UsageError(
            f"{label}: PostgreSQL needs psycopg 3: pip install 'dq-sql[postgres]'"
        ) from None
    try:
        raw = psycopg.connect(text, autocommit=True, connect_timeout=10)
    except Exception as exc:  # noqa: BLE001 - OperationalError, ProgrammingError for bad DSNs
        raise SqlSourceError(
            f"{label}: cannot connect to PostgreSQL: {mask(_first_line(exc), *secrets)}; "
            "check the host, port and the credentials behind the secret reference"
        ) from None
    return Connection(raw, POSTGRES, label, secrets)


@contextmanager
def open_source(data: Any, default_url: dq.SecretValue | None) -> Iterator[tuple[Connection, str]]:
    """Open *data* and yield (connection, the SQL ``FROM`` item to read it).

    *data* is a polars frame (loaded into an in-process DuckDB through a temporary Parquet
    file, with a row-order column so samples keep the frame's order) or a reference to a
    table or query (``SqlTable``, or any object with ``table``/``query``/``url``
    attributes, such as the source dq-core hands an engine).
    """
    if is_polars_frame(data):
        with _frame_in_duckdb(data) as conn:
            yield conn, "dq_frame"
        return
    table, query = getattr(data, "table", None), getattr(data, "query", None)
    if table is None and query is None:
        raise dq.UsageError(
            f"the sql engine reads polars frames and SQL tables or queries, not "
            f"{type(data).__name__}"
        )
    label = getattr(data, "label", None) or getattr(data, "name", None)
    label = label or (f"table {table}" if table else "query")
    url = _as_secret(getattr(data, "url", None)) or default_url
    if url is None:
        raise dq.UsageError(
            f"{label}: no database URL: set 'url' on the source or in [engines.sql] "
            "(as a ${secret:...} reference)"
        )
    conn = _connect_url(url, f"source {label}")
    try:
        from_item = conn.dialect.table_name(table) if table else f"({query}) AS dq_src"
        try:
            conn.describe(f"SELECT * FROM {from_item}")
        except Exception as exc:  # noqa: BLE001 - the driver's own error types
            raise SqlSourceNotFound(
                f"{conn.label}: cannot read it: {mask(_first_line(exc), *conn.secrets)}; "
                "check the table name (schema.table) or the query"
            ) from None
        yield conn, from_item
    finally:
        conn.close()


_FRAME_DB: Any = None
_FRAME_LOCK = threading.Lock()


@contextmanager
def _frame_in_duckdb(data: Any) -> Iterator[Connection]:
    """The frame as table ``dq_frame`` of one process-wide in-memory DuckDB (opening a
    database costs more than checking a small frame), one check at a time."""
    import duckdb

    global _FRAME_DB
    frame = data.collect() if type(data).__name__ == "LazyFrame" else data
    frame = frame.with_row_index(ROW_COLUMN)
    fd, path = tempfile.mkstemp(suffix=".parquet", prefix="dq-sql-")
    os.close(fd)
    with _FRAME_LOCK:
        if _FRAME_DB is None:
            _FRAME_DB = duckdb.connect(":memory:")
        raw = _FRAME_DB.cursor()
        try:
            frame.write_parquet(path)
            raw.execute(f"CREATE OR REPLACE TABLE dq_frame AS SELECT * FROM read_parquet('{path}')")
            conn = Connection(raw, DUCKDB, "polars frame", ())
            conn.row_column = ROW_COLUMN
            conn.zones = {
                name: zone
                for name, dtype in frame.schema.items()
                if (zone := getattr(dtype, "time_zone", None))
            }
            yield conn
        finally:
            raw.execute("DROP TABLE IF EXISTS dq_frame")
            raw.close()
            os.unlink(path)
