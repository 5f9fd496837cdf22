"""Deliberately broken read-only stores, and stores declaring what they lack.

Each subclasses a correct reference (MappingSecretBackend for the read-only shape,
MemorySecretBackend for the full one) and makes one mistake a real author could make;
tests/test_broken_capabilities.py runs the contract against each with the capabilities it
declares and asserts the contract fails in the case that pins the mistake.
"""

from __future__ import annotations

from collections.abc import Mapping

import dq
from dq_contract.reference_secrets import MemorySecretBackend
from dq_contract.reference_secrets_readonly import MappingSecretBackend


class WritesAnyway(MappingSecretBackend):
    """Declared read-only, but ``set`` writes into the mapping it reads (a process "setting"
    a variable that vanishes when it exits) and reports success."""

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> None:
        path = dq.validate_secret_path(path)
        self._store[path] = dq.secret_fields(path, values)  # type: ignore[index]


class RefusesWithNotImplemented(MappingSecretBackend):
    """Refuses writes with a bare NotImplementedError: callers cannot tell it from a bug."""

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> None:
        dq.validate_secret_path(path)
        raise NotImplementedError("set")


class RefusalSaysDenied(MappingSecretBackend):
    """Refuses writes as a plain "access denied": the operator goes looking for a missing
    permission that no grant will ever fix."""

    async def delete(self, path: str) -> None:
        path = dq.validate_secret_path(path)
        raise dq.SecretAccessDenied(f"{self.name}: access denied to {path!r}")


class ServesCurrentForAnyVersion(MappingSecretBackend):
    """Ignores ``version``: ``${secret:b:path@3}`` silently reads today's value."""

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> dq.SecretValue:
        return await super().get(path, field=field)


class FoldsCase(MappingSecretBackend):
    """Upper-cases the path to find it (as a naive environment-variable mapping does), so
    ``KITS/db-token`` and ``kits/DB-token`` read ``kits/db-token``."""

    def _lookup(self, operation: str, path: str) -> Mapping[str, bytes] | None:
        self.io_log.append((operation, path))
        folded = {name.upper(): fields for name, fields in self._store.items()}
        return folded.get(path.upper())


class FallsBackToDotEnv(MappingSecretBackend):
    """On a miss, looks for a ``.env`` file in the working directory: file I/O from a store
    declared in-process (and a second, unaudited source of secrets)."""

    def _lookup(self, operation: str, path: str) -> Mapping[str, bytes] | None:
        found = super()._lookup(operation, path)
        if found is None:
            try:
                with open(".env", "rb") as dotenv:
                    dotenv.read()
            except OSError:
                pass
        return found


class DeclaredUnversioned(MemorySecretBackend):
    """A versioned store (set returns 1, 2, 3 …) whose test declares versioned=False."""
