"""Secret Manager's own REST resources in the local server (:mod:`dq_gcp.testing`): secrets
and their versions, what is stored of them, and the JSON Google answers with.

Written from the REST reference (https://cloud.google.com/secret-manager/docs/reference/rest).
:class:`SecretManagerResources` is a mixin of :class:`dq_gcp.testing.FakeSecretManager`, so
the state tests inspect and change (``secrets``, ``grants``, ``corrupt_crc``) stays on the
server object; the server authenticates a request, takes its lock and calls :meth:`_route`.
The HTTP serving and the OAuth2 side live in ``testing`` and ``_fake_oauth``.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time
from typing import Any

import attrs

from dq_gcp._codec import crc32c
from dq_gcp._fake_iam import Grants, allowed, permission_for

SECRET_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")


@attrs.define
class StoredVersion:
    number: int
    data: bytes
    crc: int
    client_crc: bool
    created: str
    state: str = "ENABLED"
    destroyed: str | None = None
    etag: str = attrs.field(factory=lambda: f'"{secrets.token_hex(6)}"')


@attrs.define
class StoredSecret:
    created: str
    etag: str = attrs.field(factory=lambda: f'"{secrets.token_hex(6)}"')
    annotations: dict[str, str] = attrs.field(factory=dict)
    versions: list[StoredVersion] = attrs.field(factory=list)


def now_text() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())


def error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, str]]:
    """Google's error answer: ``{"error": {"code", "message", "status"}}``."""
    return status, {"error": {"code": status, "message": message, "status": code}}, headers or {}


def page(items: list[Any], key: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
    """One page of a list answer; the page token is the offset of the next item."""
    size = max(1, min(int(query.get("pageSize") or 25000), 25000))
    start = int(query.get("pageToken") or 0)
    out: dict[str, Any] = {key: items[start : start + size], "totalSize": len(items)}
    if start + size < len(items):
        out["nextPageToken"] = str(start + size)
    return 200, out, {}


class SecretManagerResources:
    """Routing, IAM checks and handlers of ``/v1/projects/{project}/secrets…``.

    The caller holds the server's lock around :meth:`_route`.
    """

    project: str
    secrets: dict[str, StoredSecret]
    grants: Grants
    corrupt_crc: bool

    def _route(
        self, method: str, path: str, query: dict[str, str], body: Any, who: str
    ) -> tuple[int, Any, dict[str, str]]:
        prefix = f"/v1/projects/{self.project}/secrets"
        if not path.startswith(prefix):
            return error(403, "PERMISSION_DENIED", f"Permission denied on resource {path!r}")
        rest = path[len(prefix) :]
        if rest == "" and method == "GET":
            return self._list(query, who)
        if rest == "" and method == "POST":
            return self._create(query.get("secretId", ""), body, who)
        match = re.fullmatch(
            r"/([^/:]+)(:addVersion)?(?:/versions(?:/([^/:]+)(?::(\w+))?)?)?", rest
        )
        if not match:
            return error(404, "NOT_FOUND", f"Method not found: {path}")
        secret_id, add, version, verb = match.groups()
        resource = f"projects/{self.project}/secrets/{secret_id}"
        if not SECRET_ID.fullmatch(secret_id):
            return error(400, "INVALID_ARGUMENT", f"Invalid resource field value: {resource}")
        is_versions = "/versions" in rest
        permission = permission_for(method, bool(add), version, verb, is_versions)
        if not add and version is not None:
            resource += f"/versions/{version}"
        if not allowed(self.grants, who, permission, secret_id):
            return error(
                403,
                "PERMISSION_DENIED",
                f"Permission '{permission}' denied for resource '{resource}' "
                "(or it may not exist).",
            )
        secret = self.secrets.get(secret_id)
        if secret is None:
            return error(404, "NOT_FOUND", f"Secret [{resource}] not found or has no versions.")
        if add and method == "POST":
            return self._add(secret_id, secret, body)
        if version is not None:
            return self._version(secret_id, secret, version, verb, method, body)
        if is_versions and method == "GET":
            versions = [self._version_json(secret_id, v) for v in reversed(secret.versions)]
            return page(versions, "versions", query)
        if method == "GET":
            return 200, self._secret_json(secret_id, secret), {}
        if method == "PATCH":
            if query.get("updateMask") != "annotations":
                return error(400, "INVALID_ARGUMENT", "updateMask must name annotations")
            if body.get("etag") not in (None, secret.etag):
                return error(
                    400,
                    "FAILED_PRECONDITION",
                    "The etag provided in the request does not match the etag of the secret.",
                )
            secret.annotations = dict(body.get("annotations") or {})
            secret.etag = f'"{secrets.token_hex(6)}"'
            return 200, self._secret_json(secret_id, secret), {}
        if method == "DELETE":
            del self.secrets[secret_id]
            return 200, {}, {}
        return error(404, "NOT_FOUND", "Method not found.")

    def _list(self, query: dict[str, str], who: str) -> tuple[int, Any, dict[str, str]]:
        if not any("secretmanager.secrets.list" in p for _, p in self.grants.get(who, [])):
            return error(
                403,
                "PERMISSION_DENIED",
                f"Permission 'secretmanager.secrets.list' denied for resource "
                f"'projects/{self.project}' (or it may not exist).",
            )
        items = [self._secret_json(i, s) for i, s in sorted(self.secrets.items())]
        return page(items, "secrets", query)

    def _create(self, secret_id: str, body: Any, who: str) -> tuple[int, Any, dict[str, str]]:
        if not allowed(self.grants, who, "secretmanager.secrets.create", secret_id):
            return error(
                403,
                "PERMISSION_DENIED",
                f"Permission 'secretmanager.secrets.create' denied for resource "
                f"'projects/{self.project}' (or it may not exist).",
            )
        if not SECRET_ID.fullmatch(secret_id):
            return error(
                400, "INVALID_ARGUMENT", "Invalid secret_id: must match [A-Za-z0-9_-]{1,255}"
            )
        if not isinstance(body, dict) or "replication" not in body:
            return error(400, "INVALID_ARGUMENT", "Secret.replication is required.")
        if secret_id in self.secrets:
            return error(
                409,
                "ALREADY_EXISTS",
                f"Secret [projects/{self.project}/secrets/{secret_id}] already exists.",
            )
        self.secrets[secret_id] = StoredSecret(created=now_text())
        return 200, self._secret_json(secret_id, self.secrets[secret_id]), {}

    def _add(
        self, secret_id: str, secret: StoredSecret, body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        payload = body.get("payload") if isinstance(body, dict) else None
        if not isinstance(payload, dict):
            return error(400, "INVALID_ARGUMENT", "SecretPayload is required.")
        try:
            data = base64.b64decode(str(payload.get("data") or ""), validate=True)
        except binascii.Error:
            return error(400, "INVALID_ARGUMENT", "Invalid value at 'payload.data' (TYPE_BYTES)")
        if len(data) > 65536:
            return error(400, "INVALID_ARGUMENT", "Secret Payload cannot exceed 65536 bytes.")
        sent = payload.get("dataCrc32c")
        if sent is not None and str(sent) != str(crc32c(data)):
            return error(
                400,
                "INVALID_ARGUMENT",
                "Checksum mismatch: data_crc32c does not match the payload.",
            )
        version = StoredVersion(
            number=len(secret.versions) + 1,
            data=data,
            crc=crc32c(data),
            client_crc=sent is not None,
            created=now_text(),
        )
        secret.versions.append(version)
        return 200, self._version_json(secret_id, version), {}

    def _version(
        self,
        secret_id: str,
        secret: StoredSecret,
        alias: str,
        verb: str | None,
        method: str,
        body: Any,
    ) -> tuple[int, Any, dict[str, str]]:
        resource = f"projects/{self.project}/secrets/{secret_id}/versions/{alias}"
        if alias == "latest":
            found = secret.versions[-1] if secret.versions else None
        elif alias.isdigit() and 1 <= int(alias) <= len(secret.versions):
            found = secret.versions[int(alias) - 1]
        else:
            found = None
        if found is None:
            return error(404, "NOT_FOUND", f"Secret Version [{resource}] not found.")
        name = f"projects/{self.project}/secrets/{secret_id}/versions/{found.number}"
        if verb is None and method == "GET":
            return 200, self._version_json(secret_id, found), {}
        if verb == "access" and method == "GET":
            if found.state != "ENABLED":
                return error(
                    400,
                    "FAILED_PRECONDITION",
                    f"Secret Version [{name}] is in {found.state} state.",
                )
            crc = found.crc ^ 1 if self.corrupt_crc else found.crc
            return (
                200,
                {
                    "name": name,
                    "payload": {
                        "data": base64.b64encode(found.data).decode(),
                        "dataCrc32c": str(crc),
                    },
                },
                {},
            )
        if verb in ("enable", "disable", "destroy") and method == "POST":
            if isinstance(body, dict) and body.get("etag") not in (None, found.etag):
                return error(
                    400,
                    "FAILED_PRECONDITION",
                    "The etag provided in the request does not match the etag of the "
                    "secret version.",
                )
            if found.state == "DESTROYED":
                return error(
                    400, "FAILED_PRECONDITION", f"Secret Version [{name}] is in DESTROYED state."
                )
            if verb == "destroy":
                found.state, found.data, found.destroyed = "DESTROYED", b"", now_text()
            else:
                found.state = "ENABLED" if verb == "enable" else "DISABLED"
            found.etag = f'"{secrets.token_hex(6)}"'
            return 200, self._version_json(secret_id, found), {}
        return error(404, "NOT_FOUND", "Method not found.")

    def _secret_json(self, secret_id: str, secret: StoredSecret) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": f"projects/{self.project}/secrets/{secret_id}",
            "replication": {"automatic": {}},
            "createTime": secret.created,
            "etag": secret.etag,
        }
        if secret.annotations:
            out["annotations"] = dict(secret.annotations)
        return out

    def _version_json(self, secret_id: str, version: StoredVersion) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": f"projects/{self.project}/secrets/{secret_id}/versions/{version.number}",
            "createTime": version.created,
            "state": version.state,
            "replicationStatus": {"automatic": {}},
            "etag": version.etag,
            "clientSpecifiedPayloadChecksum": version.client_crc,
        }
        if version.destroyed:
            out["destroyTime"] = version.destroyed
        return out
