"""How dq's fields (name → bytes) travel as a Secrets Manager secret value.

A secret version holds either ``SecretString`` or ``SecretBinary``
(https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html).

Writing (:func:`encode`):

* one field named ``binary`` → ``SecretBinary`` holding its bytes as they are (certificates,
  keystores: what ``aws secretsmanager create-secret --secret-binary fileb://...`` writes);
* anything else → ``SecretString`` holding a JSON object of strings, the shape the console's
  key/value editor writes and RDS/Redshift rotation functions read. A field whose bytes are
  valid UTF-8 is stored as that text; other bytes (and a text that itself starts with the
  marker) as ``dq-base64:`` + standard base64, so every byte string round-trips and no stored
  text is misread as encoded (the same bijection dq-vault uses).

Reading (:func:`decode`) accepts what other tools write too:

* ``SecretString`` that is a JSON object → its fields (non-string values, such as the
  ``port`` number RDS writes, read as their compact JSON text);
* any other ``SecretString`` (a plain password, a PEM) → one field named ``value``;
* ``SecretBinary`` → one field named ``binary``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

MARKER = "dq-base64:"
BINARY_FIELD = "binary"
TEXT_FIELD = "value"


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
                return stored.encode("utf-8", "surrogatepass")
        return stored.encode("utf-8", "surrogatepass")
    return json.dumps(stored, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def encode(fields: Mapping[str, bytes]) -> dict[str, Any]:
    """The ``SecretString``/``SecretBinary`` parameter of a write holding *fields*."""
    if set(fields) == {BINARY_FIELD} and fields[BINARY_FIELD]:  # AWS refuses an empty one
        return {"SecretBinary": fields[BINARY_FIELD]}
    body = {name: _encode_field(value) for name, value in fields.items()}
    return {"SecretString": json.dumps(body, ensure_ascii=False, separators=(",", ":"))}


def decode(reply: Mapping[str, Any]) -> dict[str, bytes]:
    """The fields of a ``GetSecretValue`` answer."""
    if reply.get("SecretBinary") is not None:
        return {BINARY_FIELD: bytes(reply["SecretBinary"])}
    text = reply.get("SecretString")
    if not isinstance(text, str):
        return {}
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed:
        return {str(name): _decode_field(value) for name, value in parsed.items()}
    return {TEXT_FIELD: text.encode("utf-8", "surrogatepass")}
