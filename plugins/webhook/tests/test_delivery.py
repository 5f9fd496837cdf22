"""Delivery to a receiver that verifies Standard Webhooks signatures: ids, signatures on
retries, faults, and the URL and signing secret kept out of every repr, error and log."""

from __future__ import annotations

import logging

import dq
import pytest
from conftest import SECRET, note, notifier_for, secret_texts, send
from dq_contract.servers import HttpSink, Reply
from dq_webhook import new_secret, verify
from receiver import Receiver

DELIVERED, FAILED = dq.DeliveryStatus.DELIVERED, dq.DeliveryStatus.FAILED


def gaps(sink: HttpSink) -> list[float]:
    arrived = [r.arrived for r in sink.requests]
    return [b - a for a, b in zip(arrived, arrived[1:], strict=False)]


def test_trigger_and_resolve_are_two_messages_and_a_replay_is_a_duplicate(
    sink: HttpSink, receiver: Receiver
) -> None:
    notifier = notifier_for(sink)
    assert send(notifier, note()).status is DELIVERED
    assert send(notifier, note()).status is DELIVERED  # a replay of the same trigger
    assert send(notifier, note(kind=dq.NotificationKind.RESOLVE)).status is DELIVERED
    assert sorted(receiver.messages) == ["resolve:orders-7f3a", "trigger:orders-7f3a"]
    assert receiver.duplicates == 1
    kinds = {m["kind"]: m["dedup_key"] for m in receiver.messages.values()}
    assert kinds == {"trigger": "orders-7f3a", "resolve": "orders-7f3a"}


def test_retries_repeat_id_and_body_with_a_fresh_valid_signature(sink: HttpSink) -> None:
    sink.script([Reply(503), Reply(429, {"Retry-After": "1"})])
    delivery = send(notifier_for(sink), note())
    assert delivery.status is DELIVERED and delivery.attempts == 3
    first, *rest = sink.requests
    for request in rest:
        assert request.header("webhook-id") == first.header("webhook-id")
        assert request.body == first.body
    assert rest[-1].header("webhook-timestamp") != first.header("webhook-timestamp")
    for request in sink.requests:  # each attempt verifies with the receiver-side helper
        assert verify(request.body, dict(request.headers), SECRET)["dedup_key"] == "orders-7f3a"


def test_a_receiver_with_another_secret_refuses_and_it_is_not_retried(sink: HttpSink) -> None:
    delivery = send(notifier_for(sink, secret=new_secret()), note())
    assert delivery.status is FAILED and delivery.attempts == 1 == len(sink.requests)
    assert delivery.response_status == 401
    assert "no valid signature" in delivery.error and "signing secret" in delivery.error


def test_429_without_retry_after_backs_off_and_retries(sink: HttpSink) -> None:
    sink.script([Reply(429)] * 2)
    delivery = send(notifier_for(sink, backoff=0.2), note())
    assert delivery.status is DELIVERED and delivery.attempts == 3
    first, second = gaps(sink)
    assert first >= 0.1 and second >= 0.2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried(sink: HttpSink, status: int) -> None:
    sink.script([Reply(status, body="upstream trouble")])
    delivery = send(notifier_for(sink), note())
    assert delivery.status is DELIVERED and delivery.attempts == 2


def test_a_timeout_is_retried(sink: HttpSink) -> None:
    sink.script([Reply(204, delay=2.0)])
    delivery = send(notifier_for(sink, timeout=0.3), note())
    assert delivery.status is DELIVERED and delivery.attempts == 2


def test_a_refused_connection_is_a_failed_delivery(sink: HttpSink) -> None:
    sink.stop()
    delivery = send(notifier_for(sink, deadline=1.0), note())
    assert delivery.status is FAILED and "connection failed" in delivery.error


def test_an_oversized_notification_is_cut_to_fit_and_verified(
    sink: HttpSink, receiver: Receiver
) -> None:
    huge = note(summary="s" * 2_000_000, fields={f"f{i}": "v" * 20_000 for i in range(100)})
    delivery = send(notifier_for(sink, max_body_bytes=64_000), huge)
    assert delivery.status is DELIVERED, delivery.error
    assert len(sink.requests[0].body) <= 64_000
    (message,) = receiver.messages.values()
    assert message["data"]["truncated"] is True


def test_the_url_and_secret_are_in_no_repr_error_or_log(
    sink: HttpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    notifier = notifier_for(sink, deadline=1.0)
    echo = f"nothing at {sink.url}; key {SECRET}"
    deliveries = [send(notifier, note())]
    for reply in (Reply(404, body=echo), Reply(403, body=echo)):
        sink.script([reply])
        deliveries.append(send(notifier, note()))
    sink.script([], then=Reply(500, body=echo))
    deliveries.append(send(notifier, note()))
    sink.stop()
    deliveries.append(send(notifier, note()))
    assert [d.status for d in deliveries] == [DELIVERED] + [FAILED] * 4
    texts = [repr(notifier), str(notifier), repr(notifier.config), caplog.text]
    texts += [repr(d) for d in deliveries] + [r.getMessage() for r in caplog.records]
    for secret in secret_texts(sink):
        assert all(secret not in text for text in texts)
    assert "***" in deliveries[1].error
