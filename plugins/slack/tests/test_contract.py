"""dq-slack against the notifier contract of dq-contract-tests, built as dq builds it.

The contract subclass (``classify``, the declared timings and size) lives in
``dq_slack._contract`` so that ``dq plugins verify slack`` runs exactly this class too
(``DQ_CONTRACT``; ``test_verify.py`` proves it). The fixture asks a :class:`dq.Host` over
the installed plugins for ``notifier:slack`` with a raw config table, so the run also proves
the entry points, the hook implementations and the config class, not just the class.
"""

from __future__ import annotations

from typing import Any

import dq
import pytest
from dq_contract.servers import HttpSink
from dq_slack._contract import CONTRACT_CONFIG, SlackContract


def build(config: dict[str, Any]) -> Any:
    return dq.Host(dq.discover()).component("notifier", "slack", config)


class TestSlackContract(SlackContract):
    @pytest.fixture
    def notifier(self, http_sink: HttpSink) -> Any:
        return build({"url": http_sink.url, **CONTRACT_CONFIG})
