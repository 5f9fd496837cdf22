"""A ``dq.Notification`` as a PagerDuty Events API v2 event, always within PagerDuty's limits.

From PagerDuty's "Send an Alert Event" reference (developer.pagerduty.com, Events API v2):

* ``routing_key`` (32 characters), ``event_action`` ``trigger`` / ``acknowledge`` /
  ``resolve``, ``dedup_key`` (at most 255 characters; required to resolve);
* a trigger's ``payload``: ``summary`` (required, at most 1024 characters), ``source`` and
  ``severity`` (``critical`` / ``error`` / ``warning`` / ``info``) required; ``timestamp``,
  ``component``, ``group``, ``class``, ``custom_details`` optional; top-level ``links``
  (``href``, ``text``), ``client``, ``client_url``;
* a resolve needs only ``routing_key``, ``event_action`` and ``dedup_key``;
* one event body is at most 512 KB.

PagerDuty refuses an event over a limit (400 ``invalid event``), and the alert about the
10,000-row failure is the one with the long texts; so every text is cut *before* sending,
each cut ending in "…", and lists that do not fit are counted instead of dropped silently.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import attrs
import dq

ELLIPSIS = "…"
SUMMARY_MAX = 1024
DEDUP_KEY_MAX = 255
SEVERITY = {
    dq.Level.CRITICAL: "critical",
    dq.Level.ERROR: "error",
    dq.Level.WARNING: "warning",
    dq.Level.INFO: "info",
}
_SURROGATES = re.compile(r"[\ud800-\udfff]")


@attrs.frozen
class Budget:
    """How much of each text an event may use; halved until the body fits."""

    text: int = 20_000  # the notification's summary, in custom_details
    value: int = 2_000  # each field value, rule message, link text
    items: int = 100  # fields, failing rules and links listed

    def halved(self) -> Budget | None:
        floor = Budget(text=200, value=40, items=1)
        if self == floor:
            return None
        pairs = zip(attrs.astuple(self), attrs.astuple(floor), strict=True)
        return Budget(*(max(a // 2, b) for a, b in pairs))


def units(text: str) -> int:
    """Length in UTF-16 code units (never fewer than code points): however PagerDuty counts
    characters, an emoji cannot push a text over."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def cut(text: str, limit: int) -> str:
    """*text* if within *limit* units, else its longest prefix + "…" that is."""
    text = _SURROGATES.sub("\ufffd", text)
    if len(text) <= limit // 2 or units(text) <= limit:
        return text
    keep = limit - 1
    prefix = text[:keep]
    while units(prefix) > keep:
        prefix = prefix[: -max(1, (units(prefix) - keep) // 2)]
    return prefix + ELLIPSIS


def dedup_key(key: str) -> str:
    """The notification's key as PagerDuty's ``dedup_key`` (at most 255 characters).

    Keys that fit are sent unchanged. A longer one is cut and suffixed with a hash of the
    whole key, deterministically: its trigger and its resolve map to the same value, and two
    long keys sharing a prefix stay apart.
    """
    key = _SURROGATES.sub("\ufffd", key)
    if len(key) <= DEDUP_KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return key[: DEDUP_KEY_MAX - len(digest) - 1] + "~" + digest


def _failure(failure: dq.RuleFailure, budget: Budget) -> dict[str, Any]:
    item: dict[str, Any] = {
        "rule": cut(failure.rule_id, 200),
        "check": cut(failure.check, 100),
        "severity": cut(failure.severity, 20),
        "failed": failure.failed_count,
        "of": failure.element_count,
    }
    if failure.column:
        item["column"] = cut(failure.column, 200)
    if failure.message:
        item["message"] = cut(failure.message, budget.value)
    return item


def event(notification: dq.Notification, routing_key: str, config: Any, budget: Budget) -> dict:
    """The event for *notification* under *budget* (``config``: a PagerDutyConfig)."""
    base = {
        "routing_key": routing_key,
        "dedup_key": dedup_key(notification.dedup_key),
    }
    if notification.kind is dq.NotificationKind.RESOLVE:
        return {**base, "event_action": "resolve"}
    details: dict[str, Any] = {}
    if notification.summary:
        details["summary"] = cut(notification.summary, budget.text)
    if notification.tenant is not None:
        details["tenant"] = cut(str(notification.tenant), 200)
    fields = list(notification.fields.items())
    if fields:
        shown = fields[: budget.items]
        details["fields"] = {cut(k, 200): cut(v, budget.value) for k, v in shown}
        if len(fields) > len(shown):
            details["fields_not_shown"] = len(fields) - len(shown)
    failures = notification.failures
    if failures:
        limit = min(budget.items, config.max_failures)
        details["failing_rules"] = [_failure(f, budget) for f in failures[:limit]]
        details["failing_rules_total"] = len(failures)
    payload: dict[str, Any] = {
        "summary": cut(" ".join(notification.title.split()) or "dq notification", SUMMARY_MAX),
        "source": cut(config.source, 1000) or "dq",
        "severity": SEVERITY[notification.level],
        "class": "data quality",
        "custom_details": details,
    }
    if "suite" in notification.fields:
        payload["component"] = cut(notification.fields["suite"], 200)
    if notification.tenant is not None:
        payload["group"] = cut(str(notification.tenant), 200)
    if notification.created_at is not None:
        payload["timestamp"] = notification.created_at.isoformat()
    body: dict[str, Any] = {
        **base,
        "event_action": "trigger",
        "payload": payload,
        "client": cut(config.client, 200),
    }
    if config.client_url:
        body["client_url"] = config.client_url
    links = [
        {"href": link.url, "text": cut(link.title, budget.value)}
        for link in notification.links[: budget.items]
        if link.url.startswith(("https://", "http://")) and units(link.url) <= 2_000
    ]
    if links:
        body["links"] = links
    return body


def encode(body: dict[str, Any]) -> bytes:
    """UTF-8 JSON without ``\\u`` escapes, so the byte size tracks the text."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def render_event(notification: dq.Notification, routing_key: str, config: Any) -> bytes:
    """The request body for *notification*: valid within every PagerDuty limit and under
    ``config.max_body_bytes`` (budgets are halved until it fits; the floor is a few kB)."""
    budget: Budget | None = Budget()
    body = b""
    while budget is not None:
        body = encode(event(notification, routing_key, config, budget))
        if len(body) <= config.max_body_bytes:
            break
        budget = budget.halved()
    return body
