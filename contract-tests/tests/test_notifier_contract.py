"""The whole NotifierContract against the reference WebhookNotifier: proof it can be passed.

Short timeout and deadline (declared to the contract) keep the run to a few seconds; a second
subclass passes the URL as a ``dq.SecretValue``, the way a plugin's config hands it over.
"""

from __future__ import annotations

import dq
import pytest
from dq_contract.notifier import NotifierContract
from dq_contract.reference_notifier import WebhookNotifier
from dq_contract.servers import HttpSink


class TestWebhookNotifier(NotifierContract):
    timeout_seconds = 1.0
    deadline_seconds = 5.0

    @pytest.fixture
    def notifier(self, http_sink: HttpSink) -> WebhookNotifier:
        return WebhookNotifier(
            http_sink.url,
            timeout=1.0,
            deadline=5.0,
            max_attempts=3,
            backoff=0.05,
            max_body_bytes=self.max_request_bytes,
        )


class TestWebhookNotifierSecretUrlSmallLimit(NotifierContract):
    """A service with a small limit (Slack-like 40 kB) and the URL as a SecretValue."""

    timeout_seconds = 1.0
    deadline_seconds = 5.0
    max_request_bytes = 40_000

    @pytest.fixture
    def notifier(self, http_sink: HttpSink) -> WebhookNotifier:
        return WebhookNotifier(
            dq.SecretValue(http_sink.url),
            timeout=1.0,
            deadline=5.0,
            max_attempts=3,
            backoff=0.05,
            max_body_bytes=self.max_request_bytes,
        )
