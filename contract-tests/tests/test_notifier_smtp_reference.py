"""The whole SmtpNotifierContract against a small reference email notifier: proof it can be
passed. ``ReferenceSmtpNotifier`` is also the base of the broken notifiers in
test_notifier_smtp_broken.py (each overrides one method)."""

from __future__ import annotations

import hashlib
import ssl
import time
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import anyio
import dq
import pytest
from dq_contract.notifier_smtp import SmtpNotifierContract
from dq_contract.smtp_sink import SmtpSink


class ReferenceSmtpNotifier:
    """STARTTLS required, AUTH, one message to all recipients, retries 4xx/timeouts only."""

    def __init__(self, sink: SmtpSink, sender: str, recipients: tuple[str, ...]) -> None:
        self.host, self.port, self.sender, self.recipients = sink.host, sink.port, sender, recipients
        self._user, self._password = sink.username, dq.SecretValue(sink.password)
        self._context = ssl.create_default_context(cafile=sink.ca_file)
        self.limits = {"request_bytes": 100_000}
        self.timeout, self.deadline, self.max_attempts = 0.5, 3.0, 5

    def __repr__(self) -> str:
        return f"ReferenceSmtpNotifier(host={self.host!r}, password='***')"

    def start_tls(self) -> bool | None:
        return True

    def retryable(self, code: int) -> bool:
        return 400 <= code < 500

    def message(self, note: dq.Notification) -> bytes:
        digest = hashlib.sha256(note.dedup_key.encode()).hexdigest()[:32]
        msg = EmailMessage()
        msg["Subject"] = " ".join(note.title.split())[:100]
        msg["From"], msg["To"] = self.sender, ", ".join(self.recipients)
        resolved = note.kind is dq.NotificationKind.RESOLVE
        msg["Message-ID"] = f"<{digest}{'.r' if resolved else ''}@example.com>"
        if resolved:
            msg["In-Reply-To"] = msg["References"] = f"<{digest}@example.com>"
        msg["X-DQ-Dedup-Key"] = note.dedup_key
        msg.set_content(f"{note.title[:1000]}\n\n{note.summary[:10_000]}", cte="base64")
        return msg.as_bytes()

    async def send(self, note: dq.Notification) -> dq.Delivery:
        give_up = time.monotonic() + self.deadline
        pending, attempts, code, error = list(self.recipients), 0, None, ""
        data = self.message(note)
        while attempts < self.max_attempts and time.monotonic() < give_up:
            attempts += 1
            retry = False
            client = aiosmtplib.SMTP(hostname=self.host, port=self.port, start_tls=self.start_tls(),
                                     tls_context=self._context, timeout=self.timeout)
            try:
                await client.connect()
                if self._user:
                    await client.login(self._user, self._password.reveal_text())
                refused, _ = await client.sendmail(self.sender, pending, data)
                code = 250
                error = ", ".join(f"{a} ({r.code})" for a, r in refused.items())
                temp = [a for a, r in refused.items() if r.code < 500]
                if not refused:
                    return self._delivery(note, dq.DeliveryStatus.DELIVERED, attempts, code)
                pending, retry = temp, bool(temp) and len(temp) == len(refused)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                code = exc.recipients[0].code
                error = ", ".join(f"{r.recipient} ({r.code})" for r in exc.recipients)
                retry = all(r.code < 500 for r in exc.recipients)
            except aiosmtplib.SMTPResponseException as exc:
                code, error = exc.code, f"SMTP {exc.code} {exc.message}"
                retry = self.retryable(exc.code) and exc.code != 535
            except (TimeoutError, OSError, aiosmtplib.SMTPServerDisconnected,
                    aiosmtplib.SMTPConnectError) as exc:
                error, retry = f"connection failed ({type(exc).__name__})", True
            except aiosmtplib.SMTPException as exc:
                error = f"refused: {exc} (STARTTLS required)"
            finally:
                client.close()
            if not retry:
                break
            await anyio.sleep(0.05)
        error = error.replace(self._password.reveal_text(), "***")
        return self._delivery(note, dq.DeliveryStatus.FAILED, attempts, code, error)

    def _delivery(self, note: dq.Notification, status: dq.DeliveryStatus, attempts: int,
                  code: int | None, error: str = "") -> dq.Delivery:
        return dq.Delivery(channel="email", status=status, dedup_key=note.dedup_key,
                           attempts=attempts, response_status=code, error=error)


class TestReferenceSmtpNotifier(SmtpNotifierContract):
    timeout_seconds = 0.5
    deadline_seconds = 3.0

    @pytest.fixture
    def notifier(self, smtp_sink: SmtpSink) -> Any:
        return ReferenceSmtpNotifier(smtp_sink, self.sender, self.recipients)
