"""A local Slack: pytest-httpserver answering as Slack's incoming webhooks are documented to.

:class:`FakeSlack` serves one webhook path (``/services/T…/B…/<token>``, the token random per
test so leak checks can search for it) and answers from a script of :class:`Answer`s, in
order, then ``200 ok`` forever (or a scripted ``then``). It records each request with its
arrival time (``time.monotonic``) and the client's port, which is how the tests see retries'
spacing and connection reuse from the server's side rather than trusting the client.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs
import dq
import pytest
from dq_slack import SlackConfig, SlackNotifier
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


@attrs.frozen
class Answer:
    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = attrs.field(factory=dict)
    #: Seconds the answer is held back (longer than the client timeout = a timeout).
    delay: float = 0.0


@attrs.frozen
class Seen:
    arrived: float
    port: int
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class FakeSlack:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.token = f"SECRETTOKEN{secrets.token_hex(10)}"
        self.path = f"/services/T0DQTEST/B0DQTEST/{self.token}"
        self._lock = threading.Lock()
        self._script: deque[Answer] = deque()
        self._then = Answer()
        self.seen: list[Seen] = []
        server.expect_request(self.path, method="POST").respond_with_handler(self._handle)

    @property
    def url(self) -> str:
        return self.server.url_for(self.path)

    def script(self, *answers: Answer, then: Answer | None = None) -> None:
        with self._lock:
            self._script = deque(answers)
            self._then = then or Answer()

    def _handle(self, request: Request) -> Response:
        arrived = time.monotonic()
        with self._lock:
            answer = self._script.popleft() if self._script else self._then
            self.seen.append(
                Seen(
                    arrived=arrived,
                    port=int(request.environ.get("REMOTE_PORT") or 0),
                    body=request.get_data(),
                    headers=dict(request.headers),
                )
            )
        if answer.delay:
            time.sleep(answer.delay)
        return Response(
            answer.body, status=answer.status, headers=answer.headers, mimetype="text/html"
        )


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield FakeSlack(server)
    finally:
        server.clear()
        if server.is_running():
            server.stop()


def notifier_for(url: str, **overrides: Any) -> SlackNotifier:
    """Short timings keep retry tests to about a second."""
    values: dict[str, Any] = {"timeout": 0.5, "deadline": 3.0, "backoff": 0.05}
    values.update(overrides)
    return SlackNotifier(SlackConfig(url=dq.SecretValue(url), **values))


def note(**overrides: Any) -> dq.Notification:
    values: dict[str, Any] = {
        "title": "dq: suite orders failed 2 of 7 rules",
        "summary": "2 error rules failed on orders.parquet (1,000 rows)",
        "level": dq.Level.ERROR,
        "dedup_key": "orders-7f3a",
        "fields": {"suite": "orders", "engine": "polars", "run id": "r-42", "rows": "1,000"},
        "links": (dq.Link(title="run report", url="https://dq.example/runs/42"),),
        "failures": (
            dq.RuleFailure(
                rule_id="amount_range",
                check="between",
                column="amount",
                severity="error",
                failed_count=42,
                element_count=1000,
            ),
            dq.RuleFailure(
                rule_id="id_unique", check="unique", column="id", failed_count=3, element_count=1000
            ),
        ),
    }
    values.update(overrides)
    return dq.Notification(**values)


class _KeepAliveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection may carry many requests
    server: _KeepAliveServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """No access log: it would print the webhook path."""

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.ports.append(self.client_address[1])
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


class _KeepAliveServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _KeepAliveHandler)
        self.lock = threading.Lock()
        self.ports: list[int] = []


@pytest.fixture
def keepalive_slack() -> Iterator[_KeepAliveServer]:
    """Slack's connection behaviour for the pooling tests: HTTP/1.1 keep-alive, ``ok``.

    (pytest-httpserver's werkzeug answers ``Connection: close`` to every request, so it
    cannot show whether a client reuses connections.) ``ports`` lists each request's client
    port: one port per connection.
    """
    server = _KeepAliveServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
