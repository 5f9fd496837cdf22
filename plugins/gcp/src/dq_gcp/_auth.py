"""OAuth2 access tokens for Secret Manager: a given token, a service-account key, or the
metadata server — cached until shortly before they expire.

* **Service-account key** (RFC 7523, https://developers.google.com/identity/protocols/oauth2/service-account#httprest):
  a JWT with header ``{"alg":"RS256","typ":"JWT","kid":<private_key_id>}`` and claims
  ``iss`` = ``client_email``, ``scope`` = cloud-platform, ``aud`` = ``token_uri``, ``iat``,
  ``exp`` = ``iat`` + 3600, signed RS256 with the key's PEM private key (``cryptography``),
  POSTed form-encoded to ``token_uri`` as
  ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<jwt>``.
* **Metadata server** (https://cloud.google.com/compute/docs/access/authenticate-workloads#applications):
  ``GET /computeMetadata/v1/instance/service-accounts/default/token`` with
  ``Metadata-Flavor: Google``.

Both answer ``{"access_token", "expires_in", "token_type": "Bearer"}``. The token is reused
until :data:`REFRESH_MARGIN` seconds before ``expires_in`` runs out, fetched by one task at a
time (an ``anyio.Lock``), and dropped when Secret Manager answers 401. No token, key or
assertion is ever logged or put in a message.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import anyio
import attrs
import dq
import httpx

from dq_gcp._config import SCOPE, GcpConfig
from dq_gcp._errors import GcpConfigurationError

REFRESH_MARGIN = 60.0
ASSERTION_LIFETIME = 3600
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
METADATA_PATH = "/computeMetadata/v1/instance/service-accounts/default/token"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@attrs.frozen(repr=False)
class ServiceAccountKey:
    """The parts of a service-account JSON key dq uses (the private key never shows)."""

    client_email: str
    private_key_id: str
    private_key: dq.SecretValue
    token_uri: str
    project_id: str | None

    def __repr__(self) -> str:
        return f"ServiceAccountKey({self.client_email!r}, kid={self.private_key_id[:8]}...)"

    @classmethod
    def parse(cls, text: str, where: str) -> ServiceAccountKey:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("type") != "service_account":
            raise GcpConfigurationError(
                f'gcp: {where} is not a service-account JSON key ("type": '
                '"service_account"); create one with `gcloud iam service-accounts keys create`'
            )
        missing = [
            k
            for k in ("client_email", "private_key_id", "private_key", "token_uri")
            if not data.get(k)
        ]
        if missing:
            raise GcpConfigurationError(f"gcp: {where} lacks {', '.join(missing)}")
        return cls(
            client_email=str(data["client_email"]),
            private_key_id=str(data["private_key_id"]),
            private_key=dq.SecretValue(str(data["private_key"])),
            token_uri=str(data["token_uri"]),
            project_id=str(data["project_id"]) if data.get("project_id") else None,
        )

    def assertion(self, audience: str, now: float) -> str:
        """The signed JWT assertion for the token endpoint *audience*."""
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        try:
            key = serialization.load_pem_private_key(self.private_key.reveal(), password=None)
        except (ValueError, TypeError):
            key = None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise GcpConfigurationError(
                f"gcp: the private key of {self.client_email} is not an RSA PEM key"
            )
        header = {"alg": "RS256", "typ": "JWT", "kid": self.private_key_id}
        issued = int(now)
        claims = {
            "iss": self.client_email,
            "scope": SCOPE,
            "aud": audience,
            "iat": issued,
            "exp": issued + ASSERTION_LIFETIME,
        }
        signing_input = (
            b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)


class TokenSource:
    """Hands out a valid access token, fetching and caching it as needed."""

    def __init__(self, config: GcpConfig, *, clock: Any = time.time) -> None:
        self.config = config
        self._clock = clock
        self._token: dq.SecretValue | None = config.access_token
        self._expires = float("inf") if config.access_token is not None else 0.0
        self._lock: anyio.Lock | None = None
        self._key: ServiceAccountKey | None = None
        self._key_loaded = False
        self.fetches = 0

    @property
    def kind(self) -> str:
        if self.config.access_token is not None:
            return "access token"
        key = self.key()
        return f"service account {key.client_email}" if key else "metadata server"

    def key(self) -> ServiceAccountKey | None:
        """The service-account key from the config or its file (read once), or None."""
        if not self._key_loaded:
            if self.config.credentials_json is not None:
                self._key = ServiceAccountKey.parse(
                    self.config.credentials_json.reveal_text(), "credentials_json"
                )
            elif self.config.credentials_file:
                path = Path(self.config.credentials_file).expanduser()
                try:
                    text = path.read_text(encoding="utf-8")
                except OSError as exc:
                    raise GcpConfigurationError(
                        f"gcp: cannot read credentials_file {str(path)!r} "
                        f"({type(exc).__name__}); fix the path or GOOGLE_APPLICATION_CREDENTIALS"
                    ) from None
                self._key = ServiceAccountKey.parse(text, f"credentials_file {str(path)!r}")
            self._key_loaded = True
        return self._key

    def invalidate(self) -> None:
        """Forget the cached token (Secret Manager said 401); a given token cannot be renewed."""
        if self.config.access_token is None:
            self._token, self._expires = None, 0.0

    async def token(self, http: httpx.AsyncClient) -> dq.SecretValue:
        if self._token is not None and self._clock() < self._expires - REFRESH_MARGIN:
            return self._token
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            if self._token is not None and self._clock() < self._expires - REFRESH_MARGIN:
                return self._token
            if self.config.access_token is not None:
                return self.config.access_token
            now = self._clock()
            key = self.key()
            if key is not None:
                uri = self.config.token_uri or key.token_uri
                request = http.build_request(
                    "POST",
                    uri,
                    data={"grant_type": JWT_BEARER, "assertion": key.assertion(uri, now)},
                )
                source = f"token endpoint {uri}"
            else:
                request = http.build_request(
                    "GET",
                    self.config.metadata_url.rstrip("/") + METADATA_PATH,
                    headers={"Metadata-Flavor": "Google"},
                )
                source = f"metadata server {self.config.metadata_url}"
            token, lifetime = await self._fetch(http, request, source)
            self.fetches += 1
            self._token, self._expires = token, now + lifetime
            return token

    async def _fetch(
        self, http: httpx.AsyncClient, request: httpx.Request, source: str
    ) -> tuple[dq.SecretValue, float]:
        try:
            response = await http.send(request)
        except httpx.TransportError as exc:
            raise dq.SecretBackendUnavailable(
                f"gcp: cannot get an access token from the {source} ({type(exc).__name__}); "
                "is it reachable?"
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        if response.status_code >= 500 or response.status_code == 429:
            raise dq.SecretBackendUnavailable(
                f"gcp: the {source} answered HTTP {response.status_code}; try again later"
            )
        if response.status_code != 200 or not isinstance(body.get("access_token"), str):
            error = str(body.get("error") or f"HTTP {response.status_code}")[:80]
            detail = str(body.get("error_description") or "")[:200]
            raise dq.SecretAccessDenied(
                f"gcp: the {source} refused to issue a token ({error}"
                + (f": {detail}" if detail else "")
                + "); check the key, its service account, or the instance's service account"
            )
        lifetime = body.get("expires_in")
        lifetime = float(lifetime) if isinstance(lifetime, int | float) else 3600.0
        return dq.SecretValue(body["access_token"]), lifetime
