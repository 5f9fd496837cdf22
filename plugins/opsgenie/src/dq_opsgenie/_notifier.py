"""OpsgenieNotifier: create an Opsgenie alert for a trigger, close it by alias for a resolve.

What the Alert API answers (Opsgenie's Alert API reference: "Create Alert", "Close Alert",
response and error format; rate limiting), and what we do:

* ``202`` ``{"result":"Request will be processed","took":…,"requestId":…}`` — DELIVERED.
  Opsgenie processes alert requests *asynchronously*: 202 means accepted, and the outcome is
  at ``GET /v2/alerts/requests/{requestId}``. The id is logged at INFO, kept in
  :attr:`OpsgenieNotifier.request_ids` (by dedup key, the last 1,000) and quoted in errors,
  which is what Opsgenie support asks for.
* ``401`` / ``403`` (``Could not authenticate``, a key without create-and-update access) and
  ``422`` (``Request body is not processable`` with ``errors`` per field) — FAILED at once,
  never retried; Opsgenie's message and per-field errors quoted, with what to check.
* ``429`` (rate limit) and ``5xx``, timeouts, refused or broken connections — retried with
  backoff and jitter (``Retry-After`` honoured when sent) up to the deadline.

The alias is the dedup key, so a retried create joins the open alert (Opsgenie counts it)
instead of paging again, and the close names the same alias.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from datetime import UTC, datetime
from urllib.parse import urlsplit

import dq
import httpx

from dq_opsgenie._alert import ALIAS_MAX, DESCRIPTION_MAX, MESSAGE_MAX, render_request
from dq_opsgenie._config import OpsgenieConfig
from dq_opsgenie._pool import ClientPool
from dq_opsgenie._redact import REDACTOR, scrub, url_parts
from dq_opsgenie._retry import Policy, Verdict, post_until_settled, retry_after_seconds

logger = logging.getLogger("dq_opsgenie")

EXCERPT_CHARS = 300
#: How many accepted requests' ids :attr:`OpsgenieNotifier.request_ids` remembers.
REQUEST_IDS_KEPT = 1_000
HINTS = {
    401: "the API key is wrong or revoked: copy the key of an API integration again",
    403: "the API key lacks create-and-update access, or the integration is disabled",
    422: "Opsgenie refused a field; please report it to dq-opsgenie with the dedup key",
}


class OpsgenieNotifier:
    """A :class:`dq.protocols.Notifier` for one Opsgenie API integration.

    Building it does no I/O and binds to no event loop. Sends that overlap on one event loop
    share one ``httpx.AsyncClient`` (``_pool``: one connection pool, one TLS handshake for a
    fan-out); the last to finish closes it. ``async with notifier:`` keeps it open across
    sequential sends in a block.
    """

    def __init__(self, config: OpsgenieConfig) -> None:
        self.config = config
        self._key = config.api_key
        # the key, and any token an ``url`` override (a proxy) may carry in its path or query
        self._secrets = frozenset({self._key.reveal_text()}) | (
            url_parts(config.url) if config.url else frozenset()
        )
        REDACTOR.register(self._secrets)
        self._pool = ClientPool()
        #: Opsgenie's limits as this notifier keeps them (declared for dq and the contract).
        self.limits: dict[str, int] = {
            "request_bytes": config.max_body_bytes,
            "message": MESSAGE_MAX,
            "alias": ALIAS_MAX,
            "description": DESCRIPTION_MAX,
        }
        #: dedup key -> the requestId of the last accepted (202) request for it.
        self.request_ids: OrderedDict[str, str] = OrderedDict()
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
            f"OpsgenieNotifier(channel={c.channel!r}, host={_host(c.base_url)!r}, api_key='***', "
            f"timeout={c.timeout:g}, deadline={c.deadline:g}, max_attempts={c.max_attempts})"
        )

    __str__ = __repr__

    async def __aenter__(self) -> OpsgenieNotifier:
        await self._pool.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._pool.release()

    async def send(self, notification: dq.Notification) -> dq.Delivery:
        """Create (trigger) or close (resolve) the alert; never raises for a delivery
        problem: the outcome is in the returned ``dq.Delivery``."""
        try:
            path, body = render_request(notification, self.config)
        except Exception as exc:  # a bug in rendering must not lose the alert silently
            logger.error(
                "rendering Opsgenie request %s failed (%s)",
                notification.dedup_key,
                type(exc).__name__,
            )
            return self._delivery(notification, False, 0, None, type(exc).__name__)
        url = self.config.base_url + path
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"GenieKey {self._key.reveal_text()}",
        }
        accepted: list[str] = []

        def judge(response: httpx.Response) -> Verdict:
            verdict = self.judge(response)
            if not verdict.error:
                accepted.append(_request_id(response))
            return verdict

        async with self._pool.client() as client:

            def request(timeout: float) -> httpx.Request:
                return client.build_request(
                    "POST", url, content=body, headers=headers, timeout=timeout
                )

            outcome = await post_until_settled(client, request, judge, self._policy)
        action = "close" if notification.kind is dq.NotificationKind.RESOLVE else "create"
        if outcome.delivered:
            request_id = accepted[-1] if accepted else ""
            self._remember(notification.dedup_key, request_id)
            logger.info(
                "Opsgenie accepted %s of %s (requestId %s) in %d attempt(s)",
                action,
                notification.dedup_key,
                request_id or "none",
                outcome.attempts,
            )
        else:
            logger.warning(
                "Opsgenie %s of %s failed: %s",
                action,
                notification.dedup_key,
                scrub(outcome.error, self._secrets),
            )
        return self._delivery(
            notification, outcome.delivered, outcome.attempts, outcome.status, outcome.error
        )

    def judge(self, response: httpx.Response) -> Verdict:
        status = response.status_code
        if 200 <= status < 300:
            return Verdict(status)
        error = f"HTTP {status}: {self.explain(response)}".rstrip(": ")
        if status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            return Verdict(status, error, retry=True, wait=wait)
        if 500 <= status <= 599:
            return Verdict(status, error, retry=True)
        if status in HINTS:
            error += f" ({HINTS[status]})"
        return Verdict(status, error)

    def explain(self, response: httpx.Response) -> str:
        """Opsgenie's ``message`` and per-field ``errors`` (plus its requestId) when the body
        is its JSON, else a bounded quote; the API key scrubbed out either way."""
        text = response.text
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and "message" in data:
            parts = [str(data["message"])]
            errors = data.get("errors")
            if isinstance(errors, dict):
                parts.append("; ".join(f"{k}: {v}" for k, v in errors.items()))
            if data.get("requestId"):
                parts.append(f"requestId {data['requestId']}")
            text = " - ".join(parts)
        flat = " ".join(scrub(text, self._secrets).split())
        return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS] + "…"

    def _remember(self, key: str, request_id: str) -> None:
        if not request_id:
            return
        self.request_ids[key] = request_id
        self.request_ids.move_to_end(key)
        while len(self.request_ids) > REQUEST_IDS_KEPT:
            self.request_ids.popitem(last=False)

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


def _request_id(response: httpx.Response) -> str:
    try:
        data = json.loads(response.text)
    except ValueError:
        return ""
    value = data.get("requestId") if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""


def _host(url: str) -> str:
    """Scheme, host and port of *url*: enough to tell endpoints apart, no path or query."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"
