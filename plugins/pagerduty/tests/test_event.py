"""The Events API v2 body: fields, mappings, and PagerDuty's limits for every input.

Limits are literal numbers from PagerDuty's reference (not imported from the code under
test), and every body is also judged by the local PagerDuty's validator.
"""

from __future__ import annotations

import json
from typing import Any

import dq
import pytest
from conftest import ROUTING_KEY, note
from dq_pagerduty import PagerDutyConfig, render_event
from dq_pagerduty.testing import FakePagerDuty
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CONFIG = PagerDutyConfig(routing_key=dq.SecretValue(ROUTING_KEY))


def event(notification: dq.Notification, **config: Any) -> dict[str, Any]:
    cfg = PagerDutyConfig(routing_key=dq.SecretValue(ROUTING_KEY), **config)
    return json.loads(render_event(notification, ROUTING_KEY, cfg))


def test_a_trigger_carries_everything_pagerduty_shows() -> None:
    body = event(note(), source="warehouse-prod", client_url="https://dq.example")
    assert FakePagerDuty.validate(body) == []
    assert body["routing_key"] == ROUTING_KEY
    assert body["event_action"] == "trigger"
    assert body["dedup_key"] == "orders-7f3a"
    assert body["client"] == "dq" and body["client_url"] == "https://dq.example"
    payload = body["payload"]
    assert payload["summary"] == "dq: suite orders failed 2 of 7 rules"
    assert payload["source"] == "warehouse-prod"
    assert payload["severity"] == "error"
    assert payload["component"] == "orders"
    details = payload["custom_details"]
    assert details["summary"] == "2 error rules failed on orders.parquet (1,000 rows)"
    assert details["fields"]["run id"] == "r-42"
    assert details["failing_rules_total"] == 2
    assert details["failing_rules"][0] == {
        "rule": "amount_range",
        "check": "between",
        "severity": "error",
        "failed": 42,
        "of": 1000,
        "column": "amount",
    }
    assert body["links"] == [{"href": "https://dq.example/runs/42", "text": "run report"}]


@pytest.mark.parametrize(
    ("level", "severity"),
    [
        (dq.Level.CRITICAL, "critical"),
        (dq.Level.ERROR, "error"),
        (dq.Level.WARNING, "warning"),
        (dq.Level.INFO, "info"),
    ],
)
def test_severity_follows_the_notification_level(level: dq.Level, severity: str) -> None:
    assert event(note(level=level))["payload"]["severity"] == severity


def test_a_resolve_is_the_minimal_resolve_event_with_the_same_key() -> None:
    trigger = event(note())
    resolve = event(note(kind=dq.NotificationKind.RESOLVE))
    assert resolve == {
        "routing_key": ROUTING_KEY,
        "dedup_key": trigger["dedup_key"],
        "event_action": "resolve",
    }


def test_the_tenant_is_the_group_and_a_detail() -> None:
    body = event(note(tenant=dq.TenantId("acme")))
    assert body["payload"]["group"] == "acme"
    assert body["payload"]["custom_details"]["tenant"] == "acme"


def test_a_long_dedup_key_is_shortened_the_same_way_for_trigger_and_resolve() -> None:
    key = "suite/" + "x" * 400
    trigger = event(note(dedup_key=key))
    resolve = event(note(dedup_key=key, kind=dq.NotificationKind.RESOLVE))
    other = event(note(dedup_key=key + "y"))
    assert len(trigger["dedup_key"]) == 255
    assert trigger["dedup_key"] == resolve["dedup_key"] != other["dedup_key"]


def test_failing_rules_beyond_max_failures_are_counted() -> None:
    failures = tuple(dq.RuleFailure(rule_id=f"r{i}", check="not_null") for i in range(80))
    details = event(note(failures=failures), max_failures=10)["payload"]["custom_details"]
    assert len(details["failing_rules"]) == 10
    assert details["failing_rules_total"] == 80


def test_links_that_are_not_http_are_left_out() -> None:
    links = (dq.Link(title="x", url="javascript:alert(1)"), dq.Link(title="ok", url="https://a"))
    assert event(note(links=links))["links"] == [{"href": "https://a", "text": "ok"}]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    title=st.text(max_size=3_000),
    summary=st.one_of(
        st.text(max_size=300), st.text(min_size=1, max_size=3).map(lambda t: t * 200_000)
    ),
    fields=st.dictionaries(st.text(max_size=300), st.text(max_size=3_000), max_size=30),
    kind=st.sampled_from(list(dq.NotificationKind)),
    max_body=st.sampled_from([8_192, 64_000, 512_000]),
)
def test_every_event_is_valid_and_within_the_body_limit(
    title: str, summary: str, fields: dict[str, str], kind: dq.NotificationKind, max_body: int
) -> None:
    cfg = PagerDutyConfig(routing_key=dq.SecretValue(ROUTING_KEY), max_body_bytes=max_body)
    body = render_event(
        note(title=title, summary=summary, fields=fields, kind=kind), ROUTING_KEY, cfg
    )
    assert len(body) <= max_body
    decoded = json.loads(body)
    assert FakePagerDuty.validate(decoded) == []
    if kind is dq.NotificationKind.TRIGGER:
        summary_sent = decoded["payload"]["summary"]
        assert len(summary_sent.encode("utf-16-le", "surrogatepass")) // 2 <= 1024
