"""Render a ``dq.Notification`` as one MIME message: multipart/alternative, plain text + HTML.

Threading (RFC 5322 §3.6.4): the ``Message-ID`` is derived from the dedup key, so every
attempt and every replay of one event carries the same id (a mail system that already has it
may drop the copy, and a human sees one thread). A resolve gets its own id (a second id equal
to the trigger's would be discarded as a duplicate) and names the trigger's in
``In-Reply-To`` and ``References``, so mail clients show it under the alert it closes. The
key itself travels in ``X-DQ-Dedup-Key``.

Everything from data and config is HTML-escaped in the HTML part; the bytes are assembled
by :mod:`dq_email._mime` (RFC 2047 words for non-ASCII headers, base64 UTF-8 parts, lines
within 78 characters). ``Auto-Submitted: auto-generated`` (RFC 3834) keeps vacation
responders from answering alerts.

Bounded work: every text is cut to its budget *before* it is cleaned, split or escaped, so
rendering looks at no more than the budget's worth of any input however long the alert's
texts are (a 10 MB summary costs what a 100,000-character one does), and the number of
fields and links shown is bounded too. Small alerts (:func:`is_small`) render in well under
a millisecond, which is why the notifier renders them on the event loop.

Size: the message is rendered with a text budget that is scaled down until it fits the
limit (our ``max_message_bytes`` or the server's SIZE, whichever is smaller): a long alert
is shortened, each cut marked "…", never refused with 552.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC, datetime
from email.utils import format_datetime

import attrs
import dq

from dq_email import _mime

ELLIPSIS = "…"
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
#: Subjects past this are cut: RFC 5322 allows long headers folded, clients show ~80.
SUBJECT_CHARS = 150
#: The dedup key header past this is cut (the Message-ID still hashes the whole key).
KEY_CHARS = 1_000
#: Alerts whose texts are all within these render inline (well under a millisecond).
SMALL_TEXT = 4_000
SMALL_ITEMS = 50


@attrs.frozen
class Budget:
    """Characters each text may use; scaled down until the message fits."""

    title: int = 2_000
    summary: int = 100_000
    field: int = 10_000
    failures: int = 50
    line: int = 1_000
    fields: int = 100
    links: int = 20

    def scaled(self, factor: float) -> Budget | None:
        """Every budget times *factor* (at most half), or None at the floor (always fits)."""
        floor = Budget(title=60, summary=60, field=30, failures=1, line=80, fields=3, links=1)
        if self == floor:
            return None
        factor = min(factor, 0.5)
        pairs = zip(attrs.astuple(self), attrs.astuple(floor), strict=True)
        return Budget(*(max(int(a * factor), b) for a, b in pairs))


def clean(text: str, limit: int) -> str:
    """*text* cut to *limit* characters (a cut marked "…"), without control characters
    (except newline and tab) or lone surrogates. Only the first *limit* characters are
    looked at: the work is bounded by the budget, not by the input."""
    if len(text) > limit:
        return _clean(text[: max(limit - 1, 0)]) + ELLIPSIS
    return _clean(text)


def _clean(text: str) -> str:
    if text.isascii() and text.isprintable():  # the common case: nothing to remove
        return text
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", text))


def one_line(text: str, limit: int = 1_000) -> str:
    """:func:`clean`, whitespace runs (newlines included) made one space, at most *limit*."""
    return cut(" ".join(clean(text, 2 * limit).split()), limit)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def is_small(notification: dq.Notification) -> bool:
    """Are all of *notification*'s texts short (so that rendering it takes microseconds)?
    Looks at no more than :data:`SMALL_ITEMS` fields, failures and links."""
    n = notification
    if max(len(n.fields), len(n.failures), len(n.links)) > SMALL_ITEMS:
        return False
    texts = [n.title, n.summary, n.dedup_key, *n.fields, *n.fields.values()]
    texts += [t for f in n.failures for t in (f.rule_id, f.check, f.column or "", f.message or "")]
    texts += [t for link in n.links for t in (link.title, link.url)]
    return sum(map(len, texts)) <= SMALL_TEXT


def message_id(dedup_key: str, domain: str, kind: dq.NotificationKind) -> str:
    """``<dq.<sha256 of the key>[.resolved]@domain>``: stable for the event, safe as an id."""
    digest = hashlib.sha256(dedup_key.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    suffix = ".resolved" if kind is dq.NotificationKind.RESOLVE else ""
    return f"<dq.{digest}{suffix}@{domain}>"


def subject(notification: dq.Notification, prefix: str) -> str:
    title = one_line(notification.title, SUBJECT_CHARS) or "dq notification"
    if notification.kind is dq.NotificationKind.RESOLVE:
        title = f"RESOLVED: {title}"
    return cut(f"{prefix} {title}".strip(), SUBJECT_CHARS)


def _fields(notification: dq.Notification) -> list[tuple[str, str]]:
    items = list(notification.fields.items())
    if notification.tenant is not None and "tenant" not in notification.fields:
        items.insert(0, ("tenant", str(notification.tenant)))
    return items


def _failure_line(failure: dq.RuleFailure, limit: int) -> str:
    on = f" on {one_line(failure.column, limit)}" if failure.column else ""
    counts = f"{failure.failed_count:,} failed"
    if failure.element_count > 0:
        share = 100 * failure.failed_count / failure.element_count
        counts = f"{failure.failed_count:,} of {failure.element_count:,} failed ({share:.3g}%)"
    rule, check = one_line(failure.rule_id, limit), one_line(failure.check, limit)
    line = f"{rule} {check}{on} · {failure.severity} · "
    line += counts
    if failure.message:
        line += f" — {one_line(failure.message, limit)}"
    return cut(line, limit)


def _parts(notification: dq.Notification, budget: Budget) -> tuple[str, str]:
    """(plain text, HTML) bodies for *budget*."""
    resolved = notification.kind is dq.NotificationKind.RESOLVE
    title = clean(notification.title, budget.title) or "dq notification"
    summary = clean(notification.summary, budget.summary)
    head = "Resolved: " if resolved else ""
    text = [f"{head}{title}", "", summary] if summary else [f"{head}{title}"]
    esc = html.escape
    body = [f"<h2>{esc(head + title)}</h2>"]
    if summary:
        body.append(f"<p style=\"white-space:pre-wrap\">{esc(summary)}</p>")
    fields = _fields(notification)
    if fields:
        text.append("")
        body.append("<table>")
        for key, value in fields[: budget.fields]:
            name, shown = one_line(key, budget.field), clean(value, budget.field)
            text.append(f"{name}: {shown}")
            body.append(f"<tr><th align=\"left\">{esc(name)}</th><td>{esc(shown)}</td></tr>")
        body.append("</table>")
        if len(fields) > budget.fields:
            more = f"… and {len(fields) - budget.fields:,} more fields"
            text.append(more)
            body.append(f"<p>{more}</p>")
    failures = notification.failures
    if failures and not resolved:
        shown = [_failure_line(f, budget.line) for f in failures[: budget.failures]]
        hidden = len(failures) - len(shown)
        text += ["", f"Failing rules ({len(failures):,}):"] + [f"- {s}" for s in shown]
        body.append(f"<h3>Failing rules ({len(failures):,})</h3><ul>")
        body += [f"<li>{esc(s)}</li>" for s in shown]
        if hidden:
            text.append(f"… and {hidden:,} more failing rules")
            body.append(f"<li>… and {hidden:,} more failing rules</li>")
        body.append("</ul>")
    if notification.links:
        text.append("")
        body.append("<p>")
        for link in notification.links[: budget.links]:
            name, url = one_line(link.title, 200) or "link", one_line(link.url, 2001)
            text.append(f"{name}: {cut(url, 2000)}")
            if url.lower().startswith(("https://", "http://")) and len(url) <= 2000:
                body.append(f"<a href=\"{esc(url, quote=True)}\">{esc(name)}</a><br>")
            else:
                body.append(f"{esc(name)}: {esc(cut(url, 200))}<br>")
        if len(notification.links) > budget.links:
            more = f"… and {len(notification.links) - budget.links:,} more links"
            text.append(more)
            body.append(more + "<br>")
        body.append("</p>")
    key = one_line(notification.dedup_key, KEY_CHARS)
    footer = f"level {notification.level.value} · dedup key {key}"
    text += ["", "--", footer]
    body.append(f"<p style=\"color:#666\">{esc(footer)}</p>")
    return "\n".join(text) + "\n", "<html><body>\n" + "\n".join(body) + "\n</body></html>\n"


def headers(
    notification: dq.Notification,
    *,
    sender: str,
    recipients: tuple[str, ...],
    domain: str,
    prefix: str = "[dq]",
    date: datetime | None = None,
) -> list[str]:
    """The message's header fields, each complete and folded (the same at any budget)."""
    fields = [
        _mime.header("Subject", subject(notification, prefix)),
        f"From: {sender}",
        _mime.address_list("To", recipients),
        f"Date: {format_datetime(date or datetime.now(UTC))}",
        f"Message-ID: {message_id(notification.dedup_key, domain, notification.kind)}",
    ]
    if notification.kind is dq.NotificationKind.RESOLVE:
        trigger = message_id(notification.dedup_key, domain, dq.NotificationKind.TRIGGER)
        fields += [f"In-Reply-To: {trigger}", f"References: {trigger}"]
    fields += [
        _mime.header("X-DQ-Dedup-Key", one_line(notification.dedup_key, KEY_CHARS) or "-"),
        f"X-DQ-Kind: {notification.kind.value}",
        f"X-DQ-Level: {notification.level.value}",
        "Auto-Submitted: auto-generated",
    ]
    return fields


def render(
    notification: dq.Notification,
    *,
    sender: str,
    recipients: tuple[str, ...],
    domain: str,
    max_bytes: int,
    max_failures: int = 50,
    prefix: str = "[dq]",
    date: datetime | None = None,
) -> bytes:
    """The wire bytes of the message, fitted under *max_bytes* (CRLF line ends).

    Base64 bodies grow by a fixed 4/3 (plus line breaks), so a message that is too big is
    re-rendered with every budget scaled by how far over it is: two or three renders, not a
    halving per power of two of an arbitrary input. The floor budget always fits any
    ``max_bytes`` a real server advertises (a few kilobytes).
    """
    top = headers(
        notification,
        sender=sender,
        recipients=recipients,
        domain=domain,
        prefix=prefix,
        date=date,
    )
    mark = _mime.boundary()
    budget: Budget | None = Budget(
        summary=min(100_000, max_bytes), field=min(10_000, max_bytes // 4), failures=max_failures
    )
    data = b""
    while budget is not None:
        data = _mime.assemble(top, *_parts(notification, budget), mark)
        if len(data) <= max_bytes:
            break
        budget = budget.scaled(0.9 * max_bytes / len(data))
    if len(data) > max_bytes:  # even the floor is too big for this limit: title and counts only
        bare = Budget(title=40, summary=1, field=1, failures=0, line=1, fields=0, links=0)
        data = _mime.assemble(top, *_parts(notification, bare), mark)
    return data
