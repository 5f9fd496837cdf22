"""dq-email beyond the contract: implicit TLS, trust, configuration refusals, the message."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from typing import Any

import anyio
import dq
import pytest
from dq_contract.smtp_sink import SmtpSink
from dq_email import EmailConfig, EmailNotifier, render_message

NOTE = dq.Notification(title="t <b>&", summary="s", level=dq.Level.ERROR, dedup_key="k-1")


@pytest.fixture
def implicit_tls() -> Iterator[SmtpSink]:
    with SmtpSink(mode="tls") as sink:
        yield sink


def build(sink: SmtpSink, **overrides: Any) -> EmailNotifier:
    values: dict[str, Any] = {
        "host": sink.host, "port": sink.port, "sender": "dq@example.com",
        "recipients": ("a@example.com",), "username": sink.username,
        "password": dq.SecretValue(sink.password), "ca_file": sink.ca_file,
        "timeout": 0.5, "deadline": 2.0, "backoff": 0.05,
    }
    values.update(overrides)
    return EmailNotifier(EmailConfig(**values))


def test_implicit_tls_with_auth_delivers(implicit_tls: SmtpSink) -> None:
    delivery = anyio.run(build(implicit_tls, security="tls").send, NOTE)
    assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error
    (received,) = implicit_tls.received
    assert received.tls and received.authenticated


def test_an_untrusted_certificate_fails_without_retry_and_says_ca_file(
    implicit_tls: SmtpSink,
) -> None:
    delivery = anyio.run(build(implicit_tls, security="tls", ca_file=None).send, NOTE)
    assert delivery.status is dq.DeliveryStatus.FAILED and delivery.attempts == 1
    assert "ca_file" in delivery.error and implicit_tls.received == []


def test_starttls_against_an_implicit_tls_port_fails_in_time(implicit_tls: SmtpSink) -> None:
    delivery = anyio.run(build(implicit_tls).send, NOTE)
    assert delivery.status is dq.DeliveryStatus.FAILED and implicit_tls.received == []


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"security": "none"}, "allow_plaintext"),
        ({"security": "none", "allow_plaintext": True, "host": "mail.example.com"}, "loopback"),
        ({"username": "u"}, "together"),
        ({"recipients": []}, "at least one"),
        ({"recipients": ["Bob <bob@example.com>"]}, "plain address"),
        ({"sender": "not-an-address"}, "plain address"),
    ],
)
def test_unsafe_or_broken_configs_are_refused_with_a_reason(table: dict, words: str) -> None:
    base = {"host": "127.0.0.1", "sender": "dq@example.com", "recipients": ["a@example.com"]}
    with pytest.raises(dq.ConfigError) as info:
        dq.Host(dq.discover()).component("notifier", "email", {**base, **table})
    assert words in str(info.value)


def test_the_html_part_is_escaped_and_the_ids_thread() -> None:
    data = render_message(NOTE, sender="dq@example.com", recipients=("a@example.com",),
                          domain="example.com", max_bytes=100_000)
    message = email.message_from_bytes(data, policy=email.policy.default)
    html = message.get_body(("html",)).get_content()
    assert "t &lt;b&gt;&amp;" in html and "<b>&" not in html
    resolve = dq.Notification(title="ok", summary="", level=dq.Level.INFO, dedup_key="k-1",
                              kind=dq.NotificationKind.RESOLVE)
    again = email.message_from_bytes(
        render_message(resolve, sender="dq@example.com", recipients=("a@example.com",),
                       domain="example.com", max_bytes=100_000), policy=email.policy.default)
    assert again["In-Reply-To"] == message["Message-ID"] != again["Message-ID"]
