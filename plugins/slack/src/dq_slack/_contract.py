"""The notifier contract as dq-slack is judged by it: one class for its own tests and for
``dq plugins verify slack`` (``DQ_CONTRACT`` in the hook module points here).

It imports dq-contract-tests, so only the tests and verify import this module; the plugin
itself never does. The timings and size are what the fixture (or verify's ``--set``) must
configure the notifier with:

    dq plugins verify slack --set url={http_sink.url} timeout=0.5 deadline=3 \\
        backoff=0.05 max_body_bytes=40000
"""

from __future__ import annotations

import json

from dq_contract.notifier import NotifierContract
from dq_contract.servers import Request

from dq_slack._blocks import RESOLVED_MARK

#: What a notifier under this contract must be configured with (``--set`` for verify).
CONTRACT_CONFIG = {"timeout": 0.5, "deadline": 3.0, "backoff": 0.05, "max_body_bytes": 40_000}


class SlackContract(NotifierContract):
    timeout_seconds = CONTRACT_CONFIG["timeout"]
    deadline_seconds = CONTRACT_CONFIG["deadline"]
    #: Slack documents no byte limit; the contract's sink enforces this one and the notifier
    #: is configured to stay under it, so the truncation path is exercised on every example.
    max_request_bytes = int(CONTRACT_CONFIG["max_body_bytes"])

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
