"""Fixtures: a local PagerDuty (the contract's HTTP sink answering as Events API v2) and
notifiers pointed at it with short timings."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import anyio
import dq
import pytest
from dq_contract.servers import HttpSink, running_sink
from dq_pagerduty.testing import FakePagerDuty

#: A well-formed routing key the local PagerDuty knows; random per session so that the leak
#: tests search for a value that cannot appear by accident.
ROUTING_KEY = secrets.token_hex(16)


@pytest.fixture
def fake() -> FakePagerDuty:
    return FakePagerDuty(ROUTING_KEY)


@pytest.fixture
def sink(fake: FakePagerDuty) -> Iterator[HttpSink]:
    yield from running_sink(512_000, responder=fake)


def build(config: dict[str, Any]) -> Any:
    """The notifier as dq builds it: through a Host, from a raw config table."""
    return dq.Host(dq.discover()).component("notifier", "pagerduty", config)


def notifier_for(sink: HttpSink, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "routing_key": ROUTING_KEY,
        "url": sink.origin + "/v2/enqueue",
        "timeout": 0.5,
        "deadline": 3.0,
        "backoff": 0.05,
    }
    values.update(overrides)
    return build(values)


def send(notifier: Any, notification: dq.Notification) -> dq.Delivery:
    return anyio.run(notifier.send, notification)


def note(**overrides: Any) -> dq.Notification:
    values: dict[str, Any] = {
        "title": "dq: suite orders failed 2 of 7 rules",
        "summary": "2 error rules failed on orders.parquet (1,000 rows)",
        "level": dq.Level.ERROR,
        "dedup_key": "orders-7f3a",
        "fields": {"suite": "orders", "engine": "polars", "run id": "r-42"},
        "links": (dq.Link(title="run report", url="https://dq.example/runs/42"),),
        "failures": (
            dq.RuleFailure(
                rule_id="amount_range",
                check="between",
                column="amount",
                failed_count=42,
                element_count=1000,
            ),
            dq.RuleFailure(rule_id="id_unique", check="unique", column="id", failed_count=3),
        ),
    }
    values.update(overrides)
    return dq.Notification(**values)
