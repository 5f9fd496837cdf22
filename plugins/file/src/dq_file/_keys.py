"""Key material: reading key files safely, and the keyring of key id -> 32 bytes.

A key file holds 32 random bytes, raw or base64 (standard or URL-safe, one trailing newline
allowed). It is refused when group or others have any permission on it, or when it is not a
regular file: a key readable by other local users is a key already shared. Messages name the
file and what to run, never a byte of what it holds.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from collections.abc import Iterable, Mapping

from dq_file._config import KeySpec, check_key_id
from dq_file._errors import FileStoreConfigurationError

KEY_BYTES = 32  # AES-256
_MAKE = "make one with `python -m dq_file init-key KEYFILE`"


def parse_key(raw: bytes, where: str) -> bytes:
    """32 raw bytes, or the base64 of 32 bytes; anything else is refused without showing it."""
    if len(raw) == KEY_BYTES:
        return bytes(raw)
    text = raw.strip()
    for alphabet in (b"+/", b"-_"):
        try:
            key = base64.b64decode(text, altchars=alphabet, validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(key) == KEY_BYTES:
            return key
    raise FileStoreConfigurationError(
        f"file: {where} is not a 256-bit key (expected 32 random bytes, raw or base64, "
        f"got {len(raw)} bytes that are neither); {_MAKE}"
    )


def read_key_file(path: str) -> bytes:
    """Read a key file after checking it is a regular file only its owner can use."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileStoreConfigurationError(
            f"file: key file {path!r} does not exist; {_MAKE}"
        ) from None
    except PermissionError:
        raise FileStoreConfigurationError(
            f"file: key file {path!r} is not readable by this user; run dq as the key's owner"
        ) from None
    except OSError as exc:
        raise FileStoreConfigurationError(
            f"file: key file {path!r} cannot be opened ({exc.strerror or type(exc).__name__}); "
            "name a regular file (symlinks are refused)"
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileStoreConfigurationError(f"file: key file {path!r} is not a regular file")
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise FileStoreConfigurationError(
                f"file: key file {path!r} is accessible to group or others (mode {mode:04o}); "
                f"run `chmod 600 {path}` (and consider the key exposed)"
            )
        chunks = []
        while chunk := os.read(fd, 4096):
            chunks.append(chunk)
            if sum(map(len, chunks)) > 4096:
                raise FileStoreConfigurationError(
                    f"file: key file {path!r} is too large to be a key; {_MAKE}"
                )
    finally:
        os.close(fd)
    return parse_key(b"".join(chunks), f"key file {path!r}")


class Keyring:
    """Key id -> key bytes, in the order configured (the first is a new store's key).

    Never shows a key: ``repr`` lists ids only.
    """

    def __init__(self, keys: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> None:
        items = list(keys.items() if isinstance(keys, Mapping) else keys)
        self._keys: dict[str, bytes] = {}
        for key_id, key in items:
            check_key_id(key_id)
            if len(key) != KEY_BYTES:
                raise FileStoreConfigurationError(f"file: key {key_id!r} is not 32 bytes")
            self._keys[key_id] = bytes(key)

    @classmethod
    def from_specs(cls, specs: Iterable[KeySpec]) -> Keyring:
        pairs = []
        for spec in specs:
            if spec.file is not None:
                pairs.append((spec.id, read_key_file(spec.file)))
            else:
                assert spec.value is not None  # KeySpec guarantees one of the two
                pairs.append((spec.id, parse_key(spec.value.reveal(), f"key {spec.id!r}")))
        return cls(pairs)

    def __repr__(self) -> str:
        return f"Keyring(ids={self.ids()!r})"

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def ids(self) -> list[str]:
        return list(self._keys)

    @property
    def first(self) -> str:
        return next(iter(self._keys))

    def key(self, key_id: str) -> bytes:
        return self._keys[key_id]
