"""dq-webhook against the notifier contract of dq-contract-tests, built as dq builds it.

The sink verifies every unscripted request's Standard Webhooks signature (a request that does
not verify is refused 401, which fails the contract's delivery tests), the leak tests hunt
the URL's token and the signing secret, and the default ``classify`` reads the body's
``kind`` and ``dedup_key``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import SECRET, build, secret_texts
from dq_contract.notifier import NotifierContract
from dq_contract.servers import HttpSink, running_sink
from receiver import Receiver


class TestWebhookContract(NotifierContract):
    timeout_seconds = 0.5
    deadline_seconds = 3.0
    max_request_bytes = 256_000

    @pytest.fixture
    def http_sink(self) -> Iterator[HttpSink]:
        yield from running_sink(self.max_request_bytes, responder=Receiver(SECRET))

    def secret_texts(self, http_sink: HttpSink) -> set[str]:
        return secret_texts(http_sink)

    @pytest.fixture
    def notifier(self, http_sink: HttpSink) -> Any:
        return build(
            {
                "url": http_sink.url,
                "secret": SECRET,
                "timeout": self.timeout_seconds,
                "deadline": self.deadline_seconds,
                "backoff": 0.05,
                "max_body_bytes": self.max_request_bytes,
            }
        )
