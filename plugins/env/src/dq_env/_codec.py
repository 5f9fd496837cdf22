"""How one variable's text becomes a secret's fields.

* A value that parses as a JSON **object** gives one field per key: ``{"user": "app",
  "password": "..."}`` is ``path#user`` and ``path#password``. A string member is its text;
  any other member (number, boolean, null, array, object) is its compact JSON text, so
  ``{"port": 5432}`` reads ``5432``.
* Anything else (plain text, a JSON array or number, text that merely starts with ``{``) is the
  single field ``value``.

Text becomes bytes as UTF-8 with ``surrogateescape``, the way Python decodes the process
environment itself (``os.environ``): a variable holding bytes that are not UTF-8 reads back as
exactly those bytes, and a JSON string escape ``\\udc80`` .. ``\\udcff`` stands for one such
byte. A lone surrogate outside that range names no byte: it is an error naming the variable and
field, never a guess.

Nothing here logs, and no error carries the text: :class:`json.JSONDecodeError` keeps the whole
document in ``.doc``, so it is swallowed *inside* the function and never chained.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import dq

#: The field a variable that is not a JSON object provides.
VALUE_FIELD = "value"


class EnvValueError(dq.SecretError):
    """A variable's content cannot be turned into bytes (never shows the content)."""


def _parse_object(raw: str) -> dict[str, object] | None:
    if not raw.lstrip().startswith("{"):
        return None
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError; .doc stays here
        return None
    return parsed if isinstance(parsed, dict) else None


def _to_bytes(member: object) -> bytes | None:
    text = member if isinstance(member, str) else json.dumps(member, separators=(",", ":"))
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return None


def decode_fields(name: str, raw: str) -> Mapping[str, bytes]:
    """The fields variable *name* holds (its text *raw*), as bytes."""
    parsed = _parse_object(raw)
    members: Mapping[str, object] = parsed if parsed is not None else {VALUE_FIELD: raw}
    fields: dict[str, bytes] = {}
    bad: list[str] = []
    for field, member in members.items():
        data = _to_bytes(member)
        if data is None:
            bad.append(field)
        else:
            fields[field] = data
    if bad:
        raise EnvValueError(
            f"variable {name}: field(s) {', '.join(map(repr, sorted(bad)))} hold a lone "
            "surrogate escape that stands for no byte; fix the variable's JSON"
        )
    return fields


def encode_fields(fields: Mapping[str, bytes]) -> str:
    """The variable text that :func:`decode_fields` reads back as *fields* (used to seed
    environments in tests and documented for users who generate variables)."""
    return json.dumps({k: v.decode("utf-8", "surrogateescape") for k, v in fields.items()})
