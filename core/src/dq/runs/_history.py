"""Run history: the row counts earlier runs saw, for ``row_count`` rules with ``max_change``.

A small SQLite file (``history.sqlite3``) in dq's state directory (``dq.state_dir()``),
apart from the notification store: losing it costs a baseline, never an alert, so it
must never be able to damage the outbox either.

* Keyed by the suite's name, its tenant (``''`` for none) and the rule id: acme's
  ``orders`` and globex's ``orders`` never compare with each other. ``dq check`` (no
  suite) uses ``check <rules file> <data>`` as the suite name (decision 27).
* Every judged count is recorded with ``accepted`` = whether its rule passed; the
  baseline is the latest *accepted* count, so a bad load that failed never becomes the
  yardstick the next run is judged by (``accept`` makes the latest count the baseline
  when a change was real).
* WAL, ``busy_timeout``, and each run's read-then-write in one ``BEGIN IMMEDIATE``
  transaction: two runs at once serialise, neither corrupts the file.
* A file that is not a database (or fails ``quick_check``) raises :class:`HistoryUnreadable`
  with what to do; the file is left where it is (it may be the only copy of a baseline).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import attrs

from dq.model._errors import DqError

HISTORY_FILE = "history.sqlite3"
_BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS row_counts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    suite       TEXT    NOT NULL,
    tenant      TEXT    NOT NULL DEFAULT '',
    rule_id     TEXT    NOT NULL,
    run_id      TEXT    NOT NULL DEFAULT '',
    row_count   INTEGER NOT NULL,
    accepted    INTEGER NOT NULL,
    recorded_at REAL    NOT NULL
);
CREATE INDEX IF NOT EXISTS row_counts_by_key ON row_counts (suite, tenant, rule_id, accepted, id);
"""


class HistoryUnreadable(DqError):
    """The run-history file cannot be used; the message says which file and what to do."""


@attrs.frozen(kw_only=True)
class HistoryKey:
    """Which runs compare with each other: one suite, one tenant, one rule."""

    suite: str
    tenant: str = ""
    rule_id: str


@attrs.frozen(kw_only=True)
class HistoryEntry:
    """One recorded count."""

    row_count: int
    accepted: bool
    recorded_at: datetime
    run_id: str = ""
    rule_id: str = ""


def _entry(row: tuple) -> HistoryEntry:
    count, accepted, at, run_id, rule_id = row
    return HistoryEntry(
        row_count=int(count),
        accepted=bool(accepted),
        recorded_at=datetime.fromtimestamp(at, UTC),
        run_id=run_id,
        rule_id=rule_id,
    )


_COLUMNS = "row_count, accepted, recorded_at, run_id, rule_id"


class Transaction:
    """Reads and writes inside one run's transaction (see :meth:`RunHistory.transaction`)."""

    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], float]) -> None:
        self._conn, self._clock = conn, clock

    def baseline(self, key: HistoryKey) -> HistoryEntry | None:
        """The latest accepted count for *key*, or None (no previous run)."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM row_counts WHERE suite = ? AND tenant = ? AND rule_id = ? "
            "AND accepted = 1 ORDER BY id DESC LIMIT 1",
            (key.suite, key.tenant, key.rule_id),
        ).fetchone()
        return _entry(row) if row else None

    def record(self, key: HistoryKey, row_count: int, *, accepted: bool, run_id: str = "") -> None:
        self._conn.execute(
            "INSERT INTO row_counts (suite, tenant, rule_id, run_id, row_count, accepted, "
            "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key.suite, key.tenant, key.rule_id, run_id, row_count, int(accepted), self._clock()),
        )


class RunHistory:
    """The run-history file. One short connection per use: safe from any thread or process."""

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        if path is None:
            from dq.notify._state import state_dir

            path = state_dir() / HISTORY_FILE
        self.path = Path(path)
        self._clock = clock

    def __repr__(self) -> str:
        return f"RunHistory({str(self.path)!r})"

    def _unreadable(self, exc: BaseException) -> HistoryUnreadable:
        return HistoryUnreadable(
            f"the run history {self.path} cannot be read ({exc}); move it aside or delete it "
            "(the next run records a new baseline), or set DQ_STATE_DIR to a writable folder"
        )

    def _create(self) -> None:
        from dq.notify._state import create_state_file

        create_state_file(self.path)

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            conn.close()
            raise sqlite3.DatabaseError(f"quick_check: {check}")
        for attempt in range(100):  # switching to WAL reports "locked" without waiting
            try:
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
                conn.executescript(_SCHEMA)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 99:
                    raise
                time.sleep(0.02)
        return conn

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Transaction]:
        """One transaction (``BEGIN IMMEDIATE`` when writing): all of it or none of it.

        Raises :class:`HistoryUnreadable` for a file that is not a usable database or
        cannot be created; an exception inside the block rolls everything back.
        """
        if not write and not self.path.exists():
            conn = sqlite3.connect(":memory:", isolation_level=None)
            conn.executescript(_SCHEMA)
        else:
            try:
                self._create()
                conn = self._open()
            except (OSError, sqlite3.Error) as exc:
                raise self._unreadable(exc) from None
        try:
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield Transaction(conn, self._clock)
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise self._unreadable(exc) from None
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        finally:
            conn.close()

    def entries(self, suite: str, tenant: str = "", *, limit: int = 20) -> list[HistoryEntry]:
        """The latest *limit* counts recorded for *suite* under *tenant*, newest first."""
        with self.transaction(write=False) as txn:
            rows = txn._conn.execute(
                f"SELECT {_COLUMNS} FROM row_counts WHERE suite = ? AND tenant = ? "
                "ORDER BY id DESC LIMIT ?",
                (suite, tenant, limit),
            ).fetchall()
        return [_entry(row) for row in rows]

    def accept_latest(self, suite: str, tenant: str = "") -> int:
        """Make each rule's latest count for *suite* the baseline; how many rules changed.

        For a change that was real (a new customer doubled the orders): the next run is
        judged against the new level instead of failing against the old one forever.
        """
        with self.transaction() as txn:
            cursor = txn._conn.execute(
                "UPDATE row_counts SET accepted = 1 WHERE accepted = 0 AND id IN ("
                "SELECT MAX(id) FROM row_counts WHERE suite = ? AND tenant = ? GROUP BY rule_id)",
                (suite, tenant),
            )
            return cursor.rowcount
