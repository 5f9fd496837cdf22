"""The cooldown ledger: when each event last reached each channel (per tenant).

Only a successful delivery starts a cooldown, so a failing channel is retried by the
next run instead of being suppressed as if the alert had gone out. The dispatcher keys
it by the incident's dedup key plus a fingerprint of what the notification says
(``dedup_key#fingerprint``), so closing an incident can forget all its rows at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from dq.model._tenants import TenantId
from dq.notify._store import tenant_key, when


class CooldownLedger:
    """The ``cooldown`` table of the state file (mixed into :class:`dq.Outbox`)."""

    # provided by Store
    _clock: Callable[[], float]
    _connect: Any

    @staticmethod
    def _cool(conn: Any, channel: str, tenant: str, key: str, now: float) -> None:
        conn.execute(
            "INSERT INTO cooldown (channel, tenant, dedup_key, delivered_at) VALUES (?,?,?,?) "
            "ON CONFLICT (channel, tenant, dedup_key) "
            "DO UPDATE SET delivered_at = excluded.delivered_at",
            (channel, tenant, key, now),
        )

    def record_delivery(self, channel: str, tenant: TenantId | None, dedup_key: str) -> int:
        """Remember that *dedup_key* reached *channel* now (starts its cooldown), and drop the
        event's waiting entries for that channel in the same transaction; returns how many."""
        key = (channel, tenant_key(tenant), dedup_key)
        with self._connect(write=True) as conn:
            self._cool(conn, *key, self._clock())
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
                (channel, tenant_key(tenant), dedup_key),
            ).fetchone()
        return when(row[0]) if row else None

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
                "DELETE FROM cooldown WHERE delivered_at < ?", (self._clock() - older_than_seconds,)
            )
        return cursor.rowcount
