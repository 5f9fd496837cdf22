"""SlackNotifier: post a ``dq.Notification`` to a Slack incoming webhook, once.

What Slack's webhook answers, and what we do (docs.slack.dev, "Sending messages using
incoming webhooks", and the measured notes in shared/notes/services.md):

* ``200`` with body ``ok`` — posted: DELIVERED. A 2xx with an empty body (proxies, Slack-
  compatible receivers answering 204) is DELIVERED too; a 2xx with any *other* body is not a
  confirmation: FAILED, not retried (the post may have landed), the body quoted.
* ``429`` with ``Retry-After`` — wait exactly that, unless the wait ends past the deadline:
  then FAILED at once (sleeping past the deadline only delays the outbox).
* ``5xx``, timeouts, refused or broken connections — retried with exponential backoff and
  jitter while attempts and the deadline allow.
* any other ``4xx`` (``invalid_payload``, ``channel_not_found``, ``channel_is_archived``,
  ``action_prohibited``, ``no_service``…) — never retried: it would fail the same way.
  ``Delivery.error`` quotes Slack's error string, bounded, plus what to do about it.

Slack has no dedup field for webhooks: a retry after a timeout whose first attempt did land
posts twice. dq's outbox and cooldown (in dq-core) stop an *event* being re-sent; the
notification's ``dedup_key`` is shown in the message's context block so a human can match
duplicates, and is what dq replays by.

The URL never appears in a repr, log, ``Delivery.error`` or exception (see ``_redact``).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import ssl
import threading
import time
from collections.abc import Hashable
from datetime import UTC, datetime
from types import TracebackType

import anyio
import anyio.lowlevel
import dq
import httpx

from dq_slack._blocks import HEADER_TEXT, MAX_BLOCKS, SECTION_TEXT, TEXT_FALLBACK, render_message
from dq_slack._config import SlackConfig
from dq_slack._redact import REDACTOR, scrub, secret_parts

logger = logging.getLogger(__name__)

#: How much of an error response's body ``Delivery.error`` quotes.
EXCERPT_CHARS = 300
#: Scheduler turns a finished send waits before closing an idle shared client.
_LINGER_CHECKPOINTS = 3
#: The longest single backoff wait, however many attempts came before.
MAX_BACKOFF = 30.0

#: Slack's documented webhook error strings, and what the reader should do about each.
HINTS: dict[str, str] = {
    "invalid_payload": "Slack could not parse the message; please report it to dq-slack "
    "with the dedup key",
    "invalid_blocks": "Slack refused a block; please report it to dq-slack with the dedup key",
    "invalid_blocks_format": "Slack refused the blocks; please report it to dq-slack",
    "no_text": "the message had no text; please report it to dq-slack",
    "too_many_attachments": "the message had too many attachments",
    "channel_not_found": "the webhook's channel was deleted or is not reachable by the app: "
    "create a new webhook and update the secret",
    "channel_is_archived": "the webhook's channel is archived: unarchive it or create a "
    "webhook for another channel",
    "action_prohibited": "a workspace admin restricted posting to this channel",
    "posting_to_general_channel_denied": "only admins may post to this channel",
    "user_not_found": "the webhook's user no longer exists: create a new webhook",
    "no_service": "the webhook was revoked or its app uninstalled: create a new webhook and "
    "update the secret",
    "no_service_id": "the webhook URL is incomplete: copy it again from the app's page",
    "no_team": "the webhook URL is incomplete or its workspace is gone",
    "team_disabled": "the workspace is disabled",
    "invalid_token": "the webhook URL is invalid or revoked: create a new webhook",
    "rollup_error": "Slack had an internal error",
}


class _Lease:
    """One httpx client shared by the sends running on one event loop."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.users = 0


class SlackNotifier:
    """A :class:`dq.protocols.Notifier` for one Slack incoming webhook.

    Building it does no I/O and binds to no event loop. Sends that overlap on one event loop
    share one ``httpx.AsyncClient`` (one connection pool: a fan-out of alerts does one TLS
    handshake, not one per alert); the client is closed when the last of them finishes.
    ``async with notifier:`` keeps it open across sequential sends in a block.
    """

    def __init__(self, config: SlackConfig) -> None:
        self.config = config
        self._url = config.url
        self._secrets = secret_parts(self._url.reveal_text())
        REDACTOR.register(self._secrets)
        self._leases: dict[Hashable, _Lease] = {}
        self._lock = threading.Lock()
        self._ssl: ssl.SSLContext | None = None  # loaded once, on first send (not when built)
        #: Slack's limits as this notifier keeps them (declared for dq and the contract):
        #: the body bound is the configured ``max_body_bytes``; the rest are Block Kit's.
        self.limits: dict[str, int] = {
            "request_bytes": config.max_body_bytes,
            "blocks": MAX_BLOCKS,
            "section_text": SECTION_TEXT,
            "header_text": HEADER_TEXT,
            "text": TEXT_FALLBACK,
        }

    @property
    def channel(self) -> str:
        return self.config.channel

    def __repr__(self) -> str:
        c = self.config
        return (
            f"SlackNotifier(channel={c.channel!r}, url='***', timeout={c.timeout:g}, "
            f"deadline={c.deadline:g}, max_attempts={c.max_attempts})"
        )

    __str__ = __repr__

    # -- client sharing -------------------------------------------------------------------

    async def __aenter__(self) -> SlackNotifier:
        await self._acquire()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._release()

    async def _acquire(self) -> httpx.AsyncClient:
        key = _loop_key()
        with self._lock:
            lease = self._leases.get(key)
            if lease is None:
                if self._ssl is None:
                    self._ssl = httpx.create_ssl_context()
                client = httpx.AsyncClient(
                    verify=self._ssl,
                    follow_redirects=False,  # a redirect would re-send the alert elsewhere
                    limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                )
                lease = self._leases[key] = _Lease(client)
            lease.users += 1
            return lease.client

    async def _release(self) -> None:
        key = _loop_key()
        with anyio.CancelScope(shield=True):  # a cancelled send still returns its lease
            with self._lock:
                lease = self._leases.get(key)
                if lease is None:
                    return
                lease.users -= 1
                if lease.users > 0:
                    return
            # The end of this send may have woken the next one (a freed limiter slot): let it
            # run up to its acquire before deciding the client is no longer wanted, or a
            # fan-out would close and reopen the pool whenever the count touches zero.
            for _ in range(_LINGER_CHECKPOINTS):
                await anyio.lowlevel.checkpoint()
            with self._lock:
                if lease.users > 0 or self._leases.get(key) is not lease:
                    return
                del self._leases[key]
            await lease.client.aclose()

    # -- the protocol ---------------------------------------------------------------------

    async def send(self, notification: dq.Notification) -> dq.Delivery:
        """Post *notification*; return how it went. Never raises for a delivery problem."""
        c = self.config
        try:
            body = render_message(
                notification,
                max_body_bytes=c.max_body_bytes,
                max_failures=c.max_failures,
                unfurl=c.unfurl,
            )
        except Exception as exc:  # a bug in rendering must not lose the alert silently
            logger.exception("rendering notification %s failed", notification.dedup_key)
            return self._delivery(notification, dq.DeliveryStatus.FAILED, 0, None, _kind(exc))
        give_up_at = time.monotonic() + c.deadline
        client = await self._acquire()
        try:
            return await self._send(client, notification, body, give_up_at)
        finally:
            await self._release()

    async def _send(
        self,
        client: httpx.AsyncClient,
        notification: dq.Notification,
        body: bytes,
        give_up_at: float,
    ) -> dq.Delivery:
        c = self.config
        attempts = 0
        while True:
            attempts += 1
            remaining = give_up_at - time.monotonic()
            status, error, wait = await self._attempt(client, body, attempts, remaining)
            if not error:
                logger.debug("delivered %s in %d attempt(s)", notification.dedup_key, attempts)
                return self._delivery(notification, dq.DeliveryStatus.DELIVERED, attempts, status)
            if wait is None:
                reason = error
            elif attempts >= c.max_attempts:
                reason = f"gave up after {attempts} attempts; last: {error}"
            elif time.monotonic() + wait >= give_up_at:
                reason = (
                    f"gave up after {attempts} attempt(s): waiting {wait:.3g} s more would pass "
                    f"the {c.deadline:g} s deadline; last: {error}"
                )
            else:
                logger.debug("attempt %d failed (%s); retrying in %.2f s", attempts, error, wait)
                await anyio.sleep(wait)
                continue
            reason = scrub(reason, self._secrets)
            logger.warning("Slack notification %s failed: %s", notification.dedup_key, reason)
            return self._delivery(notification, dq.DeliveryStatus.FAILED, attempts, status, reason)

    async def _attempt(
        self, client: httpx.AsyncClient, body: bytes, attempt: int, remaining: float
    ) -> tuple[int | None, str, float | None]:
        """One POST: (status or None, error or "" on success, wait before a retry or None)."""
        timeout = max(min(self.config.timeout, remaining), 0.001)
        try:
            response = await client.post(
                self._url.reveal_text(),
                content=body,
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=timeout,
            )
        except httpx.TimeoutException:
            return None, f"timed out after {timeout:.3g} s", self.backoff_delay(attempt)
        except httpx.TransportError as exc:  # refused, reset, a response broken off …
            return None, f"connection failed ({_kind(exc)})", self.backoff_delay(attempt)
        except Exception as exc:  # e.g. httpx.InvalidURL: its message embeds the URL
            return None, f"request could not be sent ({type(exc).__name__})", None
        status = response.status_code
        text = response.text
        if 200 <= status < 300:
            if text.strip() in ("ok", ""):
                return status, "", None
            return status, f"HTTP {status} without Slack's 'ok': {self.excerpt(text)}", None
        error = f"HTTP {status}: {self.excerpt(text)}".rstrip(": ")
        hint = HINTS.get(text.strip())
        if hint:
            error += f" ({hint})"
        if status == 429:
            return status, error, self.retry_after(response, attempt)
        if 500 <= status <= 599:
            return status, error, self.backoff_delay(attempt)
        return status, error, None

    # -- the rules, one method each -------------------------------------------------------

    def backoff_delay(self, attempt: int) -> float:
        """Exponential, with "equal jitter": half fixed, half random, so that many senders
        throttled together do not all come back in the same instant."""
        base = min(self.config.backoff * 2 ** (attempt - 1), MAX_BACKOFF)
        return base / 2 + random.uniform(0, base / 2)

    def retry_after(self, response: httpx.Response, attempt: int) -> float:
        """Seconds ``Retry-After`` asks for (seconds or an HTTP date), else the backoff."""
        seconds = _retry_after_seconds(response.headers.get("Retry-After", ""))
        return self.backoff_delay(attempt) if seconds is None else seconds

    def excerpt(self, text: str) -> str:
        """A bounded single-line quote of a response body, the URL scrubbed out."""
        flat = " ".join(scrub(text, self._secrets).split())
        return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS] + "…"

    def _delivery(
        self,
        notification: dq.Notification,
        status: dq.DeliveryStatus,
        attempts: int,
        response_status: int | None,
        error: str = "",
    ) -> dq.Delivery:
        return dq.Delivery(
            channel=self.channel,
            status=status,
            dedup_key=notification.dedup_key,
            attempts=attempts,
            response_status=response_status,
            error=scrub(error, self._secrets),
            finished_at=datetime.now(UTC),
        )


def _kind(exc: BaseException) -> str:
    """An exception's class name, plus its cause's: never its message (httpx puts the URL
    into some messages)."""
    cause = exc.__cause__ or exc.__context__
    if cause is not None and type(cause) is not type(exc):
        return f"{type(exc).__name__} from {type(cause).__name__}"
    return type(exc).__name__


def _loop_key() -> Hashable:
    """Identifies the running event loop, so a client is only used on the loop it was made on."""
    current_token = getattr(anyio.lowlevel, "current_token", None)
    if current_token is not None:  # anyio >= 4.11
        return current_token()
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # trio on an older anyio
        import trio

        return trio.lowlevel.current_trio_token()


def _retry_after_seconds(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None if math.isnan(seconds) else seconds
    return max(seconds, 0.0)
