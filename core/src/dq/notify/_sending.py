"""Building a channel's notifier and sending one notification through it.

Every way a channel can fail — its config does not structure, its secret cannot be
read, its plugin raises, hangs past ``send_timeout`` or returns something that is
not a :class:`dq.Delivery` — becomes a FAILED Delivery naming the plugin's
distribution, scrubbed of every secret in the channel's options. Nothing here
touches the outbox: the dispatcher settles what this returns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs

from dq.model._errors import ConfigError, DqError, UsageError
from dq.model._notifications import Delivery, DeliveryStatus, Notification
from dq.notify._config import ChannelConfig
from dq.plugins._host import Host
from dq.runtime._bounded import BoundExceeded, await_bounded
from dq.runtime._redact import scrub, secret_texts
from dq.tenancy._context import tenant_scope


class ChannelSender:
    """The sending half of :class:`dq.Dispatcher`."""

    host: Host
    config_source: str | None
    send_timeout: float | None
    _resolve: Any

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
        secrets = secret_texts(config.options, set())
        where = f"notify.channels.{channel}"
        try:
            with tenant_scope(notification.tenant):
                options = await self._resolve(dict(config.options))
            secret_texts(options, secrets)
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
            # on a loop of its own in a worker thread: the bound holds even when the
            # notifier blocks inside send (time.sleep, a blocking socket)
            delivery = await await_bounded(
                notifier.send, notification, seconds=self.send_timeout, what="send"
            )
        except BoundExceeded:
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
