"""NotifierContract: the tests every dq notifier must pass, against a real local HTTP server.

Use it from a plugin's test suite::

    import pytest
    from dq_contract.notifier import NotifierContract
    from my_plugin import SlackNotifier

    class TestSlack(NotifierContract):
        timeout_seconds = 0.5      # what the fixture below configures: keeps the run short
        deadline_seconds = 3.0

        @pytest.fixture
        def notifier(self, http_sink):
            return SlackNotifier(webhook_url=http_sink.url, timeout=0.5, deadline=3.0)

``http_sink`` (a :class:`dq_contract.servers.HttpSink`) is provided by the contract: a server on
127.0.0.1 that records each request with its arrival time and answers from a script. The
tests measure what crossed the wire: how many attempts, how far apart, with which dedup key,
how big, and whether the URL's token shows up anywhere a human or a log shipper could see it.
Every rule and its reason is listed in docs/contracts/notifier.md.

Suite 0.2 adds the incident lifecycle (a resolve closes exactly its trigger's key) and the
declared limits (``notifier.limits["request_bytes"]``), in :mod:`dq_contract.notifier_lifecycle`.
A plugin whose service is not a bare webhook overrides three hooks on its subclass:
``http_sink`` (a sink whose ``responder`` speaks the vendor's protocol), ``secret_texts``
(what must never leak: the routing key, API key … rather than the URL) and ``classify``
(how to read a request back as a trigger or a resolve of a key).

Sends run with ``anyio.run`` (a fresh event loop per send, nothing to configure), bounded by
the declared deadline plus a grace period so a notifier that never gives up fails instead of
hanging the suite. A notifier must therefore not bind itself to an event loop when built.
"""

from __future__ import annotations

import inspect
import json
import logging
import secrets
import time
import traceback
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import anyio
import dq
import dq.protocols
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dq_contract.notifier_lifecycle import DeclaredLimitsTests, LifecycleTests
from dq_contract.servers import HttpSink, Reply, Request, running_sink

KIND = "notifier"

PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one sink per test, reset per example
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.differing_executors,
    ],
)

#: Text mixing what breaks naive encoders: quotes, backslashes, controls, emoji, CJK, RTL.
AWKWARD = 'Ünïcödé ✓ 数据质量 — “quotes” "double" \\back\\ \t tab 🚨 עברית\nline two'


def _repeat(chunk: str, size: int) -> str:
    return (chunk * (size // len(chunk) + 1))[:size]


def texts(max_size: int = 100_000) -> st.SearchStrategy[str]:
    """Any unicode text, from empty to *max_size* characters (long ones built by repetition)."""
    return st.one_of(
        st.text(max_size=300),
        st.builds(_repeat, st.text(min_size=1, max_size=8), st.integers(0, max_size)),
    )


def strings_in(request: Request) -> set[str]:
    """Every string a request carries: header values, JSON string values (recursively)."""
    found = {value for _name, value in request.headers}
    try:
        stack: list[Any] = [json.loads(request.body)]
    except ValueError:
        return found
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def carries(request: Request, text: str, *, exactly: bool = False) -> bool:
    """Does *request* carry *text*: as a header value or JSON string (equal to it if
    *exactly*, else containing it), or anywhere in a non-JSON body?"""
    values = strings_in(request)
    if exactly:
        return text in values
    return any(text in value for value in values) or text in request.text


class NotifierContract(LifecycleTests, DeclaredLimitsTests):
    """Subclass in a test module and provide a fixture ``notifier(self, http_sink)``.

    Declare what the fixture's notifier is configured with (they size the tests' waits):
    ``timeout_seconds`` for one attempt, ``deadline_seconds`` for a whole send, and
    ``max_request_bytes``, the service limit the sink enforces with 413. The notifier must
    allow at least 3 attempts and a deadline over 1 s (one test waits ``Retry-After: 1``),
    and declare ``limits`` (at least ``"request_bytes"``).

    Hooks to override when the service is more than a webhook: ``http_sink`` (give the sink
    a vendor ``responder``), :meth:`secret_texts`, and ``classify`` (from
    :class:`~dq_contract.notifier_lifecycle.LifecycleTests`).
    """

    KIND: ClassVar[str] = KIND
    dq_contract_name: ClassVar[str] = "NotifierContract"
    pytestmark = [pytest.mark.dq_contract("notifier")]

    #: The sink answers 413 to a larger body; the notifier must truncate to stay under it.
    max_request_bytes: ClassVar[int] = 512_000
    #: The notifier's per-attempt timeout. The timeout test holds a reply back past it.
    timeout_seconds: ClassVar[float] = 2.0
    #: The notifier's deadline for one send, retries and waits included.
    deadline_seconds: ClassVar[float] = 10.0
    #: Scheduling slack allowed on top of the deadline before "gives up in time" fails.
    deadline_slack_seconds: ClassVar[float] = 1.0

    @pytest.fixture
    def http_sink(self) -> Iterator[HttpSink]:
        """A started :class:`HttpSink` enforcing ``max_request_bytes``; stopped after the test."""
        yield from running_sink(self.max_request_bytes)

    def secret_texts(self, http_sink: HttpSink) -> set[str]:
        """What must never show in a repr, log, error or exception: by default the sink URL's
        token (a webhook URL is the credential). Override it when the credential is
        elsewhere — a routing key in the body, an API key in a header — and return it (plus
        the token if your fixture puts it in the URL). Error bodies echo each of them."""
        return {http_sink.token}

    # -- helpers --------------------------------------------------------------------------

    @staticmethod
    def notification(**overrides: Any) -> dq.Notification:
        values: dict[str, Any] = {
            "title": "dq: suite orders failed 3 of 12 rules",
            "summary": "orders.amount between 0 and 10000 failed 42 of 1000 rows",
            "level": dq.Level.ERROR,
            "dedup_key": f"dq-contract-{secrets.token_hex(6)}",
            "fields": {"suite": "orders", "failed": "3"},
            "links": (dq.Link(title="run", url="https://dq.example/runs/1"),),
        }
        values.update(overrides)
        return dq.Notification(**values)

    def deliver(self, notifier: Any, notification: dq.Notification, sink: HttpSink) -> dq.Delivery:
        """Run one send to completion; fail if it hangs, leaks the token when raising, or
        returns something other than a Delivery for this notification."""
        limit = self.deadline_seconds + self.deadline_slack_seconds + self.timeout_seconds

        async def bounded() -> Any:
            with anyio.fail_after(limit):
                return await notifier.send(notification)

        try:
            delivery = anyio.run(bounded)
        except TimeoutError:
            pytest.fail(
                f"send did not return within {limit:g} s: it must give up by its "
                f"deadline ({self.deadline_seconds:g} s declared)"
            )
        except Exception as exc:
            text = "".join(traceback.format_exception(exc))
            for secret in self.secret_texts(sink):
                assert secret not in text, "an exception raised by send reveals the secret"
            raise
        assert isinstance(delivery, dq.Delivery), f"send returned {type(delivery).__name__}"
        assert delivery.dedup_key == notification.dedup_key
        for secret in self.secret_texts(sink):
            assert secret not in delivery.error, "Delivery.error reveals the secret"
        return delivery

    def timed(
        self, notifier: Any, notification: dq.Notification, sink: HttpSink
    ) -> tuple[dq.Delivery, float]:
        start = time.monotonic()
        delivery = self.deliver(notifier, notification, sink)
        return delivery, time.monotonic() - start

    # -- shape ----------------------------------------------------------------------------

    def test_satisfies_the_notifier_protocol(self, notifier: Any) -> None:
        assert isinstance(notifier, dq.protocols.Notifier), "no send method"
        assert inspect.iscoroutinefunction(notifier.send), "send must be a coroutine function"

    def test_building_the_notifier_sends_nothing(self, notifier: Any, http_sink: HttpSink) -> None:
        assert http_sink.requests == [], "the notifier did I/O while being built"

    # -- success --------------------------------------------------------------------------

    @pytest.mark.parametrize("status", [200, 202, 204])
    def test_delivers_once_on_2xx(self, notifier: Any, http_sink: HttpSink, status: int) -> None:
        http_sink.script([Reply(status, body="ok" if status != 204 else "")])
        note = self.notification()
        delivery = self.deliver(notifier, note, http_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        assert delivery.attempts == 1
        assert len(http_sink.requests) == 1, "a 2xx must not be retried"
        assert delivery.response_status == status
        (request,) = http_sink.requests
        assert carries(request, note.title), "the request does not carry the title"
        assert carries(request, note.summary), "the request does not carry the summary"

    def test_short_unicode_text_arrives_intact(self, notifier: Any, http_sink: HttpSink) -> None:
        note = self.notification(title=AWKWARD[:40], summary=AWKWARD)
        delivery = self.deliver(notifier, note, http_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        (request,) = http_sink.requests
        assert carries(request, note.title), "the title was altered on the wire"
        assert carries(request, note.summary), "the summary was altered on the wire"

    # -- what is retried, and how ---------------------------------------------------------

    def test_429_waits_for_retry_after_then_delivers(
        self, notifier: Any, http_sink: HttpSink
    ) -> None:
        http_sink.script([Reply(429, headers={"Retry-After": "1"}), Reply(200, body="ok")])
        delivery = self.deliver(notifier, self.notification(), http_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        assert delivery.attempts == 2
        first, second = http_sink.requests
        gap = second.arrived - first.arrived
        assert gap >= 0.95, f"retried {gap:.2f} s after a 429 with Retry-After: 1"

    @pytest.mark.parametrize("status", [500, 502, 503])
    def test_5xx_is_retried(self, notifier: Any, http_sink: HttpSink, status: int) -> None:
        http_sink.script([Reply(status, body="upstream trouble"), Reply(200, body="ok")])
        delivery = self.deliver(notifier, self.notification(), http_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        assert delivery.attempts == 2 == len(http_sink.requests)

    def test_timeout_is_retried(self, notifier: Any, http_sink: HttpSink) -> None:
        held = self.timeout_seconds * 2 + 1.0
        http_sink.script([Reply(200, delay=held), Reply(200, body="ok")])
        delivery, took = self.timed(notifier, self.notification(), http_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        assert delivery.attempts == 2 == len(http_sink.requests)
        assert took < held, f"waited {took:.2f} s: the per-attempt timeout was not applied"

    def test_a_response_broken_off_mid_body_is_retried(
        self, notifier: Any, http_sink: HttpSink
    ) -> None:
        http_sink.script([Reply(502, body="x" * 64, malformed=True), Reply(200, body="ok")])
        delivery = self.deliver(notifier, self.notification(), http_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        assert delivery.attempts == 2 == len(http_sink.requests)

    @pytest.mark.parametrize("status", [400, 403, 404, 422])
    def test_client_errors_are_not_retried(
        self, notifier: Any, http_sink: HttpSink, status: int
    ) -> None:
        http_sink.script([Reply(status, body="no_such_channel")], then=Reply(200))
        delivery = self.deliver(notifier, self.notification(), http_sink)
        assert len(http_sink.requests) == 1, f"a {status} was retried"
        assert delivery.status is dq.DeliveryStatus.FAILED
        assert delivery.attempts == 1
        assert delivery.response_status == status
        assert str(status) in delivery.error, "Delivery.error must name the status"
        assert "no_such_channel" in delivery.error, "Delivery.error must quote the service"

    def test_persistent_5xx_gives_up_within_the_deadline(
        self, notifier: Any, http_sink: HttpSink
    ) -> None:
        http_sink.script([], then=Reply(503, body="down for maintenance"))
        delivery, took = self.timed(notifier, self.notification(), http_sink)
        assert delivery.status is dq.DeliveryStatus.FAILED
        assert took <= self.deadline_seconds + self.deadline_slack_seconds, (
            f"gave up after {took:.2f} s; the deadline is {self.deadline_seconds:g} s"
        )
        assert delivery.attempts >= 2, "a 503 must be retried"
        assert delivery.attempts == len(http_sink.requests)
        assert delivery.response_status == 503
        assert "503" in delivery.error

    def test_retry_after_beyond_the_deadline_is_not_waited_for(
        self, notifier: Any, http_sink: HttpSink
    ) -> None:
        wait = str(int(self.deadline_seconds * 10 + 60))
        http_sink.script([], then=Reply(429, headers={"Retry-After": wait}))
        delivery, took = self.timed(notifier, self.notification(), http_sink)
        assert delivery.status is dq.DeliveryStatus.FAILED
        assert took <= self.deadline_seconds + self.deadline_slack_seconds
        assert delivery.response_status == 429

    def test_unreachable_service_is_a_failed_delivery(
        self, notifier: Any, http_sink: HttpSink
    ) -> None:
        http_sink.stop()
        delivery, took = self.timed(notifier, self.notification(), http_sink)
        assert delivery.status is dq.DeliveryStatus.FAILED
        assert delivery.error, "a failed delivery must say why"
        assert took <= self.deadline_seconds + self.deadline_slack_seconds

    def test_every_attempt_carries_the_same_dedup_key(
        self, notifier: Any, http_sink: HttpSink
    ) -> None:
        http_sink.script(
            [
                Reply(503),
                Reply(429, headers={"Retry-After": "0"}),
                Reply(200, body="ok"),
            ]
        )
        note = self.notification()
        delivery = self.deliver(notifier, note, http_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        requests = http_sink.requests
        assert len(requests) == 3 == delivery.attempts
        for number, request in enumerate(requests, 1):
            assert carries(request, note.dedup_key, exactly=True), (
                f"attempt {number} does not carry the dedup key {note.dedup_key!r}"
            )
        for name in {k.lower() for r in requests for k, _v in r.headers}:
            if "idempotency" in name or "dedup" in name:
                values = {r.header(name) for r in requests}
                assert len(values) == 1, f"header {name} changes between attempts: {values}"

    # -- limits ---------------------------------------------------------------------------

    @PROPERTY_SETTINGS
    @given(
        title=texts(),
        summary=texts(),
        fields=st.dictionaries(st.text(max_size=20), texts(2_000), max_size=3),
    )
    @example(title="", summary="", fields={})
    @example(title="🚨" * 100_000, summary="𝔡𝔮" * 50_000, fields={})
    @example(title='"\\\x00\n' * 25_000, summary="\x7f\u2028\ufeff" * 33_333, fields={})
    def test_messages_of_any_length_and_unicode_are_delivered(
        self,
        notifier: Any,
        http_sink: HttpSink,
        title: str,
        summary: str,
        fields: dict[str, str],
    ) -> None:
        http_sink.reset()
        note = self.notification(title=title, summary=summary, fields=fields)
        delivery = self.deliver(notifier, note, http_sink)
        sizes = [len(r.body) for r in http_sink.requests]
        bound = min(self.max_request_bytes, _request_bytes(notifier, self.max_request_bytes))
        assert all(size <= bound for size in sizes), (
            f"sent bodies of {sizes} bytes; the limit is {bound}: truncate"
        )
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        assert delivery.attempts == 1

    # -- secrecy --------------------------------------------------------------------------

    def test_repr_and_str_hide_the_webhook_url(self, notifier: Any, http_sink: HttpSink) -> None:
        for text in (repr(notifier), str(notifier), f"{notifier!r}"):
            for secret in self.secret_texts(http_sink):
                assert secret not in text, "repr/str of the notifier reveals the secret"

    def _failures(self, notifier: Any, sink: HttpSink) -> list[dq.Delivery]:
        """Send through every kind of failure, the service echoing the secrets back."""
        echo = f"no hook at {sink.url} ({sink.path}) for " + " ".join(
            sorted(self.secret_texts(sink))
        )
        deliveries = []
        for script, then in (
            ([Reply(404, body=echo)], Reply(200)),
            ([Reply(503, body=echo)], Reply(200, body=echo)),
            ([], Reply(500, body=echo)),
            ([Reply(400, headers={"Location": sink.url}, body=echo)], Reply(200)),
        ):
            sink.script(script, then=then)
            deliveries.append(self.deliver(notifier, self.notification(), sink))
        sink.stop()
        deliveries.append(self.deliver(notifier, self.notification(), sink))
        return deliveries

    def test_failures_never_reveal_the_webhook_url(
        self, notifier: Any, http_sink: HttpSink
    ) -> None:
        for delivery in self._failures(notifier, http_sink):  # deliver() checks the errors
            for secret in self.secret_texts(http_sink):
                assert secret not in repr(delivery)

    def test_logs_never_contain_the_webhook_url(
        self, notifier: Any, http_sink: HttpSink, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        self.deliver(notifier, self.notification(), http_sink)
        self._failures(notifier, http_sink)
        for secret in self.secret_texts(http_sink):
            leaks = [r for r in caplog.records if secret in r.getMessage()]
            assert not leaks, f"logged the secret: {leaks[0].name}: {leaks[0].getMessage()!r}"
            assert secret not in caplog.text, "a log record (or its traceback) has the secret"


def _request_bytes(notifier: Any, default: int) -> int:
    """The notifier's declared ``limits["request_bytes"]`` if it has a usable one (the shape
    itself is judged by ``test_declares_its_service_limits``)."""
    limits = getattr(notifier, "limits", None)
    value = limits.get("request_bytes") if isinstance(limits, Mapping) else None
    return value if type(value) is int and value > 0 else default
