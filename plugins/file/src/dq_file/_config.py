"""The configuration of the ``file`` secret backend: what users write in their dq config.

dq structures the user's ``[secrets.backends.file]`` table into :class:`FileStoreConfig`
with its strict shared converter before calling the factory, so unknown keys and wrong types
are reported at their exact path. Nothing here does I/O (``dq plugins info --check`` builds
the backend with an empty table): key files are read on first use.
"""

from __future__ import annotations

import os
import re
from typing import Any

import attrs
import dq

from dq_file._errors import FileStoreConfigurationError

#: Key ids are recorded in every entry and in AES-GCM's associated data: short, plain names.
KEY_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def check_key_id(key_id: str, where: str = "key id") -> str:
    if not isinstance(key_id, str) or KEY_ID_RE.fullmatch(key_id) is None:
        raise FileStoreConfigurationError(
            f"file: {where} {key_id!r} is not a key id; use 1-64 letters, digits, '_', '.' "
            "or '-', starting with a letter or digit (e.g. '2025-01')"
        )
    return key_id


def _env(name: str) -> Any:
    return attrs.Factory(lambda: os.environ.get(name) or None)


def _key_id(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if KEY_ID_RE.fullmatch(value) is None:
        raise ValueError(
            f"{attribute.name}: {value!r} is not a key id (1-64 letters, digits, '_', '.', '-')"
        )


@attrs.frozen(kw_only=True)
class KeySpec:
    """One key of the keyring: its id and where its 32 bytes come from.

    ``file`` names a key file (32 raw bytes, or their base64; mode 0600 or stricter);
    ``value`` is the key itself as a :class:`dq.SecretValue` (its base64 text, or 32 raw
    bytes), e.g. resolved from another backend's ``${secret:...}`` reference.
    """

    id: str = attrs.field(validator=_key_id)
    file: str | None = None
    value: dq.SecretValue | None = attrs.field(default=None, metadata={"secret": True})

    def __attrs_post_init__(self) -> None:
        if (self.file is None) == (self.value is None):
            raise ValueError(f"key {self.id!r}: give exactly one of `file` or `value`")


@attrs.frozen(kw_only=True)
class FileStoreConfig:
    """Where the store lives and which keys open it.

    ``path`` is the store directory (default ``$DQ_FILE_STORE``). It must exist: dq-file
    never creates it, because a missing directory is what an unmounted volume looks like,
    and writing secrets under an empty mount point would put them on the wrong disk.
    ``python -m dq_file init-key KEYFILE --store DIR`` creates both.

    The keyring is ``keys`` (a list of :class:`KeySpec`), or the one-key shorthand
    ``key_file`` (default ``$DQ_FILE_KEY_FILE``) / ``key`` with ``key_id``. A new store is
    encrypted under the first key given; after that the store itself records which key id
    is current (``rotate_key`` changes it), so every process sharing the store agrees.
    """

    path: str | None = attrs.field(default=_env("DQ_FILE_STORE"))
    key_id: str = attrs.field(default="default", validator=_key_id)
    key_file: str | None = attrs.field(default=_env("DQ_FILE_KEY_FILE"))
    key: dq.SecretValue | None = attrs.field(default=None, metadata={"secret": True})
    keys: tuple[KeySpec, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.key_file is not None and self.key is not None:
            raise ValueError("file: give `key_file` or `key`, not both")
        ids = [spec.id for spec in self.key_specs()]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"file: key id(s) {', '.join(map(repr, duplicates))} given twice")

    def key_specs(self) -> tuple[KeySpec, ...]:
        """The whole keyring in order: the shorthand key first, then ``keys``."""
        first: tuple[KeySpec, ...] = ()
        if self.key_file is not None:
            first = (KeySpec(id=self.key_id, file=self.key_file),)
        elif self.key is not None:
            first = (KeySpec(id=self.key_id, value=self.key),)
        return first + tuple(self.keys)

    def require_complete(self) -> None:
        """Raise :class:`FileStoreConfigurationError` if there is no store or no key."""
        if not self.path:
            raise FileStoreConfigurationError(
                "file: no store directory; set `path` in [secrets.backends.file] "
                "or export DQ_FILE_STORE"
            )
        if not self.key_specs():
            raise FileStoreConfigurationError(
                "file: no key; set `key_file` (or export DQ_FILE_KEY_FILE), `key`, or `keys`; "
                "make a key with `python -m dq_file init-key KEYFILE`"
            )
