"""EmailNotifier: send a ``dq.Notification`` over SMTP (aiosmtplib), once per recipient.

What an SMTP server answers (RFC 5321 §4.2.1, RFC 3207, RFC 4954) and what we do:

* ``250`` to ``DATA`` — accepted for every recipient ``RCPT TO`` accepted: those are done.
* a recipient refused with ``5xx`` (``550 no such user``) — permanent: the delivery is
  FAILED naming it, even though the others got the message (partial delivery is not success).
* a recipient refused with ``4xx`` (``450 mailbox busy``) — retried, *to that recipient
  only*, with the same message (same ``Message-ID``), while attempts and the deadline allow.
* ``4xx`` to ``MAIL``/``DATA``, ``421`` (service closing), timeouts, refused or dropped
  connections — retried with exponential backoff and jitter.
* ``5xx`` to ``MAIL``/``DATA`` (``552`` too big, ``554`` rejected) — FAILED at once.
* ``535`` (bad credentials) and other AUTH refusals — FAILED at once: retrying a wrong
  password only locks the account.
* no STARTTLS offered with ``security = "starttls"``, or a certificate that does not verify —
  FAILED at once, never sent in clear: say so and how to fix it.

The password never appears in a repr, log, ``Delivery.error`` or exception text: errors are
built from fixed text plus server replies scrubbed of it (and of its base64 forms, which is
how AUTH carries it).

aiosmtplib runs on asyncio: this notifier works under anyio's asyncio backend (dq's default).
"""

from __future__ import annotations

import base64
import logging
import random
import ssl
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType

import aiosmtplib
import anyio
import dq

from dq_email._config import EmailConfig
from dq_email._message import is_small, render

logger = logging.getLogger(__name__)

MASK = "***"
EXCERPT_CHARS = 300
MAX_BACKOFF = 30.0


class _Outcome:
    """What one attempt established."""

    def __init__(self) -> None:
        self.code: int | None = None
        self.error = ""
        self.retry = False
        #: The server's SIZE is under the rendered message: render again, then try again.
        self.smaller_size: int | None = None
        self.accepted: set[str] = set()
        self.refused: dict[str, tuple[int, str]] = {}  # address -> (code, text), this attempt


class EmailNotifier:
    """A :class:`dq.protocols.Notifier` for one SMTP submission server and a recipient list.

    Building it does no I/O. Each attempt is one SMTP session: connect, TLS (STARTTLS
    required, or implicit), AUTH, one transaction, QUIT.
    """

    def __init__(self, config: EmailConfig) -> None:
        self.config = config
        self._secrets = _secret_forms(config)
        self._ssl: ssl.SSLContext | None = None
        #: The SIZE (RFC 1870) the server advertised, once seen: later sends render to it.
        self._server_size: int | None = None
        #: The limits this notifier keeps (dq-contract-tests checks them).
        self.limits: Mapping[str, int] = MappingProxyType(
            {"request_bytes": config.max_message_bytes}
        )

    @property
    def channel(self) -> str:
        return self.config.channel

    def __repr__(self) -> str:
        c = self.config
        auth = f", username={c.username!r}, password='***'" if c.username else ""
        return (
            f"EmailNotifier(channel={c.channel!r}, host={c.host!r}, port={c.effective_port}, "
            f"security={c.security!r}{auth}, recipients={len(c.recipients)})"
        )

    __str__ = __repr__

    # -- the protocol ---------------------------------------------------------------------

    async def send(self, notification: dq.Notification) -> dq.Delivery:
        """Send *notification*; return how it went. Never raises for a delivery problem."""
        c = self.config
        give_up_at = time.monotonic() + c.deadline
        date = notification.created_at or datetime.now(UTC)
        pending = list(c.recipients)
        done: list[str] = []
        refused: dict[str, tuple[int, str]] = {}
        attempts = 0
        code: int | None = None
        try:
            data = await self._render(notification, date)
        except Exception as exc:
            return self._delivery(
                notification, dq.DeliveryStatus.FAILED, 0, None,
                f"could not render the message ({type(exc).__name__}); please report it",
            )
        rendered_for_server = False
        while True:
            attempts += 1
            remaining = give_up_at - time.monotonic()
            outcome = await self._attempt(pending, data, remaining)
            if outcome.smaller_size is not None and not rendered_for_server:
                rendered_for_server = True
                self._server_size = outcome.smaller_size
                data = await self._render(notification, date)
                attempts -= 1  # nothing was sent: this was only how we learnt the limit
                continue
            code = outcome.code if outcome.code is not None else code
            done += [a for a in pending if a in outcome.accepted]
            for address, reply in outcome.refused.items():
                if reply[0] >= 500:
                    refused[address] = reply
            retry_for = [
                a for a in pending if a not in outcome.accepted and a not in refused
            ]
            if not outcome.error and not retry_for and not refused:
                logger.debug("delivered %s in %d attempt(s)", notification.dedup_key, attempts)
                return self._delivery(notification, dq.DeliveryStatus.DELIVERED, attempts, code)
            error = outcome.error or f"recipients refused: {_refusals_text(outcome.refused)}"
            wait = self.backoff_delay(attempts) if (outcome.retry and retry_for) else None
            if wait is None:
                reason = error
            elif attempts >= c.max_attempts:
                reason = f"gave up after {attempts} attempts; last: {error}"
            elif time.monotonic() + wait >= give_up_at:
                reason = (
                    f"gave up after {attempts} attempt(s): waiting {wait:.3g} s more would pass "
                    f"the {c.deadline:g} s deadline; last: {error}"
                )
            else:
                pending = retry_for
                logger.debug("attempt %d failed (%s); retrying in %.2f s", attempts, error, wait)
                await anyio.sleep(wait)
                continue
            reason = self._final_reason(reason, refused, done, retry_for)
            logger.warning("email notification %s failed: %s", notification.dedup_key, reason)
            return self._delivery(notification, dq.DeliveryStatus.FAILED, attempts, code, reason)

    def _final_reason(
        self,
        reason: str,
        refused: dict[str, tuple[int, str]],
        done: list[str],
        undelivered: list[str],
    ) -> str:
        """The last error, plus every permanently refused recipient and who did get it."""
        parts = [reason] if reason else []
        unnamed = {a: r for a, r in refused.items() if a not in reason}
        if unnamed:
            parts.insert(0, f"refused by the server: {_refusals_text(unnamed)}")
        if done:
            parts.append(
                f"delivered only to {', '.join(done)} (partial delivery is a failure)"
            )
        return "; ".join(parts)

    async def _render(self, notification: dq.Notification, date: datetime) -> bytes:
        """The message bytes within our limit and the server's SIZE.

        A small alert (every text short: :func:`is_small`) renders on the event loop — tens
        of microseconds, less than handing it to a thread would cost. A big one renders in a
        worker thread: its work is bounded by the budget, but a 100,000-character summary
        still takes milliseconds that other sends on this loop should not wait for.
        """
        c = self.config
        limit = min(c.max_message_bytes, self._server_size or c.max_message_bytes)

        def rendered() -> bytes:
            return render(
                notification,
                sender=c.sender,
                recipients=c.recipients,
                domain=c.domain,
                max_bytes=limit,
                max_failures=c.max_failures,
                prefix=c.subject_prefix,
                date=date,
            )

        try:
            if is_small(notification):
                return rendered()
            return await anyio.to_thread.run_sync(rendered)
        except Exception as exc:  # a rendering bug must still end in a Delivery
            logger.error("rendering %s failed (%s)", notification.dedup_key, type(exc).__name__)
            raise

    async def _attempt(self, recipients: list[str], data: bytes, remaining: float) -> _Outcome:
        """One SMTP session. Every failure mode becomes an :class:`_Outcome`, never raised."""
        c = self.config
        outcome = _Outcome()
        timeout = max(min(c.timeout, remaining), 0.001)
        client = aiosmtplib.SMTP(
            hostname=c.host,
            port=c.effective_port,
            use_tls=c.security == "tls",
            start_tls=c.security == "starttls",
            tls_context=self._context() if c.security != "none" else None,
            timeout=timeout,
        )
        try:
            with anyio.fail_after(timeout):
                await client.connect()
                if c.username is not None and c.password is not None:
                    await client.login(c.username, c.password.reveal_text())
                size = client.esmtp_extensions.get("size", "").strip()
                if size.isdigit() and 0 < int(size) < len(data) and int(size) != self._server_size:
                    outcome.smaller_size = int(size)
                    return outcome
                refused, reply = await client.sendmail(c.sender, recipients, data)
            outcome.code = 250
            for address, response in refused.items():
                outcome.refused[address] = (response.code, self._excerpt(response.message))
            outcome.accepted = {a for a in recipients if a not in refused}
            if any(code < 500 for code, _ in outcome.refused.values()):
                outcome.retry = True
        except TimeoutError:
            outcome.error, outcome.retry = f"timed out after {timeout:.3g} s", True
        except aiosmtplib.SMTPRecipientsRefused as exc:
            for item in exc.recipients:
                outcome.refused[item.recipient] = (item.code, self._excerpt(item.message))
            outcome.code = max(code for code, _ in outcome.refused.values())
            outcome.retry = any(code < 500 for code, _ in outcome.refused.values())
            outcome.error = f"recipients refused: {_refusals_text(outcome.refused)}"
        except aiosmtplib.SMTPAuthenticationError as exc:
            outcome.code = exc.code
            outcome.error = (
                f"SMTP {exc.code} {self._excerpt(exc.message)}: the server refused the login; "
                f"check username and password (not retried)"
            )
        except aiosmtplib.SMTPResponseException as exc:
            outcome.code = exc.code
            outcome.error = f"SMTP {exc.code} {self._excerpt(exc.message)}".rstrip()
            outcome.retry = 400 <= exc.code < 500
            if exc.code == 552:
                outcome.error += " (the message is over the server's size limit)"
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError) as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, ssl.SSLError):
                outcome.error = self._tls_error(cause)
            else:
                outcome.error = f"connection failed ({self._excerpt(str(exc))})"
                outcome.retry = True
        except ssl.SSLError as exc:
            outcome.error = self._tls_error(exc)
        except aiosmtplib.SMTPException as exc:
            text = str(exc)
            if "STARTTLS" in text:
                outcome.error = (
                    f"the server at {c.host}:{c.effective_port} does not offer STARTTLS; "
                    'dq-email never sends in clear with security = "starttls". Use '
                    'security = "tls" if it speaks implicit TLS (port 465), or enable '
                    "STARTTLS on the server"
                )
            elif "AUTH" in text:
                outcome.error = (
                    f"the server at {c.host}:{c.effective_port} offers no AUTH over this "
                    "connection, so the password cannot be used; check security and port"
                )
            else:
                outcome.error = f"SMTP error ({self._excerpt(text)})"
        except OSError as exc:
            outcome.error, outcome.retry = f"connection failed ({type(exc).__name__})", True
        except Exception as exc:  # a bug must not lose the alert silently
            logger.error("an SMTP attempt failed unexpectedly (%s)", type(exc).__name__)
            outcome.error = f"could not send ({type(exc).__name__})"
        finally:
            await self._close(client)
        return outcome

    async def _close(self, client: aiosmtplib.SMTP) -> None:
        with anyio.CancelScope(shield=True), anyio.move_on_after(1.0):
            try:
                if client.is_connected:
                    await client.quit()
            except Exception:
                client.close()
        if client.is_connected:
            client.close()

    def _tls_error(self, exc: ssl.SSLError) -> str:
        reason = getattr(exc, "verify_message", None) or getattr(exc, "reason", None)
        return (
            f"TLS with {self.config.host}:{self.config.effective_port} failed "
            f"({self._excerpt(str(reason or type(exc).__name__))}); if the server uses a "
            "private CA, set ca_file to it (not retried)"
        )

    def _context(self) -> ssl.SSLContext:
        """Verifying TLS context (system CAs or ``ca_file``), made on first use only."""
        if self._ssl is None:
            context = ssl.create_default_context(cafile=self.config.ca_file)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            self._ssl = context
        return self._ssl

    # -- the rules, one method each -------------------------------------------------------

    def backoff_delay(self, attempt: int) -> float:
        """Exponential with equal jitter (half fixed, half random)."""
        base = min(self.config.backoff * 2 ** (attempt - 1), MAX_BACKOFF)
        return base / 2 + random.uniform(0, base / 2)

    def _excerpt(self, text: str) -> str:
        flat = " ".join(scrub(text, self._secrets).split())
        return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS] + "…"

    def _delivery(
        self,
        notification: dq.Notification,
        status: dq.DeliveryStatus,
        attempts: int,
        response_status: int | None,
        error: str = "",
    ) -> dq.Delivery:
        return dq.Delivery(
            channel=self.channel,
            status=status,
            dedup_key=notification.dedup_key,
            attempts=attempts,
            response_status=response_status,
            error=scrub(error, self._secrets),
            finished_at=datetime.now(UTC),
        )


def _refusals_text(refused: Mapping[str, tuple[int, str]]) -> str:
    return ", ".join(f"{a} ({code} {text})".replace(" )", ")") for a, (code, text) in refused.items())


def _secret_forms(config: EmailConfig) -> frozenset[str]:
    """The password, and the base64 forms AUTH PLAIN/LOGIN put on the wire."""
    if config.password is None:
        return frozenset()
    password = config.password.reveal_text()
    user = config.username or ""
    forms = {password}
    for raw in (password, f"\0{user}\0{password}"):
        forms.add(base64.b64encode(raw.encode()).decode())
    return frozenset(f for f in forms if len(f) >= 4)


def scrub(text: str, secrets: frozenset[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text
