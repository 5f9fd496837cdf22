"""A local PagerDuty Events API v2, written from PagerDuty's reference, for the tests.

:class:`FakePagerDuty` is a responder for the contract's :class:`dq_contract.servers.HttpSink`
(a real HTTP/1.1 server on 127.0.0.1): it answers every request the test did not script
the way ``POST https://events.pagerduty.com/v2/enqueue`` is documented to, and keeps the
alerts it opened by ``dedup_key`` so a test can say "one open incident, then exactly one
resolve". What it checks, each from the "Send an Alert Event" page:

* ``routing_key`` present, 32 characters, alphanumeric — else ``400 invalid event`` with
  PagerDuty's own error strings; a well-formed key that is not one of ``keys`` is
  ``400`` ``Invalid routing key``;
* ``event_action`` one of trigger / acknowledge / resolve; ``dedup_key`` at most 255
  characters, and required for acknowledge and resolve;
* a trigger's ``payload`` with ``summary`` (1-1024 characters), ``source`` and ``severity``
  (critical / error / warning / info);
* success is ``202 {"status":"success","message":"Event processed","dedup_key":…}``; a
  trigger on an open key is added to that alert, on a resolved key opens a new one; a
  resolve of an unknown or resolved key is accepted and dropped.

Importable as ``dq_pagerduty.testing`` (it needs dq-contract-tests, the test dependency, for
its HTTP server) so other test suites — dq's end-to-end tests, a user's own — can run the
same stand-in: ``with serve(FakePagerDuty(key)) as sink: ...``. :meth:`FakePagerDuty.stall`
makes it hold chosen events unanswered (and unapplied), the way a service hangs mid-request,
so a test can kill the sender during a delivery.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
from dq_contract.servers import HttpSink, Reply, Request, running_sink

SEVERITIES = {"critical", "error", "warning", "info"}
ACTIONS = {"trigger", "acknowledge", "resolve"}


@attrs.define
class Incident:
    dedup_key: str
    status: str  # triggered / acknowledged / resolved
    events: list[dict[str, Any]] = attrs.field(factory=list)


def _invalid(*errors: str) -> Reply:
    body = {"status": "invalid event", "message": "Event object is invalid", "errors": errors}
    return Reply(400, {"Content-Type": "application/json"}, json.dumps(body))


class FakePagerDuty:
    def __init__(self, *keys: str) -> None:
        self.keys = set(keys)
        self._lock = threading.Lock()
        #: Every alert ever opened, in order (a resolved key that triggers again opens another).
        self.incidents: list[Incident] = []
        self.accepted: list[dict[str, Any]] = []
        #: action -> seconds: requests of these actions are held back unapplied (``stall``)
        self._stalling: dict[str, float] = {}
        #: (action, key) of every request held back, in arrival order
        self.stalled: list[tuple[str, str]] = []
        self._changed = threading.Condition(self._lock)

    def open(self) -> list[Incident]:
        with self._lock:
            return [i for i in self.incidents if i.status != "resolved"]

    def by_key(self, key: str) -> list[Incident]:
        with self._lock:
            return [i for i in self.incidents if i.dedup_key == key]

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
        if request.path.split("?")[0] != "/v2/enqueue":
            return Reply(404, body="Not Found")
        if request.method != "POST":
            return Reply(405, body="Method Not Allowed")
        try:
            event = json.loads(request.body)
        except ValueError:
            return Reply(
                400,
                {"Content-Type": "application/json"},
                json.dumps(
                    {
                        "status": "invalid event",
                        "message": "Event object is invalid",
                        "errors": ["Malformed JSON"],
                    }
                ),
            )
        if not isinstance(event, dict):
            return _invalid("Event object is not an object")
        errors = self.validate(event)
        if errors:
            return _invalid(*errors)
        if event["routing_key"] not in self.keys:
            return _invalid("Invalid routing key")
        held = self._held(event["event_action"], str(event.get("dedup_key") or ""))
        if held is not None:
            return held
        key = self.apply(event)
        body = {"status": "success", "message": "Event processed", "dedup_key": key}
        return Reply(202, {"Content-Type": "application/json"}, json.dumps(body))

    @staticmethod
    def validate(event: dict[str, Any]) -> list[str]:
        errors = []
        key = event.get("routing_key")
        if not isinstance(key, str):
            errors.append("'routing_key' is missing or blank")
        else:
            if len(key) != 32:
                errors.append("Length of 'routing_key' is incorrect (should be 32 characters)")
            if not (key.isascii() and key.isalnum()):
                errors.append("'routing_key' cannot contain non-alphanumeric characters.")
        action = event.get("event_action")
        if action not in ACTIONS:
            errors.append(
                "'event_action' is invalid (must be one of trigger, acknowledge, resolve)"
            )
        dedup = event.get("dedup_key")
        if dedup is not None and (not isinstance(dedup, str) or len(dedup) > 255):
            errors.append("'dedup_key' must be a string of at most 255 characters")
        if action in ("acknowledge", "resolve") and not dedup:
            errors.append("'dedup_key' is required for acknowledge and resolve events")
        if action == "trigger":
            payload = event.get("payload")
            if not isinstance(payload, dict):
                return [*errors, "'payload' is missing or not an object"]
            summary = payload.get("summary")
            if not isinstance(summary, str) or not summary:
                errors.append("'payload.summary' is missing or blank")
            elif len(summary) > 1024:
                errors.append("'payload.summary' is longer than 1024 characters")
            if not isinstance(payload.get("source"), str) or not payload["source"]:
                errors.append("'payload.source' is missing or blank")
            if payload.get("severity") not in SEVERITIES:
                errors.append(
                    "'payload.severity' is invalid (expected critical, error, warning or info)"
                )
            links = event.get("links", [])
            if not isinstance(links, list) or any(
                not isinstance(link, dict) or not link.get("href") for link in links
            ):
                errors.append("'links' must be a list of objects with 'href'")
        return errors

    def apply(self, event: dict[str, Any]) -> str:
        action = event["event_action"]
        key = event.get("dedup_key") or f"generated-{len(self.incidents)}"
        with self._lock:
            self.accepted.append(event)
            current = next(
                (
                    i
                    for i in reversed(self.incidents)
                    if i.dedup_key == key and i.status != "resolved"
                ),
                None,
            )
            if action == "trigger":
                if current is None:
                    current = Incident(key, "triggered")
                    self.incidents.append(current)
                current.events.append(event)
            elif current is not None:  # resolve / acknowledge an open alert; else dropped
                current.status = "resolved" if action == "resolve" else "acknowledged"
                current.events.append(event)
        return key


@contextmanager
def serve(responder: FakePagerDuty, max_body_bytes: int = 512_000) -> Iterator[HttpSink]:
    """A real HTTP server on 127.0.0.1 answering as PagerDuty's Events API v2
    (``/v2/enqueue``) through *responder*; stopped (held requests woken) on exit.
    ``sink.origin`` is what the notifier's ``url`` takes."""
    yield from running_sink(max_body_bytes, responder=responder)
