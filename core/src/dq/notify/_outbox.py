"""The durable outbox: failed notifications kept for replay, and the cooldown ledger.

A delivery that still fails after the notifier's own retries is written here, so
an alert is never silently lost: ``dq notify replay`` resends it later with its
original ``dedup_key``, so a service that did get the first attempt drops the
duplicate.

What is stored is the *notification* (dq's converter, as JSON), the channel name,
the tenant and the config source (the suite or dq.toml the channel came from) —
never a resolved config value. Webhook URLs and tokens stay in the config and the
secret store; replay re-reads the file and re-resolves them, so rotating a leaked
token also fixes what is waiting in the outbox, and a copy of the state directory
holds no credential.

SQLite in WAL mode with a busy timeout makes two ``dq`` processes safe together
(a cron run while someone replays by hand). Replay *claims* entries with a lease
in one write transaction, so two replays cannot both resend the same entry.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from dq.model._notifications import Notification
from dq.model._tenants import TenantId

OUTBOX_FILE = "notify.sqlite3"
#: How long a replay may hold an entry before another replay may take it over.
DEFAULT_LEASE_SECONDS = 300.0
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
"""


@attrs.frozen(kw_only=True)
class OutboxEntry:
    """One notification waiting for one channel."""

    id: int
    channel: str
    tenant: TenantId | None
    dedup_key: str
    config_source: str | None
    notification: Notification
    attempts: int
    last_error: str
    created_at: datetime
    updated_at: datetime


def _tenant_key(tenant: TenantId | str | None) -> str:
    return str(tenant) if tenant else ""


class _AnySource:
    def __repr__(self) -> str:
        return "ANY_SOURCE"


#: ``claim(config_source=ANY_SOURCE)``: entries from every config source.
ANY_SOURCE: Any = _AnySource()


def _when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class Outbox:
    """The outbox and cooldown ledger in one SQLite file (default: the state dir's).

    Every method opens its own short-lived connection: that makes an ``Outbox``
    usable from any thread (the dispatcher calls it through ``anyio.to_thread``)
    and leaves no lock held between calls. *clock* (epoch seconds) is injectable
    so tests can step past a cooldown without sleeping.
    """

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
        return f"Outbox({str(self.path)!r})"

    # -- plumbing -----------------------------------------------------------------------

    def _create(self) -> None:
        if self.path.parent == _default_dir():
            from dq.notify._state import ensure_state_dir

            ensure_state_dir()
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Owner-only from the first byte: alert text describes other people's data.
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        return conn

    def _initialise(self) -> None:
        """Create the file, switch it to WAL and create the tables, once per instance.

        Switching the journal mode needs the database to itself, and SQLite reports
        "database is locked" at once (no busy wait) when another connection is busy,
        so this is serialised in-process and retried against other processes.
        """
        with _INIT_LOCK:
            if self._ready:
                return
            self._create()
            for attempt in range(100):
                conn = self._open()
                try:
                    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                        conn.execute("PRAGMA journal_mode = WAL")
                    conn.executescript(_SCHEMA)
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or attempt == 99:
                        raise
                    time.sleep(0.02)
                finally:
                    conn.close()
            self._ready = True

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
        finally:
            conn.close()

    def _entry(self, row: tuple[Any, ...]) -> OutboxEntry:
        from dq.config._converter import structure

        (id_, channel, tenant, key, source, payload, attempts, error, created, updated) = row
        return OutboxEntry(
            id=id_,
            channel=channel,
            tenant=TenantId(tenant) if tenant else None,
            dedup_key=key,
            config_source=source or None,
            notification=structure(json.loads(payload), Notification, source=str(self.path)),
            attempts=attempts,
            last_error=error,
            created_at=_when(created),
            updated_at=_when(updated),
        )

    _COLUMNS = (
        "id, channel, tenant, dedup_key, config_source, notification, attempts, last_error, "
        "created_at, updated_at"
    )

    # -- the outbox ---------------------------------------------------------------------

    def add(
        self,
        notification: Notification,
        *,
        channel: str,
        error: str,
        config_source: str | None = None,
        attempts: int = 1,
    ) -> int:
        """Keep a failed notification for *channel*; returns the entry id.

        One entry per (channel, tenant, event, source): the same event failing
        again adds its attempts to the entry already waiting instead of queueing a
        second copy, which replay would send twice.
        """
        from dq.config._converter import unstructure

        payload = json.dumps(unstructure(notification), ensure_ascii=False)
        now = self._clock()
        tenant = _tenant_key(notification.tenant)
        key, source = notification.dedup_key, config_source or ""
        with self._connect(write=True) as conn:
            conn.execute(
                "INSERT INTO outbox (channel, tenant, dedup_key, config_source, notification, "
                "attempts, last_error, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (channel, tenant, dedup_key, config_source) DO UPDATE SET "
                "notification = excluded.notification, attempts = attempts + excluded.attempts, "
                "last_error = excluded.last_error, updated_at = excluded.updated_at",
                (channel, tenant, key, source, payload, attempts, error, now, now),
            )
            row = conn.execute(
                "SELECT id FROM outbox WHERE channel = ? AND tenant = ? AND dedup_key = ? "
                "AND config_source = ?",
                (channel, tenant, key, source),
            ).fetchone()
        return int(row[0])

    def pending(self, channel: str | None = None) -> list[OutboxEntry]:
        """Every waiting entry (oldest first), optionally for one channel name."""
        query = f"SELECT {self._COLUMNS} FROM outbox"
        params: tuple[Any, ...] = ()
        if channel is not None:
            query += " WHERE channel = ?"
            params = (channel,)
        with self._connect() as conn:
            rows = conn.execute(query + " ORDER BY id", params).fetchall()
        return [self._entry(row) for row in rows]

    def claim(
        self,
        channel: str | None = None,
        *,
        config_source: str | None = ANY_SOURCE,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> tuple[str, list[OutboxEntry]]:
        """Take the waiting entries no other replay holds; returns (lease owner, entries).

        *config_source* :data:`ANY_SOURCE` (the default) takes entries of every
        source. The lease ends when the entry is settled (:meth:`mark_delivered`,
        :meth:`record_failure`) or, if this process dies mid-replay, after *lease_seconds*.
        """
        owner = uuid.uuid4().hex
        now = self._clock()
        where, params = ["(lease_until IS NULL OR lease_until < ?)"], [now]
        if channel is not None:
            where.append("channel = ?")
            params.append(channel)
        if config_source is not ANY_SOURCE:
            where.append("config_source = ?")
            params.append(config_source or "")
        clause = " AND ".join(where)
        with self._connect(write=True) as conn:
            conn.execute(
                f"UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE {clause}",
                (owner, now + lease_seconds, *params),
            )
            rows = conn.execute(
                f"SELECT {self._COLUMNS} FROM outbox WHERE lease_owner = ? ORDER BY id", (owner,)
            ).fetchall()
        return owner, [self._entry(row) for row in rows]

    def mark_delivered(self, entry_id: int) -> None:
        """The entry reached its channel: it leaves the outbox."""
        with self._connect(write=True) as conn:
            conn.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))

    def settle(self, channel: str, tenant: TenantId | None, dedup_key: str) -> int:
        """The event reached *channel* another way (a later run): drop its waiting entries.

        Without this, replay would deliver an event the channel already has.
        """
        with self._connect(write=True) as conn:
            cursor = conn.execute(
                "DELETE FROM outbox WHERE channel = ? AND tenant = ? AND dedup_key = ?",
                (channel, _tenant_key(tenant), dedup_key),
            )
        return cursor.rowcount

    def record_failure(self, entry_id: int, error: str) -> None:
        """Another attempt failed: count it, keep the (secret-free) error, release the lease."""
        with self._connect(write=True) as conn:
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, updated_at = ?, "
                "lease_owner = NULL, lease_until = NULL WHERE id = ?",
                (error, self._clock(), entry_id),
            )

    def release(self, owner: str) -> None:
        """Give back entries a replay claimed but did not settle (it was cancelled)."""
        with self._connect(write=True) as conn:
            conn.execute(
                "UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?",
                (owner,),
            )

    def remove(self, entry_id: int) -> bool:
        """Drop an entry without sending it (an operator's decision); True if it existed."""
        with self._connect(write=True) as conn:
            cursor = conn.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))
        return cursor.rowcount > 0

    # -- the cooldown ledger -------------------------------------------------------------

    def record_delivery(self, channel: str, tenant: TenantId | None, dedup_key: str) -> int:
        """Remember that *dedup_key* reached *channel* now (starts its cooldown), and drop
        the event's waiting entries for that channel (see :meth:`settle`) in the same
        transaction; returns how many were dropped."""
        key = (channel, _tenant_key(tenant), dedup_key)
        with self._connect(write=True) as conn:
            conn.execute(
                "INSERT INTO cooldown (channel, tenant, dedup_key, delivered_at) "
                "VALUES (?,?,?,?) ON CONFLICT (channel, tenant, dedup_key) "
                "DO UPDATE SET delivered_at = excluded.delivered_at",
                (*key, self._clock()),
            )
            cursor = conn.execute(
                "DELETE FROM outbox WHERE channel = ? AND tenant = ? AND dedup_key = ?", key
            )
        return cursor.rowcount

    def last_delivered(
        self, channel: str, tenant: TenantId | None, dedup_key: str
    ) -> datetime | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT delivered_at FROM cooldown WHERE channel = ? AND tenant = ? "
                "AND dedup_key = ?",
                (channel, _tenant_key(tenant), dedup_key),
            ).fetchone()
        return _when(row[0]) if row else None

    def cooling_down(
        self, channel: str, tenant: TenantId | None, dedup_key: str, cooldown_seconds: float
    ) -> float | None:
        """Seconds since *dedup_key* last reached *channel* if within the cooldown, else None."""
        if cooldown_seconds <= 0:
            return None
        last = self.last_delivered(channel, tenant, dedup_key)
        if last is None:
            return None
        age = self._clock() - last.timestamp()
        return age if 0 <= age < cooldown_seconds else None

    def prune_cooldown(self, older_than_seconds: float) -> int:
        """Forget deliveries older than any cooldown still configured; keeps the file small."""
        with self._connect(write=True) as conn:
            cursor = conn.execute(
                "DELETE FROM cooldown WHERE delivered_at < ?",
                (self._clock() - older_than_seconds,),
            )
        return cursor.rowcount


def _default_dir() -> Path:
    from dq.notify._state import state_dir

    return state_dir()
