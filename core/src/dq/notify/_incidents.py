"""Open incidents: which failing suite each one is, and which channels heard about it.

An incident is opened by a failing run and keyed by its notification's
``dedup_key`` (suite, tenant and rule set — see :func:`dq.notification_for`) and
tenant. A channel is noted on the incident only when a trigger was *delivered*
to it, so a later pass resolves exactly the channels that were told: nothing is
resolved that was never triggered there.

Closing is one transaction that (1) writes a RESOLVE ahead into the outbox for
each noted channel that takes resolves, (2) drops the incident's triggers still
waiting (a fixed problem is not paged for), and (3) forgets the incident and its
cooldown rows, so the same failure coming back later is a new incident that pages
again. A crash right after the commit leaves the resolves in the outbox, where
replay delivers them like any other entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from dq.model._notifications import Notification
from dq.model._tenants import TenantId
from dq.notify._store import tenant_key, when


@attrs.frozen(kw_only=True)
class Incident:
    """An open incident: a suite failing for a tenant, and the channels that were told."""

    dedup_key: str
    tenant: TenantId | None
    suite: str
    title: str
    config_source: str | None
    opened_at: datetime
    failed_at: datetime
    #: How many failing runs this incident has seen.
    runs: int
    channels: tuple[str, ...] = ()


class IncidentLedger:
    """The incident tables of the state file (mixed into :class:`dq.Outbox`)."""

    # provided by Store / Outbox
    _clock: Callable[[], float]
    _connect: Any
    _write_ahead: Any
    _holder: Any

    @staticmethod
    def _note_triggered(conn: Any, channel: str, tenant: Any, key: str, now: float) -> None:
        """*channel* got a trigger of the open incident *key* (no-op when none is open)."""
        conn.execute(
            "INSERT OR IGNORE INTO incident_channels (tenant, dedup_key, channel, triggered_at) "
            "SELECT tenant, dedup_key, ?, ? FROM incidents WHERE tenant = ? AND dedup_key = ?",
            (channel, now, tenant_key(tenant), key),
        )

    def open_incident(
        self, notification: Notification, *, suite: str, config_source: str | None = None
    ) -> bool:
        """Open the incident of a failing run, or count another run on it; True if new."""
        now = self._clock()
        key = (tenant_key(notification.tenant), notification.dedup_key)
        with self._connect(write=True) as conn:
            existed = conn.execute(
                "SELECT 1 FROM incidents WHERE tenant = ? AND dedup_key = ?", key
            ).fetchone()
            conn.execute(
                "INSERT INTO incidents (tenant, dedup_key, suite, title, config_source, "
                "opened_at, failed_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT (tenant, dedup_key) "
                "DO UPDATE SET title = excluded.title, failed_at = excluded.failed_at, "
                "runs = runs + 1",
                (*key, suite, notification.title, config_source or "", now, now),
            )
        return existed is None

    def incidents(self) -> list[Incident]:
        """Every open incident, oldest first, with the channels that were triggered."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT tenant, dedup_key, suite, title, config_source, opened_at, failed_at, "
                "runs FROM incidents ORDER BY opened_at, dedup_key"
            ).fetchall()
            noted = conn.execute(
                "SELECT tenant, dedup_key, channel FROM incident_channels ORDER BY channel"
            ).fetchall()
        channels: dict[tuple[str, str], list[str]] = {}
        for tenant, key, channel in noted:
            channels.setdefault((tenant, key), []).append(channel)
        return [
            Incident(
                dedup_key=key,
                tenant=TenantId(tenant) if tenant else None,
                suite=suite,
                title=title,
                config_source=source or None,
                opened_at=when(opened),
                failed_at=when(failed),
                runs=runs,
                channels=tuple(channels.get((tenant, key), ())),
            )
            for tenant, key, suite, title, source, opened, failed, runs in rows
        ]

    def close_incident(
        self,
        resolution: Notification,
        *,
        owner: str,
        config_source: str | None = None,
        wants_resolve: Callable[[str], bool] = lambda _channel: True,
    ) -> list[tuple[int, str]] | None:
        """Close the incident *resolution* names; ``None`` when none is open.

        Returns ``(entry id, channel)`` for every resolve written ahead (in flight under
        *owner*), for the channels that were triggered and for which *wants_resolve* is true.
        """
        now = self._clock()
        tenant, key = tenant_key(resolution.tenant), resolution.dedup_key
        with self._connect(write=True) as conn:
            if not conn.execute(
                "SELECT 1 FROM incidents WHERE tenant = ? AND dedup_key = ?", (tenant, key)
            ).fetchone():
                return None
            told = [
                row[0]
                for row in conn.execute(
                    "SELECT channel FROM incident_channels WHERE tenant = ? AND dedup_key = ? "
                    "ORDER BY channel",
                    (tenant, key),
                )
            ]
            for row in conn.execute(
                "SELECT id, lease_owner, holder_pid, holder_host, heartbeat, lease_until "
                "FROM outbox WHERE tenant = ? AND dedup_key = ? AND kind = 'trigger'",
                (tenant, key),
            ).fetchall():
                if row[1] is None or not self._holder(row[2:6], now).alive:
                    conn.execute("DELETE FROM outbox WHERE id = ?", (row[0],))
            written = [
                (
                    self._write_ahead(conn, resolution, channel, config_source or "", owner, now),
                    channel,
                )
                for channel in told
                if wants_resolve(channel)
            ]
            conn.execute("DELETE FROM incidents WHERE tenant = ? AND dedup_key = ?", (tenant, key))
            conn.execute(
                "DELETE FROM incident_channels WHERE tenant = ? AND dedup_key = ?", (tenant, key)
            )
            conn.execute(
                "DELETE FROM cooldown WHERE tenant = ? AND (dedup_key = ? OR "
                "substr(dedup_key, 1, ?) = ?)",
                (tenant, key, len(key) + 1, key + "#"),
            )
        return written
