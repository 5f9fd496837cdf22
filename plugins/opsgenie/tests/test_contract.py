"""dq-opsgenie against the notifier contract of dq-contract-tests, built as dq builds it.

The contract's sink answers as Opsgenie's Alert API (``FakeOpsgenie`` checks the GenieKey
and every field limit of the requests the contract does not script a fault for), the secret
the leak tests hunt is the API key, and the default ``classify`` reads a create's ``alias``
and a close's ``/v2/alerts/{alias}/close`` path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import API_KEY, build
from dq_contract.notifier import NotifierContract
from dq_contract.servers import HttpSink, running_sink
from dq_opsgenie.testing import FakeOpsgenie


class TestOpsgenieContract(NotifierContract):
    timeout_seconds = 0.5
    deadline_seconds = 3.0
    max_request_bytes = 64_000  # what dq-opsgenie declares (Opsgenie limits fields, not bodies)

    @pytest.fixture
    def http_sink(self) -> Iterator[HttpSink]:
        yield from running_sink(self.max_request_bytes, responder=FakeOpsgenie(API_KEY))

    def secret_texts(self, http_sink: HttpSink) -> set[str]:
        return {API_KEY}

    @pytest.fixture
    def notifier(self, http_sink: HttpSink) -> Any:
        return build(
            {
                "api_key": API_KEY,
                "url": http_sink.origin,
                "timeout": self.timeout_seconds,
                "deadline": self.deadline_seconds,
                "backoff": 0.05,
            }
        )
