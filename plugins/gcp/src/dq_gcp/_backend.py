"""GcpSecretsBackend: dq's SecretBackend protocol over Google Secret Manager's REST API v1.

Every public method maps its path with :func:`_names.secret_id` (which runs
:func:`dq.validate_secret_path` first) *before* anything else. Endpoints used, relative to
``/v1/projects/{project}`` (https://cloud.google.com/secret-manager/docs/reference/rest):

=====================  ===================================================================
dq operation           Secret Manager
=====================  ===================================================================
get / exists           ``GET secrets/{id}/versions/{n|latest}:access`` (CRC32C checked)
set                    ``POST secrets/{id}:addVersion`` (with ``dataCrc32c``); 404 →
                       ``POST secrets?secretId={id}`` then add. ``cas=0``: create first (409
                       → conflict). ``cas=n``: ``GET secrets/{id}`` (etag),
                       ``GET versions/latest`` (= n?), ``PATCH secrets/{id}`` with that etag
                       (a racer's patch fails: conflict), then add
delete / undelete      ``POST versions/{n}:disable`` / ``:enable`` of the latest version
destroy                ``POST versions/{n}:destroy``
versions               ``GET secrets/{id}/versions`` (paginated)
list                   ``GET secrets`` (paginated), ids mapped back to paths
=====================  ===================================================================
"""

from __future__ import annotations

import base64
import binascii
import builtins
import time
from collections.abc import Mapping, Sequence

import dq
import httpx

from dq_gcp import _codec, _names
from dq_gcp._cas import CAS_ANNOTATION, claim, live_claim
from dq_gcp._client import GcpHttp, Reply
from dq_gcp._config import GcpConfig
from dq_gcp._errors import GcpRequestError
from dq_gcp._not_found import unexpected
from dq_gcp._versions import GcpSecretVersion, parse_version, require_positive, version_number

PAGE_SIZE = 1000


class GcpSecretsBackend:
    """A dq secret backend on one project's Google Secret Manager.

    Construction does no I/O; the first operation reads the key and fetches a token.
    *transport* replaces httpx's network transport (tests wrap the real one to count requests).
    """

    def __init__(
        self,
        config: GcpConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        name: str = "gcp",
    ) -> None:
        self.config = config
        self.name = name
        self._http = GcpHttp(config, transport=transport, name=name)

    def __repr__(self) -> str:
        return (
            f"GcpSecretsBackend(name={self.name!r}, project={self.config.project!r}, "
            f"endpoint={self.config.endpoint!r})"
        )

    async def __aenter__(self) -> GcpSecretsBackend:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def secret_id(self, path: str) -> str:
        """The secret id *path* maps to (validated; see ``_names``)."""
        return _names.secret_id(self.config.prefix, path)

    def _project(self) -> str:
        key = self._http.tokens.key() if self.config.access_token is None else None
        return self.config.require_project(key.project_id if key else None)

    def _secret(self, identifier: str, suffix: str = "") -> str:
        return f"/v1/projects/{self._project()}/secrets/{identifier}{suffix}"

    # -- the SecretBackend protocol -------------------------------------------------------

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> dq.SecretValue:
        """Read one field of the latest version, or of version *version*."""
        identifier = self.secret_id(path)
        alias = (
            "latest" if version is None else str(require_positive(version, f"version of {path!r}"))
        )
        fields = _codec.decode(await self._access(identifier, alias, path))
        return dq.SecretValue(dq.pick_secret_field(self._http.where(), path, fields, field))

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> int:
        """Add a version holding exactly *values*; returns its number.

        ``cas=0`` writes only if the secret does not exist, ``cas=n`` only if version *n* is
        the latest; otherwise :class:`dq.SecretConflict` and nothing is written.
        """
        identifier = self.secret_id(path)
        if cas is not None and (isinstance(cas, bool) or not isinstance(cas, int) or cas < 0):
            raise dq.UsageError(f"cas for {path!r} must be an integer >= 0")
        payload = _codec.encode(dq.secret_fields(path, values))
        if cas == 0:
            if not await self._create(identifier, path):
                raise dq.SecretConflict(
                    f"{self._http.where()}: check-and-set on {path!r} expected no secret, but it "
                    "exists: read it and retry with its version"
                )
        elif cas is not None:
            await self._claim(identifier, path, cas)
        reply = await self._add(identifier, payload, path)
        if reply.status == 404 and cas is None:
            await self._create(identifier, path)
            reply = await self._add(identifier, payload, path)
        if reply.status != 200:
            raise unexpected(self._http, reply, f"set {path!r}")
        number = version_number(reply.body.get("name"))
        if number is None:
            raise GcpRequestError(
                f"{self._http.where()}: set {path!r}: the answer named no version",
                status="UNKNOWN",
            )
        return number

    async def delete(self, path: str) -> None:
        """Disable the latest version (``undelete`` enables it again; ``destroy`` cannot be
        undone). Deleting a secret that does not exist, or is already disabled, succeeds."""
        identifier = self.secret_id(path)
        latest = await self._version_meta(identifier, "latest", path)
        if latest is None or latest.state != "ENABLED":
            return
        await self._transition(identifier, latest.number, "disable", path)

    async def list(self, prefix: str = "") -> Sequence[str]:
        """Direct children of folder *prefix*: secrets by name, folders ending in ``/``."""
        start = _names.folder_id(self.config.prefix, prefix)
        children: set[str] = set()
        token = ""
        while True:
            params = {"pageSize": str(PAGE_SIZE)}
            if token:
                params["pageToken"] = token
            reply = await self._http.request(
                "GET",
                f"/v1/projects/{self._project()}/secrets",
                f"list {prefix or '/'!r}",
                params=params,
            )
            if reply.status != 200:
                raise unexpected(self._http, reply, f"list {prefix or '/'!r}")
            for secret in reply.body.get("secrets") or []:
                identifier = str(secret.get("name") or "").rsplit("/", 1)[-1]
                if not identifier.startswith(start) or _names.path_of(identifier) is None:
                    continue  # another folder, or an id no dq path maps to
                rest = identifier[len(start) :].split(_names.SEPARATOR)
                children.add(rest[0] + ("/" if len(rest) > 1 else ""))
            token = str(reply.body.get("nextPageToken") or "")
            if not token:
                return sorted(children)

    async def exists(self, path: str) -> bool:
        """True if ``get`` of the latest version would succeed; denial raises, never False."""
        identifier = self.secret_id(path)
        try:
            await self._access(identifier, "latest", path)
        except dq.SecretNotFound:
            return False
        return True

    # -- Secret Manager extras ------------------------------------------------------------

    async def versions(self, path: str) -> builtins.list[GcpSecretVersion]:
        """Every version's number and state (``ENABLED``/``DISABLED``/``DESTROYED``), oldest
        first."""
        identifier = self.secret_id(path)
        out: builtins.list[GcpSecretVersion] = []
        token = ""
        while True:
            params = {"pageSize": str(PAGE_SIZE)}
            if token:
                params["pageToken"] = token
            reply = await self._http.request(
                "GET",
                self._secret(identifier, "/versions"),
                f"versions of {path!r}",
                params=params,
            )
            if reply.status != 200:
                raise unexpected(self._http, reply, f"versions of {path!r}")
            out += [v for v in map(parse_version, reply.body.get("versions") or []) if v]
            token = str(reply.body.get("nextPageToken") or "")
            if not token:
                return sorted(out, key=lambda v: v.number)

    async def undelete(self, path: str, version: int | None = None) -> None:
        """Enable *version* (default: the latest) again after ``delete``."""
        identifier = self.secret_id(path)
        number = await self._resolve(identifier, version, path)
        await self._transition(identifier, number, "enable", path)

    async def destroy(self, path: str, version: int | None = None) -> None:
        """Destroy *version* (default: the latest): its payload is gone for good."""
        identifier = self.secret_id(path)
        number = await self._resolve(identifier, version, path)
        await self._transition(identifier, number, "destroy", path)

    # -- helpers ------------------------------------------------------------------------

    async def _access(self, identifier: str, alias: str, path: str) -> bytes:
        shown = f"{path!r}" + ("" if alias == "latest" else f" version {alias}")
        reply = await self._http.request(
            "GET", self._secret(identifier, f"/versions/{alias}:access"), f"get {shown}"
        )
        if reply.status != 200:
            raise unexpected(self._http, reply, f"get {shown}")
        payload = reply.body.get("payload") if isinstance(reply.body.get("payload"), dict) else {}
        try:
            data = base64.b64decode(str(payload.get("data") or ""), validate=True)
        except binascii.Error:
            raise GcpRequestError(
                f"{self._http.where()}: get {shown}: the payload is not valid base64",
                status="DATA_LOSS",
            ) from None
        sent = payload.get("dataCrc32c")
        if sent is None or str(sent) != str(_codec.crc32c(data)):
            raise GcpRequestError(
                f"{self._http.where()}: get {shown}: the payload's CRC32C "
                + ("is missing" if sent is None else "does not match its data")
                + "; it was corrupted in transit: retry, and report it if it persists",
                status="DATA_LOSS",
            )
        return data

    async def _add(self, identifier: str, payload: bytes, path: str) -> Reply:
        body = {
            "payload": {
                "data": base64.b64encode(payload).decode("ascii"),
                "dataCrc32c": str(_codec.crc32c(payload)),
            }
        }
        return await self._http.request(
            "POST",
            self._secret(identifier, ":addVersion"),
            f"set {path!r}",
            json=body,
            idempotent=False,
        )

    async def _create(self, identifier: str, path: str) -> bool:
        """Create the secret (automatic replication); False if it already exists."""
        reply = await self._http.request(
            "POST",
            f"/v1/projects/{self._project()}/secrets",
            f"create {path!r}",
            params={"secretId": identifier},
            json={"replication": {"automatic": {}}},
            idempotent=False,
        )
        if reply.status == 409:
            return False
        if reply.status != 200:
            raise unexpected(self._http, reply, f"create {path!r}")
        return True

    async def _claim(self, identifier: str, path: str, cas: int) -> None:
        """Check that *cas* is the latest version and win the right to add the next one.

        The secret's etag is the lock: two writers read the same etag, and Secret Manager
        accepts only the first ``PATCH`` carrying it (the other gets FAILED_PRECONDITION).
        """
        where = self._http.where()
        reply = await self._http.request("GET", self._secret(identifier), f"cas {path!r}")
        if reply.status == 404:
            raise dq.SecretConflict(
                f"{where}: check-and-set on {path!r} expected version {cas}, but the secret "
                "does not exist"
            )
        if reply.status != 200:
            raise unexpected(self._http, reply, f"cas {path!r}")
        etag, annotations = reply.body.get("etag"), dict(reply.body.get("annotations") or {})
        latest = await self._version_meta(identifier, "latest", path)
        if latest is None or latest.number != cas:
            shown = "no version" if latest is None else f"version {latest.number}"
            raise dq.SecretConflict(
                f"{where}: check-and-set on {path!r} expected version {cas}, but the latest is "
                f"{shown}: read it again and retry"
            )
        now = time.time()
        claimed = live_claim(annotations.get(CAS_ANNOTATION), now)
        if claimed is not None and claimed > cas:
            # a racer patched the etag and is adding version cas + 1 right now: the etag
            # alone cannot tell (it changed before this writer read it)
            raise dq.SecretConflict(
                f"{where}: check-and-set on {path!r}: another writer claimed version {claimed} "
                "first; read it again and retry"
            )
        annotations[CAS_ANNOTATION] = claim(cas + 1, now)
        patched = await self._http.request(
            "PATCH",
            self._secret(identifier),
            f"cas {path!r}",
            params={"updateMask": "annotations"},
            json={"etag": etag, "annotations": annotations},
            idempotent=False,
        )
        if patched.status == 400 and patched.code == "FAILED_PRECONDITION":
            raise dq.SecretConflict(
                f"{where}: check-and-set on {path!r}: another writer claimed version {cas + 1} "
                "first; read it again and retry"
            )
        if patched.status != 200:
            raise unexpected(self._http, patched, f"cas {path!r}")

    async def _version_meta(
        self, identifier: str, alias: str, path: str
    ) -> GcpSecretVersion | None:
        reply = await self._http.request(
            "GET", self._secret(identifier, f"/versions/{alias}"), f"version {alias} of {path!r}"
        )
        if reply.status == 404:
            return None
        if reply.status != 200:
            raise unexpected(self._http, reply, f"version {alias} of {path!r}")
        return parse_version(reply.body)

    async def _resolve(self, identifier: str, version: int | None, path: str) -> int:
        if version is not None:
            return require_positive(version, f"version of {path!r}")
        latest = await self._version_meta(identifier, "latest", path)
        if latest is None:
            raise dq.SecretNotFound(f"{self._http.where()}: no secret {path!r}", reason="missing")
        return latest.number

    async def _transition(self, identifier: str, number: int, verb: str, path: str) -> None:
        what = f"{verb} {path!r} version {number}"
        reply = await self._http.request(
            "POST", self._secret(identifier, f"/versions/{number}:{verb}"), what, json={}
        )
        if reply.status != 200:
            raise unexpected(self._http, reply, what)
