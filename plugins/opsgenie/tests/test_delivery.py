"""Delivery against the local Opsgenie: alerts by alias, faults, and the key kept secret.

Each test runs a real HTTP server on 127.0.0.1 that answers as the Alert API (or with a
scripted fault) and records what arrived, when: retries are measured from the server's side.
"""

from __future__ import annotations

import json
import logging

import dq
import pytest
from conftest import API_KEY, READ_ONLY_KEY, note, notifier_for, send
from dq_contract.servers import HttpSink, Reply
from dq_opsgenie.testing import FakeOpsgenie

DELIVERED, FAILED = dq.DeliveryStatus.DELIVERED, dq.DeliveryStatus.FAILED


def gaps(sink: HttpSink) -> list[float]:
    arrived = [r.arrived for r in sink.requests]
    return [b - a for a, b in zip(arrived, arrived[1:], strict=False)]


def test_a_failing_then_passing_suite_opens_one_alert_then_closes_it_once(
    sink: HttpSink, fake: FakeOpsgenie
) -> None:
    notifier = notifier_for(sink)
    for _ in range(2):
        assert send(notifier, note()).status is DELIVERED
    (alert,) = fake.open()
    assert (alert.alias, alert.count) == ("orders-7f3a", 2)  # a repeat is counted, not paged
    closed = send(notifier, note(kind=dq.NotificationKind.RESOLVE))
    assert closed.status is DELIVERED and closed.response_status == 202
    assert fake.open() == [] and len(alert.closes) == 1
    assert [fake.requests[r] for r in fake.requests][-1] == ("close", "orders-7f3a")
    assert notifier.request_ids["orders-7f3a"] in fake.requests  # the async request's id


@pytest.mark.parametrize(("key", "status"), [("wrong-key", 401), (READ_ONLY_KEY, 403)])
def test_bad_credentials_are_reported_and_never_retried(
    sink: HttpSink, key: str, status: int
) -> None:
    delivery = send(notifier_for(sink, api_key=key), note())
    assert delivery.status is FAILED and delivery.attempts == 1 == len(sink.requests)
    assert delivery.response_status == status
    assert "API key" in delivery.error


def test_a_422_quotes_opsgenies_field_errors_and_request_id(sink: HttpSink) -> None:
    body = {
        "message": "Request body is not processable. Please check the errors.",
        "errors": {"message": "Message can not be empty."},
        "took": 0.0,
        "requestId": "rid-123",
    }
    sink.script([Reply(422, {"Content-Type": "application/json"}, json.dumps(body))])
    delivery = send(notifier_for(sink), note())
    assert delivery.status is FAILED and len(sink.requests) == 1
    assert "message: Message can not be empty. - requestId rid-123" in delivery.error


def test_429_with_retry_after_waits_that_long(sink: HttpSink) -> None:
    sink.script([Reply(429, {"Retry-After": "1"}, '{"message":"Rate limit"}')])
    delivery = send(notifier_for(sink), note())
    assert delivery.status is DELIVERED and delivery.attempts == 2
    assert gaps(sink)[0] >= 0.95


def test_429_without_retry_after_backs_off_and_retries(sink: HttpSink) -> None:
    sink.script([Reply(429, body="Too many requests")] * 2)
    delivery = send(notifier_for(sink, backoff=0.2), note())
    assert delivery.status is DELIVERED and delivery.attempts == 3
    first, second = gaps(sink)
    assert first >= 0.1 and second >= 0.2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried(sink: HttpSink, status: int) -> None:
    sink.script([Reply(status, body="upstream trouble")])
    delivery = send(notifier_for(sink), note(kind=dq.NotificationKind.RESOLVE))
    assert delivery.status is DELIVERED and delivery.attempts == 2 == len(sink.requests)


def test_a_timeout_is_retried(sink: HttpSink) -> None:
    sink.script([Reply(202, delay=2.0)])
    delivery = send(notifier_for(sink, timeout=0.3), note())
    assert delivery.status is DELIVERED and delivery.attempts == 2


def test_a_refused_connection_is_a_failed_delivery(sink: HttpSink) -> None:
    sink.stop()
    delivery = send(notifier_for(sink, deadline=1.0), note())
    assert delivery.status is FAILED and "connection failed" in delivery.error


def test_an_oversized_notification_is_cut_to_fit_and_accepted(
    sink: HttpSink, fake: FakeOpsgenie
) -> None:
    huge = note(
        title="🚨" * 5_000,
        summary="s" * 1_000_000,
        fields={f"f{i}": "v" * 10_000 for i in range(100)},
        failures=tuple(dq.RuleFailure(rule_id=f"r{i}", check="regex") for i in range(500)),
    )
    delivery = send(notifier_for(sink), huge)
    assert delivery.status is DELIVERED, delivery.error
    assert len(sink.requests[0].body) <= 64_000
    (alert,) = fake.open()
    assert alert.message.endswith("…") and len(alert.body["description"]) <= 15_000


def test_the_api_key_is_in_no_repr_error_or_log(
    sink: HttpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    notifier = notifier_for(sink, deadline=1.0)
    echo = f'{{"message":"bad key GenieKey {API_KEY}"}}'
    deliveries = [send(notifier, note())]
    for reply in (Reply(422, body=echo), Reply(401, body=echo)):
        sink.script([reply])
        deliveries.append(send(notifier, note()))
    sink.script([], then=Reply(503, body=echo))
    deliveries.append(send(notifier, note()))
    sink.stop()
    deliveries.append(send(notifier, note()))
    assert [d.status for d in deliveries] == [DELIVERED] + [FAILED] * 4
    texts = [repr(notifier), str(notifier), repr(notifier.config), caplog.text]
    texts += [repr(d) for d in deliveries] + [r.getMessage() for r in caplog.records]
    assert all(API_KEY not in text for text in texts)
    assert "***" in deliveries[1].error


def test_a_stalled_close_fails_unapplied_and_goes_through_once_the_service_answers(
    sink: HttpSink, fake: FakeOpsgenie
) -> None:
    """The stand-in's ``stall`` (used by dq's end-to-end kill test) holds a close without
    applying it: the sender times out, the alert stays open until a resend."""
    notifier = notifier_for(sink, timeout=0.3, deadline=0.8)
    assert send(notifier, note()).status is DELIVERED
    fake.stall("close", seconds=5)

    held = send(notifier, note(kind=dq.NotificationKind.RESOLVE))

    assert held.status is FAILED and "timed out" in held.error
    assert fake.wait_stalled(1, timeout=0) and fake.stalled[0] == ("close", "orders-7f3a")
    assert [a.status for a in fake.by_alias("orders-7f3a")] == ["open"]
    fake.stall()
    assert send(notifier, note(kind=dq.NotificationKind.RESOLVE)).status is DELIVERED
    assert [a.status for a in fake.by_alias("orders-7f3a")] == ["closed"]
