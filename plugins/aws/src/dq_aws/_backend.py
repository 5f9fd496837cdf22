"""AwsSecretsBackend: dq's SecretBackend protocol over the AWS Secrets Manager API (boto3).

Every public method validates its path with :func:`dq.validate_secret_path` (through
:func:`_names.secret_name`) *before* anything else. The Secrets Manager operations used
(https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html):

=====================  ===================================================================
dq operation           Secrets Manager
=====================  ===================================================================
get / exists           ``GetSecretValue`` (``VersionId`` = dq's token for ``version=n``;
                       ``get_staged`` reads by ``VersionStage`` or any ``VersionId``)
set                    ``ListSecretVersionIds`` (current and highest dq version), then
                       ``CreateSecret`` (first version) or ``PutSecretValue`` with
                       ``ClientRequestToken`` = dq's token for the next number
delete / restore       ``DeleteSecret`` (recovery window) / ``RestoreSecret``
list                   ``ListSecrets`` with a ``name`` filter, paginated
versions               ``ListSecretVersionIds`` (``IncludeDeprecated``)
=====================  ===================================================================
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
import dq

from dq_aws import _codec, _names
from dq_aws._client import SecretsClient
from dq_aws._config import AwsConfig

log = logging.getLogger("dq_aws")

CURRENT, PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"
#: Attempts of a write without ``cas`` that keeps losing a race for the next version number.
WRITE_RACES = 5


@attrs.frozen(kw_only=True)
class AwsSecretVersion:
    """One version of a secret (never its value): its id, dq's number if dq wrote it, stages."""

    version_id: str
    number: int | None
    stages: tuple[str, ...]
    created: datetime | None


class _Deleted(Exception):
    """Internal: the secret is scheduled for deletion (AWS's InvalidRequestException)."""


def _is_deletion(code: str, message: str) -> bool:
    return code == "InvalidRequestException" and "delet" in message.lower()


class AwsSecretsBackend:
    """A dq secret backend on AWS Secrets Manager.

    Build it from an :class:`AwsConfig` (dq does, from the user's table). Construction does no
    I/O; the first operation builds the boto3 client (and, with ``role_arn``, assumes the
    role).
    """

    def __init__(self, config: AwsConfig, *, name: str = "aws") -> None:
        self.config = config
        self.name = name
        self._aws = SecretsClient(config, name=name)

    def __repr__(self) -> str:
        parts = [f"name={self.name!r}"]
        if self.config.region:
            parts.append(f"region={self.config.region!r}")
        if self.config.endpoint_url:
            parts.append(f"endpoint_url={self.config.endpoint_url!r}")
        if self.config.role_arn:
            parts.append(f"role_arn={self.config.role_arn!r}")
        if self.config.name_prefix:
            parts.append(f"name_prefix={self.config.name_prefix!r}")
        return f"AwsSecretsBackend({', '.join(parts)})"

    async def __aenter__(self) -> AwsSecretsBackend:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Nothing to release: boto3's connection pool closes with the process."""

    def secret_name(self, path: str) -> str:
        """The Secrets Manager name *path* maps to (validated; see ``_names``)."""
        return _names.secret_name(self.config.prefix, path)

    # -- the SecretBackend protocol -------------------------------------------------------

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> dq.SecretValue:
        """Read one field of the current version, or of dq's version number *version*."""
        name = self.secret_name(path)
        if version is None:
            fields = await self._read(name, {}, path)
        else:
            token = _names.version_token(version)
            fields = await self._read(name, {"VersionId": token}, f"{path} version {version}")
        return dq.SecretValue(dq.pick_secret_field(self._aws.where(), path, fields, field))

    async def get_staged(
        self,
        path: str,
        *,
        field: str | None = None,
        stage: str | None = None,
        version_id: str | None = None,
    ) -> dq.SecretValue:
        """Read by version stage (``AWSPREVIOUS``, ``AWSPENDING``, a custom label) or by any
        ``VersionId`` (one another tool wrote, a UUID)."""
        name = self.secret_name(path)
        if (stage is None) == (version_id is None):
            raise dq.UsageError(f"get_staged {path!r}: give exactly one of stage or version_id")
        params = {"VersionStage": stage} if stage is not None else {"VersionId": version_id}
        shown = f"{path} stage {stage}" if stage is not None else f"{path} version {version_id}"
        return dq.SecretValue(
            dq.pick_secret_field(
                self._aws.where(), path, await self._read(name, params, shown), field
            )
        )

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> int:
        """Write a new version holding exactly *values*; returns dq's number for it.

        ``cas=0`` writes only if the secret does not exist, ``cas=n`` only if dq's version
        *n* is the current one; otherwise :class:`dq.SecretConflict` and nothing is written.
        The new version becomes ``AWSCURRENT`` and the one before it ``AWSPREVIOUS``.
        """
        name = self.secret_name(path)
        if cas is not None and (isinstance(cas, bool) or not isinstance(cas, int) or cas < 0):
            raise dq.UsageError(f"cas for {path!r} must be an integer >= 0")
        payload = _codec.encode(dq.secret_fields(path, values))
        if cas == 0:
            if await self._create(name, payload, path):
                return 1
            raise dq.SecretConflict(
                f"{self._aws.where()}: check-and-set on {path!r} expected no secret, but it "
                "exists (or is scheduled for deletion): read it and retry with its version"
            )
        for _ in range(WRITE_RACES):
            state = await self._describe(name, path)
            if state is not None and state.get("DeletedDate"):
                await self._restore(name, path)  # a write brings a deleted secret back
            try:
                versions = None if state is None else await self._version_list(name, path)
            except _Deleted:  # deleted between the two calls: look again
                continue
            if versions is None:
                if cas is not None:
                    raise dq.SecretConflict(
                        f"{self._aws.where()}: check-and-set on {path!r} expected version "
                        f"{cas}, but the secret does not exist"
                    )
                if await self._create(name, payload, path):
                    return 1
                continue  # someone created it meanwhile: write over theirs
            current = next((v.number for v in versions if CURRENT in v.stages), None)
            if cas is not None and current != cas:
                shown = "a version dq did not write" if current is None else f"version {current}"
                raise dq.SecretConflict(
                    f"{self._aws.where()}: check-and-set on {path!r} expected version {cas}, "
                    f"but the current one is {shown}: read it again and retry"
                )
            number = max((v.number or 0 for v in versions), default=0) + 1
            if await self._put(name, number, payload, path):
                return number
            if cas is not None:
                raise dq.SecretConflict(
                    f"{self._aws.where()}: check-and-set on {path!r}: another writer wrote "
                    f"version {number} first; read it again and retry"
                )
        raise dq.SecretConflict(
            f"{self._aws.where()}: set {path!r} lost the race for a new version "
            f"{WRITE_RACES} times; other writers are rotating it: retry later"
        )

    async def delete(self, path: str) -> None:
        """Schedule the secret for deletion (``restore`` undoes it within the recovery window).

        With ``recovery_window_days = 0`` it is deleted at once, without recovery. Deleting a
        secret that does not exist, or is already scheduled, succeeds.
        """
        name = self.secret_name(path)
        params: dict[str, Any] = {"SecretId": name}
        if self.config.recovery_window_days:
            params["RecoveryWindowInDays"] = self.config.recovery_window_days
        else:
            params["ForceDeleteWithoutRecovery"] = True
        try:
            await self._aws.call(
                "delete_secret", f"delete {path!r}", on_error=self._deletion_error, **params
            )
        except (_Deleted, dq.SecretNotFound):
            return

    async def restore(self, path: str) -> None:
        """Cancel a scheduled deletion (``RestoreSecret``)."""
        await self._restore(self.secret_name(path), path)

    async def list(self, prefix: str = "") -> Sequence[str]:
        """Direct children of folder *prefix*: secrets by name, folders ending in ``/``.

        Secrets scheduled for deletion are not listed. AWS's ``name`` filter is a prefix
        match; every name it returns is compared with the folder again here, exactly, so a
        filter that matched more (another case, another folder) never widens a listing.
        """
        folder = _names.folder_name(self.config.prefix, prefix)
        filters = [{"Key": "name", "Values": [folder]}] if folder else []
        children: set[str] = set()
        token: str | None = None
        while True:
            params: dict[str, Any] = {"MaxResults": 100, "Filters": filters}
            if token:
                params["NextToken"] = token
            reply = await self._aws.call("list_secrets", f"list {prefix or '/'!r}", **params)
            for entry in reply.get("SecretList") or []:
                child = _child(folder, str(entry.get("Name") or ""))
                if child:
                    children.add(child)
            token = reply.get("NextToken")
            if not token:
                return sorted(children)

    async def exists(self, path: str) -> bool:
        """True if ``get`` of the current version would succeed; denial raises, never False."""
        name = self.secret_name(path)
        try:
            await self._read(name, {}, path)
        except dq.SecretNotFound:
            return False
        return True

    async def versions(self, path: str) -> builtins.list[AwsSecretVersion]:
        """Every version AWS keeps (deprecated ones included), oldest first, without values."""
        name = self.secret_name(path)
        try:
            versions = await self._version_list(name, path)
        except _Deleted:
            raise dq.SecretNotFound(
                f"{self._aws.where()}: secret {path!r} is scheduled for deletion; "
                "`restore` brings it back",
                reason="deleted",
            ) from None
        if versions is None:
            raise dq.SecretNotFound(f"{self._aws.where()}: no secret {path!r}", reason="missing")
        return versions

    # -- helpers ----------------------------------------------------------------------

    @staticmethod
    def _deletion_error(code: str, message: str) -> BaseException | None:
        return _Deleted() if _is_deletion(code, message) else None

    async def _read(self, name: str, params: dict[str, Any], shown: str) -> dict[str, bytes]:
        where = self._aws.where()

        def on_error(code: str, message: str) -> BaseException | None:
            if _is_deletion(code, message):
                return dq.SecretNotFound(
                    f"{where}: secret {shown!r} is scheduled for deletion; `restore` brings it "
                    "back (read an older version only after restoring)",
                    reason="deleted",
                )
            if code == "ResourceNotFoundException":
                return dq.SecretNotFound(f"{where}: no secret {shown!r}", reason="missing")
            return None

        reply = await self._aws.call(
            "get_secret_value", f"get {shown!r}", on_error=on_error, SecretId=name, **params
        )
        if reply.get("Name") not in (None, name):
            # AWS matched the id as a partial ARN of another secret (a name ending "-xxxxxx").
            raise dq.SecretNotFound(f"{where}: no secret {shown!r}", reason="missing")
        return _codec.decode(reply)

    async def _version_list(self, name: str, path: str) -> builtins.list[AwsSecretVersion] | None:
        """All versions (``None`` if the secret does not exist); raises ``_Deleted``."""
        out: builtins.list[AwsSecretVersion] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"SecretId": name, "IncludeDeprecated": True}
            if token:
                params["NextToken"] = token
            try:
                reply = await self._aws.call(
                    "list_secret_version_ids",
                    f"versions of {path!r}",
                    on_error=self._deletion_error,
                    **params,
                )
            except dq.SecretNotFound:
                return None
            for entry in reply.get("Versions") or []:
                version_id = str(entry.get("VersionId") or "")
                out.append(
                    AwsSecretVersion(
                        version_id=version_id,
                        number=_names.version_number(version_id),
                        stages=tuple(entry.get("VersionStages") or ()),
                        created=entry.get("CreatedDate"),
                    )
                )
            token = reply.get("NextToken")
            if not token:
                break
        return sorted(out, key=lambda v: (v.created is None, v.created or 0, v.number or 0))

    async def _describe(self, name: str, path: str) -> dict[str, Any] | None:
        """``DescribeSecret`` (``None`` if there is no such secret)."""
        try:
            return await self._aws.call("describe_secret", f"describe {path!r}", SecretId=name)
        except dq.SecretNotFound:
            return None

    async def _create(self, name: str, payload: dict[str, Any], path: str) -> bool:
        """``CreateSecret`` with version 1; False if the secret already exists."""
        params: dict[str, Any] = {
            "Name": name,
            "ClientRequestToken": _names.version_token(1),
            **payload,
        }
        if self.config.kms_key_id:
            params["KmsKeyId"] = self.config.kms_key_id
        try:
            await self._aws.call(
                "create_secret", f"create {path!r}", on_error=_exists_or_deleted, **params
            )
        except (_Exists, _Deleted):
            return False
        return True

    async def _put(self, name: str, number: int, payload: dict[str, Any], path: str) -> bool:
        """``PutSecretValue`` as version *number*; False if that version exists with other
        content (a writer beat us to the number, or deleted it meanwhile)."""
        try:
            await self._aws.call(
                "put_secret_value",
                f"set {path!r}",
                on_error=_exists_or_deleted,
                SecretId=name,
                ClientRequestToken=_names.version_token(number),
                **payload,
            )
        except (_Exists, _Deleted):
            return False
        return True

    async def _restore(self, name: str, path: str) -> None:
        log.info("%s: restoring %r (scheduled for deletion) to write it", self._aws.where(), path)
        await self._aws.call("restore_secret", f"restore {path!r}", SecretId=name)


class _Exists(Exception):
    """Internal: the name or the version token is taken."""


def _exists_or_deleted(code: str, message: str) -> BaseException | None:
    if code == "ResourceExistsException":
        return _Exists()
    if _is_deletion(code, message):
        return _Deleted()
    return None


def _child(folder: str, name: str) -> str | None:
    """The direct child of *folder* that secret *name* lies in (``x`` or ``x/``), if any."""
    if not name.startswith(folder) or len(name) == len(folder):
        return None
    rest = name[len(folder) :]
    head, slash, _ = rest.partition("/")
    if not head:
        return None
    return head + slash
