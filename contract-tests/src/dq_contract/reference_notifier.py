"""WebhookNotifier: a generic JSON webhook notifier that passes the notifier contract.

It exists to prove :class:`dq_contract.notifier.NotifierContract` can be passed, as the base
the deliberately broken notifiers in the tests subclass (each overrides one method), and as a
readable starting point for a notifier author. Every rule of docs/contracts/notifier.md shows
up as one explicit piece:

* the body is JSON ``{kind, title, summary, level, tenant, fields, links, dedup_key}`` and
  the header ``Idempotency-Key`` carries the dedup key, identical on every attempt
  (:meth:`headers`); ``kind`` says ``trigger`` or ``resolve``, and a resolve carries its
  trigger's key unchanged (:meth:`payload`);
* ``limits`` declares the service's size limit (``{"request_bytes": max_body_bytes}``);
* the body is fitted under ``max_body_bytes`` by cutting the longest of title, summary and
  field values, each cut marked with "…" (:meth:`render`): a long alert is shortened, never
  refused;
* 429 (waiting ``Retry-After``), 5xx, timeouts and connection errors are retried with
  exponential backoff while attempts and the deadline allow; any other status is final
  (:meth:`is_retryable`, :meth:`retry_delay`);
* the URL is a :class:`dq.SecretValue`: ``repr`` masks it, ``Delivery.error`` is scrubbed of it
  (a service may echo the path in an error body), nothing is logged with it, and httpx's own
  request log line (which prints the full URL) is redacted by a filter on its logger.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import time
from datetime import UTC, datetime
from typing import Any

import anyio
import dq
import httpx

logger = logging.getLogger(__name__)

#: The marker appended where text was cut to fit the service's limit.
ELLIPSIS = "…"
#: How much of an error response's body ``Delivery.error`` quotes.
EXCERPT_CHARS = 200


class _RedactSecrets(logging.Filter):
    """Rewrite records of the HTTP libraries so registered webhook URLs never reach a handler.

    httpx logs ``HTTP Request: POST <full url> ...`` at INFO; a notifier is responsible for
    what its HTTP stack logs, so the reference installs this on httpx's and httpcore's
    loggers (filters on a logger apply to records it creates, not to its children's, hence
    the explicit list).
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = _scrub(message, self.secrets)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_REDACT = _RedactSecrets()
for _name in (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
):
    logging.getLogger(_name).addFilter(_REDACT)


def _secret_parts(url: str) -> set[str]:
    """The URL and every piece of it that could identify or authorise the hook."""
    parsed = httpx.URL(url)
    parts = {url, url.split("://", 1)[-1], parsed.path, parsed.raw_path.decode("ascii")}
    parts |= {seg for seg in parsed.path.split("/") if _looks_secret(seg)}
    if parsed.query:
        query = parsed.query.decode("ascii")
        parts.add(query)
        parts |= {v for kv in query.split("&") for v in kv.split("=")[1:] if _looks_secret(v)}
    return {p for p in parts if p and p != "/"}


def _looks_secret(segment: str) -> bool:
    """A path segment that may be (part of) a token: long, or not a plain word like ``hooks``."""
    return len(segment) >= 16 or (len(segment) >= 6 and not segment.isalpha())


def _scrub(text: str, secrets: set[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):  # longest first: URL before path
        text = text.replace(secret, "***")
    return text


def _encode(payload: dict[str, Any]) -> bytes:
    """UTF-8 JSON without ``\\u`` escapes, so byte size tracks the text (emoji = 4, not 12)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookNotifier:
    """POST each notification as JSON to one webhook URL (a :class:`dq.protocols.Notifier`).

    ``timeout`` bounds one attempt, ``deadline`` the whole send including waits: after it the
    delivery is FAILED rather than late, since a page that arrives an hour later is worse
    than a failure the outbox can replay. ``max_body_bytes`` is the service's request limit.
    """

    def __init__(
        self,
        url: str | dq.SecretValue,
        *,
        timeout: float = 2.0,
        deadline: float = 10.0,
        max_attempts: int = 5,
        backoff: float = 0.1,
        max_body_bytes: int = 256_000,
        channel: str = "webhook",
    ) -> None:
        self._url = url if isinstance(url, dq.SecretValue) else dq.SecretValue(url)
        self._secrets = _secret_parts(self._url.reveal_text())
        _REDACT.secrets |= self._secrets
        self.timeout = timeout
        self.deadline = deadline
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_body_bytes = max_body_bytes
        self.channel = channel
        #: The service's size limits, declared for dq and the contract (which checks them).
        self.limits: dict[str, int] = {"request_bytes": max_body_bytes}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(url='***', timeout={self.timeout}, "
            f"deadline={self.deadline}, max_attempts={self.max_attempts})"
        )

    __str__ = __repr__

    # -- the protocol ---------------------------------------------------------------------

    async def send(self, notification: dq.Notification) -> dq.Delivery:
        body = self.render(notification)
        give_up_at = time.monotonic() + self.deadline
        attempts = 0
        async with httpx.AsyncClient(follow_redirects=False) as client:
            while True:
                attempts += 1
                remaining = give_up_at - time.monotonic()
                status, error, wait = await self._attempt(
                    client, notification, body, attempts, remaining
                )
                if status is not None and 200 <= status < 300:
                    logger.debug("delivered %s in %d attempt(s)", notification.dedup_key, attempts)
                    return self._delivery(
                        notification, dq.DeliveryStatus.DELIVERED, attempts, status
                    )
                if wait is None:
                    reason = error
                elif attempts >= self.max_attempts:
                    reason = f"gave up after {attempts} attempts; last: {error}"
                elif time.monotonic() + wait >= give_up_at:
                    reason = (
                        f"gave up after {attempts} attempt(s): the {self.deadline:g} s "
                        f"deadline leaves no time to retry; last: {error}"
                    )
                else:
                    logger.debug(
                        "attempt %d failed (%s); retrying in %.2f s", attempts, error, wait
                    )
                    await anyio.sleep(wait)
                    continue
                logger.warning("notification %s failed: %s", notification.dedup_key, reason)
                return self._delivery(
                    notification, dq.DeliveryStatus.FAILED, attempts, status, reason
                )

    async def _attempt(
        self,
        client: httpx.AsyncClient,
        notification: dq.Notification,
        body: bytes,
        attempt: int,
        remaining: float,
    ) -> tuple[int | None, str, float | None]:
        """One POST: (status or None, error text, seconds to wait before a retry or None)."""
        timeout = max(min(self.timeout, remaining), 0.001)
        try:
            response = await client.post(
                self._url.reveal_text(),
                content=body,
                headers=self.headers(notification, attempt),
                timeout=timeout,
            )
        except httpx.TimeoutException:
            return None, f"timed out after {timeout:.2g} s", self.backoff_delay(attempt)
        except httpx.TransportError as exc:  # refused, reset, a response broken off ...
            return None, f"connection failed ({type(exc).__name__})", self.backoff_delay(attempt)
        status = response.status_code
        if 200 <= status < 300:
            return status, "", None
        error = f"HTTP {status}: {self.excerpt(response.text)}".rstrip(": ")
        if not self.is_retryable(status):
            return status, error, None
        return status, error, self.retry_delay(response, attempt)

    # -- the pieces the rules live in -----------------------------------------------------

    def payload(self, notification: dq.Notification) -> dict[str, Any]:
        return {
            "kind": notification.kind.value,
            "title": notification.title,
            "summary": notification.summary,
            "level": notification.level.value,
            "tenant": str(notification.tenant) if notification.tenant else None,
            "fields": dict(notification.fields),
            "links": [{"title": link.title, "url": link.url} for link in notification.links],
            "dedup_key": notification.dedup_key,
        }

    def render(self, notification: dq.Notification) -> bytes:
        """The request body, fitted under ``max_body_bytes`` (cut text ends in "…").

        Water-filling: find the largest length ``cap`` such that cutting every text longer
        than ``cap`` (title, summary, field values) to ``cap`` characters fits. Short texts
        stay whole, so a 20-character title survives a 100 000-character summary; only what
        is too long is cut, and all of it equally.
        """
        payload = self.payload(notification)
        body = _encode(payload)
        if len(body) <= self.max_body_bytes:
            return body
        texts = [payload["title"], payload["summary"], *payload["fields"].values()]
        lo, hi = 0, max(len(t) for t in texts)  # a cap of hi does not fit (checked above)
        while lo < hi - 1:
            mid = (lo + hi) // 2
            if len(_encode(self._capped(payload, mid))) <= self.max_body_bytes:
                lo = mid
            else:
                hi = mid
        fitted = self._capped(payload, lo)
        body = _encode(fitted)
        while len(body) > self.max_body_bytes and fitted["links"]:
            fitted["links"].pop()  # still too big at cap 0: drop links, last first
            body = _encode(fitted)
        return body  # at worst only the dedup key and field names are left; let the service judge

    @staticmethod
    def _capped(payload: dict[str, Any], cap: int) -> dict[str, Any]:
        def cut(text: str) -> str:
            return text if len(text) <= cap else text[:cap] + ELLIPSIS

        return {
            **payload,
            "title": cut(payload["title"]),
            "summary": cut(payload["summary"]),
            "fields": {k: cut(v) for k, v in payload["fields"].items()},
            "links": list(payload["links"]),
        }

    def headers(self, notification: dq.Notification, attempt: int) -> dict[str, str]:
        """Same ``Idempotency-Key`` on every attempt: the service drops the duplicates."""
        return {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": notification.dedup_key,
        }

    def is_retryable(self, status: int) -> bool:
        """429 and 5xx may succeed later; any other 4xx will fail the same way again."""
        return status == 429 or 500 <= status <= 599

    def backoff_delay(self, attempt: int) -> float:
        return self.backoff * 2 ** (attempt - 1)

    def retry_delay(self, response: httpx.Response, attempt: int) -> float:
        """Wait what ``Retry-After`` asks (seconds or an HTTP date), else back off."""
        value = response.headers.get("Retry-After")
        if response.status_code == 429 and value:
            seconds = _retry_after_seconds(value)
            if seconds is not None:
                return seconds
        return self.backoff_delay(attempt)

    def excerpt(self, text: str) -> str:
        """A short, single-line quote of an error body with the URL and token scrubbed."""
        flat = " ".join(_scrub(text, self._secrets).split())
        return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS] + ELLIPSIS

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
            error=_scrub(error, self._secrets),
            finished_at=datetime.now(UTC),
        )


def _retry_after_seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if math.isnan(seconds):
        return None
    return max(seconds, 0.0)
