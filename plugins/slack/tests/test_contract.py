"""dq-slack against the notifier contract of dq-contract-tests, built as dq builds it.

The fixture asks a :class:`dq.Host` over the installed plugins for ``notifier:slack`` with a
raw config table, so the run also proves the entry points, the hook implementations and the
config class (structured by dq's strict converter), not just the class.
"""

from __future__ import annotations

import json
from typing import Any

import dq
import pytest
from dq_contract.notifier import NotifierContract
from dq_contract.servers import HttpSink, Request
from dq_slack._blocks import RESOLVED_MARK


def build(config: dict[str, Any]) -> Any:
    return dq.Host(dq.discover()).component("notifier", "slack", config)


class TestSlackContract(NotifierContract):
    timeout_seconds = 0.5
    deadline_seconds = 3.0
    #: Slack documents no byte limit; the contract's sink enforces this one and we configure
    #: the notifier to stay under it, so the truncation path is exercised on every example.
    max_request_bytes = 40_000

    def classify(self, request: Request) -> tuple[str, str] | None:
        """A Slack message is a resolve when its context line starts with the resolved mark;
        the key is the plain-text element after "dedup key" in that line."""
        try:
            blocks = json.loads(request.body)["blocks"]
        except (ValueError, KeyError, TypeError):
            return None
        for block in blocks:
            if block.get("type") != "context":
                continue
            texts = [element.get("text") for element in block["elements"]]
            if "dedup key" not in texts:
                return None
            key = texts[texts.index("dedup key") + 1]
            return ("resolve" if texts[0] == RESOLVED_MARK else "trigger", key)
        return None

    @pytest.fixture
    def notifier(self, http_sink: HttpSink) -> Any:
        return build(
            {
                "url": http_sink.url,
                "timeout": self.timeout_seconds,
                "deadline": self.deadline_seconds,
                "backoff": 0.05,
                "max_body_bytes": self.max_request_bytes,
            }
        )
