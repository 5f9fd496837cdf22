"""dq-discord against the notifier contract, built as dq builds it.

A Discord message has no "resolve" verb: dq-discord renders a resolve as a green "Resolved"
embed whose ``Status`` field says ``resolved`` and whose ``Dedup key`` field names the same
key; :meth:`classify` reads that back for the contract's lifecycle tests.
"""

from __future__ import annotations

import json
from typing import Any

import dq
import pytest
from dq_contract.notifier import NotifierContract
from dq_contract.servers import HttpSink, Request


class TestDiscordContract(NotifierContract):
    timeout_seconds = 0.5
    deadline_seconds = 3.0
    max_request_bytes = 64_000

    @pytest.fixture
    def notifier(self, http_sink: HttpSink) -> Any:
        return dq.Host(dq.discover()).component(
            "notifier",
            "discord",
            {"url": http_sink.url, "timeout": 0.5, "deadline": 3.0, "backoff": 0.05},
        )

    def classify(self, request: Request) -> tuple[str, str] | None:
        try:
            fields = {f["name"]: f["value"] for f in json.loads(request.body)["embeds"][0]["fields"]}
        except (ValueError, KeyError, IndexError, TypeError):
            return None
        status, key = fields.get("Status"), fields.get("Dedup key")
        if status not in ("open", "resolved") or key is None:
            return None
        return ("resolve" if status == "resolved" else "trigger", key)
