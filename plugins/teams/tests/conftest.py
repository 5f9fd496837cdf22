"""A local Teams Workflows webhook: pytest-httpserver answering as a Power Automate HTTP trigger.

:class:`FakeWorkflow` serves ``/workflows/<id>/triggers/manual/paths/invoke`` and, like the
real trigger, checks the ``sig`` query parameter (``401 DirectApiAuthorizationRequired``
otherwise), refuses a body over 28 KB (``413``), and validates the envelope the "When a Teams
webhook request is received" trigger and "Post card in a chat or channel" step need
(``type: message``, one Adaptive Card attachment of version ≥ 1.4 with a body) with ``400
TriggerInputSchemaMismatch``; a valid request is answered ``202 Accepted``. A script of
:class:`Answer` s can put throttling, outages and slow answers first.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from typing import Any

import attrs
import dq
import pytest
from dq_teams import TeamsConfig, TeamsNotifier
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

MAX_BYTES = 28_000
ADAPTIVE = "application/vnd.microsoft.card.adaptive"


@attrs.frozen
class Answer:
    status: int = 202
    body: str = ""
    headers: dict[str, str] = attrs.field(factory=dict)
    delay: float = 0.0


@attrs.frozen
class Seen:
    arrived: float
    body: bytes
    answered: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def _error(status: int, code: str, message: str) -> Response:
    body = json.dumps({"error": {"code": code, "message": message}})
    return Response(body, status=status, mimetype="application/json")


def envelope_problem(body: bytes) -> str:
    """Why the trigger + "Post card" step would refuse *body*, or ""."""
    try:
        payload = json.loads(body)
    except ValueError:
        return "the body is not JSON"
    if not isinstance(payload, dict) or payload.get("type") != "message":
        return "type must be 'message'"
    attachments = payload.get("attachments")
    if not isinstance(attachments, list) or len(attachments) != 1:
        return "attachments must hold exactly one card"
    (attachment,) = attachments
    if attachment.get("contentType") != ADAPTIVE:
        return f"contentType must be {ADAPTIVE}"
    content = attachment.get("content")
    if not isinstance(content, dict) or content.get("type") != "AdaptiveCard":
        return "content must be an AdaptiveCard"
    version = str(content.get("version", "0"))
    if tuple(int(p) for p in version.split(".")) < (1, 4):
        return f"card version {version} is below 1.4"
    if not isinstance(content.get("body"), list) or not content["body"]:
        return "the card has no body"
    for element in content["body"]:
        if element.get("type") not in {"TextBlock", "FactSet", "ColumnSet", "Container"}:
            return f"unknown element {element.get('type')!r}"
        if element["type"] == "TextBlock" and not isinstance(element.get("text"), str):
            return "a TextBlock without text"
    return ""


class FakeWorkflow:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.flow = secrets.token_hex(16)
        self.sig = f"SIG{secrets.token_urlsafe(24)}"
        self.path = f"/workflows/{self.flow}/triggers/manual/paths/invoke"
        self._lock = threading.Lock()
        self._script: deque[Answer] = deque()
        self.seen: list[Seen] = []
        server.expect_request(self.path, method="POST").respond_with_handler(self._handle)

    @property
    def url(self) -> str:
        query = f"api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={self.sig}"
        return self.server.url_for(self.path) + "?" + query

    def script(self, *answers: Answer) -> None:
        with self._lock:
            self._script = deque(answers)

    def _handle(self, request: Request) -> Response:
        arrived = time.monotonic()
        body = request.get_data()
        with self._lock:
            answer = self._script.popleft() if self._script else None
        if answer is not None and answer.delay:
            time.sleep(answer.delay)
        if answer is not None:
            response = Response(answer.body, status=answer.status, headers=answer.headers)
        elif request.args.get("sig") != self.sig:
            response = _error(
                401, "DirectApiAuthorizationRequired", "The request must be authenticated"
            )
        elif len(body) > MAX_BYTES:
            response = _error(413, "MessageSizeExceeded", "The message is over 28 KB")
        elif problem := envelope_problem(body):
            response = _error(400, "TriggerInputSchemaMismatch", problem)
        else:
            response = Response("", status=202)
        with self._lock:
            self.seen.append(Seen(arrived=arrived, body=body, answered=response.status_code))
        return response


@pytest.fixture
def workflow() -> Iterator[FakeWorkflow]:
    # werkzeug (the stand-in's server) logs each request line, query string and all: that is
    # the *service's* access log, not dq's, so it is kept out of the tests' captured logs
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield FakeWorkflow(server)
    finally:
        server.clear()
        if server.is_running():
            server.stop()


def notifier_for(url: str, **overrides: Any) -> TeamsNotifier:
    values: dict[str, Any] = {"timeout": 0.5, "deadline": 3.0, "backoff": 0.05}
    values.update(overrides)
    return TeamsNotifier(TeamsConfig(url=dq.SecretValue(url), **values))


def note(**overrides: Any) -> dq.Notification:
    values: dict[str, Any] = {
        "title": "dq: suite orders failed 2 of 7 rules",
        "summary": "2 error rules failed on orders.parquet (1,000 rows)",
        "level": dq.Level.ERROR,
        "dedup_key": "orders-7f3a",
        "fields": {"suite": "orders", "engine": "polars"},
        "links": (dq.Link(title="run report", url="https://dq.example/runs/42"),),
        "failures": (
            dq.RuleFailure(
                rule_id="amount_range", check="between", column="amount",
                failed_count=42, element_count=1000,
            ),
        ),
    }
    values.update(overrides)
    return dq.Notification(**values)
