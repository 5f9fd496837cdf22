"""The two documents on disk, and how each is checked before anything in it is believed.

``store.json`` (the header)::

    {"format": 1, "store_id": "<hex>", "current_key": "k2",
     "wrapped": {"k1": "<b64 nonce||AES-GCM(store key)>", "k2": "..."}, "mac": "<b64>"}

``entries/<hex>.dqs`` (one per secret path; ``<hex>`` = HMAC-SHA256 of the path)::

    {"format": 1, "id": "<hex>", "name": "<b64 AES-GCM(path)>",
     "versions": [{"version": 1, "key_id": "k1", "created": "2025-...Z",
                   "state": "live" | "deleted" | "destroyed", "deleted": null | "...Z",
                   "data": "<b64 nonce||AES-GCM(fields)>" | null}, ...],
     "mac": "<b64 HMAC(store id + everything above)>"}

What stays visible on disk without a key: the number of entries, each entry's number of
versions, their sizes, times, states and key ids. Paths, field names and values are only
inside ciphertexts. The MACs make every visible field tamper-evident, and the entry's MAC
covers its own file id, so a file renamed over another entry's is refused.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

import attrs

from dq_file._crypto import FORMAT, StoreKeys, Unauthentic

HEADER = "store.json"
ENTRIES = "entries"
SUFFIX = ".dqs"
STATES = ("live", "deleted", "destroyed")


class Malformed(Exception):
    """The document is not what this package writes (truncated, edited, or not ours)."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise Malformed("expected base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Malformed("invalid base64") from None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def entry_name(file_id: str) -> str:
    return f"{ENTRIES}/{file_id}{SUFFIX}"


def is_entry_file(name: str) -> bool:
    stem = name[: -len(SUFFIX)]
    return name.endswith(SUFFIX) and len(stem) == 64 and all(c in "0123456789abcdef" for c in stem)


def load_json(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Malformed("not valid JSON (truncated?)") from None
    if not isinstance(document, dict):
        raise Malformed("not a JSON object")
    fmt = document.get("format")
    if fmt != FORMAT:
        raise Malformed(f"format {fmt!r}, this dq-file reads format {FORMAT}")
    return document


def dump(document: dict[str, Any], tag: bytes) -> bytes:
    return json.dumps({**document, "mac": b64(tag)}, sort_keys=True, indent=1).encode() + b"\n"


# -- the header -----------------------------------------------------------------------------


@attrs.frozen
class HeaderDoc:
    store_id: str
    current_key: str
    wrapped: dict[str, bytes]
    mac: bytes

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "store_id": self.store_id,
            "current_key": self.current_key,
            "wrapped": {k: b64(v) for k, v in sorted(self.wrapped.items())},
        }


def parse_header(raw: bytes) -> HeaderDoc:
    document = load_json(raw)
    store_id, current, wrapped = (document.get(k) for k in ("store_id", "current_key", "wrapped"))
    if (
        not isinstance(store_id, str)
        or not isinstance(current, str)
        or not isinstance(wrapped, dict)
    ):
        raise Malformed("missing store_id, current_key or wrapped")
    return HeaderDoc(
        store_id=store_id,
        current_key=current,
        wrapped={str(k): unb64(v) for k, v in wrapped.items()},
        mac=unb64(document.get("mac")),
    )


def header_bytes(doc: HeaderDoc, keys: StoreKeys) -> bytes:
    return dump(doc.body(), keys.mac(doc.body()))


# -- entries --------------------------------------------------------------------------------


@attrs.define
class Version:
    version: int
    key_id: str
    created: str
    state: str = "live"
    deleted: str | None = None
    data: bytes | None = None

    def doc(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "key_id": self.key_id,
            "created": self.created,
            "state": self.state,
            "deleted": self.deleted,
            "data": None if self.data is None else b64(self.data),
        }


@attrs.define
class Entry:
    """One secret path's versions, after its MAC and name were verified."""

    file_id: str
    path: str
    name: bytes
    versions: list[Version] = attrs.Factory(list)

    @property
    def current(self) -> int:
        return self.versions[-1].version if self.versions else 0

    @property
    def live(self) -> bool:
        return bool(self.versions) and self.versions[-1].state == "live"

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "id": self.file_id,
            "name": b64(self.name),
            "versions": [v.doc() for v in self.versions],
        }

    def to_bytes(self, store_id: str, keys: StoreKeys) -> bytes:
        body = self.body()
        return dump(body, keys.mac({"store": store_id, **body}))


def _version(item: Any) -> Version:
    if not isinstance(item, dict):
        raise Malformed("a version is not an object")
    number, key_id, created, state = (
        item.get(k) for k in ("version", "key_id", "created", "state")
    )
    deleted, data = item.get("deleted"), item.get("data")
    if (
        not isinstance(number, int)
        or isinstance(number, bool)
        or not isinstance(key_id, str)
        or not isinstance(created, str)
        or state not in STATES
        or not (deleted is None or isinstance(deleted, str))
        or (data is None) != (state == "destroyed")
    ):
        raise Malformed("a version record has the wrong shape")
    return Version(number, key_id, created, state, deleted, None if data is None else unb64(data))


def parse_entry(raw: bytes, file_id: str, store_id: str, keys: StoreKeys) -> Entry:
    """Check shape, MAC (which covers the file id) and the sealed name; raise on any doubt."""
    document = load_json(raw)
    tag = unb64(document.pop("mac", None))
    if not keys.mac_ok({"store": store_id, **document}, tag):
        raise Unauthentic("entry metadata MAC does not verify")
    if document.get("id") != file_id:
        raise Unauthentic("entry belongs to another file (swapped)")
    versions = document.get("versions")
    if not isinstance(versions, list):
        raise Malformed("versions is not a list")
    parsed = [_version(item) for item in versions]
    if [v.version for v in parsed] != list(range(1, len(parsed) + 1)):
        raise Malformed("versions are not numbered 1..n")
    name = unb64(document.get("name"))
    try:
        path = keys.open_name(store_id, file_id, name)
    except UnicodeDecodeError:
        raise Malformed("name is not text") from None
    if keys.file_id(path) != file_id:
        raise Unauthentic("entry name does not match its file")
    return Entry(file_id=file_id, path=path, name=name, versions=parsed)
