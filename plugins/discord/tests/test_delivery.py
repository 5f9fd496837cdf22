"""dq-discord against a local Discord: limits, 429 bodies, permanent errors, secrets."""

from __future__ import annotations

import json
import logging
import time

import anyio
import dq
import pytest
from conftest import Answer, FakeDiscord, form_errors, note, notifier_for
from dq_discord import render_message
from hypothesis import given, settings
from hypothesis import strategies as st


def send(notifier, notification=None) -> dq.Delivery:
    return anyio.run(notifier.send, notification or note())


def test_a_message_is_posted_with_wait_and_pings_nobody(discord: FakeDiscord) -> None:
    delivery = send(notifier_for(discord.url), note(title="@everyone <@123> broke"))
    assert delivery.status is dq.DeliveryStatus.DELIVERED and delivery.response_status == 200
    (seen,) = discord.seen
    assert seen.query == {"wait": "true"}
    assert seen.json["allowed_mentions"] == {"parse": []}
    assert "\\<@123\\>" in seen.json["embeds"][0]["title"] or "@everyone" in seen.json["embeds"][0]["title"]


def test_429_waits_for_the_longer_of_retry_after_and_the_json_retry_after(
    discord: FakeDiscord,
) -> None:
    body = json.dumps({"message": "You are being rate limited.", "retry_after": 1.2, "global": False})
    discord.script(Answer(429, body=body, headers={"Retry-After": "1"}))
    delivery = send(notifier_for(discord.url))
    assert delivery.status is dq.DeliveryStatus.DELIVERED and delivery.attempts == 2
    first, second = discord.seen
    assert second.arrived - first.arrived >= 1.15


def test_429_without_retry_after_backs_off(discord: FakeDiscord) -> None:
    discord.script(Answer(429, body="{}"))
    assert send(notifier_for(discord.url)).attempts == 2


def test_a_global_rate_limit_past_the_deadline_fails_and_says_global(discord: FakeDiscord) -> None:
    body = json.dumps({"message": "rate limited", "retry_after": 300.0, "global": True})
    discord.script(Answer(429, body=body, headers={"Retry-After": "300"}))
    delivery = send(notifier_for(discord.url))
    assert delivery.status is dq.DeliveryStatus.FAILED and delivery.attempts == 1
    assert "global rate limit" in delivery.error


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retried(discord: FakeDiscord, status: int) -> None:
    discord.script(Answer(status))
    assert send(notifier_for(discord.url)).attempts == 2


def test_a_timeout_is_retried(discord: FakeDiscord) -> None:
    discord.script(Answer(200, delay=1.5))
    start = time.monotonic()
    assert send(notifier_for(discord.url)).attempts == 2
    assert time.monotonic() - start < 1.5


def test_a_refused_connection_fails_in_time(discord: FakeDiscord) -> None:
    url = discord.url
    discord.server.stop()
    delivery = send(notifier_for(url))
    assert delivery.status is dq.DeliveryStatus.FAILED and "connection failed" in delivery.error


def test_unknown_webhook_is_permanent(discord: FakeDiscord) -> None:
    delivery = send(notifier_for(discord.server.url_for("/api/webhooks/1/gone")))
    assert delivery.status is dq.DeliveryStatus.FAILED and delivery.attempts == 1
    assert delivery.response_status == 404 and "Unknown Webhook" in delivery.error
    assert len(discord.seen) == 0


def test_a_bad_token_is_never_retried_nor_shown(
    discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = discord.url.replace(discord.token, "WRONG" + discord.token)
    notifier = notifier_for(url)
    delivery = send(notifier)
    assert delivery.attempts == 1 and delivery.response_status == 401
    assert "Invalid Webhook Token" in delivery.error
    for text in (delivery.error, repr(notifier), caplog.text):
        assert discord.token not in text
    assert any(r.name == "httpx" and "***" in r.getMessage() for r in caplog.records)


def test_an_oversized_alert_is_accepted_by_discord_limits(discord: FakeDiscord) -> None:
    big = note(
        title="🚨" * 1_000,
        summary="*" * 50_000,
        fields={f"f{i}": "v" * 5_000 for i in range(60)},
        failures=tuple(dq.RuleFailure(rule_id=f"r{i}", check="unique") for i in range(300)),
        links=tuple(dq.Link(title=f"l{i}", url=f"https://x.example/{i}") for i in range(20)),
    )
    delivery = send(notifier_for(discord.url), big)
    assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(max_size=400),
    summary=st.text(max_size=6_000),
    fields=st.dictionaries(st.text(max_size=300), st.text(max_size=2_000), max_size=30),
    key=st.text(min_size=1, max_size=1_200),
)
def test_every_rendering_keeps_every_discord_limit(title, summary, fields, key) -> None:
    for kind in dq.NotificationKind:
        body = render_message(
            dq.Notification(title=title, summary=summary, level=dq.Level.ERROR,
                            dedup_key=key, fields=fields, kind=kind)
        )
        assert form_errors(json.loads(body)) == {}
