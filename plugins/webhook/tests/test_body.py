"""The ``dq.notification/v1`` body: every body validates against the JSON Schema shipped in
the package, fits the size limit, and says when it was shortened."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import dq
import jsonschema
import pytest
from conftest import note
from dq_webhook import SCHEMA_ID, body_schema, render_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

VALIDATOR = jsonschema.Draft202012Validator(body_schema())


def test_the_shipped_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(body_schema())
    assert body_schema()["properties"]["schema"]["const"] == SCHEMA_ID == "dq.notification/v1"


def test_a_trigger_body_carries_the_whole_notification() -> None:
    created = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    body = json.loads(render_body(note(created_at=created, tenant=dq.TenantId("acme"))))
    VALIDATOR.validate(body)
    assert body["schema"] == "dq.notification/v1"
    assert (body["type"], body["kind"]) == ("dq.incident.triggered", "trigger")
    assert body["timestamp"] == "2026-12-07T09:30:00Z"
    assert body["dedup_key"] == "orders-7f3a"
    data = body["data"]
    assert data["tenant"] == "acme" and data["level"] == "error"
    assert data["failures"][0]["rule_id"] == "amount_range"
    assert data["failures_total"] == 1 and data["truncated"] is False
    assert data["links"] == [{"title": "run report", "url": "https://dq.example/runs/42"}]


def test_a_resolve_body_has_the_same_dedup_key_and_says_resolved() -> None:
    body = json.loads(render_body(note(kind=dq.NotificationKind.RESOLVE)))
    VALIDATOR.validate(body)
    assert (body["type"], body["kind"], body["dedup_key"]) == (
        "dq.incident.resolved",
        "resolve",
        "orders-7f3a",
    )


def test_a_shortened_body_says_so() -> None:
    failures = tuple(dq.RuleFailure(rule_id=f"r{i}", check="not_null") for i in range(300))
    body = json.loads(render_body(note(failures=failures), max_failures=10))
    assert len(body["data"]["failures"]) == 10
    assert body["data"]["failures_total"] == 300 and body["data"]["truncated"] is True


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    title=st.text(max_size=1_000),
    summary=st.one_of(
        st.text(max_size=300), st.text(min_size=1, max_size=3).map(lambda t: t * 100_000)
    ),
    fields=st.dictionaries(st.text(max_size=300), st.text(max_size=3_000), max_size=30),
    kind=st.sampled_from(list(dq.NotificationKind)),
    level=st.sampled_from(list(dq.Level)),
    limit=st.sampled_from([16_384, 64_000, 256_000]),
)
def test_every_body_validates_against_the_schema_and_fits(
    title: str,
    summary: str,
    fields: dict[str, str],
    kind: dq.NotificationKind,
    level: dq.Level,
    limit: int,
) -> None:
    notification = note(title=title, summary=summary, fields=fields, kind=kind, level=level)
    raw = render_body(notification, max_body_bytes=limit)
    assert len(raw) <= limit
    body = json.loads(raw)
    VALIDATOR.validate(body)
    assert body["kind"] == kind.value and body["data"]["level"] == level.value


@pytest.mark.parametrize("key", ["a b", "ключ", "x" * 300])
def test_a_key_that_is_not_header_safe_gets_a_hashed_webhook_id(key: str) -> None:
    from dq_webhook._notifier import message_id

    trigger = message_id(note(dedup_key=key))
    resolve = message_id(note(dedup_key=key, kind=dq.NotificationKind.RESOLVE))
    assert trigger.startswith("trigger:sha256:") and resolve.startswith("resolve:sha256:")
    assert trigger.isascii() and trigger.split(":")[-1] == resolve.split(":")[-1]
