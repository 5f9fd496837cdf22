"""The wire bytes dq-email writes by hand parse back, with the stdlib's strict modern parser,
to exactly the subject, bodies and headers meant — for any input (hypothesis) — and stay
within RFC 5322's line lengths and the size limit, in time bounded by the budget."""

from __future__ import annotations

import base64
import email
import email.policy
import re
import time
from datetime import UTC, datetime

import dq
import pytest
from dq_email._message import (
    KEY_CHARS,
    Budget,
    _parts,
    is_small,
    message_id,
    one_line,
    render,
    subject,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

ADDRESSES = dict(sender="dq@example.com", recipients=("a@example.com", "b@example.org"))
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

texts = st.one_of(
    st.text(max_size=200),
    st.builds(lambda s, n: (s * n)[:5_000], st.text(min_size=1, max_size=6), st.integers(1, 2000)),
)


def notification(**overrides: object) -> dq.Notification:
    values: dict = {"title": "t", "summary": "s", "level": dq.Level.ERROR, "dedup_key": "k-1"}
    values.update(overrides)
    return dq.Notification(**values)


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


WORD = re.compile(rb"=\?utf-8\?b\?([A-Za-z0-9+/=]*)\?=")


def assert_wire_shape(data: bytes) -> None:
    """ASCII, CRLF only, lines within 78 (a Message-ID cannot fold), and every RFC 2047
    word at most 75 characters holding whole UTF-8 characters (§2, §5: a reader may decode
    each word on its own)."""
    head = data.split(b"\r\n\r\n", 1)[0]
    for word in WORD.finditer(head):
        assert len(word.group(0)) <= 75, word.group(0)
        base64.b64decode(word.group(1), validate=True).decode("utf-8")  # strict: whole chars
    assert data.isascii(), "a byte outside ASCII on the wire"
    assert b"\n" not in data.replace(b"\r\n", b""), "a bare LF or CR"
    assert b"\r" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    long = [line[:90] for line in lines if len(line) > 78 and not line.startswith(b"Message-ID")]
    assert not long, f"lines over 78 characters: {long}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=texts,
    summary=texts,
    key=texts,
    prefix=st.text(max_size=30).filter(lambda p: "\r" not in p and "\n" not in p),
    fields=st.dictionaries(st.text(max_size=20), texts, max_size=4),
    resolve=st.booleans(),
)
@example(title="🚨" * 150, summary="𝔡𝔮" * 500, key="ключ " * 300, prefix="[dq]", fields={},
         resolve=False)
@example(title="=?utf-8?b?SGk=?=", summary="", key="=?x?q?y?=", prefix="", fields={},
         resolve=True)
@example(title=" a\x00\ud800b\u2028 ", summary="\r\n.\r\n", key="\x7f", prefix="[dq]",
         fields={"": ""}, resolve=False)
def test_the_bytes_parse_back_to_the_same_subject_bodies_and_headers(
    title: str, summary: str, key: str, prefix: str, fields: dict[str, str], resolve: bool
) -> None:
    kind = dq.NotificationKind.RESOLVE if resolve else dq.NotificationKind.TRIGGER
    note = notification(title=title, summary=summary, dedup_key=key, fields=fields, kind=kind)
    data = render(note, **ADDRESSES, domain="example.com", max_bytes=1_000_000, prefix=prefix,
                  date=WHEN)
    assert_wire_shape(data)
    message = parse(data)
    assert not message.defects, message.defects
    assert message.get_content_type() == "multipart/alternative"
    text, markup = _parts(note, Budget(summary=100_000, field=10_000))
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message.get_body(("plain",)).get_content() == text
    assert message.get_body(("html",)).get_content() == markup
    assert message["Subject"] == subject(note, prefix)
    assert message["X-DQ-Dedup-Key"] == (one_line(key, KEY_CHARS) or "-")
    assert message["Message-ID"] == message_id(key, "example.com", kind)
    assert message["To"] == "a@example.com, b@example.org"
    assert message["From"] == "dq@example.com"
    assert message["Date"].datetime == WHEN
    assert message["X-DQ-Kind"] == kind.value and message["Auto-Submitted"] == "auto-generated"
    trigger = message_id(key, "example.com", dq.NotificationKind.TRIGGER)
    assert (message["In-Reply-To"], message["References"]) == (
        (trigger, trigger) if resolve else (None, None)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(summary="\U00010000" * 168, fields=6, limit=4_000)  # once over the floor budget
@given(
    summary=st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=4), st.integers(0, 60_000)),
    fields=st.integers(0, 300),
    limit=st.integers(4_000, 300_000),
)
def test_any_alert_fits_the_size_limit_and_stays_well_formed(
    summary: str, fields: int, limit: int
) -> None:
    note = notification(summary=summary, fields={f"f{i}": "v" * 500 for i in range(fields)})
    data = render(note, **ADDRESSES, domain="example.com", max_bytes=limit)
    assert len(data) <= limit
    assert_wire_shape(data)
    assert not parse(data).defects


def test_many_recipients_fold_between_addresses() -> None:
    recipients = tuple(f"person-{i}@example.com" for i in range(40))
    data = render(notification(), sender="dq@example.com", recipients=recipients,
                  domain="example.com", max_bytes=100_000)
    assert_wire_shape(data)
    assert parse(data)["To"] == ", ".join(recipients)


def test_a_subject_of_150_emoji_is_cut_and_encoded_in_linear_time() -> None:
    note = notification(title="🚨" * 100_000)
    start = time.perf_counter()
    data = render(note, **ADDRESSES, domain="example.com", max_bytes=100_000)
    assert time.perf_counter() - start < 0.05
    assert parse(data)["Subject"] == "[dq] " + "🚨" * 144 + "…"


def test_rendering_looks_only_at_the_budget_of_a_huge_input() -> None:
    """10 MB of summary, 10,000 fields and 1,000 links cost what the budget allows, not more."""
    huge = notification(
        summary="x\x00" * 5_000_000,
        fields={f"f{i}": "v" * 1_000 for i in range(10_000)},
        links=tuple(dq.Link(title=f"l{i}", url=f"https://e.x/{i}") for i in range(1_000)),
    )
    start = time.perf_counter()
    data = render(huge, **ADDRESSES, domain="example.com", max_bytes=1_000_000)
    assert time.perf_counter() - start < 2.0  # ~0.05 s on an idle machine
    assert len(data) <= 1_000_000
    text = parse(data).get_body(("plain",)).get_content()
    assert "more fields" in text and "more links" in text and "…" in text


@pytest.mark.parametrize(
    ("overrides", "small"),
    [
        ({}, True),
        ({"summary": "x" * 100_000}, False),
        ({"fields": {str(i): "v" for i in range(60)}}, False),
    ],
)
def test_only_small_alerts_count_as_small(overrides: dict, small: bool) -> None:
    assert is_small(notification(**overrides)) is small


def test_a_typical_alert_renders_in_well_under_a_millisecond() -> None:
    note = notification(summary="3 error rules failed", fields={"suite": "orders"})
    render(note, **ADDRESSES, domain="example.com", max_bytes=1_000_000)
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        render(note, **ADDRESSES, domain="example.com", max_bytes=1_000_000)
    # 0.1 ms idle; generous for a loaded CI machine, but far under email.mime's ~1 ms + thread
    assert (time.perf_counter() - start) / runs < 0.002
