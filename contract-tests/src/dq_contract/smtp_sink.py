"""SmtpSink: a real SMTP server on 127.0.0.1 (aiosmtpd) that records and answers from a script.

The SMTP notifier contract (and dq-email's own tests) run an email notifier against this
rather than a mocked client: what matters is what crossed the wire — how many transactions,
how far apart, with which ``Message-ID``, how big, over TLS or not, and whether the password
shows up anywhere a human or a log shipper could see it.

* ``mode="starttls"`` (default): plain connect, ``STARTTLS`` offered **and required** before
  ``MAIL`` (RFC 3207), ``AUTH`` required and only offered after TLS (RFC 4954);
* ``mode="tls"``: implicit TLS from the first byte (submissions over TLS, port 465, RFC 8314);
* ``mode="plain"``: no TLS offered at all (a server a STARTTLS client must refuse to use).

Certificates come from :func:`tls_material`: a throwaway CA and a server certificate for
``127.0.0.1`` (IP SAN) and ``localhost``, made with ``cryptography`` once per process.
``ca_file`` is that CA, what a client must be told to trust.

The script answers the ``DATA`` stage (``SmtpReply(451, "4.3.0 try later")``, ``delay`` to
hold the answer past a client timeout); :meth:`SmtpSink.refuse` answers ``RCPT TO`` for given
addresses; ``auth_fails`` makes every ``AUTH`` answer ``535``. ``max_message_bytes`` is
advertised as the ``SIZE`` extension (RFC 1870) and enforced with ``552``.

Needs the ``smtp`` extra: ``pip install 'dq-contract-tests[smtp]'``.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import email
import email.message
import email.policy
import ipaddress
import logging
import secrets
import socket
import ssl
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

Mode = Literal["starttls", "tls", "plain"]


@attrs.frozen
class SmtpReply:
    """One scripted answer: ``code`` and ``text``, held back ``delay`` seconds."""

    code: int = 250
    text: str = "2.0.0 OK: queued"
    delay: float = 0.0

    def line(self) -> str:
        return f"{self.code} {self.text}"


@attrs.frozen(kw_only=True)
class Received:
    """One ``DATA`` the sink read, and how it answered.

    ``arrived`` is ``time.monotonic()`` when the data was complete; ``tls`` and
    ``authenticated`` say how the session that carried it was protected.
    """

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    arrived: float
    answered: int
    tls: bool
    authenticated: bool

    @property
    def message(self) -> email.message.EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed

    def header(self, name: str) -> str | None:
        value = self.message.get(name)
        return None if value is None else str(value)

    def texts(self) -> list[str]:
        """The decoded content of every text part (plain and HTML), with SMTP's CRLF line
        ends read back as ``\\n`` (RFC 5321 §2.3.8: CRLF is the only line end on the wire)."""
        found = []
        for part in self.message.walk():
            if part.get_content_maintype() == "text":
                found.append(part.get_content().replace("\r\n", "\n"))
        return found


# -- certificates ---------------------------------------------------------------------------


@attrs.frozen
class TlsMaterial:
    ca_file: str
    cert_file: str
    key_file: str

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


_MATERIAL: TlsMaterial | None = None
_MATERIAL_LOCK = threading.Lock()


def tls_material() -> TlsMaterial:
    """A CA and a server certificate for 127.0.0.1/localhost, made once per process."""
    global _MATERIAL
    with _MATERIAL_LOCK:
        if _MATERIAL is None:
            _MATERIAL = _make_material(Path(tempfile.mkdtemp(prefix="dq-smtp-tls-")))
        return _MATERIAL


def _make_material(folder: Path) -> TlsMaterial:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = _dt.datetime.now(_dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dq contract test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(pem))
    cert_file.write_bytes(cert.public_bytes(pem))
    key_file.write_bytes(
        key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return TlsMaterial(str(ca_file), str(cert_file), str(key_file))


# -- the server -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpSink:
    """A recording, scriptable SMTP server on 127.0.0.1 (aiosmtpd in a background thread)."""

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        mode: Mode = "starttls",
        auth: bool = True,
        max_message_bytes: int | None = 10_485_760,
        username: str = "dq-alerts",
    ) -> None:
        self.mode = mode
        self.auth = auth and mode != "plain"
        self.max_message_bytes = max_message_bytes
        self.username = username
        #: The secret the leak tests search for (AUTH accepts only this password).
        self.password = f"SMTP-PASSWORD-{secrets.token_hex(8)}"
        self.token = self.password
        self.ca_file = tls_material().ca_file
        self.auth_fails = False
        self.port = 0
        self._lock = threading.Lock()
        self._replies: deque[SmtpReply] = deque()
        self._then = SmtpReply()
        self._refusals: dict[str, SmtpReply | deque[SmtpReply]] = {}
        self._received: list[Received] = []
        self._connections = 0
        self._peers: set[Any] = set()
        self._rcpts: list[tuple[str, int]] = []
        self._controller: Any = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, *, port: int = 0) -> SmtpSink:
        from aiosmtpd.controller import Controller

        # aiosmtpd's own log ("mail.log") prints each command it reads, AUTH lines included,
        # and warns on every login about its own deprecations: a test server's chatter is
        # not the client's, so keep it to errors (the leak tests judge the client's logs).
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        material = tls_material()
        context = material.server_context()
        kwargs: dict[str, Any] = {
            "data_size_limit": self.max_message_bytes,
            "auth_required": self.auth,
            "auth_require_tls": True,
            "authenticator": self._authenticate,
            "server_hostname": "dq-sink.test",
            "timeout": 30,
        }
        if self.mode == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        elif self.mode == "tls":
            # aiosmtpd only counts a STARTTLS upgrade as TLS for AUTH; here every byte is TLS
            kwargs.update(ssl_context=context, auth_require_tls=False)
        self.port = port or _free_port()
        self._controller = Controller(
            _Handler(self), hostname=self.host, port=self.port, ready_timeout=10, **kwargs
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop serving (idempotent); the port then refuses connections."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests use -------------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        """Every DATA read so far (answered with any code), in arrival order."""
        with self._lock:
            return list(self._received)

    @property
    def delivered(self) -> list[Received]:
        """The DATAs answered 250: the messages a mailbox would hold."""
        return [r for r in self.received if r.answered == 250]

    @property
    def connections(self) -> int:
        """How many SMTP sessions (client connections) greeted the server with EHLO."""
        with self._lock:
            return self._connections

    @property
    def rcpts(self) -> list[tuple[str, int]]:
        """Each ``RCPT TO`` address and the code it was answered with."""
        with self._lock:
            return list(self._rcpts)

    def script(self, replies: Iterable[SmtpReply], *, then: SmtpReply | None = None) -> None:
        """Answer the next DATAs with *replies* in order, every later one with *then*."""
        with self._lock:
            self._replies = deque(replies)
            self._then = then if then is not None else SmtpReply()

    def refuse(self, refusals: Mapping[str, SmtpReply | Iterable[SmtpReply]]) -> None:
        """Answer ``RCPT TO:<address>`` with the given reply (until :meth:`reset`), or with
        each of a sequence of replies once, in order, and ``250`` after them."""
        with self._lock:
            self._refusals = {
                k.lower(): v if isinstance(v, SmtpReply) else deque(v)
                for k, v in refusals.items()
            }

    def set_size_limit(self, max_message_bytes: int | None) -> None:
        """Advertise (and enforce) another SIZE from the next connection on."""
        self.max_message_bytes = max_message_bytes
        if self._controller is not None:
            self._controller.SMTP_kwargs["data_size_limit"] = max_message_bytes

    def restart(self, *, mode: Mode) -> None:
        """Serve on the same port in another *mode* (e.g. a server that offers no STARTTLS:
        what a client configured for this sink meets when someone strips TLS)."""
        self.stop()
        self.mode = mode
        self.auth = self.auth and mode != "plain"
        self.start(port=self.port)

    def reset(self) -> None:
        with self._lock:
            self._replies.clear()
            self._then = SmtpReply()
            self._refusals = {}
            self._received.clear()
            self._rcpts.clear()
            self._connections = 0
            self._peers.clear()
            self.auth_fails = False

    # -- used by the handler --------------------------------------------------------------

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (
            not self.auth_fails
            and isinstance(auth_data, LoginPassword)
            and auth_data.login == self.username.encode()
            and secrets.compare_digest(auth_data.password, self.password.encode())
        )
        return AuthResult(success=ok, handled=False)

    def _greeted(self, peer: Any) -> None:
        """Count sessions, not EHLOs: STARTTLS makes a client say EHLO twice (RFC 3207)."""
        with self._lock:
            if peer not in self._peers:
                self._peers.add(peer)
                self._connections += 1

    def _rcpt(self, address: str) -> SmtpReply:
        with self._lock:
            found = self._refusals.get(address.lower())
            if isinstance(found, deque):
                found = found.popleft() if found else None
            reply = found or SmtpReply(250, "2.1.5 OK")
            self._rcpts.append((address, reply.code))
            return reply

    def _data(self, record: Received) -> SmtpReply:
        with self._lock:
            reply = self._replies.popleft() if self._replies else self._then
            self._received.append(attrs.evolve(record, answered=reply.code))
            return reply


class _Handler:
    """aiosmtpd hooks: record, then answer as scripted."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_EHLO(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        self.sink._greeted(session.peer)
        return responses

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        reply = self.sink._rcpt(address)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.code == 250:
            envelope.rcpt_tos.append(address)
        return reply.line()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        record = Received(
            mail_from=str(envelope.mail_from),
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=bytes(content),
            arrived=time.monotonic(),
            answered=0,
            tls=server.transport.get_extra_info("ssl_object") is not None,
            authenticated=bool(session.authenticated),
        )
        reply = self.sink._data(record)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return reply.line()


def running_smtp_sink(**kwargs: Any) -> Iterator[SmtpSink]:
    """Generator for a pytest fixture: a started sink, stopped after the test."""
    sink = SmtpSink(**kwargs).start()
    try:
        yield sink
    finally:
        sink.stop()
