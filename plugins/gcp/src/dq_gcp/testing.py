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

This module holds the server itself (lifecycle, identities, dispatch, the token endpoint and
the metadata server); the secrets and versions are in ``_fake_resources``, the role table and
permission checks in ``_fake_iam``, the JWT assertion check in ``_fake_oauth``.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs

from dq_gcp._fake_iam import ROLES, Grants
from dq_gcp._fake_oauth import SCOPE, verify_assertion
from dq_gcp._fake_resources import SECRET_ID, SecretManagerResources, StoredSecret, error

__all__ = [
    "ROLES",
    "SCOPE",
    "SECRET_ID",
    "FakeSecretManager",
    "Recorded",
    "counting",
    "free_port",
]


@attrs.frozen
class Recorded:
    method: str
    path: str
    identity: str | None


class FakeSecretManager(SecretManagerResources):
    """The server; a context manager. See the module docstring for what it implements."""

    def __init__(self, project: str = "dq-test-project", token_lifetime: int = 3600) -> None:
        self.project = project
        self.token_lifetime = token_lifetime
        self.requests: list[Recorded] = []
        self.secrets: dict[str, StoredSecret] = {}
        self.keys: dict[str, tuple[str, Any]] = {}  # client_email -> (kid, public key)
        self.grants: Grants = {}
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
            return error(fault[0], fault[1], "injected fault")
        if identity is None:
            return error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access "
                "token, login cookie or other valid authentication credential.",
                {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            )
        try:
            parsed = json.loads(body) if body else {}
        except ValueError:
            return error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        with self._lock:
            return self._route(method, split.path, query, parsed, identity)

    # -- token endpoint and metadata server ---------------------------------------------

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
        problem, email = verify_assertion(form.get("assertion", ""), self.keys, self.token_uri)
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


def free_port() -> int:
    """A TCP port nothing listens on right now (for "server down" tests)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def counting(server: FakeSecretManager) -> Callable[[], int]:
    """An ``io_calls`` for the contract: requests that reached the socket so far."""
    return server.count
