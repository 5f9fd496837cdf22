"""The notifier contract as dq-discord is judged by it: one class for its own tests and for
``dq plugins verify discord`` (``DQ_CONTRACT`` in the hook module points here).

A Discord message has no "resolve" verb: dq-discord renders a resolve as a green "Resolved"
embed whose ``Status`` field says ``resolved`` and whose ``Dedup key`` field names the same
key; :meth:`classify` reads that back for the contract's lifecycle tests. Only the tests and
verify import this module (it needs dq-contract-tests). Verify with the timings declared here:

    dq plugins verify discord --set url={http_sink.url} timeout=1 deadline=5 backoff=0.05
"""

from __future__ import annotations

import json

from dq_contract.notifier import NotifierContract
from dq_contract.servers import Request

#: What a notifier under this contract must be configured with (``--set`` for verify).
CONTRACT_CONFIG = {"timeout": 1.0, "deadline": 5.0, "backoff": 0.05}


class DiscordContract(NotifierContract):
    timeout_seconds = CONTRACT_CONFIG["timeout"]
    deadline_seconds = CONTRACT_CONFIG["deadline"]
    max_request_bytes = 64_000

    def classify(self, request: Request) -> tuple[str, str] | None:
        try:
            fields = {
                f["name"]: f["value"] for f in json.loads(request.body)["embeds"][0]["fields"]
            }
        except (ValueError, KeyError, IndexError, TypeError):
            return None
        status, key = fields.get("Status"), fields.get("Dedup key")
        if status not in ("open", "resolved") or key is None:
            return None
        return ("resolve" if status == "resolved" else "trigger", key)
