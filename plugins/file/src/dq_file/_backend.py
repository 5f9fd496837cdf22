"""FileBackend: dq's SecretBackend protocol over the encrypted file store.

Every public method validates its path with :func:`dq.validate_secret_path` (or
``validate_secret_prefix``) first, in the caller's task, before anything is handed to the
worker thread that touches the disk: a refused path never reaches the file system. The store
works in a worker thread (``anyio.to_thread``) because file I/O, fsync and flock block.

Beyond the protocol: ``versions`` / ``undelete`` / ``destroy`` (as in dq-vault), and the two
key-management operations ``rotate_key`` and ``reencrypt`` that ``dq secrets rotate-key`` /
``dq secrets reencrypt`` and ``python -m dq_file`` call.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import anyio.to_thread
import dq

from dq_file._config import FileStoreConfig, check_key_id
from dq_file._fs import FileSystem
from dq_file._keys import Keyring
from dq_file._reports import ReencryptReport, RotationReport, SecretMetadata
from dq_file._store import Store


def _positive(name: str, path: str, number: Any) -> int:
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise dq.UsageError(f"{name} of {path!r} must be a positive integer")
    return number


def _versions(path: str, versions: Iterable[int]) -> builtins.list[int]:
    out = builtins.list(versions)
    if not out:
        raise dq.UsageError(f"versions for {path!r} must be a non-empty list of positive integers")
    return [_positive("versions", path, v) for v in out]


class FileBackend:
    """A dq secret backend storing each secret AES-256-GCM-encrypted in a local directory.

    Build it from a :class:`FileStoreConfig` (dq does, from the user's table); construction
    does no I/O, key files are read on first use. *keyring* replaces the configured keys
    (Python callers holding keys in memory); *fs* replaces the I/O layer (tests wrap it to
    count every operation that reaches the disk).
    """

    def __init__(
        self,
        config: FileStoreConfig,
        *,
        name: str = "file",
        keyring: Keyring | None = None,
        fs: FileSystem | None = None,
    ) -> None:
        self.config = config
        self.name = name
        if fs is None and config.path:
            fs = FileSystem(config.path)
        self._fs = fs

        def load() -> Keyring:
            if keyring is not None:
                return keyring
            config.require_complete()
            return Keyring.from_specs(config.key_specs())

        self._store = None if fs is None else Store(fs, load)

    @classmethod
    def open(cls, path: str, keyring: Keyring, *, fs: FileSystem | None = None) -> FileBackend:
        """A backend on *path* with keys already in memory (the CLI and tests use this)."""
        return cls(FileStoreConfig(path=path, key_file=None), keyring=keyring, fs=fs)

    def __repr__(self) -> str:
        root = self._fs.root if self._fs is not None else None
        return f"FileBackend(name={self.name!r}, path={root!r})"

    async def aclose(self) -> None:
        """Nothing to release (files are opened per operation); here for symmetry."""

    @property
    def store(self) -> Store:
        """The store behind this backend (raises if no store directory is configured)."""
        if self._store is None:
            self.config.require_complete()
        assert self._store is not None
        return self._store

    async def _run(self, method: str, *args: Any) -> Any:
        store = self.store
        call: Callable[..., Any] = getattr(store, method)

        def with_keys() -> Any:
            store.keyring  # noqa: B018 - a bad key file is reported first, even on an empty store
            return call(*args)

        return await anyio.to_thread.run_sync(with_keys)

    # -- the SecretBackend protocol -------------------------------------------------------

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> dq.SecretValue:
        """Read one field (``field=None``: the only field of a one-field secret)."""
        path = dq.validate_secret_path(path)
        if version is not None:
            _positive("version", path, version)
        fields = await self._run("read", path, version)
        return dq.SecretValue(dq.pick_secret_field("file", path, fields, field))

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> int:
        """Write a new version holding exactly *values*, under the store's current key.

        ``cas=0`` writes only if the secret has no version yet, ``cas=n`` only over version
        ``n``; otherwise :class:`dq.SecretConflict` and nothing is written.
        """
        path = dq.validate_secret_path(path)
        fields = dq.secret_fields(path, values)
        if cas is not None and (isinstance(cas, bool) or not isinstance(cas, int) or cas < 0):
            raise dq.UsageError(f"cas for {path!r} must be an integer >= 0")
        return await self._run("write", path, fields, cas)

    async def delete(self, path: str) -> None:
        """Soft-delete the latest version (``undelete`` restores it); a missing secret is
        not an error, as in Vault."""
        path = dq.validate_secret_path(path)
        await self._run("change_state", path, None, "deleted")

    async def list(self, prefix: str = "") -> Sequence[str]:
        """Direct children of folder *prefix* holding a live secret: names, folders with ``/``."""
        folder = dq.validate_secret_prefix(prefix)
        return await self._run("list", folder)

    async def exists(self, path: str) -> bool:
        """True if ``get`` of the latest version would succeed; a version under a key this
        keyring lacks raises :class:`dq.SecretAccessDenied`, never answers False."""
        path = dq.validate_secret_path(path)
        return await self._run("exists", path)

    # -- versions (as dq-vault) -------------------------------------------------------------

    async def versions(self, path: str) -> SecretMetadata:
        """Each version's number, key id, times and state (never a value)."""
        path = dq.validate_secret_path(path)
        return await self._run("metadata", path)

    async def undelete(self, path: str, versions: Iterable[int]) -> None:
        """Restore soft-deleted *versions* (a destroyed version stays destroyed)."""
        path = dq.validate_secret_path(path)
        await self._run("change_state", path, _versions(path, versions), "live")

    async def destroy(self, path: str, versions: Iterable[int]) -> None:
        """Erase the ciphertext of *versions* from the entry; metadata says ``destroyed``."""
        path = dq.validate_secret_path(path)
        await self._run("change_state", path, _versions(path, versions), "destroyed")

    # -- key management ---------------------------------------------------------------------

    async def rotate_key(self, new_key_id: str) -> RotationReport:
        """Make *new_key_id* (already in the keyring) the key every new write uses.

        Recorded in the store itself, so every process sharing it switches at once; entries
        written under older keys still read as long as their keys stay in the keyring.
        Rotating to the current key changes nothing. Run :meth:`reencrypt` afterwards to move
        old versions to the new key.
        """
        check_key_id(new_key_id, "new key id")
        return await self._run("rotate_key", new_key_id)

    async def reencrypt(self) -> ReencryptReport:
        """Re-encrypt every version not under the current key with it (fresh nonces), one
        entry at a time, each entry replaced atomically under the store's lock; reports counts
        and which key ids are still in use. Safe to run again, and while others read and write."""
        return await self._run("reencrypt")
