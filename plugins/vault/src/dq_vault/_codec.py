"""How secret bytes travel through KV v2, which stores JSON strings.

A value that is valid UTF-8 is stored as that text, so ``bao kv get`` and every other Vault
client see it as written. Anything else (keys, DER certificates, random bytes) is stored as
``dq-base64:`` followed by its standard base64. A text that itself starts with the marker is
base64-encoded too, so the mapping is a bijection: every byte string round-trips, and no
stored text is ever misread as encoded. (docs/decisions/0014-vault-backend.md)

Values written by other tools that are not strings (a number, a nested object) are read back
as their compact JSON text, rather than refused: the secret is still usable.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

MARKER = "dq-base64:"


def encode(value: bytes) -> str:
    """The JSON string KV stores for *value*."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and not text.startswith(MARKER):
        return text
    return MARKER + base64.b64encode(value).decode("ascii")


def decode(stored: Any) -> bytes:
    """The bytes a stored KV value stands for (inverse of :func:`encode`)."""
    if isinstance(stored, str):
        if stored.startswith(MARKER):
            try:
                return base64.b64decode(stored[len(MARKER) :], validate=True)
            except binascii.Error:
                # Not ours after all (hand-written text that happens to start so): take it as is.
                return stored.encode("utf-8", "surrogatepass")
        return stored.encode("utf-8", "surrogatepass")
    return json.dumps(stored, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
