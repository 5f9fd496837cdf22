"""A local Discord: pytest-httpserver answering ``POST /api/webhooks/{id}/{token}`` as Discord's
"Execute Webhook" is documented to.

It enforces every message limit with Discord's own 400 body (``{"code": 50035, "errors": …,
"message": "Invalid Form Body"}``), answers a wrong token ``401 {"code": 50027}`` and an unknown
webhook ``404 {"code": 10015, "message": "Unknown Webhook"}``, and a valid request ``200`` with
the created message under ``?wait=true`` (``204`` without). A script of :class:`Answer` s puts
429s, outages and slow answers first.
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
from dq_discord import DiscordConfig, DiscordNotifier
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


@attrs.frozen
class Answer:
    status: int = 200
    body: str = ""
    headers: dict[str, str] = attrs.field(factory=dict)
    delay: float = 0.0


@attrs.frozen
class Seen:
    arrived: float
    body: bytes
    query: dict[str, str]
    answered: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def form_errors(payload: Any) -> dict[str, str]:
    """Discord's checks of an execute-webhook body: {path: problem}, empty when valid."""
    errors: dict[str, str] = {}
    if not isinstance(payload, dict):
        return {"_": "body must be an object"}
    if units(payload.get("content") or "") > 2000:
        errors["content"] = "BASE_TYPE_MAX_LENGTH"
    embeds = payload.get("embeds") or []
    if not payload.get("content") and not embeds:
        errors["_"] = "Cannot send an empty message (50006)"
    if len(embeds) > 10:
        errors["embeds"] = "BASE_TYPE_MAX_LENGTH"
    total = 0
    for i, embed in enumerate(embeds):
        for key, limit in (("title", 256), ("description", 4096)):
            if units(embed.get(key, "")) > limit:
                errors[f"embeds.{i}.{key}"] = "BASE_TYPE_MAX_LENGTH"
            total += units(embed.get(key, ""))
        fields = embed.get("fields", [])
        if len(fields) > 25:
            errors[f"embeds.{i}.fields"] = "BASE_TYPE_MAX_LENGTH"
        for j, field in enumerate(fields):
            if not field.get("name") or units(field["name"]) > 256:
                errors[f"embeds.{i}.fields.{j}.name"] = "BASE_TYPE_BAD_LENGTH"
            if not field.get("value") or units(field["value"]) > 1024:
                errors[f"embeds.{i}.fields.{j}.value"] = "BASE_TYPE_BAD_LENGTH"
            total += units(field.get("name", "")) + units(field.get("value", ""))
        footer = embed.get("footer", {}).get("text", "")
        if units(footer) > 2048:
            errors[f"embeds.{i}.footer.text"] = "BASE_TYPE_MAX_LENGTH"
        total += units(footer) + units(embed.get("author", {}).get("name", ""))
    if total > 6000:
        errors["embeds"] = "MAX_EMBED_SIZE_EXCEEDED"
    return errors


class FakeDiscord:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.webhook_id = str(10**17 + secrets.randbelow(10**17))
        self.token = f"TOKEN{secrets.token_urlsafe(40)}"
        self._lock = threading.Lock()
        self._script: deque[Answer] = deque()
        self.seen: list[Seen] = []
        server.expect_request(
            f"/api/webhooks/{self.webhook_id}/{self.token}", method="POST"
        ).respond_with_handler(self._handle)
        server.expect_request(f"/api/webhooks/{self.webhook_id}/WRONG{self.token}").respond_with_json(
            {"message": "Invalid Webhook Token", "code": 50027}, status=401
        )
        server.expect_request("/api/webhooks/1/gone").respond_with_json(
            {"message": "Unknown Webhook", "code": 10015}, status=404
        )

    @property
    def url(self) -> str:
        return self.server.url_for(f"/api/webhooks/{self.webhook_id}/{self.token}")

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
            response = Response(answer.body, status=answer.status, headers=answer.headers,
                                mimetype="application/json")
        else:
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            errors = form_errors(payload)
            if errors:
                response = Response(
                    json.dumps({"code": 50035, "errors": errors, "message": "Invalid Form Body"}),
                    status=400, mimetype="application/json",
                )
            elif request.args.get("wait") == "true":
                message = {"id": str(secrets.randbelow(10**18)), "webhook_id": self.webhook_id,
                           **payload}
                response = Response(json.dumps(message), status=200, mimetype="application/json")
            else:
                response = Response("", status=204)
        with self._lock:
            self.seen.append(Seen(arrived, body, dict(request.args), response.status_code))
        return response


@pytest.fixture
def discord() -> Iterator[FakeDiscord]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the stand-in's own access log
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield FakeDiscord(server)
    finally:
        server.clear()
        if server.is_running():
            server.stop()


def notifier_for(url: str, **overrides: Any) -> DiscordNotifier:
    values: dict[str, Any] = {"timeout": 0.5, "deadline": 3.0, "backoff": 0.05}
    values.update(overrides)
    return DiscordNotifier(DiscordConfig(url=dq.SecretValue(url), **values))


def note(**overrides: Any) -> dq.Notification:
    values: dict[str, Any] = {
        "title": "dq: suite orders failed 2 of 7 rules",
        "summary": "2 error rules failed on orders.parquet (1,000 rows)",
        "level": dq.Level.ERROR,
        "dedup_key": "orders-7f3a",
        "fields": {"suite": "orders"},
    }
    values.update(overrides)
    return dq.Notification(**values)
