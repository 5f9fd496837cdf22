"""A ``dq.Notification`` as an Opsgenie Alert API v2 request, always within Opsgenie's limits.

From Opsgenie's Alert API reference (docs.opsgenie.com, "Alert API": Create Alert, Close
Alert) and "Alerts and alert fields":

* create: ``POST /v2/alerts`` with ``message`` (required, at most 130 characters),
  ``alias`` (the dedup key: one open alert per alias, at most 512), ``description`` (at
  most 15,000), ``tags`` (at most 20, each at most 50), ``details`` (string map, at most
  8,000 characters in all), ``entity`` (512), ``source`` (100), ``priority`` ``P1``–``P5``
  (``P3`` by default);
* close: ``POST /v2/alerts/{alias}/close?identifierType=alias`` with optional ``source``,
  ``user`` (100) and ``note`` (25,000).

Opsgenie refuses a request with a field over its limit (422), so every text is cut first,
each cut ending in "…". Lengths are counted in UTF-16 code units, never fewer than code
points: however Opsgenie counts, an emoji cannot push a field over.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

import attrs
import dq

ELLIPSIS = "…"
MESSAGE_MAX = 130
ALIAS_MAX = 512
DESCRIPTION_MAX = 15_000
TAGS_MAX = 20
TAG_MAX = 50
DETAILS_MAX = 8_000
ENTITY_MAX = 512
SOURCE_MAX = 100
NOTE_MAX = 25_000
PRIORITY = {
    dq.Level.CRITICAL: "P1",
    dq.Level.ERROR: "P2",
    dq.Level.WARNING: "P3",
    dq.Level.INFO: "P5",
}
_SURROGATES = re.compile(r"[\ud800-\udfff]")


@attrs.frozen
class Budget:
    """How much text one request may use; halved until the body fits ``max_body_bytes``."""

    description: int = DESCRIPTION_MAX
    details: int = DETAILS_MAX
    failures: int = 50

    def halved(self) -> Budget | None:
        floor = Budget(description=500, details=300, failures=1)
        if self == floor:
            return None
        pairs = zip(attrs.astuple(self), attrs.astuple(floor), strict=True)
        return Budget(*(max(a // 2, b) for a, b in pairs))


def units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def cut(text: str, limit: int) -> str:
    """*text* if within *limit* UTF-16 units, else its longest prefix + "…" that is."""
    text = _SURROGATES.sub("\ufffd", text)
    if len(text) <= limit // 2 or units(text) <= limit:
        return text
    keep = limit - 1
    prefix = text[:keep]
    while units(prefix) > keep:
        prefix = prefix[: -max(1, (units(prefix) - keep) // 2)]
    return prefix + ELLIPSIS


def one_line(text: str) -> str:
    return " ".join(text.split())


def alias(key: str) -> str:
    """The dedup key as Opsgenie's ``alias`` (at most 512): unchanged when it fits, else cut
    and suffixed with a hash of the whole key, the same for the create and the close."""
    key = _SURROGATES.sub("\ufffd", key)
    if units(key) <= ALIAS_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return cut(key, ALIAS_MAX - len(digest) - 1).removesuffix(ELLIPSIS) + "~" + digest


def close_path(key: str) -> str:
    """``/v2/alerts/{alias}/close?identifierType=alias``, the alias percent-encoded whole
    (a ``/`` or ``?`` in a dedup key must not change the path)."""
    return f"/v2/alerts/{quote(alias(key), safe='')}/close?identifierType=alias"


def tag(text: str) -> str:
    """Opsgenie splits tags on commas and spaces in its UI; keep one tag one word."""
    return cut(re.sub(r"[\s,]+", "_", text.strip()), TAG_MAX)


def tags(notification: dq.Notification, extra: tuple[str, ...]) -> list[str]:
    found = ["dq", f"level:{notification.level.value}"]
    if notification.tenant is not None:
        found.append(f"tenant:{notification.tenant}")
    if "suite" in notification.fields:
        found.append(f"suite:{notification.fields['suite']}")
    found += list(extra)
    unique = list(dict.fromkeys(tag(t) for t in found if t.strip()))
    return unique[:TAGS_MAX]


def details(notification: dq.Notification, limit: int) -> dict[str, str]:
    """Fields (tenant first) as the alert's custom properties, within *limit* characters in
    all (keys and values), each value cut to share what is left."""
    items = [("dedup_key", notification.dedup_key)]
    if notification.tenant is not None:
        items.append(("tenant", str(notification.tenant)))
    items += [(cut(one_line(k), 100) or "-", v) for k, v in notification.fields.items()]
    if notification.failures:
        items.append(("failing_rules", str(len(notification.failures))))
    found: dict[str, str] = {}
    used = 0
    for position, (key, value) in enumerate(items):
        if key in found:
            continue
        left = limit - used - units(key)
        share = left // max(1, len(items) - position)
        if share < 2:
            break
        found[key] = cut(value, share)
        used += units(key) + units(found[key])
    return found


def failure_line(failure: dq.RuleFailure) -> str:
    where = f" on {failure.column}" if failure.column else ""
    counts = f"{failure.failed_count:,} failed"
    if failure.element_count > 0:
        counts = f"{failure.failed_count:,} of {failure.element_count:,} failed"
    line = f"- {failure.rule_id} ({failure.check}{where}, {failure.severity}): {counts}"
    if failure.message:
        line += f" - {one_line(failure.message)}"
    return cut(one_line(line), 500)


def description(notification: dq.Notification, budget: Budget, max_failures: int) -> str:
    parts = [notification.summary] if notification.summary else []
    failures = notification.failures
    if failures:
        shown = failures[: min(budget.failures, max_failures)]
        lines = [f"Failing rules ({len(failures):,}):", *map(failure_line, shown)]
        if len(failures) > len(shown):
            lines.append(f"… and {len(failures) - len(shown):,} more failing rules")
        parts.append("\n".join(lines))
    links = [f"{link.title}: {link.url}" for link in notification.links[:10]]
    if links:
        parts.append("\n".join(cut(one_line(line), 2_000) for line in links))
    # the summary is cut last: links and the rule list are what a responder acts on
    tail = "\n\n".join(parts[1:])
    head = cut(parts[0], max(budget.description - units(tail) - 2, 200)) if parts else ""
    return cut("\n\n".join(p for p in (head, tail) if p), budget.description)


def create_body(notification: dq.Notification, config: Any, budget: Budget) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message": cut(one_line(notification.title) or "dq notification", MESSAGE_MAX),
        "alias": alias(notification.dedup_key),
        "description": description(notification, budget, config.max_failures),
        "tags": tags(notification, config.tags),
        "details": details(notification, budget.details),
        "source": cut(config.source, SOURCE_MAX),
        "priority": PRIORITY[notification.level],
    }
    if "suite" in notification.fields:
        body["entity"] = cut(notification.fields["suite"], ENTITY_MAX)
    return body


def close_body(notification: dq.Notification, config: Any, budget: Budget) -> dict[str, Any]:
    note = one_line(f"{notification.title}: {notification.summary}".strip(": "))
    return {"source": cut(config.source, SOURCE_MAX), "note": cut(note, min(NOTE_MAX, 2_000))}


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def render_request(notification: dq.Notification, config: Any) -> tuple[str, bytes]:
    """``(path and query, JSON body)`` of the create or close request for *notification*,
    within every Opsgenie limit and ``config.max_body_bytes``."""
    resolve = notification.kind is dq.NotificationKind.RESOLVE
    path = close_path(notification.dedup_key) if resolve else "/v2/alerts"
    build = close_body if resolve else create_body
    budget: Budget | None = Budget()
    body = b""
    while budget is not None:
        body = encode(build(notification, config, budget))
        if len(body) <= config.max_body_bytes:
            break
        budget = budget.halved()
    return path, body
