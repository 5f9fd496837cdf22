"""Render a ``dq.Notification`` as one MIME message: multipart/alternative, plain text + HTML.

Threading (RFC 5322 §3.6.4): the ``Message-ID`` is derived from the dedup key, so every
attempt and every replay of one event carries the same id (a mail system that already has it
may drop the copy, and a human sees one thread). A resolve gets its own id (a second id equal
to the trigger's would be discarded as a duplicate) and names the trigger's in
``In-Reply-To`` and ``References``, so mail clients show it under the alert it closes. The
key itself travels in ``X-DQ-Dedup-Key``.

Everything from data and config is HTML-escaped in the HTML part; headers are folded and
encoded by the stdlib's ``email.policy.SMTP`` (RFC 2047 for non-ASCII). ``Auto-Submitted:
auto-generated`` (RFC 3834) keeps vacation responders from answering alerts.

Size: the message is rendered with a text budget that is scaled down until ``as_bytes()`` fits the
limit (our ``max_message_bytes`` or the server's SIZE, whichever is smaller): a long alert
is shortened, each cut marked "…", never refused with 552.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC, datetime
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime

import attrs
import dq

ELLIPSIS = "…"
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
#: Subjects past this are cut: RFC 5322 allows long headers folded, clients show ~80.
SUBJECT_CHARS = 150


@attrs.frozen
class Budget:
    """Characters each text may use; scaled down until the message fits."""

    title: int = 2_000
    summary: int = 100_000
    field: int = 10_000
    failures: int = 50
    line: int = 1_000

    def scaled(self, factor: float) -> Budget | None:
        """Every budget times *factor* (at most half), or None at the floor (always fits)."""
        floor = Budget(title=100, summary=200, field=60, failures=1, line=120)
        if self == floor:
            return None
        factor = min(factor, 0.5)
        pairs = zip(attrs.astuple(self), attrs.astuple(floor), strict=True)
        return Budget(*(max(int(a * factor), b) for a, b in pairs))


def clean(text: str) -> str:
    """No control characters (except newline and tab), no lone surrogates."""
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", text))


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def message_id(dedup_key: str, domain: str, kind: dq.NotificationKind) -> str:
    """``<dq.<sha256 of the key>[.resolved]@domain>``: stable for the event, safe as an id."""
    digest = hashlib.sha256(dedup_key.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    suffix = ".resolved" if kind is dq.NotificationKind.RESOLVE else ""
    return f"<dq.{digest}{suffix}@{domain}>"


def subject(notification: dq.Notification, prefix: str) -> str:
    title = one_line(notification.title) or "dq notification"
    if notification.kind is dq.NotificationKind.RESOLVE:
        title = f"RESOLVED: {title}"
    return cut(f"{prefix} {title}".strip(), SUBJECT_CHARS)


def _fields(notification: dq.Notification) -> list[tuple[str, str]]:
    items = list(notification.fields.items())
    if notification.tenant is not None and "tenant" not in notification.fields:
        items.insert(0, ("tenant", str(notification.tenant)))
    return items


def _failure_line(failure: dq.RuleFailure, limit: int) -> str:
    on = f" on {one_line(failure.column)}" if failure.column else ""
    counts = f"{failure.failed_count:,} failed"
    if failure.element_count > 0:
        share = 100 * failure.failed_count / failure.element_count
        counts = f"{failure.failed_count:,} of {failure.element_count:,} failed ({share:.3g}%)"
    line = f"{one_line(failure.rule_id)} {one_line(failure.check)}{on} · {failure.severity} · "
    line += counts
    if failure.message:
        line += f" — {one_line(failure.message)}"
    return cut(line, limit)


def _parts(notification: dq.Notification, budget: Budget) -> tuple[str, str]:
    """(plain text, HTML) bodies for *budget*."""
    resolved = notification.kind is dq.NotificationKind.RESOLVE
    title = cut(clean(notification.title), budget.title) or "dq notification"
    summary = cut(clean(notification.summary), budget.summary)
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
        for key, value in fields:
            shown = cut(clean(value), budget.field)
            text.append(f"{one_line(key)}: {shown}")
            body.append(f"<tr><th align=\"left\">{esc(one_line(key))}</th><td>{esc(shown)}</td></tr>")
        body.append("</table>")
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
        for link in notification.links:
            name, url = one_line(link.title) or "link", one_line(link.url)
            text.append(f"{name}: {cut(url, 2000)}")
            if url.lower().startswith(("https://", "http://")) and len(url) <= 2000:
                body.append(f"<a href=\"{esc(url, quote=True)}\">{esc(name)}</a><br>")
            else:
                body.append(f"{esc(name)}: {esc(cut(url, 200))}<br>")
        body.append("</p>")
    footer = f"level {notification.level.value} · dedup key {one_line(notification.dedup_key)}"
    text += ["", "--", footer]
    body.append(f"<p style=\"color:#666\">{esc(footer)}</p>")
    return "\n".join(text) + "\n", "<html><body>\n" + "\n".join(body) + "\n</body></html>\n"


def build(
    notification: dq.Notification,
    *,
    sender: str,
    recipients: tuple[str, ...],
    domain: str,
    budget: Budget,
    prefix: str = "[dq]",
    date: datetime | None = None,
) -> MIMEMultipart:
    """The message for *notification* at *budget* (headers are the same at any budget).

    ``email.mime`` with ``Header`` objects rather than ``EmailMessage``: the modern policy
    refolds RFC 2047 words in quadratic time, half a second for a subject of 150 emoji.
    """
    msg = MIMEMultipart("alternative")
    msg["Subject"] = Header(subject(notification, prefix), "utf-8")
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(date or datetime.now(UTC))
    msg["Message-ID"] = message_id(notification.dedup_key, domain, notification.kind)
    if notification.kind is dq.NotificationKind.RESOLVE:
        trigger = message_id(notification.dedup_key, domain, dq.NotificationKind.TRIGGER)
        msg["In-Reply-To"] = trigger
        msg["References"] = trigger
    key = one_line(notification.dedup_key) or "-"
    msg["X-DQ-Dedup-Key"] = key if key.isascii() else Header(key, "utf-8")
    msg["X-DQ-Kind"] = notification.kind.value
    msg["X-DQ-Level"] = notification.level.value
    msg["Auto-Submitted"] = "auto-generated"
    text, markup = _parts(notification, budget)
    msg.attach(MIMEText(text, "plain", "utf-8"))  # utf-8 parts are base64: size is 4/3
    msg.attach(MIMEText(markup, "html", "utf-8"))
    return msg


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
    halving per power of two of an arbitrary input.
    """
    when = date or datetime.now(UTC)
    budget: Budget | None = Budget(
        summary=min(100_000, max_bytes), field=min(10_000, max_bytes // 4), failures=max_failures
    )
    data = b""
    while budget is not None:
        msg = build(
            notification,
            sender=sender,
            recipients=recipients,
            domain=domain,
            budget=budget,
            prefix=prefix,
            date=when,
        )
        data = msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if len(data) <= max_bytes:
            break
        budget = budget.scaled(0.9 * max_bytes / len(data))
    return data
