"""dq-pagerduty against the notifier contract of dq-contract-tests, built as dq builds it.

The contract's sink answers as PagerDuty's Events API v2 (``FakePagerDuty`` validates every
event the contract does not script a fault for), the secret the leak tests hunt is the
routing key, and the default ``classify`` reads ``event_action`` + ``dedup_key``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import ROUTING_KEY, build
from dq_contract.notifier import NotifierContract
from dq_contract.servers import HttpSink, running_sink
from dq_pagerduty.testing import FakePagerDuty


class TestPagerDutyContract(NotifierContract):
    timeout_seconds = 0.5
    deadline_seconds = 3.0
    max_request_bytes = 512_000  # PagerDuty's 512 KB per event

    @pytest.fixture
    def http_sink(self) -> Iterator[HttpSink]:
        yield from running_sink(self.max_request_bytes, responder=FakePagerDuty(ROUTING_KEY))

    def secret_texts(self, http_sink: HttpSink) -> set[str]:
        return {ROUTING_KEY}

    @pytest.fixture
    def notifier(self, http_sink: HttpSink) -> Any:
        return build(
            {
                "routing_key": ROUTING_KEY,
                "url": http_sink.origin + "/v2/enqueue",
                "timeout": self.timeout_seconds,
                "deadline": self.deadline_seconds,
                "backoff": 0.05,
            }
        )
