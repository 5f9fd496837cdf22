"""dq-email against the SMTP notifier contract of dq-contract-tests, built as dq builds it.

The fixture asks a :class:`dq.Host` over the installed plugins for ``notifier:email`` with a
raw config table (the password as a ``dq.SecretValue``, as dq's secret resolver hands it
over), so the run also proves the entry points, the hook implementations and the config
class, not just the notifier.
"""

from __future__ import annotations

from typing import Any

import dq
import pytest
from dq_contract.notifier_smtp import SmtpNotifierContract
from dq_contract.smtp_sink import SmtpSink


class TestEmailContract(SmtpNotifierContract):
    timeout_seconds = 0.5
    deadline_seconds = 3.0

    @pytest.fixture
    def notifier(self, smtp_sink: SmtpSink) -> Any:
        return dq.Host(dq.discover()).component(
            "notifier",
            "email",
            {
                "host": smtp_sink.host,
                "port": smtp_sink.port,
                "ca_file": smtp_sink.ca_file,
                "username": smtp_sink.username,
                "password": dq.SecretValue(smtp_sink.password),
                "sender": self.sender,
                "recipients": list(self.recipients),
                "timeout": self.timeout_seconds,
                "deadline": self.deadline_seconds,
                "backoff": 0.05,
                "max_message_bytes": 200_000,
            },
        )
