"""The configuration of the ``email`` notifier: what users write under ``[notify.channels.X]``.

dq structures the user's table into :class:`EmailConfig` with its strict converter before
calling the factory, so unknown keys and wrong types are reported at their exact path. This
module stays light (attrs and dq only): ``dq plugins info`` imports it to list the fields.

Security is not negotiable by accident. ``security = "starttls"`` (the default) *requires*
the server to offer STARTTLS (RFC 3207) and fails otherwise — a client that upgrades only
"if supported" can be stripped to plain text by anyone on the path. ``"tls"`` is implicit TLS
from the first byte (RFC 8314, port 465). ``"none"`` sends in clear and is accepted only with
``allow_plaintext = true`` *and* a loopback host (a local relay or a test server): never for
a password (AUTH over plain text would hand it out).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

import attrs
import dq

#: Default ports per security mode: submission (RFC 6409), submissions (RFC 8314), relay.
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
#: An address: local@domain, no spaces, angle brackets, quotes or control characters (a
#: display name would need header encoding rules; the envelope needs the bare address).
_ADDRESS = re.compile(r"^[^\s<>()\[\]\\,;:\"@\x00-\x1f\x7f]+@[A-Za-z0-9.-]+\.?[A-Za-z0-9-]*$")
_HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_LOOPBACK_NAMES = {"localhost", "localhost."}


def _positive(_inst: object, attribute: attrs.Attribute, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _address(field: str, value: str) -> None:
    if not isinstance(value, str) or not _ADDRESS.match(value):
        raise ValueError(
            f"{field} must be a plain address like alerts@example.com (no display name, "
            f"spaces or angle brackets), got {value!r}"
        )


def _sender(_inst: object, attribute: attrs.Attribute, value: str) -> None:
    _address(attribute.name, value)


def _recipients(_inst: object, attribute: attrs.Attribute, value: tuple[str, ...]) -> None:
    if not value:
        raise ValueError(f"{attribute.name} must name at least one address")
    for index, address in enumerate(value):
        _address(f"{attribute.name}[{index}]", address)
    if len({a.lower() for a in value}) != len(value):
        raise ValueError(f"{attribute.name} lists an address twice")


def _host(_inst: object, attribute: attrs.Attribute, value: str) -> None:
    try:
        ipaddress.ip_address(value)
        return
    except ValueError:
        pass
    if not _HOSTNAME.match(value):
        raise ValueError(f"{attribute.name} must be a host name or IP address, got {value!r}")


def _password(_inst: object, attribute: attrs.Attribute, value: dq.SecretValue | None) -> None:
    if value is not None and not isinstance(value, dq.SecretValue):
        raise TypeError(f"{attribute.name} must be a dq.SecretValue (the password is a secret)")


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@attrs.frozen(kw_only=True)
class EmailConfig:
    """Where and how to send mail.

    ``password`` is a :class:`dq.SecretValue` (masked in repr, logs and ``dq plugins info``);
    write it as a reference, ``password = "${secret:vault:smtp#password}"``.
    """

    #: The submission server (your provider's SMTP host, or a local relay).
    host: str = attrs.field(validator=_host)
    #: The envelope sender and ``From`` address.
    sender: str = attrs.field(validator=_sender)
    #: Who gets the alert: one message, every address in ``To``.
    recipients: tuple[str, ...] = attrs.field(converter=tuple, validator=_recipients)
    #: ``starttls`` (required, never downgraded), ``tls`` (implicit, 465) or ``none``.
    security: Literal["starttls", "tls", "none"] = "starttls"
    #: Defaults to 587 for starttls, 465 for tls, 25 for none.
    port: int | None = None
    #: Needed (with a loopback ``host``) to use ``security = "none"``.
    allow_plaintext: bool = False
    #: A PEM file of CA certificates to trust instead of the system's (a private CA).
    ca_file: str | None = None
    #: AUTH user name; set it together with ``password``.
    username: str | None = None
    password: dq.SecretValue | None = attrs.field(
        default=None, metadata={"secret": True}, validator=_password
    )
    #: Seconds one attempt (connect, TLS, AUTH, the whole transaction) may take.
    timeout: float = attrs.field(default=10.0, validator=_positive)
    #: Seconds one send may take, retries and waits included; then FAILED (and replayable).
    deadline: float = attrs.field(default=60.0, validator=_positive)
    #: Attempts per send, the first included.
    max_attempts: int = attrs.field(default=6, validator=_positive)
    #: First backoff in seconds after a 4xx or a timeout, doubled per attempt, with jitter.
    backoff: float = attrs.field(default=0.5, validator=_positive)
    #: Upper bound of one message in bytes (as sent); the server's SIZE, if smaller, wins.
    max_message_bytes: int = attrs.field(default=1_000_000, validator=_positive)
    #: The most failing rules listed; the rest are counted ("… and 37 more").
    max_failures: int = attrs.field(default=50, validator=_positive)
    #: Put before every subject, so filters can route alerts.
    subject_prefix: str = "[dq]"
    #: The channel name reported in each ``dq.Delivery`` (dq sets it to the channel's name).
    channel: str = "email"

    def __attrs_post_init__(self) -> None:
        if (self.username is None) != (self.password is None):
            raise ValueError(
                "username and password go together: set both for AUTH, or neither for a "
                "server that needs no login"
            )
        if self.port is not None and not 0 < self.port < 65536:
            raise ValueError(f"port must be 1-65535, got {self.port!r}")
        if self.security == "none":
            if not self.allow_plaintext or not is_loopback(self.host):
                raise ValueError(
                    'security = "none" sends mail in clear text; it is accepted only with '
                    "allow_plaintext = true and a loopback host (a local relay or test "
                    'server). Use security = "starttls" (port 587) or "tls" (port 465)'
                )
            if self.password is not None:
                raise ValueError(
                    'security = "none" with a password would send the password in clear; '
                    'use security = "starttls" or "tls"'
                )
        if self.ca_file is not None and not self.ca_file.strip():
            raise ValueError("ca_file must be a path to a PEM file, or left out")
        if any(c in self.subject_prefix for c in "\r\n"):
            raise ValueError("subject_prefix must be one line")

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else DEFAULT_PORTS[self.security]

    @property
    def domain(self) -> str:
        """The sender's domain: the right-hand side of the Message-IDs we mint."""
        return self.sender.rsplit("@", 1)[1].rstrip(".").lower()
