"""The durable outbox: every notification written ahead of its first attempt, settled after.

Write-ahead, not write-on-failure: before the first byte goes to a service, the
notification is committed here as *in flight* under a lease held by the sending
process (its pid, host and a heartbeat). Delivered, the row leaves in the same
transaction that starts the cooldown; failed, it becomes *pending* with its
attempts and error. So a process killed at any instant (OOM, eviction,
``kill -9``) leaves either a pending row or an in-flight row whose holder is dead,
and ``dq notify replay`` delivers both. A resend after an unknown outcome (killed
between the send and the settle) carries the original ``dedup_key``, so a service
that honours one (PagerDuty, Opsgenie, webhook receivers) drops the repeat.

Leases: a replay or a run *holds* the rows it is sending. Another process may take
a row over when its holder's heartbeat is older than ``stale_seconds`` (30 s), or
at once when the holder ran on this host and its pid is gone. Rows held by a live
holder are reported (:meth:`Outbox.held`), never silently skipped.

What is stored is the *notification* (dq's converter, as JSON), the channel name,
the tenant and the config source — never a resolved config value: replay re-reads
the file and re-resolves secrets, so a copy of the state directory holds no
credential and rotating a leaked token also fixes what waits here.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime
from typing import Any

import attrs

from dq.model._notifications import Notification, NotificationKind
from dq.model._tenants import TenantId
from dq.notify._cooldown import CooldownLedger
from dq.notify._incidents import IncidentLedger
from dq.notify._store import (
    OUTBOX_FILE,
    OutboxCorrupt,
    Store,
    pid_alive,
    tenant_key,
    this_host,
    when,
)

__all__ = ["ANY_SOURCE", "OUTBOX_FILE", "Holder", "Outbox", "OutboxCorrupt", "OutboxEntry"]

#: A lease whose holder has not beaten its heart for this long may be taken over.
DEFAULT_STALE_SECONDS = 30.0
#: How often a holder renews its lease while it sends.
HEARTBEAT_SECONDS = 5.0
#: Kept for callers of 1.1's ``claim(lease_seconds=...)``: now the staleness timeout.
DEFAULT_LEASE_SECONDS = DEFAULT_STALE_SECONDS


@attrs.frozen(kw_only=True)
class Holder:
    """Who holds a lease: a process on a host, and when it last said it was alive."""

    pid: int
    host: str
    heartbeat: datetime
    alive: bool = True

    def describe(self, now: datetime) -> str:
        age = max(0.0, (now - self.heartbeat).total_seconds())
        return f"pid {self.pid} on {self.host} (heartbeat {age:.0f} s ago)"


@attrs.frozen(kw_only=True)
class OutboxEntry:
    """One notification waiting for (or being sent to) one channel."""

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
    #: ``pending`` (failed, waiting for replay) or ``in-flight`` (written ahead of a send).
    state: str = "pending"
    holder: Holder | None = None


class _AnySource:
    def __repr__(self) -> str:
        return "ANY_SOURCE"


#: ``claim(config_source=ANY_SOURCE)``: entries from every config source.
ANY_SOURCE: Any = _AnySource()

_COLUMNS = (
    "id, channel, tenant, dedup_key, config_source, notification, attempts, last_error, "
    "created_at, updated_at, state, lease_owner, holder_pid, holder_host, heartbeat, lease_until"
)


class Outbox(IncidentLedger, CooldownLedger, Store):
    """The outbox, the cooldown ledger and open incidents in one SQLite file.

    Every method opens its own short-lived connection, so an ``Outbox`` is usable
    from any thread. *clock* (epoch seconds) is injectable so tests can step past a
    cooldown or a stale heartbeat without sleeping.
    """

    stale_seconds: float = DEFAULT_STALE_SECONDS

    # -- rows --------------------------------------------------------------------------------

    def _entry(self, row: tuple[Any, ...], now: float | None = None) -> OutboxEntry:
        from dq.config._converter import structure

        (id_, channel, tenant, key, source, payload, attempts, error, created, updated) = row[:10]
        state, owner = row[10], row[11]
        holder = None
        if owner is not None:
            holder = self._holder(row[12:16], self._clock() if now is None else now)
        return OutboxEntry(
            id=id_,
            channel=channel,
            tenant=TenantId(tenant) if tenant else None,
            dedup_key=key,
            config_source=source or None,
            notification=structure(json.loads(payload), Notification, source=str(self.path)),
            attempts=attempts,
            last_error=error,
            created_at=when(created),
            updated_at=when(updated),
            state="in-flight" if state == "inflight" else "pending",
            holder=holder,
        )

    def _holder(self, fields: tuple[Any, ...], now: float) -> Holder:
        pid, host, beat, until = fields
        if beat is None:  # a 1.1 lease: only its end is known
            return Holder(
                pid=0, host="?", heartbeat=when(now), alive=until is not None and until >= now
            )
        alive = now - beat <= self.stale_seconds and not (
            host == this_host() and not pid_alive(pid)
        )
        return Holder(pid=pid, host=host, heartbeat=when(beat), alive=alive)

    def _lease(self, owner: str, now: float) -> tuple[Any, ...]:
        return (owner, os.getpid(), this_host(), now, now + self.stale_seconds)

    @staticmethod
    def _payload(notification: Notification) -> str:
        from dq.config._converter import unstructure

        return json.dumps(unstructure(notification), ensure_ascii=False)

    def _write_ahead(
        self,
        conn: Any,
        notification: Notification,
        channel: str,
        source: str,
        owner: str,
        now: float,
    ) -> int:
        tenant, key = tenant_key(notification.tenant), notification.dedup_key
        conn.execute(
            "INSERT INTO outbox (channel, tenant, dedup_key, config_source, notification, "
            "attempts, last_error, created_at, updated_at, kind, state, lease_owner, "
            "holder_pid, holder_host, heartbeat, lease_until) "
            "VALUES (?,?,?,?,?,0,'',?,?,?,'inflight',?,?,?,?,?) "
            "ON CONFLICT (channel, tenant, dedup_key, config_source) DO UPDATE SET "
            "notification = excluded.notification, kind = excluded.kind, state = 'inflight', "
            "updated_at = excluded.updated_at, lease_owner = excluded.lease_owner, "
            "holder_pid = excluded.holder_pid, holder_host = excluded.holder_host, "
            "heartbeat = excluded.heartbeat, lease_until = excluded.lease_until",
            (
                channel,
                tenant,
                key,
                source,
                self._payload(notification),
                now,
                now,
                notification.kind.value,
                *self._lease(owner, now),
            ),
        )
        row = conn.execute(
            "SELECT id FROM outbox WHERE channel = ? AND tenant = ? AND dedup_key = ? "
            "AND config_source = ?",
            (channel, tenant, key, source),
        ).fetchone()
        return int(row[0])

    # -- write-ahead -------------------------------------------------------------------------

    def begin(
        self,
        notification: Notification,
        *,
        channels: list[str],
        owner: str,
        config_source: str | None = None,
    ) -> dict[str, tuple[int | None, Holder | None]]:
        """Commit *notification* for every one of *channels* as in flight under *owner*'s
        lease, in ONE transaction, before the first attempt on any: a crash after the
        first send can no longer lose the channels not yet written. Per channel:
        ``(entry id, None)``, or ``(None, holder)`` when another live process holds that
        very entry (it is sending it now: do not send it twice).

        A waiting entry for the same event is taken over and refreshed (one row per
        channel, tenant, event and source), so a trigger replaces a stale resolve and
        the other way round: the newest state of the incident is what gets delivered.
        """
        now = self._clock()
        tenant, key = tenant_key(notification.tenant), notification.dedup_key
        source = config_source or ""
        found: dict[str, tuple[int | None, Holder | None]] = {}
        with self._connect(write=True) as conn:
            for channel in channels:
                row = conn.execute(
                    "SELECT id, kind, lease_owner, holder_pid, holder_host, heartbeat, "
                    "lease_until FROM outbox WHERE channel = ? AND tenant = ? AND "
                    "dedup_key = ? AND config_source = ?",
                    (channel, tenant, key, source),
                ).fetchone()
                if row is not None and row[2] not in (None, owner):
                    holder = self._holder(row[3:7], now)
                    if holder.alive:
                        found[channel] = (None, holder)
                        continue
                if row is not None and row[1] == "resolve":
                    if notification.kind is NotificationKind.TRIGGER:
                        # the channel got the last trigger, never the resolve: still open
                        self._note_triggered(conn, channel, notification.tenant, key, now)
                found[channel] = (
                    self._write_ahead(conn, notification, channel, source, owner, now),
                    None,
                )
        return found

    def heartbeat(self, owner: str) -> None:
        """The holder is alive: renew the lease on every row it holds."""
        now = self._clock()
        with self._connect(write=True) as conn:
            conn.execute(
                "UPDATE outbox SET heartbeat = ?, lease_until = ? WHERE lease_owner = ?",
                (now, now + self.stale_seconds, owner),
            )

    def delivered(
        self,
        entry_id: int | None,
        notification: Notification,
        *,
        channel: str,
        cooldown_key: str | None = None,
    ) -> int:
        """Settle a delivery in one transaction: drop the entry and the event's other waiting
        rows of the same kind for *channel*, start the cooldown, and note a trigger on the
        open incident (so a later pass resolves it on this channel). Returns rows dropped."""
        now = self._clock()
        tenant, key = tenant_key(notification.tenant), notification.dedup_key
        kind = notification.kind.value
        with self._connect(write=True) as conn:
            dropped = 0
            if entry_id is not None:
                dropped += conn.execute("DELETE FROM outbox WHERE id = ?", (entry_id,)).rowcount
            dropped += conn.execute(
                "DELETE FROM outbox WHERE channel = ? AND tenant = ? AND dedup_key = ? "
                "AND kind = ?",
                (channel, tenant, key, kind),
            ).rowcount
            if cooldown_key is not None:
                self._cool(conn, channel, tenant, cooldown_key, now)
            if notification.kind is NotificationKind.TRIGGER:
                self._note_triggered(conn, channel, notification.tenant, key, now)
        return dropped

    # -- the outbox --------------------------------------------------------------------------

    def add(
        self,
        notification: Notification,
        *,
        channel: str,
        error: str,
        config_source: str | None = None,
        attempts: int = 1,
    ) -> int:
        """Keep a failed notification for *channel* as pending; returns the entry id.

        One entry per (channel, tenant, event, source): the same event failing again
        adds its attempts to the entry already waiting instead of queueing a copy.
        """
        now = self._clock()
        tenant, key, source = (
            tenant_key(notification.tenant),
            notification.dedup_key,
            config_source or "",
        )
        with self._connect(write=True) as conn:
            conn.execute(
                "INSERT INTO outbox (channel, tenant, dedup_key, config_source, notification, "
                "attempts, last_error, created_at, updated_at, kind) VALUES (?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (channel, tenant, dedup_key, config_source) DO UPDATE SET "
                "notification = excluded.notification, kind = excluded.kind, "
                "attempts = attempts + excluded.attempts, last_error = excluded.last_error, "
                "updated_at = excluded.updated_at, state = 'pending', lease_owner = NULL, "
                "lease_until = NULL, holder_pid = NULL, holder_host = NULL, heartbeat = NULL",
                (
                    channel,
                    tenant,
                    key,
                    source,
                    self._payload(notification),
                    attempts,
                    error,
                    now,
                    now,
                    notification.kind.value,
                ),
            )
            row = conn.execute(
                "SELECT id FROM outbox WHERE channel = ? AND tenant = ? AND dedup_key = ? "
                "AND config_source = ?",
                (channel, tenant, key, source),
            ).fetchone()
        return int(row[0])

    def pending(self, channel: str | None = None) -> list[OutboxEntry]:
        """Every entry, waiting or in flight (oldest first), optionally for one channel."""
        query, params = f"SELECT {_COLUMNS} FROM outbox", ()
        if channel is not None:
            query, params = query + " WHERE channel = ?", (channel,)
        now = self._clock()
        with self._connect() as conn:
            rows = conn.execute(query + " ORDER BY id", params).fetchall()
        return [self._entry(row, now) for row in rows]

    def held(
        self, channel: str | None = None, *, config_source: str | None = ANY_SOURCE
    ) -> list[OutboxEntry]:
        """Entries a live process holds right now (a run sending, another replay)."""
        return [
            e
            for e in self.pending(channel)
            if e.holder is not None
            and e.holder.alive
            and (config_source is ANY_SOURCE or (e.config_source or "") == (config_source or ""))
        ]

    def claim(
        self,
        channel: str | None = None,
        *,
        config_source: str | None = ANY_SOURCE,
        lease_seconds: float | None = None,
    ) -> tuple[str, list[OutboxEntry]]:
        """Take every entry no live process holds; returns (lease owner, entries).

        Free rows are taken, and so are rows whose holder is dead (its pid gone on this
        host) or silent (no heartbeat for ``stale_seconds``). The lease ends when the
        entry is settled, released, or its holder stops beating.
        """
        owner = uuid.uuid4().hex
        now = self._clock()
        where, params = [], []
        if channel is not None:
            where.append("channel = ?")
            params.append(channel)
        if config_source is not ANY_SOURCE:
            where.append("config_source = ?")
            params.append(config_source or "")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._connect(write=True) as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM outbox{clause} ORDER BY id", params
            ).fetchall()
            taken = [
                row[0] for row in rows if row[11] is None or not self._holder(row[12:16], now).alive
            ]
            lease = self._lease(owner, now)
            if lease_seconds is not None:
                lease = (*lease[:4], now + lease_seconds)
            for entry_id in taken:
                conn.execute(
                    "UPDATE outbox SET state = 'inflight', lease_owner = ?, holder_pid = ?, "
                    "holder_host = ?, heartbeat = ?, lease_until = ? WHERE id = ?",
                    (*lease, entry_id),
                )
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE lease_owner = ? ORDER BY id", (owner,)
            ).fetchall()
        return owner, [self._entry(row, now) for row in rows]

    def mark_delivered(self, entry_id: int) -> None:
        """The entry reached its channel: it leaves the outbox."""
        with self._connect(write=True) as conn:
            conn.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))

    def settle(self, channel: str, tenant: TenantId | None, dedup_key: str) -> int:
        """The event reached *channel* another way (a later run): drop its waiting entries."""
        with self._connect(write=True) as conn:
            cursor = conn.execute(
                "DELETE FROM outbox WHERE channel = ? AND tenant = ? AND dedup_key = ?",
                (channel, tenant_key(tenant), dedup_key),
            )
        return cursor.rowcount

    def record_failure(self, entry_id: int, error: str, attempts: int = 1) -> None:
        """Attempts failed: count them, keep the (secret-free) error, make it pending again."""
        with self._connect(write=True) as conn:
            conn.execute(
                "UPDATE outbox SET attempts = attempts + ?, last_error = ?, updated_at = ?, "
                "state = 'pending', lease_owner = NULL, lease_until = NULL, holder_pid = NULL, "
                "holder_host = NULL, heartbeat = NULL WHERE id = ?",
                (max(attempts, 1), error, self._clock(), entry_id),
            )

    def release(self, owner: str) -> None:
        """Give back entries a replay claimed but did not settle (it was cancelled)."""
        with self._connect(write=True) as conn:
            conn.execute(
                "UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_until = NULL, "
                "holder_pid = NULL, holder_host = NULL, heartbeat = NULL WHERE lease_owner = ?",
                (owner,),
            )

    def remove(self, entry_id: int) -> bool:
        """Drop an entry without sending it (an operator's decision); True if it existed."""
        with self._connect(write=True) as conn:
            cursor = conn.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))
        return cursor.rowcount > 0
