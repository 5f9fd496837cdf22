"""AzureKeyVaultBackend: dq's SecretBackend protocol over the Key Vault secrets REST API 7.4.

Every public method validates its path with :func:`dq.validate_secret_path` (or
``validate_secret_prefix``) and maps it to a Key Vault name (:mod:`dq_azure._names`) *before*
anything else; names are ``[0-9a-z-]`` only, so nothing in a URL can be reinterpreted by a
transport. The endpoints used (relative to the vault URL, each with ``?api-version=7.4``):

==============================  =============================================  ==============
operation                       request                                        answer
==============================  =============================================  ==============
get / exists                    ``GET /secrets/{name}[/{version-id}]``         ``{value, id,
                                                                                contentType,
                                                                                tags, attributes}``
set                             ``PUT /secrets/{name}`` ``{value, contentType,  a new version;
                                tags}``                                          409 if soft-deleted
delete                          ``DELETE /secrets/{name}``                     deleted bundle
versions                        ``GET /secrets/{name}/versions`` (+nextLink)   items, no values
list                            ``GET /secrets?maxresults=25`` (+nextLink)      items, no values
deleted / recover / purge       ``GET|POST …/recover|DELETE /deletedsecrets/{name}``
==============================  =============================================  ==============

Key Vault versions are opaque 32-character ids; dq's are integers. dq numbers each version it
writes in the tag ``dq-version`` (the current number + 1, read just before the ``PUT``), so
``${secret:azure:db@3}`` and ``cas`` work as with Vault. Key Vault has no conditional write:
``cas`` is checked against that read, and two writers racing between the read and the ``PUT``
can both succeed (docs/decisions/0040-azure-key-vault.md).
"""

from __future__ import annotations

import builtins
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs
import dq
import httpx

from dq_azure import _codec, _names
from dq_azure._client import KeyVaultHttp, Reply
from dq_azure._config import AzureKeyVaultConfig
from dq_azure._errors import AzureConfigurationError, AzureSecretDisabled

VERSION_TAG = "dq-version"
PAGE = "25"  # Key Vault's maximum page size
_VERSION_ID = re.compile(r"^[0-9A-Za-z]{1,64}$")


def _time(value: Any) -> datetime | None:
    """Key Vault times are epoch seconds (integers)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


def _dq_version(tags: Any) -> int | None:
    raw = tags.get(VERSION_TAG) if isinstance(tags, dict) else None
    return int(raw) if isinstance(raw, str) and raw.isdigit() and int(raw) > 0 else None


@attrs.frozen(kw_only=True)
class SecretVersionInfo:
    """One version of a Key Vault secret, from its properties (never its value)."""

    version: int | None  # dq's number (tag dq-version); None for versions other tools wrote
    version_id: str  # Key Vault's id of the version
    enabled: bool
    created: datetime | None
    updated: datetime | None
    content_type: str | None


@attrs.frozen(kw_only=True)
class DeletedSecretInfo:
    """A soft-deleted secret: when it was deleted and when Key Vault purges it."""

    path: str
    deleted_on: datetime | None
    scheduled_purge: datetime | None
    recovery_id: str | None


class AzureKeyVaultBackend:
    """A dq secret backend on one Azure Key Vault.

    Construction does no I/O; the first operation draws the vault's 401 challenge and gets a
    token. Use it as an async context manager, or call :meth:`aclose`. *transport* replaces
    httpx's network transport (tests wrap the real one to count requests).
    """

    def __init__(
        self,
        config: AzureKeyVaultConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        name: str = "azure",
    ) -> None:
        self.config = config
        self.name = name
        self._http = KeyVaultHttp(config, transport=transport, name=name)
        #: (name, dq version) -> Key Vault version id; ids never change once written.
        self._ids: dict[tuple[str, int], str] = {}

    def __repr__(self) -> str:
        return (
            f"AzureKeyVaultBackend(name={self.name!r}, vault_url={self._http.vault!r}, "
            f"credential={self._http.tokens.describe()})"
        )

    async def __aenter__(self) -> AzureKeyVaultBackend:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def _where(self) -> str:
        return self._http.where()

    # -- the SecretBackend protocol -------------------------------------------------------

    async def get(
        self, path: str, *, field: str | None = None, version: int | str | None = None
    ) -> dq.SecretValue:
        """Read one field (``field=None``: the only one). *version*: dq's number, or a Key
        Vault version id (32 hex characters) for versions other tools wrote."""
        path = dq.validate_secret_path(path)
        name = _names.encode(path)
        if isinstance(version, str):
            if not _VERSION_ID.match(version):
                raise dq.UsageError(f"version of {path!r} must be a number or a Key Vault id")
        elif version is not None and (
            isinstance(version, bool) or not isinstance(version, int) or version < 1
        ):
            raise dq.UsageError(f"version of {path!r} must be a positive integer")
        bundle = await self._read(path, name, version)
        return dq.SecretValue(self._field(path, bundle, field))

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> int:
        """Write a new version holding exactly *values*; returns dq's number for it.

        ``cas=0`` writes only if the secret has no live version, ``cas=n`` only over version
        ``n`` (checked by a read just before the write: see the module docstring).
        """
        path = dq.validate_secret_path(path)
        name = _names.encode(path)
        value, content_type, tags = _codec.encode(dq.secret_fields(path, values))
        if cas is not None and (isinstance(cas, bool) or not isinstance(cas, int) or cas < 0):
            raise dq.UsageError(f"cas for {path!r} must be an integer >= 0")
        current = await self._current_version(path, name)
        if cas is not None and cas != current:
            expected = "absent" if cas == 0 else f"at version {cas}"
            found = "exists" if cas == 0 else f"is at version {current}"
            raise dq.SecretConflict(
                f"{self._where()}: check-and-set on {path!r} expected the secret {expected}, but "
                f"it {found}: read it again and retry"
            )
        number = current + 1
        reply = await self._http.request(
            "PUT",
            f"/secrets/{name}",
            f"set {path!r}",
            json={
                "value": value,
                "contentType": content_type,
                "tags": {**tags, VERSION_TAG: str(number)},
            },
            idempotent=False,
        )
        if reply.status == 409:
            raise dq.SecretConflict(
                f"{self._where()}: set {path!r}: Key Vault refused ({reply.code}: {reply.message}"
                "); a soft-deleted secret blocks its name until it is recovered (`recover`) "
                "or purged (`purge`)"
            )
        if reply.status == 404:
            raise AzureConfigurationError(
                f"{self._where()}: set {path!r} got 404 ({reply.code}); is vault_url right?"
            )
        self._remember(name, number, reply.body.get("id"))
        return number

    async def delete(self, path: str) -> None:
        """Soft-delete the secret (all versions); ``recover`` undoes it, ``purge`` cannot be
        undone. Deleting an already soft-deleted secret succeeds; a missing one is not found."""
        path = dq.validate_secret_path(path)
        name = _names.encode(path)
        reply = await self._http.request("DELETE", f"/secrets/{name}", f"delete {path!r}")
        if reply.status == 404 and await self.deleted(path) is None:
            raise dq.SecretNotFound(f"{self._where()}: no secret at {path!r}", reason="missing")
        if reply.status == 409:
            raise dq.SecretConflict(f"{self._where()}: delete {path!r}: {reply.message}")
        self._forget(name)

    async def list(self, prefix: str = "") -> Sequence[str]:
        """Direct children of folder *prefix*: secrets by name, folders ending in ``/``.

        Soft-deleted secrets are not listed; names that encode no dq path are skipped."""
        folder = dq.validate_secret_prefix(prefix)
        start = _names.encode_prefix(folder)
        children: builtins.set[str] = set()
        async for item in self._pages("/secrets", f"list {folder or '/'!r}"):
            name = str(item.get("id") or "").rstrip("/").rsplit("/", 1)[-1].lower()
            if not name.startswith(start):
                continue
            decoded = _names.decode(name)
            if decoded is None:
                continue
            rest = decoded[len(folder) + 1 :] if folder else decoded
            head, slash, _ = rest.partition("/")
            children.add(head + "/" if slash else head)
        return sorted(children)

    async def exists(self, path: str) -> bool:
        """True if the latest version is live; denial (and a disabled version) raises."""
        path = dq.validate_secret_path(path)
        name = _names.encode(path)
        reply = await self._http.request("GET", f"/secrets/{name}", f"exists {path!r}")
        return reply.status == 200 and isinstance(reply.body.get("value"), str)

    # -- Key Vault extras -----------------------------------------------------------------

    async def versions(self, path: str) -> tuple[SecretVersionInfo, ...]:
        """Every version's properties (enabled and disabled), oldest first."""
        path = dq.validate_secret_path(path)
        name = _names.encode(path)
        return await self._versions(path, name)

    async def deleted(self, path: str) -> DeletedSecretInfo | None:
        """The soft-deleted secret at *path*, or None (never deleted, recovered or purged)."""
        path = dq.validate_secret_path(path)
        name = _names.encode(path)
        reply = await self._http.request("GET", f"/deletedsecrets/{name}", f"deleted {path!r}")
        if reply.status != 200:
            return None
        return DeletedSecretInfo(
            path=path,
            deleted_on=_time(reply.body.get("deletedDate")),
            scheduled_purge=_time(reply.body.get("scheduledPurgeDate")),
            recovery_id=reply.body.get("recoveryId"),
        )

    async def recover(self, path: str) -> None:
        """Bring a soft-deleted secret back, with all its versions."""
        path = dq.validate_secret_path(path)
        name = _names.encode(path)
        what = f"recover {path!r}"
        reply = await self._http.request("POST", f"/deletedsecrets/{name}/recover", what)
        if reply.status == 404:
            raise dq.SecretNotFound(
                f"{self._where()}: no soft-deleted secret at {path!r} to recover", reason="missing"
            )
        if reply.status == 409:
            raise dq.SecretConflict(f"{self._where()}: {what}: {reply.message}")

    async def purge(self, path: str) -> None:
        """Erase a soft-deleted secret for good (needs the purge permission; a vault with
        purge protection refuses). Its name becomes free; its versions are gone."""
        path = dq.validate_secret_path(path)
        name = _names.encode(path)
        reply = await self._http.request("DELETE", f"/deletedsecrets/{name}", f"purge {path!r}")
        if reply.status == 404:
            raise dq.SecretNotFound(
                f"{self._where()}: no soft-deleted secret at {path!r} to purge (delete it first)",
                reason="missing",
            )
        if reply.status == 409:
            raise dq.SecretConflict(f"{self._where()}: purge {path!r}: {reply.message}")
        self._forget(name)

    # -- helpers --------------------------------------------------------------------------

    def _remember(self, name: str, number: int, secret_id: Any) -> None:
        if isinstance(secret_id, str):
            version_id = secret_id.rstrip("/").rsplit("/", 1)[-1]
            if _VERSION_ID.match(version_id):
                self._ids[(name, number)] = version_id

    def _forget(self, name: str) -> None:
        for key in [k for k in self._ids if k[0] == name]:
            del self._ids[key]

    async def _pages(self, path: str, what: str) -> AsyncIterator[dict[str, Any]]:
        """Every item of a paged list, following ``nextLink`` (same origin only)."""
        reply = await self._http.request("GET", path, what, params={"maxresults": PAGE})
        while True:
            if reply.status == 404:
                raise dq.SecretNotFound(f"{self._where()}: {what}: not found", reason="missing")
            for item in reply.body.get("value") or []:
                if isinstance(item, dict):
                    yield item
            link = reply.body.get("nextLink")
            if not isinstance(link, str) or not link:
                return
            reply = await self._http.request("GET", "", what, url=link)

    async def _versions(self, path: str, name: str) -> tuple[SecretVersionInfo, ...]:
        infos: builtins.list[SecretVersionInfo] = []
        try:
            async for item in self._pages(f"/secrets/{name}/versions", f"versions {path!r}"):
                attributes = item.get("attributes") if isinstance(item.get("attributes"), dict) else {}
                infos.append(
                    SecretVersionInfo(
                        version=_dq_version(item.get("tags")),
                        version_id=str(item.get("id") or "").rstrip("/").rsplit("/", 1)[-1],
                        enabled=attributes.get("enabled", True) is not False,
                        created=_time(attributes.get("created")),
                        updated=_time(attributes.get("updated")),
                        content_type=item.get("contentType"),
                    )
                )
        except dq.SecretNotFound:
            raise await self._not_found(path, name, repr(path)) from None
        epoch = datetime.min.replace(tzinfo=UTC)
        return tuple(sorted(infos, key=lambda i: (i.created or epoch, i.version or 0)))

    async def _current_version(self, path: str, name: str) -> int:
        """dq's number of the live version (0 when there is none)."""
        try:
            reply = await self._http.request("GET", f"/secrets/{name}", f"set {path!r}")
        except AzureSecretDisabled:
            reply = None  # the latest is disabled: its tag is still in the versions list
        if reply is not None and reply.status == 404:
            return 0
        if reply is not None and (number := _dq_version(reply.body.get("tags"))) is not None:
            return number
        infos = await self._versions(path, name)
        return max([i.version or 0 for i in infos] + [len(infos)])

    async def _read(self, path: str, name: str, version: int | str | None) -> dict[str, Any]:
        shown = f"{path!r}" + (f" version {version}" if version is not None else "")
        what = f"get {shown}"
        if isinstance(version, int):
            version_id = self._ids.get((name, version)) or await self._find(path, name, version)
            reply = await self._http.request("GET", f"/secrets/{name}/{version_id}", what)
            if reply.status == 404 and (name, version) in self._ids:
                self._ids.pop((name, version))  # purged and re-created since: look again
                version_id = await self._find(path, name, version)
                reply = await self._http.request("GET", f"/secrets/{name}/{version_id}", what)
        else:
            suffix = f"/{version}" if version else ""
            reply = await self._http.request("GET", f"/secrets/{name}{suffix}", what)
        if reply.status == 200 and isinstance(reply.body.get("value"), str):
            return reply.body
        raise await self._not_found(path, name, shown)

    async def _find(self, path: str, name: str, number: int) -> str:
        infos = await self._versions(path, name)
        matches = [i for i in infos if i.version == number]
        if not matches:
            known = sorted(i.version for i in infos if i.version is not None)
            raise dq.SecretNotFound(
                f"{self._where()}: secret {path!r} has no version {number} "
                f"(dq versions: {', '.join(map(str, known)) or 'none'})",
                reason="missing",
            )
        self._ids[(name, number)] = matches[-1].version_id  # the newest, if two writers raced
        return matches[-1].version_id

    async def _not_found(self, path: str, name: str, shown: str) -> dq.SecretNotFound:
        """Not found, with reason ``deleted`` (soft-deleted, recoverable) or ``missing``."""
        try:
            gone = await self.deleted(path)
        except dq.SecretAccessDenied:
            gone = None  # may not read deleted secrets: say "missing", the live one is absent
        if gone is not None:
            purge = gone.scheduled_purge.isoformat() if gone.scheduled_purge else "unknown"
            return dq.SecretNotFound(
                f"{self._where()}: secret {shown} was deleted (soft delete; purged on {purge}): "
                "`recover` brings it back, `purge` erases it now",
                reason="deleted",
            )
        return dq.SecretNotFound(f"{self._where()}: no secret at {shown}", reason="missing")

    def _field(self, path: str, bundle: Mapping[str, Any], field: str | None) -> bytes:
        """Pick a field; errors list field *names* only, never a value."""
        try:
            fields = _codec.decode(bundle["value"], bundle.get("contentType"), bundle.get("tags"))
        except _codec.UndecodableSecret as exc:
            raise AzureConfigurationError(
                f"{self._where()}: secret {path!r} cannot be decoded ({exc}); rewrite it with dq"
            ) from None
        names = ", ".join(repr(n) for n in sorted(fields) if n) or "one unnamed value"
        if field is None:
            if len(fields) != 1:
                raise dq.SecretNotFound(
                    f"{self._where()}: secret {path!r} has {len(fields)} fields ({names}); "
                    "name one with #FIELD",
                    reason="field",
                )
            return next(iter(fields.values()))
        if field not in fields:
            raise dq.SecretNotFound(
                f"{self._where()}: secret {path!r} has no field {field!r} (fields: {names})",
                reason="field",
            )
        return fields[field]
