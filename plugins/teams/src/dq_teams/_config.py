"""The configuration of the ``teams`` notifier: what users write under ``[notify.channels.X]``.

Light (attrs and dq only): ``dq plugins info`` imports it to list the fields. The URL is the
one a Workflows flow shows for its trigger "When a Teams webhook request is received"
(Power Automate); the retired Office 365 connector URLs (``…webhook.office.com/webhookb2/…``)
are refused with a pointer to the migration, since they no longer post.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import attrs
import dq

#: Teams' documented ceiling for one message ("28 KB").
TEAMS_MAX_BYTES = 28_000


def _positive(_inst: object, attribute: attrs.Attribute, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _body_bytes(_inst: object, attribute: attrs.Attribute, value: int) -> None:
    if not 4_000 <= value <= TEAMS_MAX_BYTES:
        raise ValueError(
            f"{attribute.name} must be between 4000 and {TEAMS_MAX_BYTES} (Teams refuses "
            f"messages over 28 KB), got {value!r}"
        )


def _loopback(host: str) -> bool:
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _webhook_url(_inst: object, attribute: attrs.Attribute, value: dq.SecretValue) -> None:
    """Fail at configuration time, naming the field but never echoing the (secret) value."""
    if not isinstance(value, dq.SecretValue):
        raise TypeError(f"{attribute.name} must be a dq.SecretValue (the webhook URL is a secret)")
    try:
        text = value.reveal_text()
        parts = urlsplit(text)
        host = parts.hostname or ""
        ok = text.isprintable() and not any(c.isspace() for c in text) and bool(host)
        ok = ok and (parts.scheme == "https" or (parts.scheme == "http" and _loopback(host)))
    except (UnicodeDecodeError, ValueError):
        ok, host, parts = False, "", None
    if not ok:
        raise ValueError(
            f"{attribute.name} must be the https URL of a Workflows webhook (the flow's trigger "
            "'When a Teams webhook request is received' shows it); the value given is not one "
            "(not shown: it is a secret). http is accepted only for a loopback host"
        )
    if host.endswith("webhook.office.com") or "/IncomingWebhook/" in (parts.path if parts else ""):
        raise ValueError(
            f"{attribute.name} is an Office 365 connector URL: Microsoft retired those. Create "
            "a Workflows webhook (Teams > channel > Workflows > 'Post to a channel when a "
            "webhook request is received') and use its URL"
        )


@attrs.frozen(kw_only=True)
class TeamsConfig:
    """Where and how to post. ``url`` is the Workflows webhook URL, which *is* the credential
    (its ``sig=`` signs it): a :class:`dq.SecretValue`, masked everywhere."""

    url: dq.SecretValue = attrs.field(metadata={"secret": True}, validator=_webhook_url)
    #: Seconds one HTTP attempt may take.
    timeout: float = attrs.field(default=10.0, validator=_positive)
    #: Seconds one send may take, retries and waits included; then FAILED (and replayable).
    deadline: float = attrs.field(default=60.0, validator=_positive)
    #: Attempts per send, the first included.
    max_attempts: int = attrs.field(default=6, validator=_positive)
    #: First backoff in seconds after a 5xx or a timeout, doubled per attempt, with jitter.
    backoff: float = attrs.field(default=0.5, validator=_positive)
    #: The most failing rules listed; the rest are counted ("… and 37 more").
    max_failures: int = attrs.field(default=20, validator=_positive)
    #: Upper bound of one request body (Teams: 28 KB); the card is shrunk to fit.
    max_body_bytes: int = attrs.field(default=TEAMS_MAX_BYTES, validator=_body_bytes)
    #: The channel name reported in each ``dq.Delivery``.
    channel: str = "teams"
