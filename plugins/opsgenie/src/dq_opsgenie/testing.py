"""A local Opsgenie Alert API v2, written from Opsgenie's reference, for the tests.

:class:`FakeOpsgenie` is a responder for the contract's :class:`dq_contract.servers.HttpSink`
(a real HTTP/1.1 server on 127.0.0.1). It answers every request the test did not script
as Opsgenie's Alert API is documented to, and keeps alerts by alias:

* ``Authorization: GenieKey <key>`` — a missing or unknown key is ``401`` ``Could not
  authenticate``; a key of an integration without create-and-update access is ``403``;
* ``POST /v2/alerts`` — ``message`` required, at most 130 characters; ``alias`` 512;
  ``description`` 15,000; ``tags`` at most 20 of at most 50; ``details`` a string map of at
  most 8,000 characters in all; ``entity`` 512; ``source`` 100; ``priority`` P1-P5.
  A violation is ``422`` ``Request body is not processable`` with ``errors`` per field.
  An open alert with the same alias is not duplicated: its ``count`` goes up;
* ``POST /v2/alerts/{identifier}/close?identifierType=alias`` — closes the open alert with
  that alias (``source``/``user`` 100, ``note`` 25,000);
* success is ``202 {"result":"Request will be processed","took":…,"requestId":…}``: the
  real API applies the request later; the stand-in applies it at once and records it under
  its ``requestId``. Lengths are counted in UTF-16 units (Opsgenie runs on the JVM).

Importable as ``dq_opsgenie.testing`` (it needs dq-contract-tests, the test dependency, for
its HTTP server) so other test suites — dq's end-to-end tests, a user's own — can run the
same stand-in: ``with serve(FakeOpsgenie(key)) as sink: ...``. :meth:`FakeOpsgenie.stall`
makes it hold chosen events unanswered (and unapplied), the way a service hangs mid-request,
so a test can kill the sender during a delivery.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import attrs
from dq_contract.servers import HttpSink, Reply, Request, running_sink

JSON = {"Content-Type": "application/json"}
PRIORITIES = {"P1", "P2", "P3", "P4", "P5"}
LIMITS = {
    "message": 130,
    "alias": 512,
    "description": 15_000,
    "entity": 512,
    "source": 100,
    "user": 100,
    "note": 25_000,
}


def units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@attrs.define
class Alert:
    alias: str
    message: str
    status: str = "open"
    count: int = 1
    body: dict[str, Any] = attrs.field(factory=dict)
    closes: list[dict[str, Any]] = attrs.field(factory=list)


def _reply(status: int, body: dict[str, Any]) -> Reply:
    return Reply(status, JSON, json.dumps({**body, "took": 0.01}))


class FakeOpsgenie:
    def __init__(self, key: str, *, read_only_keys: tuple[str, ...] = ()) -> None:
        self.key = key
        self.read_only = set(read_only_keys)
        self._lock = threading.Lock()
        self.alerts: list[Alert] = []
        #: requestId -> (action, alias), for every accepted request
        self.requests: dict[str, tuple[str, str]] = {}
        #: action -> seconds: requests of these actions are held back unapplied (``stall``)
        self._stalling: dict[str, float] = {}
        #: (action, key) of every request held back, in arrival order
        self.stalled: list[tuple[str, str]] = []
        self._changed = threading.Condition(self._lock)

    def open(self) -> list[Alert]:
        with self._lock:
            return [a for a in self.alerts if a.status == "open"]

    def by_alias(self, alias: str) -> list[Alert]:
        with self._lock:
            return [a for a in self.alerts if a.alias == alias]

    # -- stalling: a service that hangs mid-request -----------------------------------------

    def stall(self, *actions: str, seconds: float = 60.0) -> None:
        """Hold every later request of *actions* for *seconds* without applying it, then
        answer 503: the sender sees a request that never completes (until its own timeout).
        Stopping the sink wakes held requests early. ``stall()`` with no action ends it."""
        with self._lock:
            self._stalling = dict.fromkeys(actions, seconds)

    def wait_stalled(self, count: int = 1, timeout: float = 30.0) -> bool:
        """Block until *count* requests are being held back; False when *timeout* ran out."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.stalled) >= count, timeout)

    def _held(self, action: str, key: str) -> Reply | None:
        with self._changed:
            seconds = self._stalling.get(action)
            if seconds is None:
                return None
            self.stalled.append((action, key))
            self._changed.notify_all()
        return Reply(503, {"Content-Type": "text/plain"}, "stalled by the test", delay=seconds)

    def __call__(self, request: Request) -> Reply:
        auth = request.header("Authorization") or ""
        scheme, _, key = auth.partition(" ")
        if scheme != "GenieKey" or key not in {self.key, *self.read_only}:
            return _reply(401, {"message": "Could not authenticate"})
        if key in self.read_only:
            return _reply(403, {"message": "You are not authorized to create alerts"})
        if request.method != "POST":
            return _reply(405, {"message": "Method not allowed"})
        try:
            body = json.loads(request.body) if request.body else {}
        except ValueError:
            return _reply(400, {"message": "Could not parse request body"})
        if not isinstance(body, dict):
            return _reply(422, {"message": "Request body is not processable."})
        url = urlsplit(request.path)
        segments = url.path.split("/")
        if url.path == "/v2/alerts":
            return self.create(body)
        if len(segments) == 5 and segments[:3] == ["", "v2", "alerts"] and segments[4] == "close":
            kind = parse_qs(url.query).get("identifierType", ["id"])[0]
            return self.close(unquote(segments[3]), kind, body)
        return _reply(404, {"message": "Not found"})

    @staticmethod
    def validate(body: dict[str, Any], *, create: bool) -> dict[str, str]:
        errors: dict[str, str] = {}
        if create and (not isinstance(body.get("message"), str) or not body["message"].strip()):
            errors["message"] = "Message can not be empty."
        for name, limit in LIMITS.items():
            value = body.get(name)
            if value is not None and (not isinstance(value, str) or units(value) > limit):
                errors[name] = f"{name.capitalize()} can not be longer than {limit} characters."
        tags = body.get("tags", [])
        if (
            not isinstance(tags, list)
            or len(tags) > 20
            or any(not isinstance(t, str) or units(t) > 50 for t in tags)
        ):
            errors["tags"] = "Tags can have at most 20 tags of at most 50 characters."
        details = body.get("details", {})
        if (
            not isinstance(details, dict)
            or any(not isinstance(v, str) for v in details.values())
            or sum(units(k) + units(v) for k, v in details.items()) > 8_000
        ):
            errors["details"] = "Details can be a string map of at most 8000 characters."
        if "priority" in body and body["priority"] not in PRIORITIES:
            errors["priority"] = "Priority should be one of [P1, P2, P3, P4, P5]."
        return errors

    def _accepted(self, action: str, alias: str) -> Reply:
        request_id = str(uuid.uuid4())
        self.requests[request_id] = (action, alias)
        return _reply(202, {"result": "Request will be processed", "requestId": request_id})

    def create(self, body: dict[str, Any]) -> Reply:
        errors = self.validate(body, create=True)
        if errors:
            return _reply(
                422,
                {
                    "message": "Request body is not processable. Please check the errors.",
                    "errors": errors,
                },
            )
        alias = body.get("alias") or str(uuid.uuid4())
        held = self._held("create", alias)
        if held is not None:
            return held
        with self._lock:
            current = next(
                (a for a in self.alerts if a.alias == alias and a.status == "open"), None
            )
            if current is None:
                self.alerts.append(Alert(alias, body["message"], body=body))
            else:
                current.count += 1
            return self._accepted("create", alias)

    def close(self, identifier: str, kind: str, body: dict[str, Any]) -> Reply:
        errors = self.validate(body, create=False)
        if errors:
            return _reply(422, {"message": "Request body is not processable.", "errors": errors})
        if kind != "alias":
            return _reply(422, {"message": f"identifierType {kind!r} is not supported here"})
        held = self._held("close", identifier)
        if held is not None:
            return held
        with self._lock:
            for alert in self.alerts:
                if alert.alias == identifier and alert.status == "open":
                    alert.status = "closed"
                    alert.closes.append(body)
            return self._accepted("close", identifier)


@contextmanager
def serve(responder: FakeOpsgenie, max_body_bytes: int = 64_000) -> Iterator[HttpSink]:
    """A real HTTP server on 127.0.0.1 answering as Opsgenie's Alert API v2 through
    *responder*; stopped (held requests woken) on exit.
    ``sink.origin`` is what the notifier's ``url`` takes."""
    yield from running_sink(max_body_bytes, responder=responder)
