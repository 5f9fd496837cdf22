"""Render a ``dq.Notification`` as a Discord execute-webhook body within every Discord limit.

Discord refuses a whole message (400, code 50035 "Invalid Form Body") when any part is over
its limit, so every limit is kept here: ``content`` ≤ 2000; ≤ 10 embeds; per embed title ≤
256, description ≤ 4096, ≤ 25 fields of name ≤ 256 and value ≤ 1024, footer ≤ 2048, author
≤ 256; and ≤ 6000 characters across all embeds' texts. Lengths are counted in UTF-16 code
units (never fewer than code points), so emoji cannot push a text over. Texts are cut ("…")
and lists counted ("… and 37 more"), with a budget halved until everything fits.

``allowed_mentions: {"parse": []}`` means nothing in the message pings anyone, whatever the
data says (``@everyone``, ``<@id>``); markdown characters from data are escaped so a rule id
cannot restyle the alert or hide a link. One embed per alert: title, summary and failing
rules in the description, fields (tenant, suite …), links, and ``Status`` / ``Level`` /
``Dedup key`` fields; a resolve is a short green "Resolved" embed with the same key.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import attrs
import dq

ELLIPSIS = "…"
CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256

LIMITS = {
    "content_chars": CONTENT,
    "embeds": EMBEDS,
    "embed_total_chars": EMBED_TOTAL,
    "embed_title_chars": TITLE,
    "embed_description_chars": DESCRIPTION,
    "embed_fields": FIELDS,
    "field_name_chars": FIELD_NAME,
    "field_value_chars": FIELD_VALUE,
    "footer_chars": FOOTER,
    "author_name_chars": AUTHOR,
}

_UNCLEAN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_MARKDOWN = re.compile(r"([*_~`|\[\]<>@#])")
_COLOR = {
    dq.Level.INFO: 0x5865F2,
    dq.Level.WARNING: 0xFEE75C,
    dq.Level.ERROR: 0xED4245,
    dq.Level.CRITICAL: 0x992D22,
}
RESOLVED_COLOR = 0x57F287


@attrs.frozen
class Budget:
    summary: int = 2_500
    field: int = FIELD_VALUE
    fields: int = 15
    failures: int = 15
    line: int = 200
    links: int = 5

    def halved(self) -> Budget | None:
        floor = Budget(summary=100, field=40, fields=1, failures=1, line=60, links=0)
        if self == floor:
            return None
        pairs = zip(attrs.astuple(self), attrs.astuple(floor), strict=True)
        return Budget(*(max(a // 2, b) for a, b in pairs))


def units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean(text: str) -> str:
    return _UNCLEAN.sub("", text)


def cut(text: str, limit: int) -> str:
    """*text* if within *limit* UTF-16 units, else its longest prefix + "…" that is; never
    ending in a lone backslash (which would escape the ellipsis)."""
    if len(text) <= limit // 2 or units(text) <= limit:
        return text
    keep = limit - 1
    prefix = text[:keep]
    while units(prefix) > keep:
        prefix = prefix[:-1]
    if prefix.endswith("\\") and not prefix.endswith("\\\\"):
        prefix = prefix[:-1]
    return prefix + ELLIPSIS


def escape(text: str) -> str:
    """Markdown and mention characters from data shown as themselves."""
    return _MARKDOWN.sub(r"\\\1", text)


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


def _failure_line(failure: dq.RuleFailure, limit: int) -> str:
    on = f" on {one_line(failure.column)}" if failure.column else ""
    counts = f"{failure.failed_count:,} failed"
    if failure.element_count > 0:
        share = 100 * failure.failed_count / failure.element_count
        counts = f"{failure.failed_count:,} of {failure.element_count:,} failed ({share:.3g}%)"
    text = f"{one_line(failure.rule_id)} {one_line(failure.check)}{on} · {failure.severity}"
    return "• " + cut(escape(f"{text} · {counts}"), limit)


def embed_chars(embed: dict[str, Any]) -> int:
    """What Discord counts toward the 6000: title, description, field names and values,
    footer text, author name."""
    total = units(embed.get("title", "")) + units(embed.get("description", ""))
    total += sum(units(f["name"]) + units(f["value"]) for f in embed.get("fields", []))
    total += units(embed.get("footer", {}).get("text", ""))
    return total + units(embed.get("author", {}).get("name", ""))


def embed(notification: dq.Notification, budget: Budget, max_failures: int) -> dict[str, Any]:
    resolved = notification.kind is dq.NotificationKind.RESOLVE
    title = one_line(notification.title) or "dq notification"
    out: dict[str, Any] = {
        "title": cut(("✅ Resolved: " if resolved else "") + title, TITLE),
        "color": RESOLVED_COLOR if resolved else _COLOR[notification.level],
    }
    parts = []
    summary = clean(notification.summary)
    if summary.strip():
        parts.append(cut(escape(summary), budget.summary))
    failures = notification.failures
    if failures and not resolved:
        limit = min(budget.failures, max_failures)
        lines = [_failure_line(f, budget.line) for f in failures[:limit]]
        if len(failures) > limit:
            lines.append(f"… and {len(failures) - limit:,} more failing rules")
        parts.append(f"**Failing rules ({len(failures):,})**\n" + "\n".join(lines))
    if parts:
        out["description"] = cut("\n\n".join(parts), DESCRIPTION)
    fields: list[dict[str, Any]] = []
    items = list(notification.fields.items())
    if notification.tenant is not None and "tenant" not in notification.fields:
        items.insert(0, ("tenant", str(notification.tenant)))
    for key, value in items[: budget.fields]:
        fields.append(
            {
                "name": cut(one_line(key), 100) or "-",
                "value": cut(escape(clean(value)), budget.field) or "-",
                "inline": len(value) <= 40,
            }
        )
    if len(items) > budget.fields:
        fields.append({"name": "…", "value": f"and {len(items) - budget.fields:,} more fields"})
    links = []
    for link in notification.links[: budget.links]:
        url = link.url.strip()
        name = cut(escape(one_line(link.title)) or "link", 80)
        if urlsplit(url).scheme.lower() in ("http", "https") and len(url) <= 512 and " " not in url:
            links.append(f"[{name}]({url})")
    if links:
        fields.append({"name": "Links", "value": cut("\n".join(links), FIELD_VALUE)})
    fields.append({"name": "Status", "value": "resolved" if resolved else "open", "inline": True})
    fields.append({"name": "Level", "value": notification.level.value, "inline": True})
    fields.append({"name": "Dedup key", "value": cut(notification.dedup_key, FIELD_VALUE) or "-"})
    out["fields"] = fields[-FIELDS:] if len(fields) > FIELDS else fields
    out["footer"] = {"text": "dq"}
    return out


def payload(
    notification: dq.Notification,
    *,
    max_failures: int = 15,
    username: str | None = None,
) -> dict[str, Any]:
    """The execute-webhook JSON body, within every Discord limit."""
    budget: Budget | None = Budget()
    found = embed(notification, Budget(), max_failures)
    while budget is not None:
        found = embed(notification, budget, max_failures)
        if embed_chars(found) <= EMBED_TOTAL:
            break
        budget = budget.halved()
    while embed_chars(found) > EMBED_TOTAL and found.get("description"):
        found["description"] = cut(found["description"], max(units(found["description"]) // 2, 10))
    body: dict[str, Any] = {"embeds": [found], "allowed_mentions": {"parse": []}}
    if username:
        body["username"] = username
    return body


def render_message(
    notification: dq.Notification, *, max_failures: int = 15, username: str | None = None
) -> bytes:
    text = json.dumps(
        payload(notification, max_failures=max_failures, username=username),
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return text.encode("utf-8", "replace")
