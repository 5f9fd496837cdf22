"""dq-teams against a local Workflows trigger: the card, 429s, outages, secrets."""

from __future__ import annotations

import logging
import time

import anyio
import dq
import pytest
from conftest import MAX_BYTES, Answer, FakeWorkflow, envelope_problem, note, notifier_for
from dq_teams import TeamsConfig, render_message


def send(notifier, notification=None) -> dq.Delivery:
    return anyio.run(notifier.send, notification or note())


def test_a_card_is_accepted_by_the_workflow_trigger(workflow: FakeWorkflow) -> None:
    delivery = send(notifier_for(workflow.url))
    assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
    assert (delivery.attempts, delivery.response_status) == (1, 202)
    (seen,) = workflow.seen
    card = seen.json["attachments"][0]["content"]
    assert card["version"] == "1.4" and card["body"][0]["text"].startswith("dq: suite orders")
    assert card["actions"][0] == {
        "type": "Action.OpenUrl", "title": "run report", "url": "https://dq.example/runs/42"
    }


def test_429_with_retry_after_is_waited_for(workflow: FakeWorkflow) -> None:
    workflow.script(Answer(429, headers={"Retry-After": "1"}))
    delivery = send(notifier_for(workflow.url))
    assert delivery.status is dq.DeliveryStatus.DELIVERED and delivery.attempts == 2
    first, second = workflow.seen
    assert second.arrived - first.arrived >= 0.95


def test_429_without_retry_after_backs_off_and_retries(workflow: FakeWorkflow) -> None:
    workflow.script(Answer(429), Answer(429))
    delivery = send(notifier_for(workflow.url))
    assert delivery.status is dq.DeliveryStatus.DELIVERED and delivery.attempts == 3


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retried(workflow: FakeWorkflow, status: int) -> None:
    workflow.script(Answer(status))
    assert send(notifier_for(workflow.url)).attempts == 2


def test_a_timeout_is_retried_within_the_deadline(workflow: FakeWorkflow) -> None:
    workflow.script(Answer(202, delay=1.5))
    start = time.monotonic()
    delivery = send(notifier_for(workflow.url))
    assert delivery.status is dq.DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert time.monotonic() - start < 1.5


def test_a_refused_connection_is_a_failed_delivery_in_time(workflow: FakeWorkflow) -> None:
    url = workflow.url
    workflow.server.stop()
    start = time.monotonic()
    delivery = send(notifier_for(url))
    assert delivery.status is dq.DeliveryStatus.FAILED and delivery.attempts >= 2
    assert "connection failed" in delivery.error and time.monotonic() - start < 4.0


def test_a_wrong_signature_is_never_retried_and_never_shown(
    workflow: FakeWorkflow, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bad = workflow.url.replace(workflow.sig, "SIGwrongwrongwrongwrong")
    notifier = notifier_for(bad)
    delivery = send(notifier)
    assert delivery.status is dq.DeliveryStatus.FAILED and delivery.attempts == 1
    assert delivery.response_status == 401 and "sig=" in delivery.error  # the hint
    assert "SIGwrongwrongwrongwrong" not in delivery.error + repr(notifier) + caplog.text
    httpx_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert httpx_lines and all("***" in line for line in httpx_lines)


def test_the_url_is_absent_from_logs_errors_and_reprs(
    workflow: FakeWorkflow, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    workflow.script(Answer(500, body=f"boom at {workflow.url}"), Answer(400, body=workflow.url))
    notifier = notifier_for(workflow.url, max_attempts=2)
    delivery = send(notifier)
    for text in (delivery.error, repr(notifier), str(notifier.config), caplog.text):
        assert workflow.sig not in text and workflow.flow not in text


def test_an_oversized_alert_is_cut_to_28_kb_and_accepted(workflow: FakeWorkflow) -> None:
    big = note(
        title="🚨" * 5_000,
        summary="x" * 200_000,
        fields={f"f{i}": "v" * 3_000 for i in range(100)},
        failures=tuple(
            dq.RuleFailure(rule_id=f"r{i}", check="not_null", failed_count=i) for i in range(500)
        ),
    )
    delivery = send(notifier_for(workflow.url), big)
    assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
    assert len(workflow.seen[0].body) <= MAX_BYTES


def test_a_resolve_is_a_short_resolved_card_with_the_same_key() -> None:
    body = render_message(note(kind=dq.NotificationKind.RESOLVE, failures=()))
    assert envelope_problem(body) == ""
    text = body.decode()
    assert "✅ Resolved" in text and '"value":"orders-7f3a"' in text and '"value":"resolved"' in text


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.webhook.office.com/webhookb2/x@y/IncomingWebhook/abc/def",
        "http://prod-01.westus.logic.azure.com/workflows/abc?sig=SECRETSECRETSECRET",
        "not a url",
    ],
)
def test_unusable_urls_are_refused_without_echoing_them(url: str) -> None:
    with pytest.raises(dq.ConfigError) as info:
        dq.Host(dq.discover()).component("notifier", "teams", {"url": url})
    assert "SECRETSECRETSECRET" not in str(info.value) and "abc/def" not in str(info.value)


def test_max_body_bytes_cannot_exceed_teams_limit() -> None:
    with pytest.raises(ValueError, match="28 KB"):
        TeamsConfig(url=dq.SecretValue("https://x.logic.azure.com/w?sig=abc"), max_body_bytes=40_000)
