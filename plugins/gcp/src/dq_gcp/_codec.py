"""How dq's fields (name → bytes) travel as one Secret Manager payload, and its CRC32C.

A version's payload is one byte string (``SecretPayload.data``, base64 in JSON, at most
64 KiB). Most secrets in Secret Manager are a single value (a password, a PEM written with
``gcloud secrets versions add --data-file``), so:

* one field named ``value`` whose bytes are not empty and are not themselves a JSON object →
  the payload is those bytes, as they are;
* anything else → a JSON object of strings, UTF-8 text as is and other bytes (or text that
  starts with the marker) as ``dq-base64:`` + base64 (dq-vault's bijection).

Reading: a payload that is a JSON object (of at least one field) gives its fields;
any other payload is the one field ``value``. ``decode(encode(f)) == f`` for every input.

**CRC32C.** Google's ``google-crc32c`` (the maintained wrapper of Google's C library, with a
pure-Python fallback) computes the Castagnoli checksum the API sends as ``dataCrc32c``
(an int64 written as a decimal string). dq sends it on every ``addVersion`` and checks it on
every ``access``; a mismatch is an error, never a value.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

import google_crc32c

MARKER = "dq-base64:"
VALUE_FIELD = "value"


def crc32c(data: bytes) -> int:
    """The CRC32C (Castagnoli) of *data*, as Secret Manager's ``dataCrc32c`` carries it."""
    return int(google_crc32c.value(data))


def _json_object(data: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) and parsed else None


def _encode_field(value: bytes) -> str:
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and not text.startswith(MARKER):
        return text
    return MARKER + base64.b64encode(value).decode("ascii")


def _decode_field(stored: Any) -> bytes:
    if isinstance(stored, str):
        if stored.startswith(MARKER):
            try:
                return base64.b64decode(stored[len(MARKER) :], validate=True)
            except binascii.Error:
                pass
        return stored.encode("utf-8", "surrogatepass")
    return json.dumps(stored, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def encode(fields: Mapping[str, bytes]) -> bytes:
    """The payload bytes of a version holding *fields*."""
    if set(fields) == {VALUE_FIELD}:
        raw = fields[VALUE_FIELD]
        if raw and _json_object(raw) is None:
            return raw
    body = {name: _encode_field(value) for name, value in fields.items()}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(payload: bytes) -> dict[str, bytes]:
    """The fields of a payload (inverse of :func:`encode`)."""
    parsed = _json_object(payload)
    if parsed is None:
        return {VALUE_FIELD: payload}
    return {str(name): _decode_field(value) for name, value in parsed.items()}
