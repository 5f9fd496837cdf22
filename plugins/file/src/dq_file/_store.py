"""Store: the encrypted file store's operations, synchronous, on validated paths.

The async :class:`dq_file.FileBackend` validates every path, then runs these in a worker
thread. Writers (``set``, ``delete``, ``undelete``, ``destroy``, ``rotate_key``, each entry
of ``reencrypt``) hold the store's flock for their whole read-check-write, so a check-and-set
between two processes can never both win; readers take no lock, because every file is
replaced atomically. Every document is authenticated before anything in it is used: a
tampered, truncated or swapped file is :class:`FileStoreIntegrityError` naming the entry,
never a wrong value.
"""

from __future__ import annotations

import builtins
import json
import os
import secrets
import threading
from collections.abc import Callable, Iterable

import attrs
import dq

from dq_file import _crypto
from dq_file._crypto import StoreKeys, Unauthentic
from dq_file._errors import FileStoreConfigurationError, FileStoreIntegrityError
from dq_file._format import (
    ENTRIES,
    HEADER,
    Entry,
    HeaderDoc,
    Malformed,
    Version,
    b64,
    entry_name,
    header_bytes,
    is_entry_file,
    now,
    parse_entry,
    parse_header,
    unb64,
)
from dq_file._fs import FileSystem
from dq_file._keys import Keyring
from dq_file._reports import ReencryptReport, RotationReport, SecretMetadata, VersionInfo


@attrs.frozen
class _Header:
    doc: HeaderDoc
    keys: StoreKeys
    store_key: bytes = attrs.field(repr=False)


class Store:
    """One store directory opened with one keyring (loaded on first use, then kept)."""

    def __init__(self, fs: FileSystem, keyring: Callable[[], Keyring]) -> None:
        self.fs = fs
        self._load_keyring = keyring
        self._keyring: Keyring | None = None
        self._cache: tuple[bytes, _Header] | None = None
        self._mutex = threading.Lock()

    def __repr__(self) -> str:
        return f"Store({self.fs.root!r})"

    # -- keys and the header --------------------------------------------------------------

    @property
    def keyring(self) -> Keyring:
        with self._mutex:
            if self._keyring is None:
                self._keyring = self._load_keyring()
            return self._keyring

    def _integrity(self, what: str, *, entry: str | None, file: str) -> FileStoreIntegrityError:
        named = f"entry {entry!r} ({file})" if entry is not None else file
        return FileStoreIntegrityError(
            f"file: {named} in store {self.fs.root!r} failed its integrity check ({what}): it "
            "was tampered with, truncated or swapped, or a key id maps to the wrong key; "
            "restore it from a backup, or delete the entry and write it again",
            entry=entry,
            file=file,
        )

    def _header(self) -> _Header | None:
        raw = self.fs.read(HEADER)
        if raw is None:
            if any(is_entry_file(n) for n in self.fs.listdir(ENTRIES)):
                raise self._integrity("store.json is missing but entries exist", entry=None,
                                      file=HEADER)  # fmt: skip
            return None
        with self._mutex:
            if self._cache is not None and self._cache[0] == raw:
                return self._cache[1]
        try:
            doc = parse_header(raw)
        except Malformed as exc:
            raise self._integrity(str(exc), entry=None, file=HEADER) from None
        ring = self.keyring
        usable = [k for k in [doc.current_key, *ring.ids()] if k in ring and k in doc.wrapped]
        if not usable:
            raise dq.SecretAccessDenied(
                f"file: store {self.fs.root!r} opens only with key id(s) "
                f"{', '.join(map(repr, sorted(doc.wrapped)))}, none of which is in this keyring "
                f"({', '.join(map(repr, ring.ids()))}); add one of them to `keys`"
            )
        key_id = usable[0]
        try:
            store_key = _crypto.open_sealed(
                ring.key(key_id), doc.wrapped[key_id], _crypto.wrap_aad(doc.store_id, key_id)
            )
        except Unauthentic:
            raise self._integrity(f"key {key_id!r} does not unwrap the store key", entry=None,
                                  file=HEADER) from None  # fmt: skip
        keys = StoreKeys(store_key, doc.store_id)
        if not keys.mac_ok(doc.body(), doc.mac):
            raise self._integrity("header MAC does not verify", entry=None, file=HEADER)
        header = _Header(doc, keys, store_key)
        with self._mutex:
            self._cache = (raw, header)
        return header

    def _write_header(self, doc: HeaderDoc, store_key: bytes) -> _Header:
        keys = StoreKeys(store_key, doc.store_id)
        signed = attrs.evolve(doc, mac=keys.mac(doc.body()))
        self.fs.write_atomic(HEADER, header_bytes(signed, keys))
        return _Header(signed, keys, store_key)

    def _create_header(self, current: str | None = None) -> _Header:
        """A new store: a random store key wrapped under every key of the ring (locked)."""
        ring = self.keyring
        store_id, store_key = secrets.token_hex(16), os.urandom(_crypto.KEY_BYTES)
        wrapped = {
            k: _crypto.seal(ring.key(k), store_key, _crypto.wrap_aad(store_id, k))
            for k in ring.ids()
        }
        doc = HeaderDoc(store_id, current or ring.first, wrapped, b"")
        return self._write_header(doc, store_key)

    def _writable_header(self) -> _Header:
        header = self._header() or self._create_header()
        current = header.doc.current_key
        if current not in self.keyring:
            raise dq.SecretAccessDenied(
                f"file: store {self.fs.root!r} now encrypts new writes under key id {current!r} "
                f"(after a rotation), which this keyring ({', '.join(self.keyring.ids())}) does "
                "not hold; add that key to `keys`"
            )
        return header

    # -- entries ----------------------------------------------------------------------------

    def _entry(self, header: _Header, path: str) -> Entry | None:
        file_id = header.keys.file_id(path)
        raw = self.fs.read(entry_name(file_id))
        if raw is None:
            return None
        entry = self._parse(header, raw, file_id, expected=path)
        return entry

    def _parse(self, header: _Header, raw: bytes, file_id: str, expected: str | None) -> Entry:
        try:
            entry = parse_entry(raw, file_id, header.doc.store_id, header.keys)
        except (Malformed, Unauthentic) as exc:
            raise self._integrity(str(exc), entry=expected, file=entry_name(file_id)) from None
        if expected is not None and entry.path != expected:
            raise self._integrity("entry holds another path", entry=expected,
                                  file=entry_name(file_id))  # fmt: skip
        return entry

    def _seal(self, header: _Header, path: str, number: int, fields: dict[str, bytes]) -> Version:
        key_id = header.doc.current_key
        plain = _crypto.canonical({"fields": {k: b64(v) for k, v in fields.items()}})
        aad = _crypto.value_aad(header.doc.store_id, path, number, key_id)
        data = _crypto.seal(self.keyring.key(key_id), plain, aad)
        return Version(version=number, key_id=key_id, created=now(), data=data)

    def _unseal(self, header: _Header, entry: Entry, chosen: Version) -> dict[str, bytes]:
        if chosen.key_id not in self.keyring:
            raise dq.SecretAccessDenied(
                f"file: {entry.path!r} version {chosen.version} is encrypted under key id "
                f"{chosen.key_id!r}, which this keyring ({', '.join(self.keyring.ids())}) does "
                "not hold; add that key to `keys` (or ask whoever holds it)"
            )
        assert chosen.data is not None
        aad = _crypto.value_aad(header.doc.store_id, entry.path, chosen.version, chosen.key_id)
        try:
            plain = _crypto.open_sealed(self.keyring.key(chosen.key_id), chosen.data, aad)
            fields = json.loads(plain)["fields"]
            return {str(k): unb64(v) for k, v in fields.items()}
        except (Unauthentic, Malformed, ValueError, KeyError, TypeError):
            raise self._integrity(
                f"version {chosen.version} does not decrypt under key {chosen.key_id!r}",
                entry=entry.path,
                file=entry_name(entry.file_id),
            ) from None

    def _save(self, header: _Header, entry: Entry) -> None:
        data = entry.to_bytes(header.doc.store_id, header.keys)
        self.fs.write_atomic(entry_name(entry.file_id), data)

    # -- reads ------------------------------------------------------------------------------

    def read(self, path: str, version: int | None) -> dict[str, bytes]:
        header = self._header()
        entry = None if header is None else self._entry(header, path)
        if header is None or entry is None or not entry.versions:
            raise dq.SecretNotFound(f"file: no secret at {path!r}", reason="missing")
        number = entry.current if version is None else version
        shown = f"{path!r}" + ("" if version is None else f" version {version}")
        if not 1 <= number <= entry.current:
            raise dq.SecretNotFound(
                f"file: secret {path!r} has no version {number} (current: {entry.current})",
                reason="missing",
            )
        chosen = entry.versions[number - 1]
        if chosen.state == "destroyed":
            raise dq.SecretNotFound(
                f"file: secret {shown} was destroyed; its data is gone (read another version, "
                "or write a new one)",
                reason="destroyed",
            )
        if chosen.state == "deleted":
            raise dq.SecretNotFound(
                f"file: secret {shown} was deleted; `undelete` restores it", reason="deleted"
            )
        return self._unseal(header, entry, chosen)

    def exists(self, path: str) -> bool:
        """True if reading the latest version would find it and this keyring could open it."""
        header = self._header()
        entry = None if header is None else self._entry(header, path)
        if entry is None or not entry.live:
            return False
        latest = entry.versions[-1]
        if latest.key_id not in self.keyring:
            raise dq.SecretAccessDenied(
                f"file: {path!r} is encrypted under key id {latest.key_id!r}, which this "
                "keyring does not hold; add that key to `keys`"
            )
        return True

    def entries(self, header: _Header) -> Iterable[Entry]:
        for name in self.fs.listdir(ENTRIES):
            if not is_entry_file(name):
                continue  # temp files of an interrupted write, the lock
            raw = self.fs.read(f"{ENTRIES}/{name}")
            if raw is not None:
                yield self._parse(header, raw, name.split(".")[0], expected=None)

    def list(self, folder: str) -> builtins.list[str]:
        header = self._header()
        if header is None:
            return []
        start = f"{folder}/" if folder else ""
        children = {
            head + slash
            for entry in self.entries(header)
            if entry.live and entry.path.startswith(start)
            for head, slash, _ in [entry.path[len(start) :].partition("/")]
        }
        return sorted(children)

    def metadata(self, path: str) -> SecretMetadata:
        header = self._header()
        entry = None if header is None else self._entry(header, path)
        if entry is None or not entry.versions:
            raise dq.SecretNotFound(f"file: no secret at {path!r}", reason="missing")
        infos = tuple(VersionInfo.of(v) for v in entry.versions)
        return SecretMetadata(path=path, current_version=entry.current, versions=infos)

    # -- writes (each under the store's lock) -----------------------------------------------

    def write(self, path: str, fields: dict[str, bytes], cas: int | None) -> int:
        with self.fs.lock():
            header = self._writable_header()
            entry = self._entry(header, path)
            if entry is None:
                file_id = header.keys.file_id(path)
                name = header.keys.seal_name(header.doc.store_id, file_id, path)
                entry = Entry(file_id=file_id, path=path, name=name)
            if cas is not None and cas != entry.current:
                expected = "absent" if cas == 0 else f"at version {cas}"
                raise dq.SecretConflict(
                    f"file: check-and-set on {path!r} expected the secret {expected}, but its "
                    f"current version is {entry.current}; read it again and retry"
                )
            number = entry.current + 1
            entry.versions.append(self._seal(header, path, number, fields))
            self._save(header, entry)
            return number

    def change_state(self, path: str, versions: builtins.list[int] | None, to: str) -> None:
        """``delete`` (latest, or named versions), ``undelete`` or ``destroy``."""
        with self.fs.lock():
            header = self._header()
            entry = None if header is None else self._entry(header, path)
            if header is None or entry is None or not entry.versions:
                if to == "deleted" and versions is None:
                    return  # deleting a missing secret succeeds, as in Vault
                raise dq.SecretNotFound(f"file: no secret at {path!r}", reason="missing")
            chosen = [entry.current] if versions is None else versions
            changed = False
            for number in chosen:
                if not 1 <= number <= entry.current:
                    continue  # as Vault: versions that do not exist are ignored
                record = entry.versions[number - 1]
                if record.state == "destroyed" or record.state == to:
                    continue
                if to == "live" and record.state == "deleted":
                    record.state, record.deleted = "live", None
                elif to == "deleted":
                    record.state, record.deleted = "deleted", now()
                elif to == "destroyed":
                    record.state, record.data = "destroyed", None
                    record.deleted = record.deleted or now()
                else:
                    continue
                changed = True
            if changed:
                self._save(header, entry)

    # -- keys: rotation and re-encryption ---------------------------------------------------

    def rotate_key(self, new_key_id: str) -> RotationReport:
        if new_key_id not in self.keyring:
            raise FileStoreConfigurationError(
                f"file: cannot rotate to key id {new_key_id!r}: it is not in the keyring "
                f"({', '.join(self.keyring.ids())}); add it to `keys` first, everywhere the "
                "store is used"
            )
        with self.fs.lock():
            header = self._header()
            if header is None:
                self._create_header(new_key_id)
                return RotationReport(previous_key_id=None, current_key_id=new_key_id)
            doc = header.doc
            wrapped = dict(doc.wrapped)
            if new_key_id not in wrapped:
                aad = _crypto.wrap_aad(doc.store_id, new_key_id)
                wrapped[new_key_id] = _crypto.seal(
                    self.keyring.key(new_key_id), header.store_key, aad
                )
            new = attrs.evolve(doc, current_key=new_key_id, wrapped=wrapped)
            self._write_header(new, header.store_key)
            return RotationReport(previous_key_id=doc.current_key, current_key_id=new_key_id)

    def reencrypt(self) -> ReencryptReport:
        """Move every version to the current key, one entry at a time under the lock."""
        header = self._header()
        if header is None:
            return ReencryptReport(current_key_id=None)
        counts = {"entries": 0, "rewritten": 0, "moved": 0, "current": 0, "unreadable": 0}
        unreadable: set[str] = set()
        in_use: set[str] = set()
        for name in self.fs.listdir(ENTRIES):
            if not is_entry_file(name):
                continue
            with self.fs.lock():
                header = self._writable_header()
                file_id = name.split(".")[0]
                raw = self.fs.read(f"{ENTRIES}/{name}")
                if raw is None:
                    continue
                entry = self._parse(header, raw, file_id, expected=None)
                counts["entries"] += 1
                changed = False
                for record in entry.versions:
                    if record.data is None:
                        continue
                    if record.key_id == header.doc.current_key:
                        counts["current"] += 1
                    elif record.key_id not in self.keyring:
                        counts["unreadable"] += 1
                        unreadable.add(entry.path)
                    else:
                        fields = self._unseal(header, entry, record)
                        fresh = self._seal(header, entry.path, record.version, fields)
                        record.key_id, record.data = fresh.key_id, fresh.data
                        counts["moved"] += 1
                        changed = True
                    in_use.add(record.key_id)
                if changed:
                    self._save(header, entry)
                    counts["rewritten"] += 1
        return ReencryptReport(
            current_key_id=header.doc.current_key,
            entries=counts["entries"],
            entries_rewritten=counts["rewritten"],
            versions_reencrypted=counts["moved"],
            versions_already_current=counts["current"],
            versions_unreadable=counts["unreadable"],
            unreadable_entries=tuple(sorted(unreadable)),
            key_ids_in_use=tuple(sorted(in_use)),
        )
