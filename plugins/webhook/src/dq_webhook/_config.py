"""The configuration of the ``webhook`` notifier: what users write under ``[notify.channels.X]``.

dq structures the user's table into :class:`WebhookConfig` with its strict shared converter
before calling the factory, so unknown keys and wrong types are reported at their exact path.
This module stays light (attrs and dq only): ``dq plugins info`` imports it to list the fields.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import attrs
import dq

from dq_webhook._signing import signing_key


def _positive(_inst: object, attribute: attrs.Attribute, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _url(_inst: object, attribute: attrs.Attribute, value: dq.SecretValue) -> None:
    """Fail at configuration time, naming the field but never echoing the (secret) value."""
    if not isinstance(value, dq.SecretValue):
        raise TypeError(f"{attribute.name} must be a dq.SecretValue (the URL may be a secret)")
    try:
        text = value.reveal_text()
        parts = urlsplit(text)
        ok = parts.scheme in ("https", "http") and bool(parts.hostname) and text.isprintable()
    except (UnicodeDecodeError, ValueError):
        ok = False
    if not ok or any(c.isspace() for c in text):
        raise ValueError(
            f"{attribute.name} must be an http(s) URL such as https://hooks.example.com/dq; "
            "the value given is not one (not shown: it may be a secret); check the "
            "${secret:…} reference it came from"
        )


def _secret(_inst: object, attribute: attrs.Attribute, value: dq.SecretValue) -> None:
    if not isinstance(value, dq.SecretValue):
        raise TypeError(f"{attribute.name} must be a dq.SecretValue (it signs every request)")
    try:
        signing_key(value)
    except ValueError as exc:
        raise ValueError(f"{attribute.name}: {exc}") from None


@attrs.frozen(kw_only=True)
class WebhookConfig:
    """Where to POST, and the secret each request is signed with.

    Both ``url`` and ``secret`` are :class:`dq.SecretValue`: masked in repr, logs and
    ``dq plugins info``. Write them as references:
    ``url = "${secret:vault:hooks#url}"``, ``secret = "${secret:vault:hooks#signing}"``.
    """

    url: dq.SecretValue = attrs.field(metadata={"secret": True}, validator=_url)
    #: ``whsec_<base64 of 24-64 random bytes>``, shared with the receiver (``new_secret()``).
    secret: dq.SecretValue = attrs.field(metadata={"secret": True}, validator=_secret)
    #: Seconds one HTTP attempt may take (connect + send + answer).
    timeout: float = attrs.field(default=10.0, validator=_positive)
    #: Seconds one send may take, retries and waits included; then the delivery is FAILED
    #: (and kept by dq's outbox for replay) rather than late.
    deadline: float = attrs.field(default=60.0, validator=_positive)
    #: Attempts per send, the first included.
    max_attempts: int = attrs.field(default=6, validator=_positive)
    #: First backoff in seconds after a 5xx, a 429 without Retry-After or a timeout; doubled
    #: per attempt, with jitter.
    backoff: float = attrs.field(default=0.5, validator=_positive)
    #: The most failing rules sent; the rest are counted in ``failures_total``.
    max_failures: int = attrs.field(default=100, validator=_positive)
    #: Upper bound of one request body; texts are cut (and ``truncated`` set) to fit.
    max_body_bytes: int = attrs.field(default=256_000)
    #: The channel name reported in each ``dq.Delivery`` (dq sets it to the channel's name).
    channel: str = "webhook"

    @max_body_bytes.validator
    def _check_body(self, attribute: attrs.Attribute, value: int) -> None:
        if not 16_384 <= value <= 10_000_000:
            raise ValueError(f"{attribute.name} must be between 16384 and 10000000, got {value!r}")
