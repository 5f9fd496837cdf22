"""Keeping secrets out of errors: every string in a channel's options, and its URL parts.

No secret reaches a ``Delivery.error``, a log line or the outbox: errors are
scrubbed of every value found in the channel's options (raw and resolved) before
they leave the notify package.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dq.model._secrets import SecretValue


def secret_texts(value: Any, found: set[str]) -> set[str]:
    """Every string in an options tree that could be a credential, and its URL parts."""
    if isinstance(value, SecretValue):
        text = value.reveal().decode("utf-8", "replace")
        _add_secret(text, found)
    elif isinstance(value, str):
        if not value.startswith("${secret:"):  # a reference is safe to show; its value is not
            _add_secret(value, found)
    elif isinstance(value, Mapping):
        for item in value.values():
            secret_texts(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            secret_texts(item, found)
    return found


def _add_secret(text: str, found: set[str]) -> None:
    if len(text) < 6:
        return
    found.add(text)
    if "://" in text:  # services echo parts of a webhook URL: the path is the credential
        rest = text.split("://", 1)[1]
        found.add(rest)
        _, _, path = rest.partition("/")
        path, _, query = path.partition("?")
        for part in (path, query, *path.split("/"), *query.replace("&", "=").split("=")):
            if len(part) >= 6 and not part.isalpha():
                found.add(part)


def scrub(text: str, secrets: set[str]) -> str:
    """Replace every secret in *text* with ``***``, longest first (a URL before its path)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    return text
