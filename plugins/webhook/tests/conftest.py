"""Fixtures: a receiver verifying Standard Webhooks signatures on the contract's HTTP sink,
and notifiers pointed at it with short timings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import dq
import pytest
from dq_contract.servers import HttpSink, running_sink
from dq_webhook import new_secret
from receiver import Receiver

#: The signing secret shared by notifier and receiver; random per session.
SECRET = new_secret()


def secret_texts(sink: HttpSink) -> set[str]:
    """What must never leak: the URL's token and the signing secret (with and without its
    prefix)."""
    return {sink.token, SECRET, SECRET.removeprefix("whsec_")}


@pytest.fixture
def receiver() -> Receiver:
    return Receiver(SECRET)


@pytest.fixture
def sink(receiver: Receiver) -> Iterator[HttpSink]:
    yield from running_sink(256_000, responder=receiver)


def build(config: dict[str, Any]) -> Any:
    """The notifier as dq builds it: through a Host, from a raw config table."""
    return dq.Host(dq.discover()).component("notifier", "webhook", config)


def notifier_for(sink: HttpSink, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "url": sink.url,
        "secret": SECRET,
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
        "fields": {"suite": "orders", "run id": "r-42"},
        "links": (dq.Link(title="run report", url="https://dq.example/runs/42"),),
        "failures": (
            dq.RuleFailure(
                rule_id="amount_range",
                check="between",
                column="amount",
                failed_count=42,
                element_count=1000,
            ),
        ),
    }
    values.update(overrides)
    return dq.Notification(**values)
