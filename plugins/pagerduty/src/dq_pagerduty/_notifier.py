"""PagerDutyNotifier: a ``dq.Notification`` as one Events API v2 event, delivered once.

What the Events API v2 answers (PagerDuty's Events API v2 overview, "Response codes & retry
logic", and the measured notes in shared/notes/services.md), and what we do:

* ``202`` ``{"status":"success","message":"Event processed","dedup_key":…}`` — DELIVERED.
  (Any 2xx is: a proxy may answer 200.)
* ``400`` ``{"status":"invalid event","message":…,"errors":[…]}`` — FAILED at once, never
  retried; ``Delivery.error`` quotes PagerDuty's message and errors (an unknown or malformed
  routing key is reported this way: there is no 401 on this API).
* ``429`` — PagerDuty's rate limit (about 120 events a minute per integration key): retried
  after ``Retry-After`` when sent, else with backoff, up to the deadline.
* ``5xx``, timeouts, refused or broken connections — retried with backoff and jitter.
* any other status — FAILED, not retried, quoted.

A trigger and its resolve carry the same ``dedup_key`` (``_event.dedup_key``), which is also
what makes a retry safe: PagerDuty applies a repeated trigger to the open alert.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from urllib.parse import urlsplit

import dq
import httpx

from dq_pagerduty._config import PagerDutyConfig
from dq_pagerduty._event import DEDUP_KEY_MAX, SUMMARY_MAX, render_event
from dq_pagerduty._pool import ClientPool
from dq_pagerduty._redact import REDACTOR, scrub, url_parts
from dq_pagerduty._retry import Policy, Verdict, post_until_settled, retry_after_seconds

logger = logging.getLogger("dq_pagerduty")

#: How much of an error response ``Delivery.error`` quotes.
EXCERPT_CHARS = 300


class PagerDutyNotifier:
    """A :class:`dq.protocols.Notifier` for one PagerDuty Events API v2 integration.

    Building it does no I/O and binds to no event loop. Sends that overlap on one event loop
    share one ``httpx.AsyncClient`` (``_pool``: one connection pool, one TLS handshake for a
    fan-out); the last to finish closes it. ``async with notifier:`` keeps it open across
    sequential sends in a block.
    """

    def __init__(self, config: PagerDutyConfig) -> None:
        self.config = config
        self._key = config.routing_key
        # the key, and any token an ``url`` override (a proxy) may carry in its path or query
        self._secrets = frozenset({self._key.reveal_text()}) | (
            url_parts(config.url) if config.url else frozenset()
        )
        REDACTOR.register(self._secrets)
        self._pool = ClientPool()
        #: PagerDuty's limits as this notifier keeps them (declared for dq and the contract).
        self.limits: dict[str, int] = {
            "request_bytes": config.max_body_bytes,
            "summary": SUMMARY_MAX,
            "dedup_key": DEDUP_KEY_MAX,
        }
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
            f"PagerDutyNotifier(channel={c.channel!r}, host={_host(c.endpoint)!r}, "
            f"routing_key='***', timeout={c.timeout:g}, deadline={c.deadline:g}, "
            f"max_attempts={c.max_attempts})"
        )

    __str__ = __repr__

    async def __aenter__(self) -> PagerDutyNotifier:
        await self._pool.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._pool.release()

    async def send(self, notification: dq.Notification) -> dq.Delivery:
        """Send *notification* as a trigger or resolve event; never raises for a delivery
        problem: the outcome is in the returned ``dq.Delivery``."""
        try:
            body = render_event(notification, self._key.reveal_text(), self.config)
        except Exception as exc:  # a bug in rendering must not lose the alert silently
            logger.error(
                "rendering PagerDuty event %s failed (%s)",
                notification.dedup_key,
                type(exc).__name__,
            )
            return self._delivery(notification, False, 0, None, type(exc).__name__)
        endpoint = self.config.endpoint
        headers = {"Content-Type": "application/json"}

        def request(timeout: float) -> httpx.Request:
            return client.build_request(
                "POST", endpoint, content=body, headers=headers, timeout=timeout
            )

        async with self._pool.client() as client:
            outcome = await post_until_settled(client, request, self.judge, self._policy)
        if outcome.delivered:
            logger.debug(
                "PagerDuty %s %s delivered in %d attempt(s)",
                notification.kind.value,
                notification.dedup_key,
                outcome.attempts,
            )
        else:
            logger.warning(
                "PagerDuty %s %s failed: %s",
                notification.kind.value,
                notification.dedup_key,
                scrub(outcome.error, self._secrets),
            )
        return self._delivery(
            notification, outcome.delivered, outcome.attempts, outcome.status, outcome.error
        )

    # -- what PagerDuty's answers mean ----------------------------------------------------

    def judge(self, response: httpx.Response) -> Verdict:
        status = response.status_code
        if 200 <= status < 300:
            return Verdict(status)
        error = f"HTTP {status}: {self.explain(response)}".rstrip(": ")
        if status == 429:
            return Verdict(
                status,
                error,
                retry=True,
                wait=retry_after_seconds(response.headers.get("Retry-After")),
            )
        if 500 <= status <= 599:
            return Verdict(status, error, retry=True)
        if status == 400:
            error += " (PagerDuty refused the event and will refuse it again: check the "
            error += "routing key is an Events API v2 integration key of this region)"
        return Verdict(status, error)

    def explain(self, response: httpx.Response) -> str:
        """PagerDuty's ``status: message; errors`` when the body is its JSON, else a bounded
        quote of the body; the routing key scrubbed out either way."""
        text = response.text
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and ("errors" in data or "message" in data):
            parts = [str(data.get("status") or ""), str(data.get("message") or "")]
            errors = data.get("errors")
            if isinstance(errors, list):
                parts.append("; ".join(str(e) for e in errors))
            text = ": ".join(p for p in parts if p)
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


def _host(url: str) -> str:
    """Scheme, host and port of *url*: enough to tell endpoints apart, no path or query."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"
