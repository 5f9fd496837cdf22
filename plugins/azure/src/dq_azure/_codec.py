"""How a dq secret (named fields of bytes) travels in one Key Vault secret (one string).

Key Vault stores one string ``value`` per version, with a free ``contentType`` and up to 15
``tags``. dq writes (docs/decisions/0040-azure-key-vault.md):

=============================  ======================================  =====================
fields written                 ``value``                               ``contentType``
=============================  ======================================  =====================
one field, valid UTF-8         the text itself                         ``text/plain; charset=utf-8``
one field, other bytes         standard base64 of the bytes            ``application/octet-stream``
two or more fields             JSON object: field -> text, or          ``application/vnd.dq.fields+json``
                               field -> ``{"base64": "..."}`` for
                               bytes that are not UTF-8
=============================  ======================================  =====================

A one-field secret carries its field name in the tag ``dq-field``, so ``#token`` still finds
it, while the value stays what ``az keyvault secret show`` and every other client expect: the
password itself. The ``contentType`` (not an in-band marker) says whether to base64-decode,
so no text is ever misread as encoded. Secrets written by other tools (any other or no
``contentType``) are one field: their text, as UTF-8 bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

TEXT = "text/plain; charset=utf-8"
BINARY = "application/octet-stream"
FIELDS = "application/vnd.dq.fields+json"
#: Tag holding the field name of a one-field secret written by dq.
FIELD_TAG = "dq-field"
#: Key Vault's limit on a tag value.
MAX_TAG_VALUE = 256


class UndecodableSecret(ValueError):
    """A stored value does not match its dq ``contentType`` (edited by hand, or corrupted).

    The message names the content type and what was wrong, never the value.
    """


def _text(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def encode(fields: Mapping[str, bytes]) -> tuple[str, str, dict[str, str]]:
    """``(value, contentType, tags)`` for a non-empty mapping of field name -> bytes."""
    if len(fields) == 1 and len(next(iter(fields))) <= MAX_TAG_VALUE:
        ((name, raw),) = fields.items()
        text = _text(raw)
        tags = {FIELD_TAG: name}
        if text is not None:
            return text, TEXT, tags
        return base64.b64encode(raw).decode("ascii"), BINARY, tags
    body: dict[str, Any] = {}
    for name, raw in fields.items():
        text = _text(raw)
        body[name] = text if text is not None else {"base64": base64.b64encode(raw).decode()}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")), FIELDS, {}


def decode(value: str, content_type: str | None, tags: Mapping[str, str] | None) -> dict[str, bytes]:
    """The fields a stored version stands for (inverse of :func:`encode`).

    A one-field secret written by another tool has no ``dq-field`` tag: its one field is
    named ``""`` and is what ``get(path)`` (no ``#field``) returns.
    """
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    name = (tags or {}).get(FIELD_TAG, "")
    if kind == BINARY:
        try:
            return {name: base64.b64decode(value, validate=True)}
        except (binascii.Error, ValueError):
            raise UndecodableSecret(
                f"contentType {BINARY!r} but the value is not base64"
            ) from None
    if kind == FIELDS:
        try:
            body = json.loads(value)
        except ValueError:
            raise UndecodableSecret(f"contentType {FIELDS!r} but the value is not JSON") from None
        if not isinstance(body, dict) or not body:
            raise UndecodableSecret(f"contentType {FIELDS!r} but the value is not a JSON object")
        out: dict[str, bytes] = {}
        for key, item in body.items():
            if isinstance(item, str):
                out[str(key)] = item.encode("utf-8", "surrogatepass")
            elif isinstance(item, dict) and isinstance(item.get("base64"), str):
                try:
                    out[str(key)] = base64.b64decode(item["base64"], validate=True)
                except (binascii.Error, ValueError):
                    raise UndecodableSecret(
                        f"field {key!r} claims base64 but is not base64"
                    ) from None
            else:
                raise UndecodableSecret(f"field {key!r} is neither text nor {{'base64': ...}}")
        return out
    return {name: value.encode("utf-8", "surrogatepass")}
