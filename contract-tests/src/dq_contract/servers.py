"""Local servers the contracts run components against: :class:`HttpSink`, a scriptable webhook.

A notifier's contract is about what crosses the wire (how often, how fast, with which key,
how big), so it is tested against a real HTTP/1.1 server on ``127.0.0.1`` rather than a
mocked client: a mock would only prove the notifier calls the library the author expected.
The sink records every request with its arrival time (``time.monotonic``) and answers from a
script, so a test can say "429 with Retry-After: 1, then 200" and measure what the client did.

Standard library only (``http.server``), in a background thread: nothing to install, and it
works under any event loop the component uses.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs


@attrs.frozen
class Reply:
    """One scripted response.

    ``delay`` holds the response back that many seconds (longer than the client's timeout
    produces a timeout); ``malformed`` announces more body than it sends and drops the
    connection, a response broken off mid-body.
    """

    status: int = 200
    headers: dict[str, str] = attrs.field(factory=dict)
    body: str | bytes = ""
    delay: float = 0.0
    malformed: bool = False

    def body_bytes(self) -> bytes:
        return self.body.encode() if isinstance(self.body, str) else self.body


@attrs.frozen(kw_only=True)
class Request:
    """What the sink received. ``arrived`` is ``time.monotonic()`` when the headers were read."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    arrived: float
    #: The status the sink answered with (413 when the body was over the limit).
    answered: int

    def header(self, name: str) -> str | None:
        """The first header called *name* (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


#: Answers a request the script does not cover: a vendor's stand-in (see :class:`HttpSink`).
Responder = Callable[[Request], Reply]


class HttpSink:
    """A recording, scriptable HTTP/1.1 server on 127.0.0.1 (an ephemeral port).

    ``url`` ends in a secret-looking path (``/hooks/T000/SECRET-TOKEN-<random>``) so that leak
    tests can search logs and errors for :attr:`token`. Bodies over ``max_body_bytes`` are
    answered 413 without consuming the script, as a real service enforces its limit.

    ``responder`` makes the sink speak a vendor's protocol: it answers every request that no
    scripted reply (nor an explicit ``then``) covers, so a plugin's contract run talks to a
    stand-in of its service (validating bodies, keeping incidents) while the contract still
    scripts the faults. Without one, unscripted requests get ``Reply(200)``. It runs on the
    server's thread, outside the sink's lock, and must be thread-safe.
    """

    def __init__(
        self, *, max_body_bytes: int = 512_000, responder: Responder | None = None
    ) -> None:
        self.max_body_bytes = max_body_bytes
        self.responder = responder
        self.token = f"SECRET-TOKEN-{secrets.token_hex(8)}"
        self.path = f"/hooks/T000/{self.token}"
        self._lock = threading.Lock()
        self._replies: deque[Reply] = deque()
        self._then: Reply | None = None
        self._requests: list[Request] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> HttpSink:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.sink = self
        self._server = server
        self._port = server.server_address[1]
        self._stopping.clear()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="dq-contract-http-sink",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (idempotent); the port then refuses connections."""
        self._stopping.set()  # wakes handlers holding back a delayed reply
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> HttpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests use -------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}{self.path}"

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``, for services whose URL is not the secret (an API host
        plus a documented path, the credential in a header or the body)."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def requests(self) -> list[Request]:
        """A snapshot of the requests received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def script(self, replies: Iterable[Reply], *, then: Reply | None = None) -> None:
        """Answer the next requests with *replies* in order, and every later one with *then*
        (by default: the responder, or ``Reply(200)`` without one)."""
        with self._lock:
            self._replies = deque(replies)
            self._then = then

    def reset(self) -> None:
        """Forget requests and script (the next request is answered by the responder, or
        ``Reply(200)``)."""
        with self._lock:
            self._requests.clear()
            self._replies.clear()
            self._then = None

    # -- used by the handler --------------------------------------------------------------

    def _answer(self, request: Request, oversized: bool) -> Reply:
        with self._lock:
            if oversized:
                reply: Reply | None = Reply(413, body="request entity too large")
            elif self._replies:
                reply = self._replies.popleft()
            else:
                reply = self._then
            responder = self.responder
        if reply is None:
            reply = responder(request) if responder is not None else Reply(200)
        with self._lock:
            self._requests.append(attrs.evolve(request, answered=reply.status))
        return reply


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sink: HttpSink

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up on a delayed or malformed reply is the point; stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    #: Idle keep-alive connections are dropped after this, so no thread outlives a test long.
    timeout = 5

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """No access log on stderr (it would also print the secret path)."""

    def _handle(self) -> None:
        arrived = time.monotonic()
        sink = self.server.sink
        body = self._read_body()
        request = Request(
            method=self.command,
            path=self.path,
            headers=tuple(self.headers.items()),
            body=body,
            arrived=arrived,
            answered=0,
        )
        reply = sink._answer(request, oversized=len(body) > sink.max_body_bytes)
        if reply.delay and sink._stopping.wait(reply.delay):
            self.close_connection = True
            return
        self._write(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return b"".join(_chunks(self.rfile))
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _write(self, reply: Reply) -> None:
        payload = reply.body_bytes()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if "content-type" not in {k.lower() for k in reply.headers}:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        if reply.malformed:
            self.send_header("Content-Length", str(len(payload) + 100))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _chunks(rfile: Any) -> Iterator[bytes]:
    while True:
        size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return
        yield rfile.read(size)
        rfile.readline()


def running_sink(
    max_body_bytes: int = 512_000, responder: Responder | None = None
) -> Iterator[HttpSink]:
    """Generator for a pytest fixture: a started sink, stopped after the test."""
    sink = HttpSink(max_body_bytes=max_body_bytes, responder=responder).start()
    try:
        yield sink
    finally:
        sink.stop()
