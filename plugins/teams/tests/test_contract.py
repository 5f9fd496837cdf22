"""dq-teams against the notifier contract of dq-contract-tests, built as dq builds it.

A chat channel has no "resolve" verb: dq-teams renders a resolve as a "Resolved" card whose
fact set says ``status: resolved`` and names the same ``dedup key``; :meth:`classify` reads
that back so the contract's lifecycle tests can judge it.
"""

from __future__ import annotations

import json
from typing import Any

import dq
import pytest
from dq_contract.notifier import NotifierContract
from dq_contract.servers import HttpSink, Request


def facts(request: Request) -> dict[str, str]:
    try:
        card = json.loads(request.body)["attachments"][0]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        return {}
    found: dict[str, str] = {}
    for element in card.get("body", []):
        if element.get("type") == "FactSet":
            found.update({f["title"]: f["value"] for f in element.get("facts", [])})
    return found


class TestTeamsContract(NotifierContract):
    timeout_seconds = 0.5
    deadline_seconds = 3.0
    max_request_bytes = 28_000  # Teams' documented ceiling per message

    @pytest.fixture
    def notifier(self, http_sink: HttpSink) -> Any:
        return dq.Host(dq.discover()).component(
            "notifier",
            "teams",
            {"url": http_sink.url, "timeout": 0.5, "deadline": 3.0, "backoff": 0.05},
        )

    def classify(self, request: Request) -> tuple[str, str] | None:
        found = facts(request)
        if "dedup key" not in found or found.get("status") not in ("open", "resolved"):
            return None
        return ("resolve" if found["status"] == "resolved" else "trigger", found["dedup key"])
