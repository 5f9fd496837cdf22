"""Tokens for Key Vault: the bearer challenge, three token sources, and the token cache.

*Challenge.* Key Vault answers an unauthenticated request with 401 and
``WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>",
resource="https://vault.azure.net"`` (newer vaults: ``scope="…/.default"``). Like the Azure
SDKs, the first request goes out without a token, and the challenge tells which tenant and
which scope to ask a token for. A hostile or misrouted server could name a resource of its
own choosing to harvest a token for another service, so the challenge's resource must be the
vault's parent domain (``myvault.vault.azure.net`` ends in ``.vault.azure.net``), and the
credential is only ever sent to ``authority_host`` or the identity endpoint from the config,
never to the ``authorization`` host the challenge names (only its tenant is read from it).

*Sources* (Microsoft identity platform docs, cited in the README):

* client credentials: ``POST {authority_host}/{tenant}/oauth2/v2.0/token`` with
  ``grant_type=client_credentials``, ``client_id``, ``client_secret``, ``scope`` (form body)
  -> ``{"access_token", "expires_in", "token_type"}``; errors ``{"error",
  "error_description"}``.
* VM / scale-set managed identity (IMDS): ``GET {imds}?api-version=2018-02-01&resource=R
  [&client_id=]`` with ``Metadata: true`` -> ``{"access_token", "expires_in" (a string),
  "expires_on", …}``.
* App Service / Functions: ``GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=R
  [&client_id=]`` with ``X-IDENTITY-HEADER: {IDENTITY_HEADER}`` -> ``{"access_token",
  "expires_on" (epoch seconds), …}``.

*Cache.* A token is reused until shortly before it expires (five minutes, or half its life
for short-lived tokens), and re-obtained at once when Key Vault refuses it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import attrs
import dq
import httpx

from dq_azure._config import AzureKeyVaultConfig
from dq_azure._errors import AzureAuthenticationError, AzureConfigurationError

#: Refresh this long before expiry (at most half the token's life).
REFRESH_MARGIN = 300.0
_PARAM = re.compile(r'([A-Za-z_]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')
_TENANT = re.compile(r"^[0-9A-Za-z._-]{1,64}$")
MAX_DETAIL = 300


@attrs.frozen
class Challenge:
    """What a 401 taught: the tenant to ask (may be empty) and the scope of the token."""

    tenant: str
    scope: str

    @property
    def resource(self) -> str:
        """The v1 "resource" the managed-identity endpoints want (the scope less /.default)."""
        return self.scope.removesuffix("/.default")


def parse_challenge(header: str, vault_host: str, *, verify_resource: bool, where: str) -> Challenge:
    """The :class:`Challenge` in a ``WWW-Authenticate`` header, or a configuration error.

    Raises :class:`AzureConfigurationError` for a header that is not a Bearer challenge, has
    no resource/scope, or (with *verify_resource*) names a resource outside *vault_host*'s
    domain: a token for that resource must not be requested on this server's say-so.
    """
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise AzureConfigurationError(
            f"{where}: the vault answered 401 without a Bearer challenge; "
            "is vault_url a Key Vault (https://NAME.vault.azure.net)?"
        )
    params = {k.lower(): a or b for k, a, b in _PARAM.findall(rest)}
    authorization = params.get("authorization") or params.get("authorization_uri") or ""
    scope = params.get("scope") or ""
    if not scope and params.get("resource"):
        scope = params["resource"].rstrip("/") + "/.default"
    if not scope:
        raise AzureConfigurationError(
            f"{where}: the vault's 401 challenge names no resource or scope; "
            "is vault_url a Key Vault?"
        )
    scope_host = (urlsplit(scope).hostname or "").lower()
    if not scope_host or urlsplit(scope).scheme not in ("http", "https"):
        raise AzureConfigurationError(f"{where}: the vault's 401 challenge has an invalid scope")
    if verify_resource and not vault_host.lower().endswith("." + scope_host):
        raise AzureConfigurationError(
            f"{where}: the vault's 401 challenge asks for a token for {scope_host!r}, which is "
            f"not the domain of the vault host {vault_host!r}; refusing (a token for another "
            "service must not be requested on a server's say-so). Check vault_url"
        )
    tenant = urlsplit(authorization).path.strip("/").split("/")[0] if authorization else ""
    if tenant and not _TENANT.match(tenant):
        raise AzureConfigurationError(f"{where}: the vault's 401 challenge names an invalid tenant")
    return Challenge(tenant=tenant, scope=scope)


@attrs.define
class _Cached:
    token: dq.SecretValue
    refresh_at: float


def _lifetime(payload: dict[str, Any], now_wall: float) -> float | None:
    """Seconds the token lives, from ``expires_in`` (number or string) or ``expires_on``."""
    for key in ("expires_in",):
        raw = payload.get(key)
        if isinstance(raw, int | float | str) and not isinstance(raw, bool):
            try:
                return float(raw)
            except ValueError:
                pass
    raw = payload.get("expires_on")
    if isinstance(raw, int | float | str) and not isinstance(raw, bool):
        try:
            return float(raw) - now_wall
        except ValueError:
            return None
    return None


class TokenProvider:
    """Obtains and caches Key Vault tokens for one backend, per the configured flow.

    *send* performs one HTTP request with the backend's client, retries and error mapping
    for transport failures (it raises :class:`dq.SecretBackendUnavailable` when the token
    endpoint cannot be reached).
    """

    def __init__(
        self,
        config: AzureKeyVaultConfig,
        send: Callable[..., Awaitable[httpx.Response]],
        where: str,
    ) -> None:
        self.config = config
        self._send = send
        self._where = where
        self._cached: dict[str, _Cached] = {}

    def describe(self) -> str:
        """The flow and its public identifiers, for ``repr`` and messages (never a secret)."""
        flow = self.config.flow
        if flow == "client_secret":
            return f"client_secret(client_id={self.config.client_id!r})"
        mi = self._mi_client_id()
        who = f"client_id={mi!r}" if mi else "system-assigned"
        return f"managed_identity({'app_service' if flow == 'app_service' else 'imds'}, {who})"

    def _mi_client_id(self) -> str | None:
        return self.config.managed_identity_client_id or (
            self.config.client_id if self.config.flow != "client_secret" else None
        )

    def forget(self) -> None:
        self._cached.clear()

    async def token(self, challenge: Challenge, *, fresh: bool = False) -> dq.SecretValue:
        key = f"{challenge.tenant}|{challenge.scope}"
        cached = self._cached.get(key)
        if not fresh and cached is not None and time.monotonic() < cached.refresh_at:
            return cached.token
        started = time.monotonic()
        payload = await self._request(challenge)
        access = payload.get("access_token")
        if not isinstance(access, str) or not access:
            raise AzureAuthenticationError(
                f"{self._where}: the token endpoint ({self.config.flow}) returned no access_token"
            )
        lifetime = _lifetime(payload, time.time())
        if lifetime is None or lifetime <= 0:
            lifetime = 60.0  # unknown: reuse briefly, a 401 re-obtains it anyway
        margin = min(REFRESH_MARGIN, lifetime / 2)
        token = dq.SecretValue(access)
        self._cached[key] = _Cached(token, started + lifetime - margin)
        return token

    async def _request(self, challenge: Challenge) -> dict[str, Any]:
        flow = self.config.flow
        if flow == "client_secret":
            tenant = self._tenant(challenge)
            assert self.config.client_secret is not None and self.config.client_id is not None
            url = f"{self.config.authority_host.rstrip('/')}/{tenant}/oauth2/v2.0/token"
            what = f"client-credential token from {self.config.authority_host} (tenant {tenant!r})"
            response = await self._send(
                "POST",
                url,
                what,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.config.client_id,
                    "client_secret": self.config.client_secret.reveal_text(),
                    "scope": challenge.scope,
                },
            )
        else:
            params = {"resource": challenge.resource}
            mi = self._mi_client_id()
            if mi:
                params["client_id"] = mi
            if flow == "app_service":
                assert self.config.identity_endpoint and self.config.identity_header
                url, headers = self.config.identity_endpoint, {
                    "X-IDENTITY-HEADER": self.config.identity_header.reveal_text()
                }
                params["api-version"] = "2019-08-01"
                what = f"managed-identity token from App Service ({url})"
            else:
                url, headers = self.config.imds_endpoint, {"Metadata": "true"}
                params["api-version"] = "2018-02-01"
                what = f"managed-identity token from IMDS ({url})"
            response = await self._send("GET", url, what, params=params, headers=headers)
        return self._payload(response, what)

    def _tenant(self, challenge: Challenge) -> str:
        configured = self.config.tenant_id
        if configured and challenge.tenant and configured.lower() != challenge.tenant.lower():
            raise AzureConfigurationError(
                f"{self._where}: the vault belongs to tenant {challenge.tenant!r} but tenant_id "
                f"is {configured!r}; fix tenant_id (or AZURE_TENANT_ID), or use a vault of that "
                "tenant"
            )
        tenant = configured or challenge.tenant
        if not tenant:
            raise AzureConfigurationError(
                f"{self._where}: no tenant: the vault's challenge names none; set tenant_id"
            )
        if not _TENANT.match(tenant):
            raise AzureConfigurationError(f"{self._where}: tenant_id {tenant!r} is not valid")
        return tenant

    def _payload(self, response: httpx.Response, what: str) -> dict[str, Any]:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            payload = {}
        if response.status_code == 200 and payload:
            return payload
        code = str(payload.get("error") or f"HTTP {response.status_code}")[:80]
        described = str(payload.get("error_description") or payload.get("message") or "")
        detail = described.splitlines()[0][:MAX_DETAIL] if described else ""
        for secret in (self.config.client_secret, self.config.identity_header):
            if secret is not None and secret.reveal_text() and secret.reveal_text() in detail:
                detail = detail.replace(secret.reveal_text(), "***")  # a server echoing it
        hint = {
            "invalid_client": "check client_id and client_secret (a secret may have expired)",
            "unauthorized_client": "check client_id and that the app exists in this tenant",
            "invalid_request": "check tenant_id and authority_host",
            "invalid_scope": "the vault's scope is unknown to this tenant",
        }.get(code, "check the credential settings")
        if response.status_code >= 500 or response.status_code == 429:
            raise dq.SecretBackendUnavailable(
                f"{self._where}: {what} failed with HTTP {response.status_code} ({code}); "
                "try again later"
            )
        raise AzureAuthenticationError(
            f"{self._where}: {what} was refused: {code}"
            + (f": {detail}" if detail else "")
            + f"; {hint}"
        )
