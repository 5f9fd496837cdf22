"""Delivery against the local PagerDuty: incidents, faults, and the routing key kept secret.

Each test runs a real HTTP server on 127.0.0.1 that answers as the Events API v2 (or with
a scripted fault) and records what arrived, when: retries are measured from the server's
side.
"""

from __future__ import annotations

import json
import logging

import dq
import pytest
from conftest import ROUTING_KEY, note, notifier_for, send
from dq_contract.servers import HttpSink, Reply
from dq_pagerduty.testing import FakePagerDuty

DELIVERED, FAILED = dq.DeliveryStatus.DELIVERED, dq.DeliveryStatus.FAILED


def gaps(sink: HttpSink) -> list[float]:
    arrived = [r.arrived for r in sink.requests]
    return [b - a for a, b in zip(arrived, arrived[1:], strict=False)]


def test_a_failing_then_passing_suite_opens_one_incident_then_resolves_it_once(
    sink: HttpSink, fake: FakePagerDuty
) -> None:
    notifier = notifier_for(sink)
    for _ in range(2):  # a repeated trigger (a retry, a replay) joins the open alert
        assert send(notifier, note()).status is DELIVERED
    assert [(i.dedup_key, i.status) for i in fake.open()] == [("orders-7f3a", "triggered")]
    resolved = send(notifier, note(kind=dq.NotificationKind.RESOLVE))
    assert resolved.status is DELIVERED and resolved.response_status == 202
    (incident,) = fake.by_key("orders-7f3a")
    assert incident.status == "resolved"
    assert [e["event_action"] for e in incident.events] == ["trigger", "trigger", "resolve"]
    assert fake.open() == []


def test_bad_credentials_are_reported_and_never_retried(sink: HttpSink) -> None:
    unknown = "0" * 32
    delivery = send(notifier_for(sink, routing_key=unknown), note())
    assert delivery.status is FAILED and delivery.attempts == 1 == len(sink.requests)
    assert delivery.response_status == 400
    assert "invalid event" in delivery.error and "Invalid routing key" in delivery.error
    assert "routing key" in delivery.error.split("(", 1)[1]  # says what to check


def test_an_invalid_event_quotes_pagerdutys_errors(sink: HttpSink) -> None:
    body = {
        "status": "invalid event",
        "message": "Event object is invalid",
        "errors": ["'payload.summary' is missing or blank"],
    }
    sink.script([Reply(400, {"Content-Type": "application/json"}, json.dumps(body))])
    delivery = send(notifier_for(sink), note())
    assert delivery.status is FAILED and len(sink.requests) == 1
    assert "HTTP 400: invalid event: Event object is invalid: 'payload.summary'" in delivery.error


def test_429_with_retry_after_waits_that_long(sink: HttpSink) -> None:
    sink.script([Reply(429, {"Retry-After": "1"}, "Too Many Requests")])
    delivery = send(notifier_for(sink), note())
    assert delivery.status is DELIVERED and delivery.attempts == 2
    assert gaps(sink)[0] >= 0.95


def test_429_without_retry_after_backs_off_and_retries(sink: HttpSink) -> None:
    sink.script([Reply(429, body="Too Many Requests"), Reply(429, body="Too Many Requests")])
    delivery = send(notifier_for(sink, backoff=0.2), note())
    assert delivery.status is DELIVERED and delivery.attempts == 3
    first, second = gaps(sink)
    assert first >= 0.1 and second >= 0.2  # equal jitter: at least half of 0.2, then of 0.4


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried(sink: HttpSink, status: int) -> None:
    sink.script([Reply(status, body="upstream trouble")])
    delivery = send(notifier_for(sink), note())
    assert delivery.status is DELIVERED and delivery.attempts == 2 == len(sink.requests)


def test_a_persistent_5xx_fails_by_the_deadline_with_the_last_status(sink: HttpSink) -> None:
    sink.script([], then=Reply(503, body="maintenance"))
    delivery = send(notifier_for(sink, deadline=1.5), note())
    assert delivery.status is FAILED and delivery.response_status == 503
    assert delivery.attempts == len(sink.requests) >= 2
    assert "gave up" in delivery.error and "503" in delivery.error


def test_a_timeout_is_retried(sink: HttpSink) -> None:
    sink.script([Reply(202, delay=2.0)])
    delivery = send(notifier_for(sink, timeout=0.3), note())
    assert delivery.status is DELIVERED and delivery.attempts == 2


def test_a_refused_connection_is_a_failed_delivery(sink: HttpSink) -> None:
    sink.stop()
    delivery = send(notifier_for(sink, deadline=1.0), note())
    assert delivery.status is FAILED
    assert "connection failed" in delivery.error and delivery.response_status is None


def test_an_oversized_notification_is_cut_to_fit_and_accepted(
    sink: HttpSink, fake: FakePagerDuty
) -> None:
    huge = note(
        title="🚨" * 5_000,
        summary="x" * 2_000_000,
        fields={f"f{i}": "v" * 10_000 for i in range(100)},
        failures=tuple(
            dq.RuleFailure(rule_id=f"r{i}", check="regex", message="m" * 5_000) for i in range(500)
        ),
    )
    delivery = send(notifier_for(sink), huge)
    assert delivery.status is DELIVERED, delivery.error
    (request,) = sink.requests
    assert len(request.body) <= 512_000
    (accepted,) = fake.accepted
    assert len(accepted["payload"]["summary"]) <= 1024
    assert accepted["payload"]["custom_details"]["failing_rules_total"] == 500


def test_the_routing_key_is_in_no_repr_error_or_log(
    sink: HttpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    notifier = notifier_for(sink, deadline=1.0)
    echo = f"bad key {ROUTING_KEY}"
    deliveries = [send(notifier, note())]
    for reply in (Reply(400, body=echo), Reply(404, body=echo)):
        sink.script([reply])
        deliveries.append(send(notifier, note()))
    sink.script([], then=Reply(503, body=echo))
    deliveries.append(send(notifier, note()))
    sink.stop()
    deliveries.append(send(notifier, note()))
    assert [d.status for d in deliveries] == [DELIVERED] + [FAILED] * 4
    texts = [repr(notifier), str(notifier), repr(notifier.config), caplog.text]
    texts += [repr(d) for d in deliveries] + [r.getMessage() for r in caplog.records]
    assert all(ROUTING_KEY not in text for text in texts)
    assert "***" in deliveries[1].error  # the echoed key was scrubbed, not just absent


def test_a_malformed_routing_key_is_a_config_error_that_does_not_echo_it() -> None:
    secret = "not-a-key-but-secret-" + "z" * 11
    with pytest.raises(dq.ConfigError) as caught:
        notifier_for_url = {"routing_key": secret, "url": "http://127.0.0.1:9/v2/enqueue"}
        from conftest import build

        build(notifier_for_url)
    assert "32-character Integration Key" in str(caught.value)
    assert secret not in str(caught.value)


def test_a_stalled_resolve_fails_unapplied_and_goes_through_once_the_service_answers(
    sink: HttpSink, fake: FakePagerDuty
) -> None:
    """The stand-in's ``stall`` (used by dq's end-to-end kill test) holds a resolve without
    applying it: the sender times out, the incident stays open until a resend."""
    notifier = notifier_for(sink, timeout=0.3, deadline=0.8)
    assert send(notifier, note()).status is DELIVERED
    fake.stall("resolve", seconds=5)

    held = send(notifier, note(kind=dq.NotificationKind.RESOLVE))

    assert held.status is FAILED and "timed out" in held.error
    assert fake.wait_stalled(1, timeout=0) and fake.stalled[0] == ("resolve", "orders-7f3a")
    assert [i.status for i in fake.by_key("orders-7f3a")] == ["triggered"]
    fake.stall()
    assert send(notifier, note(kind=dq.NotificationKind.RESOLVE)).status is DELIVERED
    assert [i.status for i in fake.by_key("orders-7f3a")] == ["resolved"]
