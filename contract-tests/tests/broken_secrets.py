"""Deliberately broken secret backends: each makes one mistake a real backend author could make.

Each subclasses the correct MemorySecretBackend and overrides one step;
tests/test_broken_secrets.py runs the whole SecretBackendContract against each and asserts it
fails in the test that pins the broken rule (and not in unrelated ones).
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Mapping

import dq
from dq_contract.reference_secrets import MemorySecretBackend

log = logging.getLogger("broken_secrets")


class NormalisesDotDot(MemorySecretBackend):
    """Collapses ``..``, ``.`` and ``//`` before validating, exactly as httpx does to a URL:
    ``acme/../globex/key`` quietly becomes ``globex/key``, another tenant's secret."""

    def _path(self, path: str) -> str:
        if "/" in path and not path.startswith("/"):
            path = posixpath.normpath(path)
        return super()._path(path)


class DeniedAsNotFound(MemorySecretBackend):
    """Reports a 403 as a 404 ("don't reveal that it exists"): a caller with a fallback
    backend then silently reads a substitute secret."""

    def _authorize(self, path: str) -> None:
        try:
            super()._authorize(path)
        except dq.SecretAccessDenied as exc:
            raise dq.SecretNotFound(str(exc), reason="missing") from None


class LogsValues(MemorySecretBackend):
    """Debug-logs what it writes: the secret ends up in every log aggregator."""

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> int:
        log.debug("set %s: %r", path, {k: v.reveal() for k, v in values.items()})
        return await super().set(path, values, cas=cas)


class ValueInConflictError(MemorySecretBackend):
    """Helpfully puts the current value into the check-and-set conflict message."""

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> int:
        try:
            return await super().set(path, values, cas=cas)
        except dq.SecretConflict as exc:
            current = self._secrets[path].versions[-1].fields
            raise dq.SecretConflict(f"{exc}; current value {current!r}") from None


class ReturnsStr(MemorySecretBackend):
    """Returns the decoded text instead of a SecretValue: no masking, and not bytes-safe."""

    async def get(  # type: ignore[override]
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> str:
        got = await super().get(path, field=field, version=version)
        return got.reveal().decode("latin-1")


class IgnoresCas(MemorySecretBackend):
    """Accepts ``cas`` and ignores it: the last writer silently wins every race."""

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> int:
        return await super().set(path, values)


class ValidatesAfterLookup(MemorySecretBackend):
    """Sends the request first and validates on the way back: the rejected path still
    reached the server (and its access log)."""

    def _path(self, path: str) -> str:
        self.io_log.append(("lookup", path))
        return super()._path(path)


class HardDeleteForgets(MemorySecretBackend):
    """Deletes by forgetting the secret, so a deleted secret reads as never written."""

    async def delete(self, path: str) -> None:
        await super().delete(path)
        del self._secrets[path]


class ExistsHidesDenial(MemorySecretBackend):
    """``exists`` written as "try get, any refusal means no": a denial reads as absent."""

    async def exists(self, path: str) -> bool:
        try:
            return await super().exists(path)
        except dq.SecretAccessDenied:
            return False


class UnavailableAsNotFound(MemorySecretBackend):
    """Maps every transport failure to not-found, so an outage looks like a missing secret
    (and a caller with a fallback reads the fallback's secret while the real store is down)."""

    def _authorize(self, path: str) -> None:
        try:
            super()._authorize(path)
        except dq.SecretBackendUnavailable as exc:
            raise dq.SecretNotFound(str(exc)) from None


class NotBytesSafe(MemorySecretBackend):
    """Stores values as UTF-8 text (a JSON API without base64): binary values come back mangled."""

    @staticmethod
    def _fields(path: str, values: Mapping[str, dq.SecretValue]) -> dict[str, bytes]:
        fields = MemorySecretBackend._fields(path, values)
        return {k: v.decode("utf-8", "replace").encode() for k, v in fields.items()}


class ListsRecursively(MemorySecretBackend):
    """Lists every key below the prefix (S3 style) instead of its direct children."""

    async def list(self, prefix: str = "") -> list[str]:
        folder = prefix.rstrip("/")
        if folder:
            folder = self._path(folder)
        self._io("list", folder)
        start = f"{folder}/" if folder else ""
        return sorted(p[len(start) :] for p, s in self._secrets.items() if p.startswith(start))


class MissingIsKeyError(MemorySecretBackend):
    """Lets the store's own KeyError escape for a missing secret or field, so callers must
    catch a backend-specific error (or everything) to tell "absent" from a bug."""

    def _read(self, path: str, version: int | None) -> dict[str, bytes]:
        try:
            return super()._read(path, version)
        except dq.SecretNotFound as exc:
            if exc.reason == "missing":
                raise KeyError(path) from None
            raise
