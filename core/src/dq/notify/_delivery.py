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
* **the outbox**: every FAILED delivery is kept, including the ones that never got
  as far as a send (bad channel config, secret backend down, a plugin that raised).
  An alert is never silently lost; ``dq notify replay`` resends it.
* **isolation**: a notifier that raises or returns garbage becomes a FAILED delivery
  naming its distribution; the other channels still go out.

No secret reaches a ``Delivery.error``, a log line or the outbox: errors are
scrubbed of every value found in the channel's options (raw and resolved) before
they leave this module.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import anyio
import anyio.to_thread
import attrs

from dq.model._errors import ConfigError, DqError, UsageError
from dq.model._notifications import Delivery, DeliveryStatus, Level, Notification
from dq.model._secrets import SecretValue
from dq.model._tenants import TenantId
from dq.notify._config import (
    ChannelConfig,
    NotifyConfig,
    Route,
)
from dq.notify._outbox import Outbox, OutboxEntry
from dq.plugins._host import Host
from dq.runtime._bridge import run_sync
from dq.tenancy._context import tenant_scope

logger = logging.getLogger("dq.notify")

DEFAULT_CONCURRENCY = 8
#: A backstop over each notifier's own deadline: a send that hangs must not hang the run.
DEFAULT_SEND_TIMEOUT = 600.0

Resolve = Callable[[Any], Awaitable[Any]]


async def _identity(value: Any) -> Any:
    return value


# -- keeping secrets out of errors ---------------------------------------------------------


def _secret_texts(value: Any, found: set[str]) -> set[str]:
    """Every string in an options tree that could be a credential, and its URL parts."""
    if isinstance(value, SecretValue):
        text = value.reveal().decode("utf-8", "replace")
        _add_secret(text, found)
    elif isinstance(value, str):
        if not value.startswith("${secret:"):  # a reference is safe to show; its value is not
            _add_secret(value, found)
    elif isinstance(value, Mapping):
        for item in value.values():
            _secret_texts(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _secret_texts(item, found)
    return found


def _add_secret(text: str, found: set[str]) -> None:
    if len(text) < 6:
        return
    found.add(text)
    if "://" in text:  # services echo parts of a webhook URL: the path is the credential
        rest = text.split("://", 1)[1]
        found.add(rest)
        _, _, path = rest.partition("/")
        path, _, query = path.partition("?")
        for part in (path, query, *path.split("/"), *query.replace("&", "=").split("=")):
            if len(part) >= 6 and not part.isalpha():
                found.add(part)


def scrub(text: str, secrets: set[str]) -> str:
    """Replace every secret in *text* with ``***``, longest first (a URL before its path)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    return text


# -- dispatching ---------------------------------------------------------------------------


class Dispatcher:
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

    async def dispatch(self, notification: Notification) -> list[Delivery]:
        """Deliver to every routed channel, concurrently; one Delivery per channel, in order."""
        routes = self.config.routes(notification.tenant, notification.level)
        deliveries: list[Delivery | None] = [None] * len(routes)
        limiter = anyio.CapacityLimiter(self.max_concurrency)

        async def run(index: int, route: Route) -> None:
            async with limiter:
                deliveries[index] = await self._dispatch_one(route, notification)

        async with anyio.create_task_group() as group:
            for index, route in enumerate(routes):
                group.start_soon(run, index, route)
        return [d for d in deliveries if d is not None]

    async def replay(self, channel: str | None = None) -> list[Delivery]:
        """Resend the outbox entries of this config source (optionally one channel).

        Entries are claimed first, so a concurrent replay in another process skips
        them. Delivered entries leave the outbox; failing ones stay with one more
        attempt counted and the new error.
        """
        return [delivery for _, delivery in await self.replay_entries(channel)]

    async def replay_entries(
        self, channel: str | None = None
    ) -> list[tuple[OutboxEntry, Delivery]]:
        """:meth:`replay`, pairing each delivery with the entry it resent (for reports)."""
        owner, entries = await anyio.to_thread.run_sync(
            lambda: self.outbox.claim(channel, config_source=self.config_source)
        )
        deliveries: list[Delivery | None] = [None] * len(entries)
        limiter = anyio.CapacityLimiter(self.max_concurrency)

        async def run(index: int, entry: OutboxEntry) -> None:
            async with limiter:
                deliveries[index] = await self._replay_one(entry)

        try:
            async with anyio.create_task_group() as group:
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

    def dispatch_sync(self, notification: Notification) -> list[Delivery]:
        """:meth:`dispatch` for sync callers, also from inside a running event loop."""
        return run_sync(self.dispatch, notification)

    def replay_sync(self, channel: str | None = None) -> list[Delivery]:
        return run_sync(self.replay, channel)

    def test_sync(self, channel: str, tenant: TenantId | None = None) -> Delivery:
        return run_sync(self.test, channel, tenant)

    # -- one channel ----------------------------------------------------------------------

    async def _dispatch_one(self, route: Route, notification: Notification) -> Delivery:
        tenant, key = notification.tenant, notification.dedup_key
        cooldown = self.config.cooldown_seconds
        try:
            age = await anyio.to_thread.run_sync(
                self.outbox.cooling_down, route.name, tenant, key, cooldown
            )
        except Exception as exc:  # better a duplicate than a lost alert
            logger.warning("cooldown ledger unreadable (%s); sending anyway", exc)
            age = None
        if age is not None:
            return Delivery(
                channel=route.name,
                status=DeliveryStatus.SUPPRESSED,
                dedup_key=key,
                error=f"cooldown: this event reached {route.name!r} {age:.0f} s ago "
                f"(cooldown_seconds = {cooldown:g})",
                finished_at=datetime.now(UTC),
            )
        delivery = await self._deliver(route.name, route.config, notification)
        if delivery.status is DeliveryStatus.DELIVERED:
            await self._remember(route.name, notification)
        elif delivery.status is DeliveryStatus.FAILED:
            delivery = await self._keep(route.name, notification, delivery)
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
        if delivery.status is DeliveryStatus.DELIVERED:
            await anyio.to_thread.run_sync(self.outbox.mark_delivered, entry.id)
            await self._remember(entry.channel, notification)
        else:
            await anyio.to_thread.run_sync(self.outbox.record_failure, entry.id, delivery.error)
        return attrs.evolve(delivery, attempts=max(delivery.attempts, 1))

    async def _remember(self, channel: str, notification: Notification) -> None:
        try:
            # also drops the event's waiting entries: replay must not deliver it again
            await anyio.to_thread.run_sync(
                self.outbox.record_delivery, channel, notification.tenant, notification.dedup_key
            )
        except Exception as exc:  # the alert went out; only the cooldown is lost
            logger.warning("could not record the delivery to %r: %s", channel, exc)

    async def _keep(self, channel: str, notification: Notification, delivery: Delivery) -> Delivery:
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
            return attrs.evolve(delivery, error=f"{delivery.error}; NOT kept in the outbox ({exc})")
        logger.warning(
            "notification %s to %r failed (%s); kept in the outbox",
            notification.dedup_key,
            channel,
            delivery.error,
        )
        return delivery

    def _failed(self, channel: str, notification: Notification, error: str) -> Delivery:
        return Delivery(
            channel=channel,
            status=DeliveryStatus.FAILED,
            dedup_key=notification.dedup_key,
            error=error,
            finished_at=datetime.now(UTC),
        )

    async def _deliver(
        self,
        channel: str,
        config: ChannelConfig,
        notification: Notification,
        *,
        raise_usage: bool = False,
    ) -> Delivery:
        """Build the channel's notifier and send; every failure becomes a FAILED Delivery."""
        secrets = _secret_texts(config.options, set())
        where = f"notify.channels.{channel}"
        try:
            with tenant_scope(notification.tenant):
                options = await self._resolve(dict(config.options))
            _secret_texts(options, secrets)
            notifier = self.host.component("notifier", config.type, options)
        except ConfigError as exc:
            problems = [scrub(p, secrets) for p in exc.problems]
            error = ConfigError(f"{self.config_source or 'config'}: {where}", problems)
            if raise_usage:
                raise error from None
            return self._failed(channel, notification, " ".join(str(error).split()))
        except UsageError as exc:
            if raise_usage:
                raise UsageError(scrub(f"{where}: {exc}", secrets)) from None
            return self._failed(channel, notification, scrub(f"{where}: {exc}", secrets))
        except DqError as exc:
            return self._failed(channel, notification, scrub(f"{where}: {exc}", secrets))
        except Exception as exc:  # the resolver or the config class raised something odd
            return self._failed(
                channel,
                notification,
                scrub(
                    f"{where}: could not build the channel: {type(exc).__name__}: {exc}", secrets
                ),
            )
        return await self._send(channel, config, notifier, notification, secrets)

    async def _send(
        self,
        channel: str,
        config: ChannelConfig,
        notifier: Any,
        notification: Notification,
        secrets: set[str],
    ) -> Delivery:
        try:
            with anyio.fail_after(self.send_timeout):
                delivery = await notifier.send(notification)
        except TimeoutError:
            return self._failed(
                channel,
                notification,
                f"{self._blame(config)} did not finish sending within {self.send_timeout:g} s "
                "(a notifier must give up by its own deadline)",
            )
        except Exception as exc:
            return self._failed(
                channel,
                notification,
                scrub(
                    f"{self._blame(config)} raised in send: {type(exc).__name__}: {exc}", secrets
                ),
            )
        if not isinstance(delivery, Delivery):
            return self._failed(
                channel,
                notification,
                f"{self._blame(config)} returned {type(delivery).__name__} from send, "
                "not a dq.Delivery (a bug in the plugin)",
            )
        return attrs.evolve(
            delivery,
            channel=channel,
            dedup_key=notification.dedup_key,
            error=scrub(delivery.error, secrets),
            finished_at=delivery.finished_at or datetime.now(UTC),
        )

    def _blame(self, config: ChannelConfig) -> str:
        try:
            record = self.host.record_for("notifier", config.type)
        except DqError:
            return f"notifier {config.type!r}"
        return f"notifier {config.type!r} from {record.distribution} {record.version}"


def normal_source(source: str | None) -> str | None:
    """An existing file's absolute path, so ``dq notify replay --suite orders.toml`` finds the
    entries a run recorded as ``./orders.toml`` from another directory; else *source* as is."""
    if not source:
        return None
    from pathlib import Path

    path = Path(source)
    return str(path.resolve()) if path.is_file() else source
