"""Delivery against a local Slack (pytest-httpserver) answering as Slack documents.

Every timing and count is measured on the server side (arrival times, client ports), never
taken from the client's own word.
"""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import anyio
import dq
import pytest
from conftest import Answer, FakeSlack, note, notifier_for

DELIVERED, FAILED = dq.DeliveryStatus.DELIVERED, dq.DeliveryStatus.FAILED


def send(notifier: Any, notification: dq.Notification | None = None) -> dq.Delivery:
    async def run() -> dq.Delivery:
        with anyio.fail_after(30):
            return await notifier.send(notification or note())

    return anyio.run(run)


def elapsed(slack: FakeSlack) -> list[float]:
    return [b.arrived - a.arrived for a, b in zip(slack.seen, slack.seen[1:], strict=False)]


# -- success ----------------------------------------------------------------------------------


def test_200_ok_is_delivered_once_with_the_block_kit_body(slack: FakeSlack) -> None:
    delivery = send(notifier_for(slack.url))
    assert delivery.status is DELIVERED
    assert (delivery.attempts, delivery.response_status, delivery.error) == (1, 200, "")
    assert delivery.dedup_key == "orders-7f3a" and delivery.channel == "slack"
    (request,) = slack.seen
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    body = request.json
    assert body["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "dq: suite orders failed 2 of 7 rules"},
    }
    assert "channel" not in body and "username" not in body  # app webhooks ignore them


def test_200_with_a_body_other_than_ok_is_a_failure_and_not_retried(slack: FakeSlack) -> None:
    slack.script(Answer(200, "<html>captive portal</html>"))
    delivery = send(notifier_for(slack.url))
    assert delivery.status is FAILED
    assert len(slack.seen) == 1 == delivery.attempts
    assert delivery.response_status == 200
    assert "without Slack's 'ok'" in delivery.error
    assert "<html>captive portal</html>" in delivery.error


# -- never retried: Slack's documented client errors -------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "hint"),
    [
        (400, "invalid_payload", "could not parse"),
        (400, "invalid_blocks", "refused a block"),
        (403, "action_prohibited", "admin restricted"),
        (404, "channel_not_found", "create a new webhook"),
        (404, "no_service", "revoked"),
        (410, "channel_is_archived", "unarchive"),
    ],
)
def test_slack_client_errors_fail_at_once_quoting_slack_and_saying_what_to_do(
    slack: FakeSlack, status: int, code: str, hint: str
) -> None:
    slack.script(Answer(status, code))
    delivery = send(notifier_for(slack.url))
    assert delivery.status is FAILED
    assert len(slack.seen) == 1 == delivery.attempts, f"a {status} {code} was retried"
    assert delivery.response_status == status
    assert delivery.error.startswith(f"HTTP {status}: {code} (")
    assert hint in delivery.error


def test_a_long_error_body_is_quoted_bounded_and_on_one_line(slack: FakeSlack) -> None:
    slack.script(Answer(400, "invalid_payload\n" + "detail " * 1000))
    delivery = send(notifier_for(slack.url))
    assert delivery.error.startswith("HTTP 400: invalid_payload detail detail")
    assert "\n" not in delivery.error and len(delivery.error) < 400


def test_a_redirect_is_not_followed(slack: FakeSlack) -> None:
    slack.script(Answer(302, "", headers={"Location": "https://elsewhere.example/hook"}))
    delivery = send(notifier_for(slack.url))
    assert delivery.status is FAILED and delivery.response_status == 302
    assert len(slack.seen) == 1


# -- retried ----------------------------------------------------------------------------------


def test_429_waits_the_retry_after_slack_asked_for_then_delivers(slack: FakeSlack) -> None:
    slack.script(Answer(429, "rate_limited", headers={"Retry-After": "1"}))
    delivery = send(notifier_for(slack.url))
    assert delivery.status is DELIVERED and delivery.attempts == 2 == len(slack.seen)
    assert elapsed(slack)[0] >= 0.95


def test_a_429_storm_is_ridden_out_within_the_deadline(slack: FakeSlack) -> None:
    storm = [Answer(429, "rate_limited", headers={"Retry-After": "0.2"})] * 4
    slack.script(*storm)
    delivery = send(notifier_for(slack.url, max_attempts=6))
    assert delivery.status is DELIVERED and delivery.attempts == 5 == len(slack.seen)
    assert all(gap >= 0.18 for gap in elapsed(slack)), elapsed(slack)


def test_a_429_storm_longer_than_the_attempts_fails_with_the_last_answer(slack: FakeSlack) -> None:
    slack.script(then=Answer(429, "rate_limited", headers={"Retry-After": "0"}))
    delivery = send(notifier_for(slack.url, max_attempts=3))
    assert delivery.status is FAILED
    assert delivery.attempts == 3 == len(slack.seen)
    assert delivery.response_status == 429
    assert delivery.error.startswith("gave up after 3 attempts; last: HTTP 429: rate_limited")


def test_retry_after_past_the_deadline_fails_now_instead_of_sleeping(slack: FakeSlack) -> None:
    slack.script(then=Answer(429, "rate_limited", headers={"Retry-After": "600"}))
    delivery = send(notifier_for(slack.url, deadline=3.0))
    assert delivery.status is FAILED and delivery.response_status == 429
    assert len(slack.seen) == 1, "retried although Retry-After ends past the deadline"
    assert "would pass the 3 s deadline" in delivery.error


def test_retry_after_as_an_http_date_is_honoured(slack: FakeSlack) -> None:
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    # HTTP dates have whole seconds, and the first request may arrive a moment after the date
    # was made (a loaded machine): 3 s ahead leaves at least ~1.9 s to wait, of which we ask 0.9
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
    slack.script(Answer(429, "rate_limited", headers={"Retry-After": when}))
    delivery = send(notifier_for(slack.url, deadline=6.0))
    assert delivery.status is DELIVERED and delivery.attempts == 2
    assert elapsed(slack)[0] >= 0.9


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_with_backoff(slack: FakeSlack, status: int) -> None:
    slack.script(Answer(status, "rollup_error"), Answer(status, "rollup_error"))
    delivery = send(notifier_for(slack.url, backoff=0.2))
    assert delivery.status is DELIVERED and delivery.attempts == 3 == len(slack.seen)
    first, second = elapsed(slack)
    # equal jitter: the n-th wait is in [backoff * 2**(n-1) / 2, backoff * 2**(n-1)]
    assert 0.09 <= first and 0.19 <= second, (first, second)


def test_persistent_server_errors_give_up_by_the_deadline(slack: FakeSlack) -> None:
    slack.script(then=Answer(500, "rollup_error"))
    notifier = notifier_for(slack.url, deadline=1.5, max_attempts=100, backoff=0.1)
    delivery = send(notifier)
    assert delivery.status is FAILED and delivery.response_status == 500
    assert delivery.attempts == len(slack.seen) >= 3
    assert slack.seen[-1].arrived - slack.seen[0].arrived < 1.5
    assert "deadline" in delivery.error and "rollup_error" in delivery.error


def test_a_slow_slack_times_out_and_the_retry_delivers(slack: FakeSlack) -> None:
    slack.script(Answer(200, "ok", delay=2.0))
    delivery = send(notifier_for(slack.url, timeout=0.3))
    assert delivery.status is DELIVERED and delivery.attempts == 2 == len(slack.seen)
    assert elapsed(slack)[0] < 1.0, "the per-attempt timeout did not cut the first attempt"


def test_a_slow_slack_to_the_end_fails_naming_the_timeout(slack: FakeSlack) -> None:
    slack.script(then=Answer(200, "ok", delay=1.0))
    delivery = send(notifier_for(slack.url, timeout=0.2, deadline=0.9))
    assert delivery.status is FAILED and delivery.response_status is None
    assert "timed out after" in delivery.error


def test_connection_refused_on_a_closed_port_is_a_failed_delivery(slack: FakeSlack) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens there
    url = f"http://127.0.0.1:{port}/services/T0/B0/{slack.token}"
    delivery = send(notifier_for(url, deadline=1.0))
    assert delivery.status is FAILED and delivery.response_status is None
    assert delivery.attempts >= 2, "a refused connection is worth a retry"
    assert "connection failed (ConnectError" in delivery.error


# -- the webhook URL never shows ---------------------------------------------------------------


def test_the_webhook_url_appears_in_no_string_the_notifier_produces(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"no_service: no hook at {slack.url} ({slack.path})"
    notifier = notifier_for(slack.url, deadline=1.0)
    produced: list[str] = [repr(notifier), str(notifier), f"{notifier!r}", repr(notifier.config)]
    for script, then in (
        ([Answer(200, "ok")], None),
        ([Answer(404, echo)], None),
        ([Answer(200, echo)], None),
        ([Answer(503, echo)], Answer(200, echo)),
        ([], Answer(500, echo)),
        ([Answer(429, echo, headers={"Retry-After": "600"})], None),
        ([Answer(302, echo, headers={"Location": slack.url})], None),
    ):
        slack.script(*script, then=then)
        delivery = send(notifier)
        produced += [delivery.error, repr(delivery), json.dumps(str(delivery))]
    slack.server.stop()
    delivery = send(notifier)
    produced += [delivery.error, repr(delivery)]
    # werkzeug's access log is the fake Slack's own (the server side); everything else —
    # httpx, httpcore, dq_slack, the root logger — is what a dq user's log shipper would see
    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]
    produced += [r.getMessage() for r in ours]
    produced += [logging.Formatter().format(r) for r in ours]
    assert any("HTTP Request: POST" in r.getMessage() for r in ours), (
        "httpx's request log was not captured: this test would prove nothing"
    )
    leaks = [text for text in produced if slack.token in text or slack.path in text]
    assert not leaks, leaks[0]


def test_a_bad_url_is_refused_at_configuration_without_echoing_it() -> None:
    host = dq.Host(dq.discover())
    for bad in ("ftp://hooks.example/T0/B0/SECRETTOKENabcdef", "SECRETTOKENabcdef", ""):
        with pytest.raises(dq.ConfigError) as info:
            host.component("notifier", "slack", {"url": bad})
        text = str(info.value) + repr(info.value)
        assert "url" in text and "https URL" in text
        assert "SECRETTOKENabcdef" not in text


# -- one connection pool per event loop --------------------------------------------------------


def test_overlapping_sends_share_connections_and_close_them_after(
    keepalive_slack: Any,
) -> None:
    url = f"http://127.0.0.1:{keepalive_slack.server_port}/services/T0/B0/SECRETTOKENabcdef"
    notifier = notifier_for(url)

    async def fan_out() -> list[dq.Delivery]:
        limiter = anyio.CapacityLimiter(4)
        results: list[dq.Delivery] = []

        async def one(i: int) -> None:
            async with limiter:
                results.append(await notifier.send(note(dedup_key=f"k{i}")))

        async with anyio.create_task_group() as tg:
            for i in range(40):
                tg.start_soon(one, i)
        return results

    deliveries = anyio.run(fan_out)
    assert [d.status for d in deliveries] == [DELIVERED] * 40
    ports = set(keepalive_slack.ports)
    assert len(keepalive_slack.ports) == 40
    assert len(ports) <= 8, f"40 sends opened {len(ports)} connections: the pool is not shared"
    assert notifier._leases == {}, "the shared client outlived the sends"


def test_async_with_keeps_one_connection_across_sequential_sends(keepalive_slack: Any) -> None:
    url = f"http://127.0.0.1:{keepalive_slack.server_port}/services/T0/B0/SECRETTOKENabcdef"
    notifier = notifier_for(url)

    async def sequential() -> None:
        async with notifier:
            for i in range(5):
                assert (await notifier.send(note(dedup_key=f"k{i}"))).status is DELIVERED

    anyio.run(sequential)
    assert len(keepalive_slack.ports) == 5
    assert len(set(keepalive_slack.ports)) == 1
    assert notifier._leases == {}


def test_one_notifier_serves_sends_from_successive_event_loops(slack: FakeSlack) -> None:
    notifier = notifier_for(slack.url)
    for _ in range(3):
        assert send(notifier).status is DELIVERED
    assert len(slack.seen) == 3


def test_a_non_ascii_token_is_masked_in_its_percent_encoded_spelling_too(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """httpx logs the request URL percent-encoded; the redactor must know that spelling."""
    from urllib.parse import quote

    caplog.set_level(logging.DEBUG)
    token = "SECRETtokén-ü-" + slack.token[-8:]
    url = slack.url.replace(slack.path, f"/services/T0DQTEST/B0DQTEST/{token}")
    delivery = send(notifier_for(url, deadline=1.0))
    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]
    assert any("HTTP Request: POST" in r.getMessage() for r in ours)
    texts = [r.getMessage() for r in ours] + [delivery.error, repr(delivery)]
    for spelling in (token, quote(token, safe="")):
        assert not [text for text in texts if spelling in text], spelling
