"""A faithful local Google Secret Manager (REST v1) with its OAuth2 token endpoint and a
metadata server, for tests. No emulator of Secret Manager exists; this one is written from
Google's REST reference (https://cloud.google.com/secret-manager/docs/reference/rest) and the
service-account OAuth2 guide (https://developers.google.com/identity/protocols/oauth2/service-account).

* **Token endpoint** ``POST /token``: verifies the JWT assertion like Google does — ``alg``
  exactly RS256, a known ``kid`` for the ``iss`` (client email), the RSA signature (with
  ``cryptography``), ``aud`` equal to this token URI, ``iat`` not in the future and ``exp``
  after now and at most an hour after ``iat``, the cloud-platform ``scope`` — and answers
  ``{"access_token", "expires_in", "token_type": "Bearer"}`` or 400 ``invalid_grant``.
* **Metadata server** ``GET /computeMetadata/v1/instance/service-accounts/default/token``:
  needs ``Metadata-Flavor: Google`` (403 otherwise).
* **Secret Manager**: create/get/patch(etag)/delete/list secrets, addVersion (verifies a sent
  ``dataCrc32c``), versions get/list/access (``latest`` = most recently created; a disabled or
  destroyed version is 400 FAILED_PRECONDITION "… is in DISABLED state."), enable/disable/
  destroy. Errors are Google's ``{"error": {"code", "message", "status"}}``.
* **IAM**: each identity has role grants on secret-id patterns (``fnmatch``); a request whose
  permission no grant gives is 403 PERMISSION_DENIED ("Permission '…' denied for resource '…'
  (or it may not exist)."), exactly as for a secret that does not exist.
* **Every request is recorded** (method, raw path, identity) before it is handled.

Served by the standard library's ``ThreadingHTTPServer`` on 127.0.0.1 (a real socket).
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs

from dq_gcp._codec import crc32c

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
ROLES: dict[str, frozenset[str]] = {
    "roles/secretmanager.secretAccessor": frozenset({"secretmanager.versions.access"}),
    "roles/secretmanager.secretVersionAdder": frozenset({"secretmanager.versions.add"}),
    "roles/secretmanager.secretVersionManager": frozenset(
        {
            "secretmanager.versions.add",
            "secretmanager.versions.enable",
            "secretmanager.versions.disable",
            "secretmanager.versions.destroy",
            "secretmanager.versions.get",
            "secretmanager.versions.list",
        }
    ),
    "roles/secretmanager.viewer": frozenset(
        {
            "secretmanager.secrets.get",
            "secretmanager.secrets.list",
            "secretmanager.versions.get",
            "secretmanager.versions.list",
        }
    ),
    "roles/secretmanager.admin": frozenset(
        {
            "secretmanager.secrets.create",
            "secretmanager.secrets.delete",
            "secretmanager.secrets.get",
            "secretmanager.secrets.list",
            "secretmanager.secrets.update",
            "secretmanager.versions.access",
            "secretmanager.versions.add",
            "secretmanager.versions.destroy",
            "secretmanager.versions.disable",
            "secretmanager.versions.enable",
            "secretmanager.versions.get",
            "secretmanager.versions.list",
        }
    ),
}
SECRET_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")


@attrs.frozen
class Recorded:
    method: str
    path: str
    identity: str | None


@attrs.define
class _Version:
    number: int
    data: bytes
    crc: int
    client_crc: bool
    created: str
    state: str = "ENABLED"
    destroyed: str | None = None
    etag: str = attrs.field(factory=lambda: f'"{secrets.token_hex(6)}"')


@attrs.define
class _Secret:
    created: str
    etag: str = attrs.field(factory=lambda: f'"{secrets.token_hex(6)}"')
    annotations: dict[str, str] = attrs.field(factory=dict)
    versions: list[_Version] = attrs.field(factory=list)


def _b64url_decode(part: str) -> bytes:
    """Strict base64url without padding (Python's decoder drops junk characters)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", part) or len(part) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _now_text() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())


class FakeSecretManager:
    """The server; a context manager. See the module docstring for what it implements."""

    def __init__(self, project: str = "dq-test-project", token_lifetime: int = 3600) -> None:
        self.project = project
        self.token_lifetime = token_lifetime
        self.requests: list[Recorded] = []
        self.secrets: dict[str, _Secret] = {}
        self.keys: dict[str, tuple[str, Any]] = {}  # client_email -> (kid, public key)
        self.grants: dict[str, list[tuple[str, frozenset[str]]]] = {}
        self.tokens: dict[str, tuple[str, float]] = {}  # token -> (identity, expiry)
        self.metadata_identity: str | None = None
        self.token_requests = 0
        #: Test hooks: answers to give instead of handling (status, Google status) and a
        #: payload checksum to corrupt on access.
        self.faults: list[tuple[int, str]] = []
        self.corrupt_crc = False
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    def __enter__(self) -> FakeSecretManager:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body in one segment, no Nagle: otherwise every keep-alive answer
            # waits ~40 ms for a delayed ACK.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, *_args: Any) -> None:
                """Quiet: the request log is :attr:`FakeSecretManager.requests`."""

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, payload, extra = server.handle(self.command, self.path, self.headers, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- identities ---------------------------------------------------------------------

    def service_account(self, name: str, *grants: tuple[str, str]) -> dict[str, str]:
        """Register a service account with (role, secret-id pattern) *grants*; return its JSON
        key (as ``gcloud iam service-accounts keys create`` writes it) with this token URI."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        email = f"{name}@{self.project}.iam.gserviceaccount.com"
        kid = secrets.token_hex(20)
        with self._lock:
            self.keys[email] = (kid, key.public_key())
        self.grant(email, *grants)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return {
            "type": "service_account",
            "project_id": self.project,
            "private_key_id": kid,
            "private_key": pem,
            "client_email": email,
            "client_id": str(secrets.randbelow(10**20)),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri,
        }

    def grant(self, identity: str, *grants: tuple[str, str]) -> None:
        with self._lock:
            entries = self.grants.setdefault(identity, [])
            for role, pattern in grants:
                entries.append((pattern, ROLES[role]))

    def issue_token(self, identity: str) -> str:
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = (identity, time.time() + self.token_lifetime)
        return token

    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    # -- dispatch -----------------------------------------------------------------------

    def handle(
        self, method: str, raw_path: str, headers: Any, body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        split = urlsplit(raw_path)
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        identity = None
        auth = headers.get("Authorization") or ""
        if auth.startswith("Bearer "):
            with self._lock:
                found = self.tokens.get(auth[7:])
            if found and found[1] > time.time():
                identity = found[0]
        with self._lock:
            self.requests.append(Recorded(method, raw_path, identity))
            fault = self.faults.pop(0) if self.faults else None
        if split.path == "/token" and method == "POST":
            return self._token(body)
        if split.path == "/computeMetadata/v1/instance/service-accounts/default/token":
            return self._metadata(headers)
        if fault is not None:
            return _error(fault[0], fault[1], "injected fault")
        if identity is None:
            return _error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access "
                "token, login cookie or other valid authentication credential.",
                {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            )
        try:
            parsed = json.loads(body) if body else {}
        except ValueError:
            return _error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        with self._lock:
            return self._route(method, split.path, query, parsed, identity)

    def _allowed(self, identity: str, permission: str, secret_id: str) -> bool:
        return any(
            permission in perms and fnmatch.fnmatchcase(secret_id, pattern)
            for pattern, perms in self.grants.get(identity, [])
        )

    def _route(
        self, method: str, path: str, query: dict[str, str], body: Any, who: str
    ) -> tuple[int, Any, dict[str, str]]:
        prefix = f"/v1/projects/{self.project}/secrets"
        if not path.startswith(prefix):
            return _error(403, "PERMISSION_DENIED", f"Permission denied on resource {path!r}")
        rest = path[len(prefix) :]
        if rest == "" and method == "GET":
            return self._list(query, who)
        if rest == "" and method == "POST":
            return self._create(query.get("secretId", ""), body, who)
        match = re.fullmatch(
            r"/([^/:]+)(:addVersion)?(?:/versions(?:/([^/:]+)(?::(\w+))?)?)?", rest
        )
        if not match:
            return _error(404, "NOT_FOUND", f"Method not found: {path}")
        secret_id, add, version, verb = match.groups()
        resource = f"projects/{self.project}/secrets/{secret_id}"
        if not SECRET_ID.fullmatch(secret_id):
            return _error(400, "INVALID_ARGUMENT", f"Invalid resource field value: {resource}")
        is_versions = "/versions" in rest
        if add:
            permission = "secretmanager.versions.add"
        elif version is not None:
            permission = {
                None: "secretmanager.versions.get",
                "access": "secretmanager.versions.access",
                "enable": "secretmanager.versions.enable",
                "disable": "secretmanager.versions.disable",
                "destroy": "secretmanager.versions.destroy",
            }.get(verb, "secretmanager.unknown")
            resource += f"/versions/{version}"
        elif is_versions:
            permission = "secretmanager.versions.list"
        else:
            permission = {
                "GET": "secretmanager.secrets.get",
                "PATCH": "secretmanager.secrets.update",
                "DELETE": "secretmanager.secrets.delete",
            }.get(method, "secretmanager.unknown")
        if not self._allowed(who, permission, secret_id):
            return _error(
                403,
                "PERMISSION_DENIED",
                f"Permission '{permission}' denied for resource '{resource}' "
                "(or it may not exist).",
            )
        secret = self.secrets.get(secret_id)
        if secret is None:
            return _error(404, "NOT_FOUND", f"Secret [{resource}] not found or has no versions.")
        if add and method == "POST":
            return self._add(secret_id, secret, body)
        if version is not None:
            return self._version(secret_id, secret, version, verb, method, body)
        if is_versions and method == "GET":
            versions = [self._version_json(secret_id, v) for v in reversed(secret.versions)]
            return _page(versions, "versions", query)
        if method == "GET":
            return 200, self._secret_json(secret_id, secret), {}
        if method == "PATCH":
            if query.get("updateMask") != "annotations":
                return _error(400, "INVALID_ARGUMENT", "updateMask must name annotations")
            if body.get("etag") not in (None, secret.etag):
                return _error(
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
        return _error(404, "NOT_FOUND", "Method not found.")

    # -- handlers -----------------------------------------------------------------------

    def _token(self, body: bytes) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            self.token_requests += 1
        form = {k: v[0] for k, v in parse_qs(body.decode("ascii", "replace")).items()}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return (
                400,
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"},
                {},
            )
        problem, email = self._verify_assertion(form.get("assertion", ""))
        if problem:
            return 400, {"error": "invalid_grant", "error_description": problem}, {}
        return (
            200,
            {
                "access_token": self.issue_token(email),
                "expires_in": self.token_lifetime,
                "token_type": "Bearer",
            },
            {},
        )

    def _verify_assertion(self, assertion: str) -> tuple[str | None, str]:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        parts = assertion.split(".")
        if len(parts) != 3:
            return "Invalid JWT: not three parts", ""
        try:
            header = json.loads(_b64url_decode(parts[0]))
            claims = json.loads(_b64url_decode(parts[1]))
            signature = _b64url_decode(parts[2])
        except (ValueError, binascii.Error):
            return "Invalid JWT: malformed base64url or JSON", ""
        if not isinstance(header, dict) or not isinstance(claims, dict):
            return "Invalid JWT: header and claims must be objects", ""
        if header.get("alg") != "RS256":
            return "Invalid JWT: alg must be RS256", ""
        email = claims.get("iss")
        known = self.keys.get(email) if isinstance(email, str) else None
        if known is None or header.get("kid") != known[0]:
            return "Invalid JWT Signature.", ""
        try:
            known[1].verify(
                signature,
                f"{parts[0]}.{parts[1]}".encode("ascii"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return "Invalid JWT Signature.", ""
        now = time.time()
        iat, exp = claims.get("iat"), claims.get("exp")
        if claims.get("aud") != self.token_uri:
            return "Invalid JWT: aud is not the token endpoint", ""
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (iat, exp))
        if not numeric or iat > now + 60 or exp <= now or exp - iat > 3600:
            return (
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                "reasonable timeframe.",
                "",
            )
        if SCOPE not in str(claims.get("scope", "")).split():
            return "Invalid OAuth scope or ID token audience provided.", ""
        return None, str(email)

    def _metadata(self, headers: Any) -> tuple[int, Any, dict[str, str]]:
        if headers.get("Metadata-Flavor") != "Google":
            return 403, {"error": "Missing required header: Metadata-Flavor"}, {}
        if self.metadata_identity is None:
            return 404, {"error": "no service account attached"}, {}
        return (
            200,
            {
                "access_token": self.issue_token(self.metadata_identity),
                "expires_in": self.token_lifetime,
                "token_type": "Bearer",
            },
            {},
        )

    def _list(self, query: dict[str, str], who: str) -> tuple[int, Any, dict[str, str]]:
        if not any("secretmanager.secrets.list" in p for _, p in self.grants.get(who, [])):
            return _error(
                403,
                "PERMISSION_DENIED",
                f"Permission 'secretmanager.secrets.list' denied for resource "
                f"'projects/{self.project}' (or it may not exist).",
            )
        items = [self._secret_json(i, s) for i, s in sorted(self.secrets.items())]
        return _page(items, "secrets", query)

    def _create(self, secret_id: str, body: Any, who: str) -> tuple[int, Any, dict[str, str]]:
        if not self._allowed(who, "secretmanager.secrets.create", secret_id):
            return _error(
                403,
                "PERMISSION_DENIED",
                f"Permission 'secretmanager.secrets.create' denied for resource "
                f"'projects/{self.project}' (or it may not exist).",
            )
        if not SECRET_ID.fullmatch(secret_id):
            return _error(
                400, "INVALID_ARGUMENT", "Invalid secret_id: must match [A-Za-z0-9_-]{1,255}"
            )
        if not isinstance(body, dict) or "replication" not in body:
            return _error(400, "INVALID_ARGUMENT", "Secret.replication is required.")
        if secret_id in self.secrets:
            return _error(
                409,
                "ALREADY_EXISTS",
                f"Secret [projects/{self.project}/secrets/{secret_id}] already exists.",
            )
        self.secrets[secret_id] = _Secret(created=_now_text())
        return 200, self._secret_json(secret_id, self.secrets[secret_id]), {}

    def _add(self, secret_id: str, secret: _Secret, body: Any) -> tuple[int, Any, dict[str, str]]:
        payload = body.get("payload") if isinstance(body, dict) else None
        if not isinstance(payload, dict):
            return _error(400, "INVALID_ARGUMENT", "SecretPayload is required.")
        try:
            data = base64.b64decode(str(payload.get("data") or ""), validate=True)
        except binascii.Error:
            return _error(400, "INVALID_ARGUMENT", "Invalid value at 'payload.data' (TYPE_BYTES)")
        if len(data) > 65536:
            return _error(400, "INVALID_ARGUMENT", "Secret Payload cannot exceed 65536 bytes.")
        sent = payload.get("dataCrc32c")
        if sent is not None and str(sent) != str(crc32c(data)):
            return _error(
                400,
                "INVALID_ARGUMENT",
                "Checksum mismatch: data_crc32c does not match the payload.",
            )
        version = _Version(
            number=len(secret.versions) + 1,
            data=data,
            crc=crc32c(data),
            client_crc=sent is not None,
            created=_now_text(),
        )
        secret.versions.append(version)
        return 200, self._version_json(secret_id, version), {}

    def _version(
        self, secret_id: str, secret: _Secret, alias: str, verb: str | None, method: str, body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        resource = f"projects/{self.project}/secrets/{secret_id}/versions/{alias}"
        if alias == "latest":
            found = secret.versions[-1] if secret.versions else None
        elif alias.isdigit() and 1 <= int(alias) <= len(secret.versions):
            found = secret.versions[int(alias) - 1]
        else:
            found = None
        if found is None:
            return _error(404, "NOT_FOUND", f"Secret Version [{resource}] not found.")
        name = f"projects/{self.project}/secrets/{secret_id}/versions/{found.number}"
        if verb is None and method == "GET":
            return 200, self._version_json(secret_id, found), {}
        if verb == "access" and method == "GET":
            if found.state != "ENABLED":
                return _error(
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
                return _error(
                    400,
                    "FAILED_PRECONDITION",
                    "The etag provided in the request does not match the etag of the "
                    "secret version.",
                )
            if found.state == "DESTROYED":
                return _error(
                    400, "FAILED_PRECONDITION", f"Secret Version [{name}] is in DESTROYED state."
                )
            if verb == "destroy":
                found.state, found.data, found.destroyed = "DESTROYED", b"", _now_text()
            else:
                found.state = "ENABLED" if verb == "enable" else "DISABLED"
            found.etag = f'"{secrets.token_hex(6)}"'
            return 200, self._version_json(secret_id, found), {}
        return _error(404, "NOT_FOUND", "Method not found.")

    def _secret_json(self, secret_id: str, secret: _Secret) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": f"projects/{self.project}/secrets/{secret_id}",
            "replication": {"automatic": {}},
            "createTime": secret.created,
            "etag": secret.etag,
        }
        if secret.annotations:
            out["annotations"] = dict(secret.annotations)
        return out

    def _version_json(self, secret_id: str, version: _Version) -> dict[str, Any]:
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


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, str]]:
    return status, {"error": {"code": status, "message": message, "status": code}}, headers or {}


def _page(items: list[Any], key: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
    size = max(1, min(int(query.get("pageSize") or 25000), 25000))
    start = int(query.get("pageToken") or 0)
    out: dict[str, Any] = {key: items[start : start + size], "totalSize": len(items)}
    if start + size < len(items):
        out["nextPageToken"] = str(start + size)
    return 200, out, {}


def free_port() -> int:
    """A TCP port nothing listens on right now (for "server down" tests)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def counting(server: FakeSecretManager) -> Callable[[], int]:
    """An ``io_calls`` for the contract: requests that reached the socket so far."""
    return server.count
