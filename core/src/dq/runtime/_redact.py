"""The one redaction path: keeping secrets out of every error dq shows or stores.

Notifier errors (``Delivery.error``, the outbox, logs) and engine crashes alike are
scrubbed of every value found in the component's options (raw and resolved), of
the parts of a URL that carry credentials, and of the encoded forms a library may
print instead of the raw text: percent-encoded (httpx logs a non-ASCII token that
way), base64 (Basic auth, SMTP AUTH) and JSON-escaped.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, quote_plus

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
    found.update(encoded_forms(text))
    if "://" in text:  # services echo parts of a webhook URL: the path is the credential
        rest = text.split("://", 1)[1]
        found.add(rest)
        _, _, path = rest.partition("/")
        path, _, query = path.partition("?")
        for part in (path, query, *path.split("/"), *query.replace("&", "=").split("=")):
            if len(part) >= 6 and not part.isalpha():
                found.add(part)


def encoded_forms(text: str) -> set[str]:
    """*text* as it may appear once a library has encoded it."""
    raw = text.encode("utf-8", "surrogateescape")
    forms = {text, quote(text, safe=""), quote(text), quote_plus(text), json.dumps(text)[1:-1]}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        coded = encode(raw).decode("ascii")
        forms |= {coded, coded.rstrip("=")}
    return {form for form in forms if len(form) >= 6}


def scrub(text: str, secrets: set[str]) -> str:
    """Replace every secret in *text* with ``***``, longest first (a URL before its path)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    return text
