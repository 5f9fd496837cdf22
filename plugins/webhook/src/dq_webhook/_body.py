"""The request body: ``dq.notification/v1``, documented by the JSON Schema shipped beside it.

Shaped the way Standard Webhooks recommends (``type``, ``timestamp``, ``data``), plus the two
fields a receiver routes by at the top: ``kind`` (``trigger`` / ``resolve``) and
``dedup_key`` (the incident: a resolve carries its trigger's key). The schema id is
versioned: a field may be *added* within v1; renaming or removing one makes v2.

Texts are cut to keep the body under ``max_body_bytes`` (budgets halved until it fits),
each cut ending in "…", and ``data.truncated`` says whether anything was cut or left out, so
a receiver never mistakes a shortened alert for the whole one.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import attrs
import dq

SCHEMA_ID = "dq.notification/v1"
TYPES = {
    dq.NotificationKind.TRIGGER: "dq.incident.triggered",
    dq.NotificationKind.RESOLVE: "dq.incident.resolved",
}
ELLIPSIS = "…"
_SURROGATES = re.compile(r"[\ud800-\udfff]")


@attrs.frozen
class Budget:
    text: int = 50_000  # title and summary
    value: int = 10_000  # field values, rule messages, link titles
    items: int = 200  # fields, failures and links listed

    def halved(self) -> Budget | None:
        floor = Budget(text=200, value=40, items=1)
        if self == floor:
            return None
        pairs = zip(attrs.astuple(self), attrs.astuple(floor), strict=True)
        return Budget(*(max(a // 2, b) for a, b in pairs))


class _Cutter:
    """Cuts texts to a budget and remembers whether it had to."""

    def __init__(self) -> None:
        self.cut_any = False

    def __call__(self, text: str, limit: int) -> str:
        text = _SURROGATES.sub("\ufffd", text)
        if len(text) <= limit:
            return text
        self.cut_any = True
        return text[: max(limit - 1, 0)] + ELLIPSIS


def _failure(failure: dq.RuleFailure, cut: _Cutter, budget: Budget) -> dict[str, Any]:
    return {
        "rule_id": cut(failure.rule_id, 500),
        "check": cut(failure.check, 100),
        "column": cut(failure.column, 500) if failure.column is not None else None,
        "severity": cut(failure.severity, 20),
        "failed_count": failure.failed_count,
        "element_count": failure.element_count,
        "message": cut(failure.message, budget.value),
    }


def payload(
    notification: dq.Notification, budget: Budget, timestamp: str, max_failures: int
) -> dict[str, Any]:
    cut = _Cutter()
    items = min(budget.items, max_failures)
    fields = list(notification.fields.items())[: budget.items]
    links = notification.links[: budget.items]
    failures = notification.failures[:items]
    data: dict[str, Any] = {
        "title": cut(notification.title, budget.text),
        "summary": cut(notification.summary, budget.text),
        "level": notification.level.value,
        "tenant": str(notification.tenant) if notification.tenant is not None else None,
        "fields": {cut(k, 200): cut(v, budget.value) for k, v in fields},
        "links": [{"title": cut(x.title, budget.value), "url": x.url} for x in links],
        "failures": [_failure(f, cut, budget) for f in failures],
        "failures_total": len(notification.failures),
    }
    left_out = (
        len(fields) < len(notification.fields)
        or len(links) < len(notification.links)
        or len(failures) < len(notification.failures)
    )
    data["truncated"] = cut.cut_any or left_out
    return {
        "schema": SCHEMA_ID,
        "type": TYPES[notification.kind],
        "timestamp": timestamp,
        "kind": notification.kind.value,
        "dedup_key": _SURROGATES.sub("\ufffd", notification.dedup_key),
        "data": data,
    }


def encode(body: dict[str, Any]) -> bytes:
    """UTF-8 JSON without ``\\u`` escapes, so the byte size tracks the text."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def render_body(
    notification: dq.Notification, *, max_body_bytes: int = 256_000, max_failures: int = 100
) -> bytes:
    """The JSON body for *notification*, under *max_body_bytes*. Rendered once per send, so
    every retry posts the same bytes (and the same signature input but the timestamp)."""
    when = notification.created_at or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    timestamp = when.astimezone(UTC).isoformat().replace("+00:00", "Z")
    budget: Budget | None = Budget()
    body = b""
    while budget is not None:
        body = encode(payload(notification, budget, timestamp, max_failures))
        if len(body) <= max_body_bytes:
            break
        budget = budget.halved()
    return body
