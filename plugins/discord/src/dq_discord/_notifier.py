"""DiscordNotifier: execute a Discord webhook with a ``dq.Notification``, once.

``POST /api/webhooks/{id}/{token}?wait=true`` (Discord's "Execute Webhook"): with ``wait``
Discord answers ``200`` with the created message once it is saved (``204`` without), so a
2xx means the message exists. What else Discord answers, and what we do:

* ``429`` — the body says ``{"retry_after": <float seconds>, "global": bool}`` and the
  ``Retry-After`` header says it in seconds: we wait the longer of the two (never less than
  either asks), unless that passes the deadline; ``global`` is reported in the error.
* ``5xx``, timeouts, refused or broken connections — retried with backoff and jitter.
* ``404`` ``{"code": 10015, "message": "Unknown Webhook"}`` — the webhook was deleted:
  permanent, never retried (Discord bans IPs that keep sending invalid requests).
* ``401``/``403`` (bad token, missing access), ``400`` ``50035 Invalid Form Body`` — never
  retried; Discord's code and message quoted, with what to do.

The URL (its token) never appears in a repr, log, ``Delivery.error`` or exception.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import math
import random
import ssl
import threading
import time
from collections.abc import Hashable
from datetime import UTC, datetime
from collections.abc import Mapping
from types import MappingProxyType, TracebackType

import anyio
import anyio.lowlevel
import dq
import httpx

from dq_discord._config import DiscordConfig
from dq_discord._embeds import LIMITS, render_message
from dq_discord._redact import REDACTOR, scrub, secret_parts

logger = logging.getLogger(__name__)

#: How much of an error response's body ``Delivery.error`` quotes.
EXCERPT_CHARS = 300
#: Scheduler turns a finished send waits before closing an idle shared client.
_LINGER_CHECKPOINTS = 3
#: The longest single backoff wait, however many attempts came before.
MAX_BACKOFF = 30.0

#: The largest body dq-discord sends: ≤ 8000 characters of text (content + embeds), each at
#: most 6 bytes once JSON-escaped, plus the JSON around them.
REQUEST_BYTES = 64_000

#: Discord's JSON error codes (``{"code": …}``) seen from webhooks, and what to do.
HINTS: dict[int, str] = {
    10015: "Unknown Webhook: it was deleted; create a new webhook and update the secret "
    "(not retried: Discord bans clients that repeat invalid requests)",
    50027: "Invalid Webhook Token: copy the URL again from the channel's Integrations page",
    50013: "Missing Permissions: the webhook's channel no longer allows it to post",
    50001: "Missing Access: the webhook's channel is not reachable",
    50035: "Invalid Form Body: please report it to dq-discord with the dedup key",
    40005: "Request entity too large: please report it to dq-discord",
}


class _Lease:
    """One httpx client shared by the sends running on one event loop."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.users = 0


class DiscordNotifier:
    """A :class:`dq.protocols.Notifier` for one Discord channel webhook.

    Building it does no I/O and binds to no event loop. Sends that overlap on one event loop
    share one ``httpx.AsyncClient`` (one connection pool: a fan-out of alerts does one TLS
    handshake, not one per alert); the client is closed when the last of them finishes.
    ``async with notifier:`` keeps it open across sequential sends in a block.
    """

    def __init__(self, config: DiscordConfig) -> None:
        self.config = config
        self._url = config.url
        self._secrets = secret_parts(self._url.reveal_text())
        REDACTOR.register(self._secrets)
        self._leases: dict[Hashable, _Lease] = {}
        self._lock = threading.Lock()
        self._ssl: ssl.SSLContext | None = None  # loaded once, on first send (not when built)
        #: The limits this notifier keeps (declared for dq and dq-contract-tests): Discord's
        #: character limits, and the byte bound they imply.
        self.limits: Mapping[str, int] = MappingProxyType(
            {"request_bytes": REQUEST_BYTES, **LIMITS}
        )
        self._post_url = _with_wait(self._url.reveal_text())

    @property
    def channel(self) -> str:
        return self.config.channel

    def __repr__(self) -> str:
        c = self.config
        return (
            f"DiscordNotifier(channel={c.channel!r}, url='***', timeout={c.timeout:g}, "
            f"deadline={c.deadline:g}, max_attempts={c.max_attempts})"
        )

    __str__ = __repr__

    # -- client sharing -------------------------------------------------------------------

    async def __aenter__(self) -> DiscordNotifier:
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
        """Post *notification* as an embed; return how it went. Never raises for a delivery
        problem."""
        c = self.config
        try:
            body = render_message(notification, max_failures=c.max_failures, username=c.username)
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
            logger.warning("Discord notification %s failed: %s", notification.dedup_key, reason)
            return self._delivery(notification, dq.DeliveryStatus.FAILED, attempts, status, reason)

    async def _attempt(
        self, client: httpx.AsyncClient, body: bytes, attempt: int, remaining: float
    ) -> tuple[int | None, str, float | None]:
        """One POST: (status or None, error or "" on success, wait before a retry or None)."""
        timeout = max(min(self.config.timeout, remaining), 0.001)
        try:
            response = await client.post(
                self._post_url,
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
            return status, "", None
        error = f"HTTP {status}: {self.excerpt(text)}".rstrip(": ")
        hint = HINTS.get(_error_code(text))
        if hint:
            error += f" ({hint})"
        if status == 429:
            wait, is_global = self.rate_limit_wait(response, attempt)
            if is_global:
                error += " (global rate limit: every webhook from this host is throttled)"
            return status, error, wait
        if 500 <= status <= 599:
            return status, error, self.backoff_delay(attempt)
        return status, error, None

    # -- the rules, one method each -------------------------------------------------------

    def backoff_delay(self, attempt: int) -> float:
        """Exponential, with "equal jitter": half fixed, half random, so that many senders
        throttled together do not all come back in the same instant."""
        base = min(self.config.backoff * 2 ** (attempt - 1), MAX_BACKOFF)
        return base / 2 + random.uniform(0, base / 2)

    def rate_limit_wait(self, response: httpx.Response, attempt: int) -> tuple[float, bool]:
        """(seconds to wait, global?) from a 429: the longer of the JSON ``retry_after``
        (float seconds) and the ``Retry-After`` header; the backoff if neither is given."""
        body = _json(response.text)
        asks = []
        value = body.get("retry_after")
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            asks.append(float(value))
        header = _retry_after_seconds(response.headers.get("Retry-After", ""))
        if header is not None:
            asks.append(header)
        is_global = body.get("global") is True or response.headers.get(
            "X-RateLimit-Global", ""
        ).lower() == "true"
        return (max(asks) if asks else self.backoff_delay(attempt)), is_global

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


def _json(text: str) -> dict:
    try:
        body = json.loads(text)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_code(text: str) -> int:
    """Discord's JSON error ``code``, or 0."""
    code = _json(text).get("code")
    return code if isinstance(code, int) and not isinstance(code, bool) else 0


def _with_wait(url: str) -> str:
    """The URL with ``wait=true``: Discord then answers once the message is saved."""
    if "wait=" in url.split("?", 1)[-1] and "?" in url:
        return url
    return url + ("&" if "?" in url else "?") + "wait=true"


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
