"""Render a ``dq.Notification`` as a Teams Workflows message: one Adaptive Card, ≤ 28 KB.

The body is what a Workflows webhook ("When a Teams webhook request is received", then "Post
card in a chat or channel") expects::

    {"type": "message",
     "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                      "contentUrl": null,
                      "content": {"type": "AdaptiveCard", "version": "1.4", "body": [...]}}]}

Adaptive Card 1.4 (Teams renders up to 1.5): TextBlocks for title, summary and failing
rules, a FactSet for fields, a FactSet with ``status`` (open / resolved), level and the
``dedup key`` (so a human, and dq's contract, can match a resolve to its alert), and up to
six ``Action.OpenUrl`` buttons for links. A resolve is a short "Resolved" card referencing
the same key. Teams refuses messages over 28 KB, so texts are cut ("…") and lists counted
("… and 37 more") with a budget halved until the UTF-8 body fits.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import attrs
import dq

ELLIPSIS = "…"
CARD_VERSION = "1.4"
MAX_ACTIONS = 6
_UNCLEAN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_COLOR = {
    dq.Level.INFO: "Default",
    dq.Level.WARNING: "Warning",
    dq.Level.ERROR: "Attention",
    dq.Level.CRITICAL: "Attention",
}


@attrs.frozen
class Budget:
    title: int = 500
    summary: int = 12_000
    field: int = 1_000
    fields: int = 30
    failures: int = 20
    line: int = 300
    links: int = MAX_ACTIONS

    def halved(self) -> Budget | None:
        floor = Budget(title=80, summary=200, field=60, fields=2, failures=1, line=100, links=1)
        if self == floor:
            return None
        pairs = zip(attrs.astuple(self), attrs.astuple(floor), strict=True)
        return Budget(*(max(a // 2, b) for a, b in pairs))


def clean(text: str) -> str:
    return _SURROGATES.sub("\ufffd", _UNCLEAN.sub("", text))


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def _failure_line(failure: dq.RuleFailure, limit: int) -> str:
    on = f" on {one_line(failure.column)}" if failure.column else ""
    counts = f"{failure.failed_count:,} failed"
    if failure.element_count > 0:
        share = 100 * failure.failed_count / failure.element_count
        counts = f"{failure.failed_count:,} of {failure.element_count:,} failed ({share:.3g}%)"
    line = f"- {one_line(failure.rule_id)} {one_line(failure.check)}{on} · {failure.severity}"
    return cut(f"{line} · {counts}", limit)


def card(notification: dq.Notification, budget: Budget, max_failures: int = 20) -> dict:
    resolved = notification.kind is dq.NotificationKind.RESOLVE
    body: list[dict[str, Any]] = []
    if resolved:
        body.append(_text("✅ Resolved", weight="Bolder", color="Good"))
    body.append(
        _text(
            cut(one_line(notification.title), budget.title) or "dq notification",
            weight="Bolder",
            size="Medium",
            style="heading",
            color="Good" if resolved else _COLOR[notification.level],
        )
    )
    summary = cut(clean(notification.summary), budget.summary)
    if summary.strip():
        body.append(_text(summary))
    items = list(notification.fields.items())
    if notification.tenant is not None and "tenant" not in notification.fields:
        items.insert(0, ("tenant", str(notification.tenant)))
    if items:
        shown = items[: budget.fields]
        facts = [
            {"title": cut(one_line(k), 100) or "-", "value": cut(clean(v), budget.field) or "-"}
            for k, v in shown
        ]
        if len(items) > len(shown):
            facts.append({"title": "…", "value": f"and {len(items) - len(shown):,} more fields"})
        body.append({"type": "FactSet", "facts": facts})
    failures = notification.failures
    if failures and not resolved:
        limit = min(budget.failures, max_failures)
        lines = [_failure_line(f, budget.line) for f in failures[:limit]]
        if len(failures) > limit:
            lines.append(f"… and {len(failures) - limit:,} more failing rules")
        body.append(_text(f"Failing rules ({len(failures):,})", weight="Bolder"))
        body.append(_text("\n".join(lines)))
    body.append(
        {
            "type": "FactSet",
            "separator": True,
            "facts": [
                {"title": "status", "value": "resolved" if resolved else "open"},
                {"title": "level", "value": notification.level.value},
                {"title": "dedup key", "value": notification.dedup_key},
            ],
        }
    )
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    actions = []
    for link in notification.links[: budget.links]:
        url = link.url.strip()
        if urlsplit(url).scheme.lower() in ("http", "https") and len(url) <= 2_000:
            actions.append(
                {"type": "Action.OpenUrl", "title": cut(one_line(link.title), 60) or "link",
                 "url": url}
            )
    if actions:
        content["actions"] = actions
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": content,
            }
        ],
    }


def encode(payload: dict[str, Any]) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "replace")


def render_message(
    notification: dq.Notification, *, max_body_bytes: int = 28_000, max_failures: int = 20
) -> bytes:
    """The request body: a valid Workflows message, at most *max_body_bytes* of UTF-8."""
    budget: Budget | None = Budget()
    body = b""
    while budget is not None:
        body = encode(card(notification, budget, max_failures))
        if len(body) <= max_body_bytes:
            return body
        budget = budget.halved()
    # the floor still too big (a dedup key of kilobytes): drop the optional parts
    payload = card(notification, Budget(80, 200, 60, 0, 0, 100, 0), 0)
    content = payload["attachments"][0]["content"]
    content["body"] = [b for b in content["body"] if b["type"] != "FactSet"][:2] + [
        content["body"][-1]
    ]
    return encode(payload)
