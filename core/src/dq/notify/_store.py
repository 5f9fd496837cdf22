"""The SQLite file behind the outbox, the cooldown ledger and open incidents.

One file (``notify.sqlite3`` in the state directory) holds all three, so a
notification's write-ahead record, its settlement, the cooldown it starts and the
incident it belongs to change together in one transaction: a crash leaves either
the state before or the state after, never half of it.

* WAL mode with ``synchronous = FULL``: a committed write-ahead record is on disk
  before the first byte goes to a service (WAL's default ``NORMAL`` may lose the
  last commits on power loss, which is exactly the window this file exists to close).
* One short connection per operation: usable from any thread, no lock held between
  calls. Switching to WAL reports "locked" without waiting, so first use is
  serialised in-process and retried across processes.
* A file that is not a database, or fails ``PRAGMA quick_check``, is moved aside
  (``notify.sqlite3.corrupt-<UTC timestamp>``, with its ``-wal``/``-shm``) and
  :class:`OutboxCorrupt` is raised once with the new path; the next use starts a
  fresh file. Nothing is deleted: an operator can still open the copy with sqlite3.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from dq.model._errors import DqError

OUTBOX_FILE = "notify.sqlite3"
_BUSY_TIMEOUT_MS = 10_000
#: Serialises first-use set-up within a process; across processes, set-up retries.
_INIT_LOCK = threading.Lock()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    channel       TEXT    NOT NULL,
    tenant        TEXT    NOT NULL DEFAULT '',
    dedup_key     TEXT    NOT NULL,
    config_source TEXT    NOT NULL DEFAULT '',
    notification  TEXT    NOT NULL,
    attempts      INTEGER NOT NULL,
    last_error    TEXT    NOT NULL,
    created_at    REAL    NOT NULL,
    updated_at    REAL    NOT NULL,
    lease_owner   TEXT,
    lease_until   REAL,
    UNIQUE (channel, tenant, dedup_key, config_source)
);
CREATE TABLE IF NOT EXISTS cooldown (
    channel      TEXT NOT NULL,
    tenant       TEXT NOT NULL DEFAULT '',
    dedup_key    TEXT NOT NULL,
    delivered_at REAL NOT NULL,
    PRIMARY KEY (channel, tenant, dedup_key)
);
CREATE TABLE IF NOT EXISTS incidents (
    tenant        TEXT NOT NULL DEFAULT '',
    dedup_key     TEXT NOT NULL,
    suite         TEXT NOT NULL,
    title         TEXT NOT NULL,
    config_source TEXT NOT NULL DEFAULT '',
    opened_at     REAL NOT NULL,
    failed_at     REAL NOT NULL,
    runs          INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant, dedup_key)
);
CREATE TABLE IF NOT EXISTS incident_channels (
    tenant       TEXT NOT NULL DEFAULT '',
    dedup_key    TEXT NOT NULL,
    channel      TEXT NOT NULL,
    triggered_at REAL NOT NULL,
    PRIMARY KEY (tenant, dedup_key, channel)
);
"""

#: Columns added to ``outbox`` after 1.1 (write-ahead state and lease holder); added in
#: place to an older file, whose rows are all ``pending``.
_OUTBOX_COLUMNS_1_2 = {
    "kind": "TEXT NOT NULL DEFAULT 'trigger'",
    "state": "TEXT NOT NULL DEFAULT 'pending'",
    "holder_pid": "INTEGER",
    "holder_host": "TEXT",
    "heartbeat": "REAL",
}


class OutboxCorrupt(DqError):
    """The state file was unreadable; it has been moved aside and a fresh one will be used."""

    def __init__(self, message: str, *, moved_to: Path | None) -> None:
        self.moved_to = moved_to
        super().__init__(message)


def this_host() -> str:
    return socket.gethostname()


def pid_alive(pid: int) -> bool:
    """Whether *pid* is a live process on this host (a zombie counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    except OSError:
        return False
    return True


def tenant_key(tenant: object) -> str:
    return str(tenant) if tenant else ""


def when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """DatabaseError proper ("file is not a database", "malformed"), not a busy or I/O error."""
    if not isinstance(exc, sqlite3.OperationalError):
        return True
    return "malformed" in str(exc) or "not a database" in str(exc)


class Store:
    """Plumbing shared by the outbox, the cooldown ledger and the incident ledger."""

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        if path is None:
            from dq.notify._state import state_dir

            path = state_dir() / OUTBOX_FILE
        self.path = Path(path)
        self._clock = clock
        self._ready = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    def _create(self) -> None:
        from dq.notify._state import create_state_file

        create_state_file(self.path)

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            conn.close()
            if _is_corruption(exc):
                raise self._quarantine(exc) from None
            raise
        return conn

    def _initialise(self) -> None:
        """Create the file, check it, switch it to WAL and create or migrate the tables."""
        with _INIT_LOCK:
            if self._ready:
                return
            self._create()
            for attempt in range(100):
                conn = self._open()
                try:
                    check = conn.execute("PRAGMA quick_check").fetchone()[0]
                    if check != "ok":
                        raise sqlite3.DatabaseError(f"quick_check: {check}")
                    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                        conn.execute("PRAGMA journal_mode = WAL")
                    conn.executescript(_SCHEMA)
                    self._migrate(conn)
                    break
                except sqlite3.DatabaseError as exc:
                    if _is_corruption(exc):
                        conn.close()
                        raise self._quarantine(exc) from None
                    if "locked" not in str(exc) or attempt == 99:
                        raise
                    time.sleep(0.02)
                finally:
                    conn.close()
            self._ready = True

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        have = {row[1] for row in conn.execute("PRAGMA table_info(outbox)")}
        for column, decl in _OUTBOX_COLUMNS_1_2.items():
            if column not in have:
                conn.execute(f"ALTER TABLE outbox ADD COLUMN {column} {decl}")

    def _quarantine(self, exc: BaseException) -> OutboxCorrupt:
        """Move the unreadable file (and its WAL) aside; the error to raise, with the path."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, target)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, target.with_name(target.name + suffix))
        except OSError as move:
            return OutboxCorrupt(
                f"the notification state file {self.path} is corrupt ({exc}) and could not be "
                f"moved aside ({move}); move or delete it by hand",
                moved_to=None,
            )
        self._ready = False
        return OutboxCorrupt(
            f"the notification state file {self.path} was corrupt ({exc}); moved it aside to "
            f"{target} and starting a fresh one: entries that waited in it were not replayed "
            "(inspect the copy with sqlite3)",
            moved_to=target,
        )

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self._initialise()
        conn = self._open()
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if _is_corruption(exc):
                conn.close()
                raise self._quarantine(exc) from None
            raise
        finally:
            conn.close()

    def check(self) -> None:
        """Open (and so verify) the file if it exists; raises :class:`OutboxCorrupt`."""
        if self.path.exists() and not self._ready:
            self._initialise()
