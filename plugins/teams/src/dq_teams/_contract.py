"""The notifier contract as dq-teams is judged by it: one class for its own tests and for
``dq plugins verify teams`` (``DQ_CONTRACT`` in the hook module points here).

A chat channel has no "resolve" verb: dq-teams renders a resolve as a "Resolved" card whose
fact set says ``status: resolved`` and names the same ``dedup key``; :meth:`classify` reads
that back so the contract's lifecycle tests can judge it. Only the tests and verify import
this module (it needs dq-contract-tests). Verify with the timings declared here:

    dq plugins verify teams --set url={http_sink.url} timeout=0.5 deadline=3 backoff=0.05
"""

from __future__ import annotations

import json

from dq_contract.notifier import NotifierContract
from dq_contract.servers import Request

#: What a notifier under this contract must be configured with (``--set`` for verify).
CONTRACT_CONFIG = {"timeout": 0.5, "deadline": 3.0, "backoff": 0.05}


def facts(request: Request) -> dict[str, str]:
    """The card's FactSet entries (title -> value), or {} for any other body."""
    try:
        card = json.loads(request.body)["attachments"][0]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        return {}
    found: dict[str, str] = {}
    for element in card.get("body", []):
        if element.get("type") == "FactSet":
            found.update({f["title"]: f["value"] for f in element.get("facts", [])})
    return found


class TeamsContract(NotifierContract):
    timeout_seconds = CONTRACT_CONFIG["timeout"]
    deadline_seconds = CONTRACT_CONFIG["deadline"]
    max_request_bytes = 28_000  # Teams' documented ceiling per message

    def classify(self, request: Request) -> tuple[str, str] | None:
        found = facts(request)
        if "dedup key" not in found or found.get("status") not in ("open", "resolved"):
            return None
        return ("resolve" if found["status"] == "resolved" else "trigger", found["dedup key"])
