"""Writing ahead and settling: the outbox side of every send the dispatcher makes.

Before the first attempt on a channel the notification is committed to the outbox
as in flight under this operation's lease (heartbeat renewed while it sends);
after, it is settled in one transaction: delivered (or deliberately not sent)
rows leave and the cooldown starts, failed rows become pending with their error.
A corrupt state file is moved aside and the write retried on a fresh one; an
outbox that cannot be written at all does not stop the send (better sent than
withheld) but the delivery then says it was not kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import anyio
import anyio.to_thread
import attrs

from dq.model._notifications import Delivery, DeliveryStatus, Notification, NotificationKind
from dq.notify._outbox import HEARTBEAT_SECONDS, Outbox, OutboxCorrupt

logger = logging.getLogger("dq.notify")


class WriteAhead:
    """The outbox half of :class:`dq.Dispatcher`."""

    outbox: Outbox
    config_source: str | None

    # -- the store ------------------------------------------------------------------------

    async def _check_store(self) -> str:
        """Verify the state file once per operation; a corrupt one is moved aside (a fresh
        file takes its place) and the notice comes back to be shown with the deliveries."""
        try:
            await anyio.to_thread.run_sync(self.outbox.check)
        except OutboxCorrupt as exc:
            logger.error("%s", exc)
            return str(exc)
        except Exception as exc:  # unreadable for another reason: each write will say so
            logger.warning("notification state file unreadable: %s", exc)
        return ""

    @asynccontextmanager
    async def _beating(self, owner: str) -> AsyncIterator[None]:
        """Renew *owner*'s lease every few seconds while it sends, so no replay takes over
        entries that a live, slow send still holds."""

        async def beat() -> None:
            while True:
                await anyio.sleep(HEARTBEAT_SECONDS)
                try:
                    await anyio.to_thread.run_sync(self.outbox.heartbeat, owner)
                except Exception as exc:  # pragma: no cover - the file went away mid-send
                    logger.warning("could not renew the outbox lease: %s", exc)

        async with anyio.create_task_group() as group:
            group.start_soon(beat)
            try:
                yield
            finally:
                group.cancel_scope.cancel()

    async def _begin(
        self, channels: list[str], notification: Notification, owner: str
    ) -> dict[str, tuple[int | None, Delivery | None]]:
        """Write *notification* ahead for all *channels* at once. Per channel: ``(entry id,
        None)``; ``(None, SUPPRESSED)`` when another live process is sending that very
        entry; ``(None, None)`` when the outbox cannot be written (the send still happens:
        better sent than withheld; a failure is then reported as not kept)."""

        def write() -> dict[str, Any]:
            return self.outbox.begin(
                notification, channels=channels, owner=owner, config_source=self.config_source
            )

        found: dict[str, Any] = {}
        for attempt in range(2):
            try:
                found = await anyio.to_thread.run_sync(write)
                break
            except OutboxCorrupt as exc:  # moved aside: the retry writes a fresh file
                logger.error("%s", exc)
                if attempt:
                    return dict.fromkeys(channels, (None, None))
            except Exception as exc:
                logger.error(
                    "could not write notification %s ahead to the outbox %s: %s",
                    notification.dedup_key,
                    self.outbox.path,
                    exc,
                )
                return dict.fromkeys(channels, (None, None))
        now = datetime.now(UTC)
        result: dict[str, tuple[int | None, Delivery | None]] = {}
        for channel, (entry_id, holder) in found.items():
            if holder is None:
                result[channel] = (entry_id, None)
                continue
            result[channel] = (
                None,
                Delivery(
                    channel=channel,
                    status=DeliveryStatus.SUPPRESSED,
                    dedup_key=notification.dedup_key,
                    error=f"being delivered by {holder.describe(now)}",
                    finished_at=now,
                ),
            )
        return result

    def cooldown_key(self, notification: Notification) -> str:
        """What the cooldown is kept by: the incident key plus a fingerprint of what it says
        (kind, title, level, failing rule ids). The same failure again is suppressed; the
        incident changing (another rule breaks) is news and goes out, under the same key."""
        parts = [
            notification.kind.value,
            notification.title,
            notification.level.value,
            sorted(f.rule_id for f in notification.failures),
        ]
        digest = hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode()).hexdigest()
        return f"{notification.dedup_key}#{digest[:16]}"

    async def _settle(
        self, entry_id: int | None, channel: str, notification: Notification, delivery: Delivery
    ) -> Delivery:
        """Settle a written-ahead entry: delivered or deliberately not sent, it leaves (and a
        delivery starts the cooldown); failed, it stays pending with its attempts and error."""
        if delivery.status is DeliveryStatus.FAILED:
            if entry_id is None:
                return await self._keep(channel, notification, delivery)
            try:
                await anyio.to_thread.run_sync(
                    self.outbox.record_failure, entry_id, delivery.error, delivery.attempts
                )
            except Exception as exc:  # the entry stays in flight: replay takes it over
                logger.warning("could not record the failure of entry %s: %s", entry_id, exc)
            logger.warning(
                "notification %s to %r failed (%s); kept in the outbox",
                notification.dedup_key,
                channel,
                delivery.error,
            )
            return delivery
        cooling = None
        if (
            delivery.status is DeliveryStatus.DELIVERED
            and notification.kind is NotificationKind.TRIGGER
        ):
            cooling = self.cooldown_key(notification)
        try:
            await anyio.to_thread.run_sync(
                lambda: self.outbox.delivered(
                    entry_id, notification, channel=channel, cooldown_key=cooling
                )
            )
        except Exception as exc:  # the alert went out; a replay may resend it (same key)
            logger.warning("could not record the delivery to %r: %s", channel, exc)
        return delivery

    async def _keep(self, channel: str, notification: Notification, delivery: Delivery) -> Delivery:
        """The write-ahead record could not be made: try once more to keep the failure."""
        try:
            await anyio.to_thread.run_sync(
                lambda: self.outbox.add(
                    notification,
                    channel=channel,
                    error=delivery.error,
                    config_source=self.config_source,
                    attempts=max(delivery.attempts, 1),
                )
            )
        except Exception as exc:  # not silent: the delivery and the log both say so
            logger.error(
                "notification %s to %r failed and could NOT be kept in the outbox %s: %s",
                notification.dedup_key,
                channel,
                self.outbox.path,
                exc,
            )
            return attrs.evolve(delivery, error=f"{delivery.error}; {NOT_KEPT} ({exc})")
        return delivery


#: The marker a FAILED delivery's error carries when even the outbox could not keep it.
NOT_KEPT = "NOT kept in the outbox"


def noted(delivery: Delivery, notice: str) -> Delivery:
    if not notice:
        return delivery
    return attrs.evolve(delivery, error=f"{delivery.error}; {notice}" if delivery.error else notice)
