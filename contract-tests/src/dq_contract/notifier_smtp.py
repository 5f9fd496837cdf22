"""SmtpNotifierContract: the notifier contract for email notifiers, against a real SMTP server.

The HTTP contract (:mod:`dq_contract.notifier`) cannot judge an SMTP client, but its promises
carry over one by one: delivered once on ``250``; ``4xx`` (and ``421``) and timeouts retried
up to a deadline; ``5xx`` never; an unreachable server a FAILED delivery, not a crash; the same
``Message-ID`` (and dedup key) on every attempt; a resolve carrying the trigger's key and
threading under it; long alerts cut to the declared ``limits`` (and the server's SIZE), never
refused; the password never in a repr, error or log. Two promises are SMTP's own: a partial
delivery (a recipient refused) is a failure naming who was refused, and a server that stops
offering STARTTLS gets nothing (never a silent fall-back to plain text).

Use it from a plugin's test suite (``pip install 'dq-contract-tests[smtp]'``)::

    class TestEmail(SmtpNotifierContract):
        timeout_seconds = 0.5
        deadline_seconds = 3.0

        @pytest.fixture
        def notifier(self, smtp_sink):
            return EmailNotifier(host=smtp_sink.host, port=smtp_sink.port,
                                 ca_file=smtp_sink.ca_file, username=smtp_sink.username,
                                 password=smtp_sink.password, sender=self.sender,
                                 recipients=self.recipients, timeout=0.5, deadline=3.0)

``smtp_sink`` (:class:`dq_contract.smtp_sink.SmtpSink`) is aiosmtpd on 127.0.0.1 requiring
STARTTLS and AUTH, with a certificate for 127.0.0.1 signed by a throwaway CA (``ca_file``).
The notifier must declare ``limits: Mapping[str, int]`` with ``"request_bytes"`` (its largest
message in bytes, as sent). Rules and reasons: docs/contracts/notifier.md ("Email").
"""

from __future__ import annotations

import base64
import inspect
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

from dq_contract.smtp_sink import Received, SmtpReply, SmtpSink, running_smtp_sink

KIND = "notifier"

PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.differing_executors,
    ],
)

AWKWARD = 'Ünïcödé ✓ 数据质量 — “quotes” "double" \\back\\ \t tab 🚨 עברית\nline two'


def _repeat(chunk: str, size: int) -> str:
    return (chunk * (size // len(chunk) + 1))[:size]


def texts(max_size: int = 100_000) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=300),
        st.builds(_repeat, st.text(min_size=1, max_size=8), st.integers(0, max_size)),
    )


def carries(received: Received, text: str, *, exactly: bool = False) -> bool:
    """Does the message carry *text*: as a decoded header value (equal to it if *exactly*),
    or within a text part (plain or HTML; not when *exactly*)?"""
    message = received.message
    values = [str(v) for _k, v in message.items()]
    if exactly:
        return text in values
    return any(text in v for v in values) or any(text in t for t in received.texts())


def header_ids(value: str | None) -> set[str]:
    return set((value or "").split())


class SmtpNotifierContract:
    """Subclass in a test module and provide a fixture ``notifier(self, smtp_sink)``.

    Configure the notifier with ``smtp_sink.host``/``port``/``ca_file``/``username``/
    ``password``, ``security`` STARTTLS (required), ``sender`` and ``recipients`` below, and the
    ``timeout_seconds``/``deadline_seconds`` declared here. It must allow at least 3 attempts
    and a deadline over 1 s.
    """

    KIND: ClassVar[str] = KIND
    dq_contract_name: ClassVar[str] = "SmtpNotifierContract"
    pytestmark = [pytest.mark.dq_contract("notifier")]

    timeout_seconds: ClassVar[float] = 2.0
    deadline_seconds: ClassVar[float] = 10.0
    deadline_slack_seconds: ClassVar[float] = 1.0
    #: What the fixture must configure: the envelope sender and (at least two) recipients.
    sender: ClassVar[str] = "dq-alerts@example.com"
    recipients: ClassVar[tuple[str, ...]] = ("oncall@example.com", "data-team@example.com")
    #: The SIZE a test server advertises in the "server's limit is smaller" test.
    server_size_limit: ClassVar[int] = 40_000

    @pytest.fixture
    def smtp_sink(self) -> Iterator[SmtpSink]:
        """A started :class:`SmtpSink` (STARTTLS + AUTH required); stopped after the test."""
        yield from running_smtp_sink()

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

    @staticmethod
    def secret_forms(sink: SmtpSink) -> list[str]:
        """The password and the base64 forms AUTH LOGIN/PLAIN carry it in."""
        raw = sink.password
        return [
            raw,
            base64.b64encode(raw.encode()).decode(),
            base64.b64encode(f"\0{sink.username}\0{raw}".encode()).decode(),
        ]

    def assert_hidden(self, text: str, sink: SmtpSink, what: str) -> None:
        for form in self.secret_forms(sink):
            assert form not in text, f"{what} reveals the SMTP password"

    def deliver(self, notifier: Any, notification: dq.Notification, sink: SmtpSink) -> dq.Delivery:
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
            self.assert_hidden("".join(traceback.format_exception(exc)), sink, "an exception")
            raise
        assert isinstance(delivery, dq.Delivery), f"send returned {type(delivery).__name__}"
        assert delivery.dedup_key == notification.dedup_key
        self.assert_hidden(delivery.error + repr(delivery), sink, "Delivery.error")
        return delivery

    def timed(
        self, notifier: Any, notification: dq.Notification, sink: SmtpSink
    ) -> tuple[dq.Delivery, float]:
        start = time.monotonic()
        delivery = self.deliver(notifier, notification, sink)
        return delivery, time.monotonic() - start

    @staticmethod
    def request_bytes(notifier: Any) -> int:
        limits = getattr(notifier, "limits", None)
        assert isinstance(limits, Mapping), "the notifier must declare limits: Mapping[str, int]"
        value = limits.get("request_bytes")
        assert isinstance(value, int) and value > 0, 'limits["request_bytes"] must be an int > 0'
        return value

    # -- shape ----------------------------------------------------------------------------

    def test_satisfies_the_notifier_protocol(self, notifier: Any) -> None:
        assert isinstance(notifier, dq.protocols.Notifier), "no send method"
        assert inspect.iscoroutinefunction(notifier.send), "send must be a coroutine function"

    def test_building_the_notifier_connects_to_nothing(
        self, notifier: Any, smtp_sink: SmtpSink
    ) -> None:
        assert smtp_sink.connections == 0, "the notifier connected while being built"

    def test_declares_its_size_limit(self, notifier: Any) -> None:
        assert self.request_bytes(notifier) >= 10_000, "request_bytes is too small to be real"

    # -- success --------------------------------------------------------------------------

    def test_delivers_once_on_250_over_tls_with_auth(
        self, notifier: Any, smtp_sink: SmtpSink
    ) -> None:
        note = self.notification()
        delivery = self.deliver(notifier, note, smtp_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        assert delivery.attempts == 1
        assert delivery.response_status == 250
        (received,) = smtp_sink.received
        assert received.tls, "the message was sent without TLS"
        assert received.authenticated, "the message was sent without AUTH"
        assert set(received.rcpt_tos) == set(self.recipients), "not every recipient got it"
        assert received.mail_from == self.sender
        assert received.header("Message-ID"), "no Message-ID"
        assert carries(received, note.title), "the message does not carry the title"
        assert carries(received, note.summary), "the message does not carry the summary"

    def test_short_unicode_text_arrives_intact(self, notifier: Any, smtp_sink: SmtpSink) -> None:
        note = self.notification(title=AWKWARD[:40], summary=AWKWARD)
        delivery = self.deliver(notifier, note, smtp_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        (received,) = smtp_sink.received
        assert carries(received, note.title), "the title was altered on the wire"
        assert carries(received, note.summary), "the summary was altered on the wire"

    # -- what is retried ------------------------------------------------------------------

    @pytest.mark.parametrize("code", [421, 451, 452])
    def test_4xx_is_retried(self, notifier: Any, smtp_sink: SmtpSink, code: int) -> None:
        smtp_sink.script([SmtpReply(code, "4.3.0 try again later")])
        delivery = self.deliver(notifier, self.notification(), smtp_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        assert delivery.attempts == 2 == len(smtp_sink.received)

    @pytest.mark.parametrize("code", [550, 552, 554])
    def test_5xx_is_not_retried(self, notifier: Any, smtp_sink: SmtpSink, code: int) -> None:
        smtp_sink.script([SmtpReply(code, "5.7.1 no_such_policy")])
        delivery = self.deliver(notifier, self.notification(), smtp_sink)
        assert len(smtp_sink.received) == 1, f"a {code} was retried"
        assert delivery.status is dq.DeliveryStatus.FAILED
        assert delivery.attempts == 1
        assert delivery.response_status == code
        assert str(code) in delivery.error, "Delivery.error must name the reply code"
        assert "no_such_policy" in delivery.error, "Delivery.error must quote the server"

    def test_timeout_is_retried(self, notifier: Any, smtp_sink: SmtpSink) -> None:
        held = self.timeout_seconds * 2 + 1.0
        smtp_sink.script([SmtpReply(250, delay=held)])
        delivery, took = self.timed(notifier, self.notification(), smtp_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        assert delivery.attempts == 2 == len(smtp_sink.received)
        assert took < held, f"waited {took:.2f} s: the per-attempt timeout was not applied"

    def test_persistent_4xx_gives_up_within_the_deadline(
        self, notifier: Any, smtp_sink: SmtpSink
    ) -> None:
        smtp_sink.script([], then=SmtpReply(451, "4.3.0 queue full"))
        delivery, took = self.timed(notifier, self.notification(), smtp_sink)
        assert delivery.status is dq.DeliveryStatus.FAILED
        assert took <= self.deadline_seconds + self.deadline_slack_seconds
        assert delivery.attempts >= 2, "a 451 must be retried"
        assert delivery.attempts == len(smtp_sink.received)
        assert delivery.response_status == 451
        assert "451" in delivery.error

    def test_unreachable_server_is_a_failed_delivery(
        self, notifier: Any, smtp_sink: SmtpSink
    ) -> None:
        smtp_sink.stop()
        delivery, took = self.timed(notifier, self.notification(), smtp_sink)
        assert delivery.status is dq.DeliveryStatus.FAILED
        assert delivery.error, "a failed delivery must say why"
        assert took <= self.deadline_seconds + self.deadline_slack_seconds

    def test_bad_credentials_are_not_retried(self, notifier: Any, smtp_sink: SmtpSink) -> None:
        smtp_sink.auth_fails = True
        delivery = self.deliver(notifier, self.notification(), smtp_sink)
        assert delivery.status is dq.DeliveryStatus.FAILED
        assert smtp_sink.connections == 1, "a refused login was retried"
        assert delivery.attempts == 1
        assert smtp_sink.received == []
        assert "535" in delivery.error, "Delivery.error must name the reply code"

    def test_a_server_that_stops_offering_starttls_gets_nothing(
        self, notifier: Any, smtp_sink: SmtpSink
    ) -> None:
        smtp_sink.restart(mode="plain")
        delivery = self.deliver(notifier, self.notification(), smtp_sink)
        assert delivery.status is dq.DeliveryStatus.FAILED
        assert smtp_sink.received == [], "the message was sent in clear text"
        assert smtp_sink.connections == 1, "a missing STARTTLS was retried"
        assert "STARTTLS" in delivery.error.upper(), "Delivery.error must say TLS was missing"

    # -- recipients -----------------------------------------------------------------------

    def test_a_refused_recipient_fails_the_delivery_and_is_named(
        self, notifier: Any, smtp_sink: SmtpSink
    ) -> None:
        lost = self.recipients[1]
        smtp_sink.refuse({lost: SmtpReply(550, "5.1.1 mailbox unavailable")})
        delivery = self.deliver(notifier, self.notification(), smtp_sink)
        assert delivery.status is dq.DeliveryStatus.FAILED, "partial delivery is not success"
        assert lost in delivery.error, "Delivery.error must name the refused recipient"
        assert "550" in delivery.error
        tries = [code for address, code in smtp_sink.rcpts if address == lost]
        assert tries == [550], f"a permanently refused recipient was retried: {tries}"

    def test_a_temporarily_refused_recipient_is_retried_alone(
        self, notifier: Any, smtp_sink: SmtpSink
    ) -> None:
        first, later = self.recipients[0], self.recipients[1]
        smtp_sink.refuse({later: [SmtpReply(450, "4.2.1 mailbox busy")]})
        delivery = self.deliver(notifier, self.notification(), smtp_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        got = [set(r.rcpt_tos) for r in smtp_sink.delivered]
        assert first in got[0] and later not in got[0]
        assert got[1:] == [{later}], f"the retry went to {got[1:]}, not only to {later}"

    # -- identity -------------------------------------------------------------------------

    def test_every_attempt_carries_the_same_message_id_and_key(
        self, notifier: Any, smtp_sink: SmtpSink
    ) -> None:
        smtp_sink.script([SmtpReply(451, "4.3.0 later"), SmtpReply(421, "4.3.2 closing")])
        note = self.notification()
        delivery = self.deliver(notifier, note, smtp_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        received = smtp_sink.received
        assert len(received) == 3 == delivery.attempts
        ids = {r.header("Message-ID") for r in received}
        assert len(ids) == 1, f"the Message-ID changes between attempts: {ids}"
        for number, item in enumerate(received, 1):
            assert carries(item, note.dedup_key, exactly=True), (
                f"attempt {number} does not carry the dedup key {note.dedup_key!r} as a header"
            )
        smtp_sink.reset()
        self.deliver(notifier, self.notification(), smtp_sink)
        (other,) = smtp_sink.received
        assert other.header("Message-ID") not in ids, "two events share one Message-ID"

    def test_a_resolve_carries_the_trigger_key_and_threads_under_it(
        self, notifier: Any, smtp_sink: SmtpSink
    ) -> None:
        trigger = self.notification()
        resolve = self.notification(
            kind=dq.NotificationKind.RESOLVE,
            dedup_key=trigger.dedup_key,
            title="dq: suite orders passes again",
            summary="all 12 rules pass",
        )
        for note in (trigger, resolve):
            delivery = self.deliver(notifier, note, smtp_sink)
            assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        first, second = smtp_sink.received
        assert carries(second, trigger.dedup_key, exactly=True), "the resolve lost the key"
        opened = first.header("Message-ID")
        assert second.header("Message-ID") != opened, "a resolve reusing the id is dropped"
        threads = header_ids(second.header("In-Reply-To")) | header_ids(
            second.header("References")
        )
        assert opened in threads, "the resolve does not reply to the trigger's Message-ID"

    # -- limits ---------------------------------------------------------------------------

    @PROPERTY_SETTINGS
    @given(
        title=texts(),
        summary=texts(),
        fields=st.dictionaries(st.text(max_size=20), texts(2_000), max_size=3),
    )
    @example(title="", summary="", fields={})
    @example(title="🚨" * 100_000, summary="𝔡𝔮" * 50_000, fields={})
    @example(title='"\\\x00\r\n' * 25_000, summary="\x7f\u2028\ufeff." * 33_333, fields={})
    def test_messages_of_any_length_and_unicode_are_delivered(
        self,
        notifier: Any,
        smtp_sink: SmtpSink,
        title: str,
        summary: str,
        fields: dict[str, str],
    ) -> None:
        limit = self.request_bytes(notifier)
        smtp_sink.reset()
        smtp_sink.set_size_limit(limit)  # the server enforces what the notifier declared
        note = self.notification(title=title, summary=summary, fields=fields)
        delivery = self.deliver(notifier, note, smtp_sink)
        sizes = [len(r.data) for r in smtp_sink.received]
        assert all(size <= limit for size in sizes), (
            f"sent messages of {sizes} bytes; the declared limit is {limit}: truncate"
        )
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        assert delivery.attempts == 1

    def test_the_servers_smaller_size_limit_is_respected(
        self, notifier: Any, smtp_sink: SmtpSink
    ) -> None:
        limit = min(self.server_size_limit, self.request_bytes(notifier))
        smtp_sink.set_size_limit(limit)
        note = self.notification(title="🚨" * 5_000, summary="long " * 40_000)
        delivery = self.deliver(notifier, note, smtp_sink)
        assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
        (received,) = smtp_sink.received
        assert len(received.data) <= limit, "the server's SIZE (RFC 1870) was not respected"

    # -- secrecy --------------------------------------------------------------------------

    def test_repr_and_str_hide_the_password(self, notifier: Any, smtp_sink: SmtpSink) -> None:
        for text in (repr(notifier), str(notifier), f"{notifier!r}"):
            self.assert_hidden(text, smtp_sink, "repr/str of the notifier")

    def _failures(self, notifier: Any, sink: SmtpSink) -> list[dq.Delivery]:
        """Fail every way, the server echoing the password back in its replies."""
        echo = f"5.7.1 rejected, you sent {sink.password}"
        deliveries = []
        sink.script([SmtpReply(554, echo)])
        deliveries.append(self.deliver(notifier, self.notification(), sink))
        sink.script([], then=SmtpReply(451, "4" + echo[1:]))
        deliveries.append(self.deliver(notifier, self.notification(), sink))
        sink.script([])
        sink.refuse({self.recipients[1]: SmtpReply(550, echo)})
        deliveries.append(self.deliver(notifier, self.notification(), sink))
        sink.refuse({})
        sink.auth_fails = True
        deliveries.append(self.deliver(notifier, self.notification(), sink))
        sink.stop()
        deliveries.append(self.deliver(notifier, self.notification(), sink))
        return deliveries

    def test_failures_never_reveal_the_password(self, notifier: Any, smtp_sink: SmtpSink) -> None:
        for delivery in self._failures(notifier, smtp_sink):  # deliver() checks the errors
            assert delivery.status is dq.DeliveryStatus.FAILED

    def test_logs_never_contain_the_password(
        self, notifier: Any, smtp_sink: SmtpSink, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        self.deliver(notifier, self.notification(), smtp_sink)
        self._failures(notifier, smtp_sink)
        for record in caplog.records:
            if record.name.startswith("mail.log"):  # the test server's own log, not the client
                continue
            self.assert_hidden(record.getMessage(), smtp_sink, f"log record of {record.name}")
        client_text = "\n".join(
            caplog.handler.format(r) for r in caplog.records if not r.name.startswith("mail.log")
        )
        self.assert_hidden(client_text, smtp_sink, "the captured log text")
