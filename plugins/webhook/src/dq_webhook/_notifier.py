"""WebhookNotifier: POST each notification as signed ``dq.notification/v1`` JSON, once.

What a receiver answers, and what we do (the same rules as every dq notifier):

* ``2xx`` — DELIVERED;
* ``429`` — wait ``Retry-After`` (seconds or an HTTP date) when sent, else back off; retry
  up to the deadline;
* ``5xx``, timeouts, refused or broken connections — retried with backoff and jitter;
* any other ``4xx`` (``401``/``403``: the receiver refused the signature or the URL) —
  FAILED at once, never retried, the receiver's answer quoted.

Every attempt carries the same ``webhook-id`` (the message) and body, a fresh
``webhook-timestamp`` and the signature over ``id.timestamp.body`` (Standard Webhooks): a
receiver drops repeats by id, and refuses stale timestamps (see :func:`dq_webhook.verify`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import UTC, datetime

import dq
import httpx

from dq_webhook._body import render_body
from dq_webhook._config import WebhookConfig
from dq_webhook._pool import ClientPool
from dq_webhook._redact import REDACTOR, scrub, url_parts
from dq_webhook._retry import Policy, Verdict, post_until_settled, retry_after_seconds
from dq_webhook._signing import sign, signing_key

logger = logging.getLogger("dq_webhook")

EXCERPT_CHARS = 300
HINTS = {
    401: "the receiver refused the request: check it verifies with the same signing secret",
    403: "the receiver refused the request: check the signing secret and the URL",
    404: "no endpoint at this URL: check the url secret",
    410: "the endpoint is gone: update the url secret",
}


def message_id(notification: dq.Notification) -> str:
    """``webhook-id``: the dedup key and the kind, so a trigger and its resolve differ and
    every retry or replay of one of them is the same message.

    ``<kind>:<dedup key>`` when the key is header-safe (printable ASCII, no spaces, at most
    200 characters); otherwise ``<kind>:sha256:<hex of the key>``.
    """
    key = notification.dedup_key
    kind = notification.kind.value
    if key.isascii() and key.isprintable() and " " not in key and 0 < len(key) <= 200:
        return f"{kind}:{key}"
    return f"{kind}:sha256:{hashlib.sha256(key.encode('utf-8', 'replace')).hexdigest()}"


class WebhookNotifier:
    """A :class:`dq.protocols.Notifier` for one HTTP endpoint that verifies Standard Webhooks
    signatures. Building it does no I/O and binds to no event loop. Sends that overlap on one
    event loop share one ``httpx.AsyncClient`` (``_pool``); the last to finish closes it.
    ``async with notifier:`` keeps it open across sequential sends in a block."""

    def __init__(self, config: WebhookConfig) -> None:
        self.config = config
        self._url = config.url
        self._key = signing_key(config.secret)
        secret_text = config.secret.reveal_text()
        self._secrets = url_parts(self._url.reveal_text()) | {
            secret_text,
            secret_text.strip().removeprefix("whsec_"),
        }
        REDACTOR.register(self._secrets)
        self._pool = ClientPool()
        #: The size limit this notifier keeps (declared for dq and the contract).
        self.limits: dict[str, int] = {"request_bytes": config.max_body_bytes}
        self._policy = Policy(
            timeout=config.timeout,
            deadline=config.deadline,
            max_attempts=config.max_attempts,
            backoff=config.backoff,
        )

    @property
    def channel(self) -> str:
        return self.config.channel

    def __repr__(self) -> str:
        c = self.config
        return (
            f"WebhookNotifier(channel={c.channel!r}, url='***', secret='***', "
            f"timeout={c.timeout:g}, deadline={c.deadline:g}, max_attempts={c.max_attempts})"
        )

    __str__ = __repr__

    async def __aenter__(self) -> WebhookNotifier:
        await self._pool.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._pool.release()

    async def send(self, notification: dq.Notification) -> dq.Delivery:
        """POST *notification*; never raises for a delivery problem."""
        c = self.config
        try:
            body = render_body(
                notification, max_body_bytes=c.max_body_bytes, max_failures=c.max_failures
            )
        except Exception as exc:  # a bug in rendering must not lose the alert silently
            logger.error(
                "rendering webhook %s failed (%s)", notification.dedup_key, type(exc).__name__
            )
            return self._delivery(notification, False, 0, None, type(exc).__name__)
        msg_id = message_id(notification)
        url = self._url.reveal_text()

        async with self._pool.client() as client:

            def request(timeout: float) -> httpx.Request:
                stamp = int(time.time())
                headers = {
                    "Content-Type": "application/json",
                    "webhook-id": msg_id,
                    "webhook-timestamp": str(stamp),
                    "webhook-signature": sign(self._key, msg_id, stamp, body),
                }
                return client.build_request(
                    "POST", url, content=body, headers=headers, timeout=timeout
                )

            outcome = await post_until_settled(client, request, self.judge, self._policy)
        if outcome.delivered:
            logger.debug("webhook %s delivered in %d attempt(s)", msg_id, outcome.attempts)
        else:
            logger.warning(
                "webhook %s failed: %s", notification.dedup_key, scrub(outcome.error, self._secrets)
            )
        return self._delivery(
            notification, outcome.delivered, outcome.attempts, outcome.status, outcome.error
        )

    def judge(self, response: httpx.Response) -> Verdict:
        status = response.status_code
        if 200 <= status < 300:
            return Verdict(status)
        error = f"HTTP {status}: {self.excerpt(response.text)}".rstrip(": ")
        if status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            return Verdict(status, error, retry=True, wait=wait)
        if 500 <= status <= 599:
            return Verdict(status, error, retry=True)
        if status in HINTS:
            error += f" ({HINTS[status]})"
        return Verdict(status, error)

    def excerpt(self, text: str) -> str:
        flat = " ".join(scrub(text, self._secrets).split())
        return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS] + "…"

    def _delivery(
        self,
        notification: dq.Notification,
        delivered: bool,
        attempts: int,
        response_status: int | None,
        error: str = "",
    ) -> dq.Delivery:
        return dq.Delivery(
            channel=self.channel,
            status=dq.DeliveryStatus.DELIVERED if delivered else dq.DeliveryStatus.FAILED,
            dedup_key=notification.dedup_key,
            attempts=attempts,
            response_status=response_status,
            error=scrub(error, self._secrets),
            finished_at=datetime.now(UTC),
        )
