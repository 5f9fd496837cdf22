"""MemorySecretBackend: an in-memory secret store that keeps the whole SecretBackend contract.

It exists for two reasons: to prove :class:`dq_contract.secrets.SecretBackendContract` can be
passed, and to be the base the deliberately broken backends in the contract's own tests
override one method of. It models Vault KV v2, the richest store dq targets:

* every ``set`` writes a new version (1, 2, 3 …) and returns its number; ``get(version=n)``
  reads an old one;
* ``cas`` is check-and-set: ``cas=0`` writes only if the secret does not exist yet, ``cas=n``
  only if the current version is ``n``; otherwise :class:`dq.SecretConflict`;
* ``delete`` is a soft delete of the current version: ``get`` then raises
  ``SecretNotFound(reason="deleted")``, older versions stay readable, ``exists`` is false and
  the key leaves ``list``; a later ``set`` writes the next version;
* ``list(prefix)`` returns the *direct* children of the folder ``prefix``, Vault style: a
  secret by its last segment (``"token"``), a folder with a trailing slash (``"db/"``), sorted.
  The prefix may end in one ``/`` (what ``list`` itself returns for folders); ``""`` is the root.

Values are stored as ``bytes`` (any bytes, the empty string included, round-trip) and handed
out only as :class:`dq.SecretValue`. Every path is checked with :func:`dq.validate_secret_path`
*before* anything touches storage; ``io_log`` records each operation that did reach storage, so
a test can prove a rejected path caused no I/O. ``denied_prefixes`` and ``unavailable`` let a
test see the denied and backend-down errors without a real server.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence

import attrs
import dq


@attrs.define
class _Version:
    fields: dict[str, bytes]
    deleted: bool = False


@attrs.define
class _Secret:
    versions: builtins.list[_Version] = attrs.Factory(builtins.list)

    @property
    def current(self) -> int:
        return len(self.versions)

    @property
    def live(self) -> bool:
        return bool(self.versions) and not self.versions[-1].deleted


class MemorySecretBackend:
    """A versioned in-memory KV store (Vault KV v2 semantics). Never shows a value.

    ``denied_prefixes``: paths equal to or under any of these raise SecretAccessDenied.
    ``unavailable``: when true, every operation raises SecretBackendUnavailable, as a backend
    whose server is down would.
    """

    name = "memory"

    def __init__(self, *, denied_prefixes: Iterable[str] = (), unavailable: bool = False) -> None:
        self._secrets: dict[str, _Secret] = {}
        self.denied_prefixes: set[str] = {p.strip("/") for p in denied_prefixes}
        self.unavailable = unavailable
        #: ``(operation, path)`` for every operation that reached storage, in order.
        self.io_log: builtins.list[tuple[str, str]] = []

    def __repr__(self) -> str:
        # Paths only: a repr lands in tracebacks and pytest's assertion rewriting.
        return f"MemorySecretBackend(secrets={len(self._secrets)}, unavailable={self.unavailable})"

    # -- the one gate every operation passes, in this order ----------------------------------

    def _path(self, path: str) -> str:
        """Validate *path* before anything else: transports normalise what they are given."""
        return dq.validate_secret_path(path)

    def _authorize(self, path: str) -> None:
        if self.unavailable:
            raise dq.SecretBackendUnavailable(f"secret backend {self.name!r} is unavailable")
        for prefix in self.denied_prefixes:
            if path == prefix or path.startswith(prefix + "/"):
                raise dq.SecretAccessDenied(
                    f"secret backend {self.name!r} denied access to {path!r}"
                )

    def _io(self, operation: str, path: str) -> None:
        """Authorize, then record that this operation reached storage."""
        self._authorize(path)
        self.io_log.append((operation, path))

    # -- the SecretBackend protocol -------------------------------------------------------

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> dq.SecretValue:
        path = self._path(path)
        self._io("get", path)
        fields = self._read(path, version)
        return dq.SecretValue(self._field(path, fields, field))

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> int:
        path = self._path(path)
        fields = self._fields(path, values)
        self._io("set", path)
        secret = self._secrets.setdefault(path, _Secret())
        if cas is not None and cas != secret.current:
            raise dq.SecretConflict(
                f"check-and-set on {path!r} expected version {cas}, "
                f"the current version is {secret.current}"
            )
        secret.versions.append(_Version(fields))
        return secret.current

    async def delete(self, path: str) -> None:
        path = self._path(path)
        self._io("delete", path)
        secret = self._secrets.get(path)
        if secret is None or not secret.live:
            raise dq.SecretNotFound(f"no secret at {path!r} to delete", reason="missing")
        secret.versions[-1].deleted = True

    async def list(self, prefix: str = "") -> Sequence[str]:
        folder = prefix[:-1] if prefix.endswith("/") and prefix != "/" else prefix
        if folder:
            folder = self._path(folder)
        self._io("list", folder)
        start = f"{folder}/" if folder else ""
        children: set[str] = set()
        for path, secret in self._secrets.items():
            if secret.live and path.startswith(start):
                head, slash, _rest = path[len(start) :].partition("/")
                children.add(head + slash)
        return sorted(children)

    async def exists(self, path: str) -> bool:
        path = self._path(path)
        self._io("exists", path)
        secret = self._secrets.get(path)
        return secret is not None and secret.live

    # -- helpers ------------------------------------------------------------------------

    @staticmethod
    def _fields(path: str, values: Mapping[str, dq.SecretValue]) -> dict[str, bytes]:
        """The bytes to store (a method so a broken variant can store them wrongly)."""
        return dq.secret_fields(path, values)

    def _read(self, path: str, version: int | None) -> dict[str, bytes]:
        secret = self._secrets.get(path)
        if secret is None or not secret.versions:
            raise dq.SecretNotFound(f"no secret at {path!r}", reason="missing")
        if version is None:
            version = secret.current
        if not 1 <= version <= secret.current:
            raise dq.SecretNotFound(
                f"secret {path!r} has no version {version} (current: {secret.current})",
                reason="missing",
            )
        chosen = secret.versions[version - 1]
        if chosen.deleted:
            raise dq.SecretNotFound(
                f"secret {path!r} version {version} was deleted", reason="deleted"
            )
        return chosen.fields

    @staticmethod
    def _field(path: str, fields: Mapping[str, bytes], field: str | None) -> bytes:
        """``field=None`` means the only field; naming one that is absent is not-found."""
        if field is None:
            if len(fields) != 1:
                raise dq.SecretNotFound(
                    f"secret {path!r} has {len(fields)} fields "
                    f"({', '.join(sorted(fields))}); name one",
                    reason="field",
                )
            return next(iter(fields.values()))
        if field not in fields:
            raise dq.SecretNotFound(f"secret {path!r} has no field {field!r}", reason="field")
        return fields[field]
