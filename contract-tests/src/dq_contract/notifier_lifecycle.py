"""The incident lifecycle and declared limits parts of the notifier contract.

Mixed into :class:`dq_contract.notifier.NotifierContract` (which supplies ``deliver``,
``notification`` and the sink), kept apart because they are the part added in suite 0.2:

* **Lifecycle.** A ``dq.Notification`` of kind ``RESOLVE`` closes the incident that the
  trigger with the same ``dedup_key`` opened. On the wire it must reach the service as a
  resolve (or close) *of exactly that key*: a resolve sent as a new trigger pages someone
  for a fixed problem, and a resolve of another key leaves the real incident open forever.
  The contract reads requests back with :meth:`LifecycleTests.classify`, which a plugin
  overrides when its service's wire format is not one of the generic shapes understood by
  :func:`classify_request`.
* **Declared limits.** A notifier declares its service's size limits as ``limits``
  (a mapping with at least ``"request_bytes"``); the contract sends a notification far over
  every limit and checks every body sent stays within what was declared.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

import dq
import pytest

from dq_contract.servers import HttpSink, Reply, Request

TRIGGER = "trigger"
RESOLVE = "resolve"
#: The action words services use for "close the incident of this key".
_CLOSING = {"resolve": RESOLVE, "resolved": RESOLVE, "close": RESOLVE, "closed": RESOLVE}
_OPENING = {"trigger": TRIGGER, "triggered": TRIGGER, "open": TRIGGER, "create": TRIGGER}


def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def classify_request(request: Request) -> tuple[str, str] | None:
    """``("trigger" | "resolve", dedup key)`` for the wire shapes most services use, or None.

    Understood, in this order:

    1. a JSON object with an action field — ``kind`` (dq's own webhook body) or
       ``event_action`` (PagerDuty Events v2) — and the key in ``dedup_key`` or ``alias``,
       else in an ``Idempotency-Key`` header;
    2. a REST close: a path ending ``/<key>/close`` or ``/<key>/resolve`` (Opsgenie's
       ``POST /v2/alerts/{alias}/close``), the key percent-decoded;
    3. a JSON object with ``dedup_key`` or ``alias`` and no action field: a trigger (an
       API whose create call takes the dedup key, and which resolves by another route).

    Anything else (chat messages: Slack, Teams) is None: the plugin overrides
    ``classify`` on its contract subclass.
    """
    body = _json_object(request)
    if body is not None:
        action = body.get("kind", body.get("event_action"))
        key = body.get("dedup_key", body.get("alias", request.header("Idempotency-Key")))
        if isinstance(action, str) and isinstance(key, str):
            word = action.lower()
            if word in _CLOSING or word in _OPENING:
                return (_CLOSING.get(word) or _OPENING[word], key)
            return (word, key)
    segments = urlsplit(request.path).path.rstrip("/").split("/")
    if len(segments) >= 3 and segments[-1].lower() in _CLOSING:
        return (RESOLVE, unquote(segments[-2]))
    if body is not None:
        key = body.get("dedup_key", body.get("alias"))
        if isinstance(key, str):
            return (TRIGGER, key)
    return None


#: Text JSON escaping inflates six-fold, and astral characters that count 2 in UTF-16.
_NASTY = '"\\\x01\n🚨𝔡'


def oversized_notification(kind: dq.NotificationKind, key: str) -> dq.Notification:
    """A notification over every limit any service has: ~1 MB of summary, a 20 000-char
    title, 200 long fields, 2 000 failing rules with long ids and messages, 300 links."""
    failures = tuple(
        dq.RuleFailure(
            rule_id=f"rule_{i:04d}_" + "r" * 150,
            check="between",
            column=f"column_{i}_" + "c" * 80,
            severity="error" if i % 3 else "warning",
            failed_count=i * 7 + 1,
            element_count=10_000_000,
            message=(f"{i} of 10000000 rows failed " + _NASTY * 60),
        )
        for i in range(2_000)
    )
    return dq.Notification(
        title=("dq: suite orders failed " + _NASTY * 4_000)[:20_000],
        summary=("orders.amount between 0 and 10000 failed " + "x" * 50 + _NASTY) * 15_000,
        level=dq.Level.CRITICAL,
        dedup_key=key,
        kind=kind,
        fields={f"field {i} " + "k" * 40: _NASTY * 800 for i in range(200)},
        links=tuple(
            dq.Link(title=f"run {i} " + "t" * 300, url=f"https://dq.example/runs/{i}?" + "q" * 900)
            for i in range(300)
        ),
        failures=failures,
    )


class LifecycleTests:
    """Triggers open, resolves close the same key (mixed into NotifierContract)."""

    def classify(self, request: Request) -> tuple[str, str] | None:
        """What *request* asked the service: ``("trigger" | "resolve", dedup key)``.

        Override it in your contract subclass when your service's wire format is not one of
        those :func:`classify_request` understands (chat channels render a resolve as a
        message: read your own "resolved" marker and the key from it).
        """
        return classify_request(request)

    def _classified(self, request: Request) -> tuple[str, str]:
        found = self.classify(request)
        if found is None:
            pytest.fail(
                f"cannot tell whether {request.method} {urlsplit(request.path).path[:60]!r} "
                "is a trigger or a resolve: override classify(request) on your contract "
                "subclass to read your service's wire format (docs/contracts/notifier.md)"
            )
        return found

    def test_a_resolve_closes_the_key_its_trigger_opened(
        self, notifier: Any, http_sink: HttpSink
    ) -> None:
        key = f"dq-contract-incident-{secrets.token_hex(6)}"
        trigger = self.notification(dedup_key=key)  # type: ignore[attr-defined]
        resolve = self.notification(  # type: ignore[attr-defined]
            dedup_key=key,
            kind=dq.NotificationKind.RESOLVE,
            level=dq.Level.INFO,
            title="dq: suite orders passed",
            summary="all 12 rules pass again",
            failures=(),
        )
        for note in (trigger, resolve):
            delivery = self.deliver(notifier, note, http_sink)  # type: ignore[attr-defined]
            assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
            assert delivery.attempts == 1
        opened, closed = http_sink.requests
        assert self._classified(opened) == (TRIGGER, key), "the trigger did not open its key"
        action, closed_key = self._classified(closed)
        assert action == RESOLVE, f"a RESOLVE notification reached the service as {action!r}"
        assert closed_key == key, (
            f"the resolve closes {closed_key!r}, not the key its trigger opened ({key!r})"
        )

    def test_a_retried_resolve_stays_a_resolve_of_the_same_key(
        self, notifier: Any, http_sink: HttpSink
    ) -> None:
        http_sink.script([Reply(503), Reply(429, headers={"Retry-After": "0"})])
        key = f"dq-contract-incident-{secrets.token_hex(6)}"
        note = self.notification(  # type: ignore[attr-defined]
            dedup_key=key, kind=dq.NotificationKind.RESOLVE, level=dq.Level.INFO
        )
        delivery = self.deliver(notifier, note, http_sink)  # type: ignore[attr-defined]
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        requests = http_sink.requests
        assert len(requests) == 3 == delivery.attempts
        for number, request in enumerate(requests, 1):
            assert self._classified(request) == (RESOLVE, key), (
                f"attempt {number} of a resolve is not a resolve of {key!r}"
            )


class DeclaredLimitsTests:
    """The notifier declares its service's size limits and keeps within them."""

    def declared_limits(self, notifier: Any) -> Mapping[str, int]:
        """The notifier's ``limits``, checked for shape; fails the test with what to do."""
        limits = getattr(notifier, "limits", None)
        if limits is None:
            pytest.fail(
                f"{type(notifier).__name__} declares no `limits`: give it an attribute "
                "limits = {'request_bytes': <the largest request body the service accepts>} "
                "(a Mapping[str, int]; see docs/contracts/notifier.md)"
            )
        if not isinstance(limits, Mapping):
            pytest.fail(f"`limits` must be a Mapping[str, int], got {type(limits).__name__}")
        for name, value in limits.items():
            if not isinstance(name, str) or type(value) is not int or value <= 0:
                pytest.fail(f"limits[{name!r}] = {value!r}: each limit is a positive int")
        if "request_bytes" not in limits:
            pytest.fail("`limits` has no 'request_bytes' (the largest request body, in bytes)")
        return limits

    def test_declares_its_service_limits(self, notifier: Any) -> None:
        limits = self.declared_limits(notifier)
        sink_limit = self.max_request_bytes  # type: ignore[attr-defined]
        assert limits["request_bytes"] <= sink_limit, (
            f"limits['request_bytes'] = {limits['request_bytes']} is over the service limit "
            f"the contract subclass declares (max_request_bytes = {sink_limit})"
        )

    @pytest.mark.parametrize("kind", [dq.NotificationKind.TRIGGER, dq.NotificationKind.RESOLVE])
    def test_an_oversized_notification_stays_within_the_declared_limits(
        self, notifier: Any, http_sink: HttpSink, kind: dq.NotificationKind
    ) -> None:
        limits = self.declared_limits(notifier)
        bound = min(limits["request_bytes"], self.max_request_bytes)  # type: ignore[attr-defined]
        note = oversized_notification(kind, f"dq-contract-big-{secrets.token_hex(6)}")
        delivery = self.deliver(notifier, note, http_sink)  # type: ignore[attr-defined]
        sizes = [len(r.body) for r in http_sink.requests]
        assert sizes, "nothing was sent"
        assert max(sizes) <= bound, (
            f"sent bodies of {sizes} bytes; declared limits['request_bytes'] = "
            f"{limits['request_bytes']} (the sink's limit {self.max_request_bytes}): "  # type: ignore[attr-defined]
            "cut text to fit"
        )
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        assert delivery.attempts == 1
