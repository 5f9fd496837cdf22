"""Getting a notification to the right channels exactly once: routing, cooldown, outbox.

Every notifier plugin only knows how to talk to its service; everything a user
expects *across* services lives here, once:

* **routing** by tenant and level. The ``[notify]`` table names channels; a
  tenant's table ``[notify.tenants.T.channels.NAME]`` *replaces* the root entry of
  the same name for that tenant (whole table, no merge: a merged table would
  silently send tenant T's alert with half of the root's credentials). Lookup is
  tenant config → root config → disabled, and tenant X's config is never read for
  tenant Y.
* **cooldown** per event (``dedup_key``) per channel, recorded only when a
  delivery succeeded, so a failure that keeps happening pages once an hour, not
  once a minute, while a failed send is never mistaken for a sent one.
* **the write-ahead outbox**: every notification is committed to the outbox *before*
  its first attempt on each channel and settled after (delivered: removed; failed:
  pending, with its error), including the ones that never get as far as a send (bad
  channel config, secret backend down, a plugin that raised). A crash at any instant
  leaves it replayable; ``dq notify replay`` resends it.
* **incidents**: a failing suite run opens one; a later passing run sends one
  RESOLVE to each channel that got a trigger (see ``_incidents.py``).
* **isolation**: a notifier that raises or returns garbage becomes a FAILED delivery
  naming its distribution; the other channels still go out.

No secret reaches a ``Delivery.error``, a log line or the outbox (see ``_scrub.py``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import anyio
import anyio.to_thread
import attrs

from dq.model._errors import DqError, UsageError
from dq.model._notifications import (
    Delivery,
    DeliveryStatus,
    Level,
    Notification,
    NotificationKind,
)
from dq.model._tenants import TenantId
from dq.notify._config import NotifyConfig, Route
from dq.notify._crash import crash_point
from dq.notify._outbox import Outbox, OutboxEntry
from dq.notify._sending import ChannelSender
from dq.notify._writeahead import NOT_KEPT, WriteAhead, noted
from dq.plugins._host import Host
from dq.runtime._bridge import run_sync

logger = logging.getLogger("dq.notify")

DEFAULT_CONCURRENCY = 8
#: A backstop over each notifier's own deadline: a send that hangs must not hang the run.
DEFAULT_SEND_TIMEOUT = 600.0

Resolve = Callable[[Any], Awaitable[Any]]


async def _identity(value: Any) -> Any:
    return value


# -- dispatching ---------------------------------------------------------------------------


class Dispatcher(WriteAhead, ChannelSender):
    """Sends notifications to their routed channels and keeps every failure in the outbox.

    *resolve* turns ``${secret:...}`` strings in a channel's options into
    :class:`dq.SecretValue` s; it is awaited inside :func:`dq.tenant_scope` of the
    notification's tenant, so a tenant-aware resolver reads that tenant's paths.
    """

    def __init__(
        self,
        host: Host,
        config: NotifyConfig,
        outbox: Outbox,
        *,
        config_source: str | None = None,
        resolve: Resolve | None = None,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        send_timeout: float | None = DEFAULT_SEND_TIMEOUT,
    ) -> None:
        if max_concurrency < 1:
            raise UsageError("max_concurrency must be at least 1")
        self.send_timeout = send_timeout
        self.host = host
        self.config = config
        self.outbox = outbox
        self.config_source = normal_source(config_source)
        self._resolve = resolve or _identity
        self.max_concurrency = max_concurrency

    def __repr__(self) -> str:
        return (
            f"Dispatcher(channels={sorted(self.config.channels)}, outbox={self.outbox!r}, "
            f"config_source={self.config_source!r})"
        )

    # -- public ---------------------------------------------------------------------------

    async def dispatch(
        self, notification: Notification, *, incident: str | None = None
    ) -> list[Delivery]:
        """Deliver to every routed channel, concurrently; one Delivery per channel, in order.

        Each channel's notification is written ahead to the outbox before its first
        attempt. With *incident* (the suite's name), a trigger also opens (or counts a
        run on) the incident its ``dedup_key`` names, so a later :meth:`resolve` closes it.
        """
        notice = await self._check_store()
        if incident is not None and notification.kind is NotificationKind.TRIGGER:
            try:
                await anyio.to_thread.run_sync(
                    lambda: self.outbox.open_incident(
                        notification, suite=incident, config_source=self.config_source
                    )
                )
            except Exception as exc:  # the alert still goes out; only the resolve is at risk
                logger.warning("could not record the incident %s: %s", notification.dedup_key, exc)
        routes = self.config.routes(notification.tenant, notification.level)
        owner = uuid.uuid4().hex
        deliveries: list[Delivery | None] = [None] * len(routes)
        for index, route in enumerate(routes):
            deliveries[index] = await self._cooling(route, notification)
        due = [(i, r) for i, r in enumerate(routes) if deliveries[i] is None]
        written = await self._begin([r.name for _, r in due], notification, owner) if due else {}
        if due:
            crash_point("dispatch.recorded")
        limiter = anyio.CapacityLimiter(self.max_concurrency)

        async def run(index: int, route: Route, entry_id: int | None) -> None:
            async with limiter:
                deliveries[index] = await self._send_one(route, notification, entry_id)

        async with self._beating(owner), anyio.create_task_group() as group:
            for index, route in due:
                entry_id, busy = written[route.name]
                if busy is not None:
                    deliveries[index] = busy
                else:
                    group.start_soon(run, index, route, entry_id)
        return [noted(d, notice) for d in deliveries if d is not None]

    async def resolve(self, resolution: Notification) -> list[Delivery]:
        """Close the incident *resolution* names (``kind`` RESOLVE, the trigger's dedup key):
        one RESOLVE to each channel that got a trigger and takes resolves, written ahead
        to the outbox in the same transaction that closes the incident. No open incident:
        nothing is sent, ``[]``."""
        if resolution.kind is not NotificationKind.RESOLVE:
            raise UsageError("Dispatcher.resolve takes a notification of kind RESOLVE")
        notice = await self._check_store()
        owner = uuid.uuid4().hex

        def wants(channel: str) -> bool:
            config = self.config.channel(channel, resolution.tenant)
            return config is not None and config.enabled and config.resolve

        written = await anyio.to_thread.run_sync(
            lambda: self.outbox.close_incident(
                resolution, owner=owner, config_source=self.config_source, wants_resolve=wants
            )
        )
        if not written:
            return []
        crash_point("resolve.recorded")
        deliveries: list[Delivery | None] = [None] * len(written)
        limiter = anyio.CapacityLimiter(self.max_concurrency)

        async def run(index: int, entry_id: int, channel: str) -> None:
            config = self.config.channel(channel, resolution.tenant)
            assert config is not None  # wants() checked it inside the transaction
            async with limiter:
                delivery = await self._deliver(channel, config, resolution)
                crash_point("resolve.sent")
                deliveries[index] = await self._settle(entry_id, channel, resolution, delivery)

        async with self._beating(owner), anyio.create_task_group() as group:
            for index, (entry_id, channel) in enumerate(written):
                group.start_soon(run, index, entry_id, channel)
        return [noted(d, notice) for d in deliveries if d is not None]

    async def replay(self, channel: str | None = None) -> list[Delivery]:
        """Resend the outbox entries of this config source (optionally one channel).

        Entries are claimed first (free ones, and those whose holder died or went
        silent), so a concurrent replay in another process skips them. Delivered
        entries leave the outbox; failing ones stay with one more attempt counted.
        """
        return [delivery for _, delivery in await self.replay_entries(channel)]

    async def replay_entries(
        self, channel: str | None = None
    ) -> list[tuple[OutboxEntry, Delivery]]:
        """:meth:`replay`, pairing each delivery with the entry it resent (for reports)."""
        owner, entries = await anyio.to_thread.run_sync(
            lambda: self.outbox.claim(channel, config_source=self.config_source)
        )
        if entries:
            crash_point("replay.claimed")
        deliveries: list[Delivery | None] = [None] * len(entries)
        limiter = anyio.CapacityLimiter(self.max_concurrency)

        async def run(index: int, entry: OutboxEntry) -> None:
            async with limiter:
                deliveries[index] = await self._replay_one(entry)

        try:
            async with self._beating(owner), anyio.create_task_group() as group:
                for index, entry in enumerate(entries):
                    group.start_soon(run, index, entry)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self.outbox.release, owner)
        return [(e, d) for e, d in zip(entries, deliveries, strict=True) if d is not None]

    async def test(self, channel: str, tenant: TenantId | None = None) -> Delivery:
        """Send a test message straight to *channel* (as *tenant* sees it): no routing,
        no cooldown, no outbox.

        Raises :class:`dq.UsageError` when the channel is unknown or its config is
        wrong (the user must edit the file); a failed send is a FAILED Delivery.
        """
        config = self.config.channel(channel, tenant)
        if config is None:
            known = ", ".join(self.config.channel_names(tenant)) or "none"
            raise UsageError(
                f"{self.config_source or 'config'}: no notify channel {channel!r}"
                f"{f' for tenant {tenant}' if tenant else ''} (configured: {known}); "
                f"add [notify.channels.{channel}]"
            )
        notification = Notification(
            title="dq test notification",
            summary=f"A test from 'dq notify test {channel}': this channel reaches you.",
            level=Level.INFO,
            dedup_key=f"dq-test-{uuid.uuid4().hex}",  # unique: a service must not drop it
            tenant=tenant,
            fields={"channel": channel, **({"tenant": str(tenant)} if tenant else {})},
            created_at=datetime.now(UTC),
        )
        return await self._deliver(channel, config, notification, raise_usage=True)

    def dispatch_sync(
        self, notification: Notification, *, incident: str | None = None
    ) -> list[Delivery]:
        """:meth:`dispatch` for sync callers, also from inside a running event loop."""
        return run_sync(lambda: self.dispatch(notification, incident=incident))

    def resolve_sync(self, resolution: Notification) -> list[Delivery]:
        return run_sync(self.resolve, resolution)

    def replay_sync(self, channel: str | None = None) -> list[Delivery]:
        return run_sync(self.replay, channel)

    def test_sync(self, channel: str, tenant: TenantId | None = None) -> Delivery:
        return run_sync(self.test, channel, tenant)

    # -- one channel ----------------------------------------------------------------------

    async def _cooling(self, route: Route, notification: Notification) -> Delivery | None:
        """A SUPPRESSED delivery when this event reached *route* within the cooldown."""
        cooldown = self.config.cooldown_seconds
        try:
            age = await anyio.to_thread.run_sync(
                self.outbox.cooling_down,
                route.name,
                notification.tenant,
                self.cooldown_key(notification),
                cooldown,
            )
        except Exception as exc:  # better a duplicate than a lost alert
            logger.warning("cooldown ledger unreadable (%s); sending anyway", exc)
            return None
        if age is None:
            return None
        return Delivery(
            channel=route.name,
            status=DeliveryStatus.SUPPRESSED,
            dedup_key=notification.dedup_key,
            error=f"cooldown: this event reached {route.name!r} {age:.0f} s ago "
            f"(cooldown_seconds = {cooldown:g})",
            finished_at=datetime.now(UTC),
        )

    async def _send_one(
        self, route: Route, notification: Notification, entry_id: int | None
    ) -> Delivery:
        delivery = await self._deliver(route.name, route.config, notification)
        crash_point("dispatch.sent")
        delivery = await self._settle(entry_id, route.name, notification, delivery)
        crash_point("dispatch.settled")
        return delivery

    async def _replay_one(self, entry: OutboxEntry) -> Delivery:
        notification = entry.notification
        config = self.config.channel(entry.channel, entry.tenant)
        if config is None or not config.enabled:
            why = "is no longer configured" if config is None else "is disabled"
            delivery = self._failed(
                entry.channel,
                notification,
                f"channel {entry.channel!r} {why} in {self.config_source or 'the config'}; "
                "the entry stays in the outbox "
                f"(drop it with 'dq notify outbox --drop {entry.id}')",
            )
        else:
            delivery = await self._deliver(entry.channel, config, notification)
        crash_point("replay.sent")
        if delivery.status is DeliveryStatus.FAILED:
            delivery = attrs.evolve(delivery, attempts=1)
        delivery = await self._settle(entry.id, entry.channel, notification, delivery)
        crash_point("replay.settled")
        return attrs.evolve(delivery, attempts=max(delivery.attempts, 1))


def normal_source(source: str | None) -> str | None:
    """An existing file's absolute path, so ``dq notify replay --suite orders.toml`` finds the
    entries a run recorded as ``./orders.toml`` from another directory; else *source* as is."""
    if not source:
        return None
    from pathlib import Path

    path = Path(source)
    return str(path.resolve()) if path.is_file() else source


class NotificationLost(DqError):
    """A delivery failed and not even the outbox could keep it: nothing will replay it.

    Raised by suite runs (``dq run``, :func:`dq.run_suite`) rather than reported as a
    delivery, so the run fails loudly instead of printing a failed-and-kept line that
    is not true.
    """


def lost_alerts(deliveries: list[Delivery]) -> None:
    """Raise :class:`NotificationLost` if any of *deliveries* failed without being kept."""
    lost = [d for d in deliveries if d.status is DeliveryStatus.FAILED and NOT_KEPT in d.error]
    if lost:
        channels = ", ".join(repr(d.channel) for d in lost)
        raise NotificationLost(
            f"notification to {channels} failed and could NOT be kept in the outbox, so "
            f"nothing will replay it: {lost[0].error}; make the state directory writable "
            "($DQ_STATE_DIR) and run again"
        )
