"""Block Kit rendering of a ``dq.Notification``, always within Slack's limits.

Slack rejects a whole message (``invalid_blocks``, ``invalid_payload``) when one element is
over its limit, and the alert about the 10,000-row failure is exactly the one with the long
texts. So every text is cut *before* sending, each cut marked with "…", and lists that do not
fit are counted ("… and 37 more failing rules") instead of dropped silently.

Limits (Slack's Block Kit reference): at most 50 blocks; section text 1-3000 characters;
header plain_text 1-150; at most 10 fields per section, each 1-2000; context at most 10
elements; the top-level ``text`` is truncated by Slack past 40,000 characters, so we cut it
ourselves. Lengths are counted in UTF-16 code units, which is never fewer than code points:
whichever way Slack counts, an emoji cannot push a text over.

Untrusted text (titles, rule ids, column names, field values come from users' data and
config) is escaped for mrkdwn (``&``, ``<``, ``>``), so a rule id like ``<!channel>`` shows as
text and pings no one. Control characters other than newline and tab are dropped: Slack does
not display them and JSON escapes each into six bytes.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlsplit

import attrs
import dq

ELLIPSIS = "…"

MAX_BLOCKS = 50
SECTION_TEXT = 3000
HEADER_TEXT = 150
FIELDS_PER_SECTION = 10
FIELD_TEXT = 2000
CONTEXT_TEXT = 2000
TEXT_FALLBACK = 40_000
URL_MAX = 3000

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_UNCLEAN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")
_LEVEL_MARK = {
    dq.Level.INFO: ":information_source:",
    dq.Level.WARNING: ":warning:",
    dq.Level.ERROR: ":x:",
    dq.Level.CRITICAL: ":rotating_light:",
}


@attrs.frozen
class Budget:
    """How much of each text a rendering may use; halved until the body fits ``max_bytes``."""

    text: int = TEXT_FALLBACK
    section: int = SECTION_TEXT
    field: int = FIELD_TEXT
    line: int = 400
    failures: int = 20
    fields: int = 2 * FIELDS_PER_SECTION
    links: int = 10

    def halved(self) -> Budget | None:
        """A smaller budget, or None when already at the floor (which always fits)."""
        floor = Budget(text=200, section=300, field=100, line=120, failures=1, fields=2, links=1)
        if self == floor:
            return None
        pairs = zip(attrs.astuple(self), attrs.astuple(floor), strict=True)
        return Budget(*(max(a // 2, b) for a, b in pairs))


# -- text helpers ---------------------------------------------------------------------------


def units(text: str) -> int:
    """Length as Slack may count it: UTF-16 code units (an astral character counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean(text: str) -> str:
    """Drop control characters (except newline and tab) and lone surrogates."""
    if _UNCLEAN.search(text) is None:  # the common case: one scan, no copies
        return text
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", text))


def escape(text: str) -> str:
    """Escape the three characters mrkdwn gives meaning to: ``&``, ``<``, ``>``."""
    if "&" not in text and "<" not in text and ">" not in text:
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """*text* if it is within *limit* units, else its longest prefix + "…" that is.

    A cut never splits an astral character, nor an ``&amp;``-style entity made by
    :func:`escape` (a half entity would show as garbage).
    """
    if len(text) <= limit // 2 or units(text) <= limit:
        return text
    keep = limit - 1  # room for the ellipsis (one unit)
    prefix = text[:keep]
    excess = units(prefix) - keep
    end = len(prefix)
    while excess > 0:
        end -= 1
        excess -= 2 if ord(prefix[end]) > 0xFFFF else 1
    prefix = _PARTIAL_ENTITY.sub("", prefix[:end])
    return prefix + ELLIPSIS


def mrkdwn(text: str, limit: int) -> str:
    return cut(escape(clean(text)), limit)


def code(text: str, limit: int = 200) -> str:
    """An inline code span: backticks in the text would end it early, so they become ʼ."""
    return f"`{mrkdwn(one_line(text).replace('`', 'ʼ'), limit) or ' '}`"


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


# -- blocks ---------------------------------------------------------------------------------


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _pack(lines: list[str], limit: int, max_blocks: int, total: int, noun: str) -> list[str]:
    """Join *lines* into at most *max_blocks* texts of at most *limit* units each.

    *total* is how many items the lines stand for; whatever does not fit is counted in a
    last line "… and N more <noun>" (room for it is always kept).
    """
    texts: list[str] = []
    current: list[str] = []
    size = 0
    shown = 0
    for index, line in enumerate(lines):
        rest = total - index - 1  # items after this one
        tail = f"\n… and {rest:,} more {noun}" if rest else ""
        need = units(line) + (1 if current else 0)
        if size + need + units(tail) <= limit:
            current.append(line)
            size += need
            shown += 1
            continue
        if current and len(texts) + 1 < max_blocks and units(line) + units(tail) <= limit:
            texts.append("\n".join(current))
            current, size, shown = [line], units(line), shown + 1
            continue
        break
    hidden = total - shown
    if hidden:
        current.append(f"… and {hidden:,} more {noun}")
    if current:
        texts.append("\n".join(current))
    return texts


def failure_line(failure: dq.RuleFailure, limit: int) -> str:
    """``• `rule` not_null on `col` · error · 42 of 1,000 failed (4.2%) — message``."""
    parts = [f"• {code(failure.rule_id)} {mrkdwn(one_line(failure.check), 60)}"]
    if failure.column:
        parts.append(f"on {code(failure.column)}")
    message = one_line(failure.message)
    counts = f"{failure.failed_count:,} failed"
    if failure.element_count > 0:
        share = 100 * failure.failed_count / failure.element_count
        counts = f"{failure.failed_count:,} of {failure.element_count:,} failed ({share:.3g}%)"
    if message.startswith(f"{failure.failed_count} of {failure.element_count} "):
        # dq's engines already say the counts ("3 of 497 non-null rows failed (0.60%)"):
        # show that sentence instead of a second, shorter copy of the same numbers
        counts, message = escape(message), ""
    parts.append(f"· *{mrkdwn(one_line(failure.severity), 20)}* · {counts}")
    line = " ".join(parts)
    if message:
        line += f" — {escape(message)}"
    return cut(line, limit)


def link_line(link: dq.Link, limit: int) -> str:
    """``<url|title>`` for an http(s) URL Slack accepts; otherwise plain, unlinked text."""
    title = mrkdwn(one_line(link.title) or "link", 200).replace("|", "¦")
    url = link.url.strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https") or not url.isprintable():
        return cut(f"{title}: {mrkdwn(one_line(link.url), 200)}", limit)
    # <, >, | and spaces would end the link syntax; & is escaped as mrkdwn requires.
    safe = quote(url, safe="!#$%&'()*+,-./:;=?@[]^_`{}~").replace("&", "&amp;")
    if len(safe) > URL_MAX or units(safe) + units(title) + 3 > limit:
        return cut(f"{title} (link too long to show)", limit)
    return f"<{safe}|{title}>"


#: The context line's first element on a resolve; a human (and a test) reads it as "closed".
RESOLVED_MARK = ":white_check_mark: *RESOLVED*"


def _dedup_context(notification: dq.Notification) -> list[dict[str, Any]]:
    if not notification.dedup_key:
        return []
    key = _SURROGATES.sub("\ufffd", notification.dedup_key)
    return [
        {"type": "mrkdwn", "text": "dedup key"},
        {"type": "plain_text", "text": cut(key, CONTEXT_TEXT)},
    ]


def render_resolve(notification: dq.Notification, budget: Budget, *, unfurl: bool = False) -> dict:
    """A short "resolved" message: header, summary, tenant, and the context line with the
    same dedup key the trigger showed, so the two can be matched in the channel."""
    title = one_line(notification.title) or "dq incident"
    header = cut(f"Resolved: {title}", HEADER_TEXT)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header}}
    ]
    summary = clean(notification.summary)
    if summary.strip():
        blocks.append(_section(cut(escape(summary), min(budget.section, 1000))))
    if notification.tenant is not None:
        blocks.append(_section(f"*tenant* {mrkdwn(str(notification.tenant), 200)}"))
    context = [{"type": "mrkdwn", "text": RESOLVED_MARK}, *_dedup_context(notification)]
    blocks.append({"type": "context", "elements": context})
    return {
        "text": cut(escape(clean(header)), budget.text),
        "blocks": blocks,
        "unfurl_links": unfurl,
        "unfurl_media": unfurl,
    }


def render(notification: dq.Notification, budget: Budget, *, unfurl: bool = False) -> dict:
    """The webhook payload ``{text, blocks, unfurl_links, unfurl_media}`` for *budget*."""
    if notification.kind is dq.NotificationKind.RESOLVE:
        return render_resolve(notification, budget, unfurl=unfurl)
    title = one_line(notification.title)
    summary = clean(notification.summary)
    head: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": cut(title or "dq notification", HEADER_TEXT)},
        }
    ]
    if summary.strip():
        head.append(_section(cut(escape(summary), budget.section)))

    items = list(notification.fields.items())
    if notification.tenant is not None and "tenant" not in notification.fields:
        items.insert(0, ("tenant", str(notification.tenant)))
    field_texts = [
        f"*{mrkdwn(one_line(k) or '-', 100)}*\n{mrkdwn(v, budget.field) or '-'}" for k, v in items
    ]
    if len(field_texts) > budget.fields:
        hidden = len(field_texts) - budget.fields + 1
        field_texts = [*field_texts[: budget.fields - 1], f"… and {hidden:,} more fields"]
    field_texts = [cut(t, FIELD_TEXT) for t in field_texts]
    for start in range(0, len(field_texts), FIELDS_PER_SECTION):
        chunk = field_texts[start : start + FIELDS_PER_SECTION]
        head.append({"type": "section", "fields": [{"type": "mrkdwn", "text": t} for t in chunk]})

    tail: list[dict[str, Any]] = []
    links = notification.links
    if links:
        lines = [link_line(link, budget.section) for link in links[: budget.links]]
        tail.append(_section(_pack(lines, budget.section, 1, len(links), "links")[0]))
    context = [
        {
            "type": "mrkdwn",
            "text": f"{_LEVEL_MARK[notification.level]} *{notification.level.name}*",
        },
    ]
    context += _dedup_context(notification)
    tail.append({"type": "context", "elements": context})

    middle: list[dict[str, Any]] = []
    failures = notification.failures
    if failures:
        room = MAX_BLOCKS - len(head) - len(tail)
        shown = failures[: budget.failures]
        lines = [f"*Failing rules ({len(failures):,})*"]
        lines += [failure_line(f, budget.line) for f in shown]
        # the heading line stands for no rule: total counts it so "N more" stays exact
        texts = _pack(lines, budget.section, room, len(failures) + 1, "failing rules")
        middle = [_section(t) for t in texts]

    fallback = escape(clean(notification.title))
    if summary.strip():
        fallback += "\n" + escape(summary)
    return {
        "text": cut(fallback.strip() or "dq notification", budget.text),
        "blocks": head + middle + tail,
        "unfurl_links": unfurl,
        "unfurl_media": unfurl,
    }


def encode(payload: dict[str, Any]) -> bytes:
    """UTF-8 JSON without ``\\u`` escapes, so the byte size tracks the text."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "replace")  # a lone surrogate left anywhere becomes "?"


def render_message(
    notification: dq.Notification,
    *,
    max_body_bytes: int = 256_000,
    max_failures: int = 20,
    unfurl: bool = False,
) -> bytes:
    """The request body for *notification*: valid within every Slack limit and under
    *max_body_bytes* (budgets are halved until it fits; the floor is a few kilobytes)."""
    budget: Budget | None = Budget(failures=max_failures)
    body = b""
    while budget is not None:
        body = encode(render(notification, budget, unfurl=unfurl))
        if len(body) <= max_body_bytes:
            break
        budget = budget.halved()
    return body
