"""dq-discord against the notifier contract, built as dq builds it.

The contract subclass (``classify`` reading the "Resolved" embed back, the declared timings)
lives in ``dq_discord._contract`` so that ``dq plugins verify discord`` runs exactly this
class too (``DQ_CONTRACT``; ``test_verify.py`` proves it).
"""

from __future__ import annotations

from typing import Any

import dq
import pytest
from dq_contract.servers import HttpSink
from dq_discord._contract import CONTRACT_CONFIG, DiscordContract


class TestDiscordContract(DiscordContract):
    @pytest.fixture
    def notifier(self, http_sink: HttpSink) -> Any:
        return dq.Host(dq.discover()).component(
            "notifier", "discord", {"url": http_sink.url, **CONTRACT_CONFIG}
        )
