"""dq-email against the SMTP notifier contract of dq-contract-tests, built as dq builds it.

The contract class and its timings live in ``dq_email._contract`` so that ``dq plugins
verify email`` runs exactly this class too (``DQ_CONTRACT``; ``test_verify.py`` proves it).
The fixture asks a :class:`dq.Host` over the installed plugins for ``notifier:email`` with a
raw config table (the password as a ``dq.SecretValue``, as dq's secret resolver hands it
over), so the run also proves the entry points, the hook implementations and the config
class, not just the notifier.
"""

from __future__ import annotations

from typing import Any

import dq
import pytest
from dq_contract.smtp_sink import SmtpSink
from dq_email._contract import CONTRACT_CONFIG, EmailContract


class TestEmailContract(EmailContract):
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
                **CONTRACT_CONFIG,
            },
        )
