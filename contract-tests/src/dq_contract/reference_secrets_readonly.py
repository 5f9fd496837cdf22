"""MappingSecretBackend: a read-only, unversioned, in-process store, the contract's second shape.

Where :class:`dq_contract.reference_secrets.MemorySecretBackend` is the richest store (Vault
KV v2: versions, check-and-set, denial, outages), this is the poorest one dq supports, the
shape of dq-env: secrets are put in place by their owner (a deployment exports variables), and
dq only reads them. Its contract subclass declares exactly that::

    class TestMapping(SecretBackendContract):
        capabilities = SecretsCapabilities(
            writable=False, versioned=False, can_deny=False, external=False
        )

        @pytest.fixture
        def store(self):
            return {}

        @pytest.fixture
        def secret_backend(self, store):
            return MappingSecretBackend(store)

        @pytest.fixture
        def secret_writer(self, store):
            return MappingWriter(store)

        @pytest.fixture
        def io_calls(self, secret_backend):
            return lambda: len(secret_backend.io_log)

and the contract then proves the opposite of each missing capability: ``set``/``delete``
refuse with :class:`dq.SecretAccessDenied` saying "read-only", other versions are not found,
``cas`` is refused, a near-miss path never reads a secret, and no file or socket is touched.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, MutableMapping, Sequence

import dq

#: What a refused write says, so the caller knows where a value is changed instead.
READ_ONLY = "read-only: the owner of the store writes it, dq only reads"


class MappingSecretBackend:
    """Read secrets from *store* (``path -> {field: bytes}``), filled by its owner.

    ``io_log`` records each operation that reached the mapping, so a test can prove a rejected
    path never did. The mapping is read live: a secret its owner adds later is seen.
    """

    name = "mapping"

    def __init__(self, store: Mapping[str, Mapping[str, bytes]]) -> None:
        self._store = store
        self.io_log: builtins.list[tuple[str, str]] = []

    def __repr__(self) -> str:  # the size only: never a path's value
        return f"MappingSecretBackend(secrets={len(self._store)})"

    def _lookup(self, operation: str, path: str) -> Mapping[str, bytes] | None:
        """The one place the mapping is read, after the path was validated."""
        self.io_log.append((operation, path))
        return self._store.get(path)

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> dq.SecretValue:
        path = dq.validate_secret_path(path)
        if version is not None and version != 1:
            raise dq.SecretNotFound(
                f"{self.name}: secret {path!r} has no version {version}: this store keeps only "
                "the current value (version 1)",
                reason="missing",
            )
        fields = self._lookup("get", path)
        if fields is None:
            raise dq.SecretNotFound(f"{self.name}: no secret {path!r}", reason="missing")
        if field is None:
            if len(fields) != 1:
                raise dq.SecretNotFound(
                    f"{self.name}: secret {path!r} has {len(fields)} fields; name one",
                    reason="field",
                )
            return dq.SecretValue(next(iter(fields.values())))
        if field not in fields:
            raise dq.SecretNotFound(
                f"{self.name}: secret {path!r} has no field {field!r}", reason="field"
            )
        return dq.SecretValue(fields[field])

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> int | None:
        path = dq.validate_secret_path(path)
        raise dq.SecretAccessDenied(f"{self.name}: cannot write {path!r}: {READ_ONLY}")

    async def delete(self, path: str) -> None:
        path = dq.validate_secret_path(path)
        raise dq.SecretAccessDenied(f"{self.name}: cannot delete {path!r}: {READ_ONLY}")

    async def list(self, prefix: str = "") -> Sequence[str]:
        folder = dq.validate_secret_prefix(prefix)
        self.io_log.append(("list", folder))
        start = f"{folder}/" if folder else ""
        children = {
            head + slash
            for path in builtins.list(self._store)
            if path.startswith(start)
            for head, slash, _rest in [path[len(start) :].partition("/")]
        }
        return sorted(children)

    async def exists(self, path: str) -> bool:
        path = dq.validate_secret_path(path)
        return self._lookup("exists", path) is not None


class MappingWriter:
    """The owner's side of a :class:`MappingSecretBackend`: what the contract's
    ``secret_writer`` fixture is for a read-only store. Never shipped in a plugin."""

    def __init__(self, store: MutableMapping[str, Mapping[str, bytes]]) -> None:
        self._store = store

    async def set(self, path: str, values: Mapping[str, dq.SecretValue]) -> None:
        path = dq.validate_secret_path(path)
        self._store[path] = dq.secret_fields(path, values)

    async def delete(self, path: str) -> None:
        self._store.pop(dq.validate_secret_path(path), None)
