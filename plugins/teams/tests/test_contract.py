"""dq-teams against the notifier contract of dq-contract-tests, built as dq builds it.

The contract subclass (``classify`` reading the "Resolved" card back, the declared timings
and Teams' 28 KB ceiling) lives in ``dq_teams._contract`` so that ``dq plugins verify teams``
runs exactly this class too (``DQ_CONTRACT``; ``test_verify.py`` proves it).
"""

from __future__ import annotations

from typing import Any

import dq
import pytest
from dq_contract.servers import HttpSink
from dq_teams._contract import CONTRACT_CONFIG, TeamsContract


class TestTeamsContract(TeamsContract):
    @pytest.fixture
    def notifier(self, http_sink: HttpSink) -> Any:
        return dq.Host(dq.discover()).component(
            "notifier", "teams", {"url": http_sink.url, **CONTRACT_CONFIG}
        )
