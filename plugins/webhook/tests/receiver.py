"""A receiver that checks requests the way the Standard Webhooks specification says, for tests.

Written from the specification, independently of ``dq_webhook.verify`` (which has its own
tests against the spec's published example), so that the notifier's signatures are judged
by a second implementation: the key is the base64 after ``whsec_``; the signed content is
``{webhook-id}.{webhook-timestamp}.{raw body}``; ``webhook-signature`` holds space-separated
``v1,<base64>`` entries; a timestamp more than 5 minutes away is refused; a ``webhook-id``
already processed is acknowledged (2xx) and not processed again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from typing import Any

from dq_contract.servers import Reply, Request


class Receiver:
    def __init__(self, secret: str, *, tolerance: int = 300) -> None:
        self.key = base64.b64decode(secret.removeprefix("whsec_"))
        self.tolerance = tolerance
        self._lock = threading.Lock()
        #: webhook-id -> parsed body, for every message processed (each once).
        self.messages: dict[str, dict[str, Any]] = {}
        self.duplicates = 0
        self.refused: list[str] = []

    def _refuse(self, why: str) -> Reply:
        with self._lock:
            self.refused.append(why)
        return Reply(401, body=why)

    def __call__(self, request: Request) -> Reply:
        msg_id = request.header("webhook-id")
        stamp = request.header("webhook-timestamp")
        signature = request.header("webhook-signature")
        if not (msg_id and stamp and signature):
            return self._refuse("missing Standard Webhooks headers")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > self.tolerance:
            return self._refuse("timestamp outside the tolerance")
        content = f"{msg_id}.{stamp}.".encode() + request.body
        expected = base64.b64encode(hmac.new(self.key, content, hashlib.sha256).digest())
        offered = [s.split(",", 1)[1].encode() for s in signature.split() if s.startswith("v1,")]
        if not any(hmac.compare_digest(expected, s) for s in offered):
            return self._refuse("no valid signature")
        with self._lock:
            if msg_id in self.messages:
                self.duplicates += 1
            else:
                self.messages[msg_id] = json.loads(request.body)
        return Reply(204)
