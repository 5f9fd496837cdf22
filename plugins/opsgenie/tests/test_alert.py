"""The Alert API requests: fields, mappings, and Opsgenie's limits for every input.

Limits are literal numbers from Opsgenie's reference (not imported from the code under test),
and every body is also judged by the local Opsgenie's validator.
"""

from __future__ import annotations

import json
from typing import Any

import dq
import pytest
from conftest import API_KEY, note
from dq_opsgenie import OpsgenieConfig, render_request
from dq_opsgenie.testing import FakeOpsgenie
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def request(notification: dq.Notification, **config: Any) -> tuple[str, dict[str, Any]]:
    cfg = OpsgenieConfig(api_key=dq.SecretValue(API_KEY), **config)
    path, body = render_request(notification, cfg)
    return path, json.loads(body)


def units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def test_a_trigger_creates_an_alert_keyed_by_alias_with_tags_and_details() -> None:
    path, body = request(note(), tags=("team:data",))
    assert path == "/v2/alerts"
    assert FakeOpsgenie.validate(body, create=True) == {}
    assert body["message"] == "dq: suite orders failed 2 of 7 rules"
    assert body["alias"] == "orders-7f3a"
    assert body["priority"] == "P2"
    assert body["tags"] == ["dq", "level:error", "tenant:acme", "suite:orders", "team:data"]
    assert body["entity"] == "orders" and body["source"] == "dq"
    assert body["details"]["tenant"] == "acme" and body["details"]["run id"] == "r-42"
    assert body["description"].startswith("2 error rules failed on orders.parquet")
    assert "- amount_range (between on amount, error): 42 of 1,000 failed" in body["description"]
    assert "run report: https://dq.example/runs/42" in body["description"]


@pytest.mark.parametrize(
    ("level", "priority"),
    [
        (dq.Level.CRITICAL, "P1"),
        (dq.Level.ERROR, "P2"),
        (dq.Level.WARNING, "P3"),
        (dq.Level.INFO, "P5"),
    ],
)
def test_priority_follows_the_level(level: dq.Level, priority: str) -> None:
    assert request(note(level=level))[1]["priority"] == priority


def test_a_resolve_closes_the_same_alias() -> None:
    path, body = request(note(dedup_key="suite/orders?x=1 #2", kind=dq.NotificationKind.RESOLVE))
    assert path == "/v2/alerts/suite%2Forders%3Fx%3D1%20%232/close?identifierType=alias"
    assert body["source"] == "dq" and body["note"].startswith("dq: suite orders failed")
    assert FakeOpsgenie.validate(body, create=False) == {}


def test_a_long_dedup_key_maps_to_the_same_alias_for_create_and_close() -> None:
    key = "k" * 2_000
    _, created = request(note(dedup_key=key))
    path, _ = request(note(dedup_key=key, kind=dq.NotificationKind.RESOLVE))
    assert units(created["alias"]) <= 512
    assert path == f"/v2/alerts/{created['alias']}/close?identifierType=alias"


def test_tags_with_spaces_and_commas_stay_one_tag_each() -> None:
    fields = {"suite": "orders, daily"}
    _, body = request(note(fields=fields), tags=("on call", "x" * 80))
    assert "suite:orders_daily" in body["tags"]
    assert "on_call" in body["tags"]
    assert all(units(t) <= 50 for t in body["tags"])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    title=st.text(max_size=2_000),
    summary=st.one_of(
        st.text(max_size=300), st.text(min_size=1, max_size=3).map(lambda t: t * 60_000)
    ),
    fields=st.dictionaries(st.text(max_size=200), st.text(max_size=5_000), max_size=40),
    kind=st.sampled_from(list(dq.NotificationKind)),
    key=st.text(min_size=1, max_size=1_000),
)
def test_every_request_is_valid_and_within_the_body_limit(
    title: str, summary: str, fields: dict[str, str], kind: dq.NotificationKind, key: str
) -> None:
    cfg = OpsgenieConfig(api_key=dq.SecretValue(API_KEY), max_body_bytes=16_384)
    notification = note(title=title, summary=summary, fields=fields, kind=kind, dedup_key=key)
    _, body = render_request(notification, cfg)
    assert len(body) <= 16_384
    decoded = json.loads(body)
    assert FakeOpsgenie.validate(decoded, create=kind is dq.NotificationKind.TRIGGER) == {}
