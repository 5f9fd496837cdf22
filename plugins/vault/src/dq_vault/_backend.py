"""VaultBackend: dq's SecretBackend protocol over the Vault / OpenBao KV version 2 HTTP API.

Every public method validates its path with :func:`dq.validate_secret_path` (or
``validate_secret_prefix``) *before* anything else, and URLs are built from those validated
segments, each percent-quoted here: httpx collapses a literal ``..`` and servers decode
``%2e%2e``, so a path must be safe before it is handed to a transport (measured, see
/work/shared/notes/services.md). The KV v2 endpoints used (relative to ``/v1/<mount>``):

=========================  =============================  ===================================
operation                  request                        answer
=========================  =============================  ===================================
get / exists               ``GET data/<p>[?version=n]``   ``data.data``; 404 + metadata says
                                                          deleted (``deletion_time``) or
                                                          destroyed
set                        ``POST data/<p>``              ``data.version``; 400
                           ``{"options":{"cas":n},        "check-and-set …" is a conflict
                           "data":{…}}``
delete                     ``DELETE data/<p>``            soft delete of the latest version
undelete / destroy         ``POST undelete|destroy/<p>``  ``{"versions": [...]}``
versions                   ``GET metadata/<p>``           per-version times and flags
list                       ``GET metadata/<p>?list=true`` ``data.keys``; 404 = empty folder
=========================  =============================  ===================================
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

import attrs
import dq
import httpx

from dq_vault import _codec
from dq_vault._client import VaultHttp
from dq_vault._config import VaultConfig


@attrs.frozen(kw_only=True)
class SecretVersionInfo:
    """One version of a KV v2 secret, from its metadata (never its value)."""

    version: int
    created_time: datetime | None
    deletion_time: datetime | None
    destroyed: bool

    @property
    def live(self) -> bool:
        return self.deletion_time is None and not self.destroyed


@attrs.frozen(kw_only=True)
class SecretMetadata:
    """What ``versions(path)`` returns: the current version and every version Vault keeps."""

    path: str
    current_version: int
    oldest_version: int
    versions: tuple[SecretVersionInfo, ...]


def _time(value: Any) -> datetime | None:
    """Vault writes ``""`` for "never" and RFC 3339 with nanoseconds otherwise."""
    if not isinstance(value, str) or not value:
        return None
    text = value.replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:  # Python parses at most microseconds: keep 6 fraction digits
        digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits) :]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _versions_list(path: str, versions: Iterable[int]) -> builtins.list[int]:
    out = builtins.list(versions)
    if not out or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in out):
        raise dq.UsageError(f"versions for {path!r} must be a non-empty list of positive integers")
    return out


class VaultBackend:
    """A dq secret backend on a Vault or OpenBao KV version 2 mount.

    Build it from a :class:`VaultConfig` (dq does, from the user's table). Construction does
    no I/O; the first operation connects (and, for an AppRole, logs in). Use it as an async
    context manager, or call :meth:`aclose`, to release connections. *transport* replaces
    httpx's network transport (tests wrap the real one to count requests).
    """

    def __init__(
        self,
        config: VaultConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        name: str = "vault",
    ) -> None:
        self.config = config
        self.name = name
        self._http = VaultHttp(config, transport=transport, name=name)
        self._mount = "/".join(quote(s, safe="") for s in config.mount.strip("/").split("/"))

    def __repr__(self) -> str:
        auth = "approle" if self.config.uses_approle else "token"
        namespace = f", namespace={self.config.namespace!r}" if self.config.namespace else ""
        return (
            f"VaultBackend(name={self.name!r}, address={self._http.address!r}, "
            f"mount={self.config.mount!r}{namespace}, auth={auth})"
        )

    async def __aenter__(self) -> VaultBackend:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- URLs -----------------------------------------------------------------------------

    def _url(self, endpoint: str, path: str) -> str:
        """``/v1/<mount>/<endpoint>/<path>`` from a *validated* path, each segment quoted."""
        quoted = "/".join(quote(segment, safe="") for segment in path.split("/")) if path else ""
        return f"/v1/{self._mount}/{endpoint}/{quoted}".rstrip("/")

    # -- the SecretBackend protocol -------------------------------------------------------

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> dq.SecretValue:
        """Read one field (``field=None``: the only field of a one-field secret)."""
        path = dq.validate_secret_path(path)
        if version is not None and (
            isinstance(version, bool) or not isinstance(version, int) or version < 1
        ):
            raise dq.UsageError(f"version of {path!r} must be a positive integer")
        fields = await self._read(path, version)
        return dq.SecretValue(
            _codec.decode(dq.pick_secret_field(self._http.where(), path, fields, field))
        )

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> int:
        """Write a new version holding exactly *values*; returns its version number.

        ``cas=0`` writes only if the secret does not exist, ``cas=n`` only over version
        ``n``; otherwise :class:`dq.SecretConflict` and nothing is written.
        """
        path = dq.validate_secret_path(path)
        data = self._encode_fields(path, values)
        if cas is not None and (isinstance(cas, bool) or not isinstance(cas, int) or cas < 0):
            raise dq.UsageError(f"cas for {path!r} must be an integer >= 0")
        body: dict[str, Any] = {"data": data}
        if cas is not None:
            body["options"] = {"cas": cas}
        expected = "absent" if cas == 0 else f"at version {cas}"
        reply = await self._http.request(
            "POST",
            self._url("data", path),
            f"set {path!r}",
            json=body,
            idempotent=False,
            conflict=f"check-and-set on {path!r} expected the secret {expected}; "
            "it changed since it was read: read it again and retry",
        )
        version = (reply.body.get("data") or {}).get("version")
        if not isinstance(version, int):
            raise dq.SecretBackendUnavailable(
                f"{self._http.where()}: set {path!r} got no version back; is {self.config.mount!r}"
                " a KV version 2 mount?"
            )
        return version

    async def delete(self, path: str) -> None:
        """Soft-delete the latest version (``undelete`` brings it back; ``destroy`` cannot).

        Deleting a secret that does not exist succeeds, as it does in Vault.
        """
        path = dq.validate_secret_path(path)
        await self._http.request(
            "DELETE", self._url("data", path), f"delete {path!r}", idempotent=True
        )

    async def list(self, prefix: str = "") -> Sequence[str]:
        """Direct children of folder *prefix*: secrets by name, folders ending in ``/``."""
        folder = dq.validate_secret_prefix(prefix)
        reply = await self._http.request(
            "GET",
            self._url("metadata", folder),
            f"list {folder or '/'!r}",
            params={"list": "true"},
            idempotent=True,
        )
        if reply.status == 404:  # Vault's answer for an empty (or absent) folder
            return []
        keys = (reply.body.get("data") or {}).get("keys") or []
        return sorted(str(k) for k in keys)

    async def exists(self, path: str) -> bool:
        """True if ``get`` of the latest version would succeed; denial raises, never False."""
        path = dq.validate_secret_path(path)
        reply = await self._http.request(
            "GET", self._url("data", path), f"exists {path!r}", idempotent=True
        )
        return reply.status == 200 and isinstance((reply.body.get("data") or {}).get("data"), dict)

    # -- KV v2 extras ---------------------------------------------------------------------

    async def versions(self, path: str) -> SecretMetadata:
        """The secret's metadata: current version and each kept version's times and flags."""
        path = dq.validate_secret_path(path)
        reply = await self._http.request(
            "GET", self._url("metadata", path), f"versions {path!r}", idempotent=True
        )
        if reply.status == 404:
            raise dq.SecretNotFound(
                f"{self._http.where()}: no secret at {path!r}", reason="missing"
            )
        data = reply.body.get("data") or {}
        raw = data.get("versions") or {}
        infos = tuple(
            sorted(
                (
                    SecretVersionInfo(
                        version=int(number),
                        created_time=_time(meta.get("created_time")),
                        deletion_time=_time(meta.get("deletion_time")),
                        destroyed=bool(meta.get("destroyed")),
                    )
                    for number, meta in raw.items()
                    if str(number).isdigit() and isinstance(meta, dict)
                ),
                key=lambda info: info.version,
            )
        )
        return SecretMetadata(
            path=path,
            current_version=int(data.get("current_version") or 0),
            oldest_version=int(data.get("oldest_version") or 0),
            versions=infos,
        )

    async def undelete(self, path: str, versions: Iterable[int]) -> None:
        """Restore soft-deleted *versions* (a destroyed version stays destroyed)."""
        path = dq.validate_secret_path(path)
        chosen = _versions_list(path, versions)
        await self._http.request(
            "POST",
            self._url("undelete", path),
            f"undelete {path!r} versions {chosen}",
            json={"versions": chosen},
            idempotent=True,
        )

    async def destroy(self, path: str, versions: Iterable[int]) -> None:
        """Permanently erase the data of *versions*; their metadata says ``destroyed``."""
        path = dq.validate_secret_path(path)
        chosen = _versions_list(path, versions)
        await self._http.request(
            "POST",
            self._url("destroy", path),
            f"destroy {path!r} versions {chosen}",
            json={"versions": chosen},
            idempotent=True,
        )

    # -- helpers ------------------------------------------------------------------------

    async def _read(self, path: str, version: int | None) -> dict[str, Any]:
        params = {"version": str(version)} if version is not None else None
        what = f"get {path!r}" + (f" version {version}" if version is not None else "")
        reply = await self._http.request(
            "GET", self._url("data", path), what, params=params, idempotent=True
        )
        data = reply.body.get("data") if isinstance(reply.body.get("data"), dict) else {}
        metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        fields = data.get("data")
        if reply.status == 200 and isinstance(fields, dict):
            return fields
        where, shown = (
            self._http.where(),
            f"{path!r}" + (f" version {version}" if version is not None else ""),
        )
        if metadata.get("destroyed"):
            raise dq.SecretNotFound(
                f"{where}: secret {shown} was destroyed; its data is gone "
                "(read another version, or write a new one)",
                reason="destroyed",
            )
        if metadata.get("deletion_time"):
            raise dq.SecretNotFound(
                f"{where}: secret {shown} was deleted; `undelete` restores it",
                reason="deleted",
            )
        raise dq.SecretNotFound(f"{where}: no secret at {shown}", reason="missing")

    @staticmethod
    def _encode_fields(path: str, values: Mapping[str, dq.SecretValue]) -> dict[str, str]:
        """KV v2 stores strings: each field's bytes through the storage codec."""
        return {key: _codec.encode(raw) for key, raw in dq.secret_fields(path, values).items()}
