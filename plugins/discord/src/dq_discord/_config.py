"""The configuration of the ``discord`` notifier: what users write under ``[notify.channels.X]``.

Light (attrs and dq only): ``dq plugins info`` imports it to list the fields. The URL is a
channel webhook's "Copy Webhook URL" (``https://discord.com/api/webhooks/{id}/{token}``).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import attrs
import dq


def _positive(_inst: object, attribute: attrs.Attribute, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


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
        ok = False
    if not ok:
        raise ValueError(
            f"{attribute.name} must be an https webhook URL such as "
            "https://discord.com/api/webhooks/<id>/<token>; the value given is not one (not "
            "shown: it is a secret). Copy it again from the channel's Integrations > Webhooks"
        )


@attrs.frozen(kw_only=True)
class DiscordConfig:
    """Where and how to post. ``url`` holds the webhook token, so it is a secret."""

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
    max_failures: int = attrs.field(default=15, validator=_positive)
    #: Shown as the message author instead of the webhook's name (≤ 80 characters).
    username: str | None = None
    #: The channel name reported in each ``dq.Delivery``.
    channel: str = "discord"

    def __attrs_post_init__(self) -> None:
        if self.username is not None and not 1 <= len(self.username) <= 80:
            raise ValueError("username must be 1-80 characters")
        if self.username is not None and any(w in self.username.lower() for w in ("discord", "clyde")):
            raise ValueError("username may not contain 'discord' or 'clyde' (Discord refuses it)")
