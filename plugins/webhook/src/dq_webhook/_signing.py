"""Standard Webhooks signatures: made by the notifier, checked by :func:`verify` in receivers.

From the Standard Webhooks specification (1.0.0, github.com/standard-webhooks): each request
carries three headers,

* ``webhook-id`` — the message's id, the same on every retry of that message (receivers drop
  repeats by it);
* ``webhook-timestamp`` — integer Unix seconds of *this attempt*;
* ``webhook-signature`` — space-separated ``v1,<base64 HMAC-SHA256>`` entries, each over
  ``"{id}.{timestamp}.{body}"`` with the key that is the base64 part of the ``whsec_…``
  secret;

and receivers verify the raw body before parsing it, compare in constant time, and refuse a
timestamp outside a tolerance (5 minutes recommended) so that a captured request cannot be
replayed later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

import dq

PREFIX = "whsec_"
#: The spec's advice for symmetric secrets: 24 to 64 random bytes.
MIN_KEY_BYTES, MAX_KEY_BYTES = 24, 64


class WebhookVerificationError(ValueError):
    """A request that must not be trusted: which check failed, never the secret."""


def signing_key(secret: str | bytes | dq.SecretValue) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret (the prefix is optional)."""
    if isinstance(secret, dq.SecretValue):
        secret = secret.reveal()
    text = secret.decode("ascii", "replace") if isinstance(secret, bytes) else secret
    text = text.strip().removeprefix(PREFIX)
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            "the signing secret must be 'whsec_' followed by base64 (not shown: it is a secret)"
        ) from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValueError(
            f"the signing secret must decode to {MIN_KEY_BYTES}-{MAX_KEY_BYTES} bytes, got "
            f"{len(key)}; make one with dq_webhook.new_secret()"
        )
    return key


def new_secret() -> str:
    """A fresh ``whsec_`` secret of 32 random bytes, to share with the receiver."""
    import secrets

    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64 HMAC-SHA256(id.timestamp.body)>``."""
    content = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise WebhookVerificationError(f"missing header {name}")


def verify(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str | bytes | dq.SecretValue,
    tolerance: int = 300,
    *,
    now: float | None = None,
) -> Any:
    """Check a received webhook and return its parsed JSON body; raise
    :class:`WebhookVerificationError` if it must not be trusted.

    *payload* is the raw request body exactly as received (re-serialising parsed JSON
    changes the bytes); *headers* any mapping (names compared case-insensitively). A request
    whose ``webhook-timestamp`` is more than *tolerance* seconds from *now* is refused, so a
    captured request cannot be replayed later; within the window, drop repeats by
    ``webhook-id`` (a retry of one message has the same id).
    """
    body = payload.encode() if isinstance(payload, str) else bytes(payload)
    message_id = _header(headers, "webhook-id")
    stamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not integer seconds") from None
    current = time.time() if now is None else now
    if timestamp < current - tolerance:
        raise WebhookVerificationError("message timestamp too old (outside the replay window)")
    if timestamp > current + tolerance:
        raise WebhookVerificationError("message timestamp too new (outside the replay window)")
    try:
        key = signing_key(secret)
    except ValueError as exc:
        raise WebhookVerificationError(str(exc)) from None
    expected = sign(key, message_id, timestamp, body).partition(",")[2]
    for entry in signatures.split():
        version, _, value = entry.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected.encode()):
            try:
                return json.loads(body)
            except ValueError:
                raise WebhookVerificationError("the signed body is not JSON") from None
    raise WebhookVerificationError("no matching v1 signature")
