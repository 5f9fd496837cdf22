"""The HTTP side of the Key Vault backend: one request with challenge auth, retries, errors.

Everything that turns an HTTP exchange into a dq error lives here, so the operations in
``_backend`` only read answers they expect (2xx, and the 404/409 that concern the secret
itself). The rules (docs/decisions/0040-azure-key-vault.md):

* 401: the first request of a backend goes out without a token; its 401 challenge says which
  tenant and scope to get a token for (:mod:`dq_azure._auth`). A 401 to a *cached* token
  re-reads the challenge and gets a fresh token once; a 401 to a fresh token is
  :class:`AzureAuthenticationError` (a denial), never "not found".
* 403 ``Forbidden`` is :class:`dq.SecretAccessDenied` (``SecretDisabled`` is the subclass
  :class:`AzureSecretDisabled`); 400 is :class:`AzureRequestError` with Key Vault's code.
* 429 and 5xx are retried ``retries`` times, waiting ``Retry-After`` when given (else doubling
  ``backoff``), then :class:`dq.SecretBackendUnavailable`. A 429 means the request was not
  processed, so even a write is retried; a write answered 5xx or cut off mid-way is not (a
  ``set`` repeated could create a second version), and the error says it may have landed.
  Refused connections and connect timeouts are retried for every request (nothing was sent).
* Redirects are not followed and ``nextLink`` must stay on the vault's origin: the bearer
  token goes nowhere the user did not configure.
* No message or log line carries a token, the client secret, the identity header or a value:
  they live in :class:`dq.SecretValue` and are revealed only into a header or form body.
"""

from __future__ import annotations

import email.utils
import logging
import ssl
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import anyio
import anyio.lowlevel
import attrs
import dq
import httpx

from dq_azure._auth import Challenge, TokenProvider, parse_challenge
from dq_azure._config import AzureKeyVaultConfig
from dq_azure._errors import (
    AzureAuthenticationError,
    AzureConfigurationError,
    AzureRequestError,
    AzureSecretDisabled,
)

log = logging.getLogger("dq_azure")

RETRYABLE = frozenset({429, 500, 502, 503, 504})
MAX_MESSAGE = 300


@attrs.frozen
class Reply:
    """A Key Vault answer the caller interprets: 2xx, or 404/409 about the secret itself."""

    status: int
    body: dict[str, Any]

    @property
    def code(self) -> str:
        error = self.body.get("error") if isinstance(self.body.get("error"), dict) else {}
        return str(error.get("code") or "")

    @property
    def inner_code(self) -> str:
        error = self.body.get("error") if isinstance(self.body.get("error"), dict) else {}
        inner = error.get("innererror") if isinstance(error.get("innererror"), dict) else {}
        return str(inner.get("code") or "")

    @property
    def message(self) -> str:
        error = self.body.get("error") if isinstance(self.body.get("error"), dict) else {}
        return str(error.get("message") or "")[:MAX_MESSAGE]


def _retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date), or None."""
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class KeyVaultHttp:
    """Sends requests to one vault, authenticated by its challenge, with retries and errors.

    The ``httpx.AsyncClient`` is created on first use and again when called from another
    event loop (a sync bridge running ``anyio.run`` per call would otherwise reuse
    connections bound to a dead loop).
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
        self.vault = config.vault_url.rstrip("/") if config.vault_url else "(no vault_url)"
        parts = urlsplit(self.vault)
        self._origin = (parts.scheme, (parts.hostname or "").lower(), parts.port)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop: object = None
        self.challenge: Challenge | None = None
        self.tokens = TokenProvider(config, self.send, self.where())

    def where(self) -> str:
        return f"azure backend {self.name!r} at {self.vault}"

    # -- connection ---------------------------------------------------------------------

    def _verify(self) -> ssl.SSLContext | bool:
        if not self.config.verify:
            return False
        if self.config.ca_cert:
            try:
                return ssl.create_default_context(cafile=self.config.ca_cert)
            except (OSError, ssl.SSLError) as exc:
                raise AzureConfigurationError(
                    f"{self.where()}: cannot load the CA bundle ca_cert={self.config.ca_cert!r} "
                    f"({type(exc).__name__}); fix the path"
                ) from None
        return True

    def _ensure_client(self) -> httpx.AsyncClient:
        loop = anyio.lowlevel.current_token().native_token
        if self._client is None or self._loop is not loop:
            from dq_azure import __version__

            self.config.require_complete()
            self._client = httpx.AsyncClient(
                timeout=self.config.timeout,
                verify=self._verify(),
                transport=self._transport,
                follow_redirects=False,
                headers={"User-Agent": f"dq-azure/{__version__}"},
            )
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.scheme, (parts.hostname or "").lower(), parts.port) == self._origin

    # -- one authenticated Key Vault request ----------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        url: str | None = None,
        idempotent: bool = True,
    ) -> Reply:
        """Send ``method {vault}{path}`` (or the absolute *url* of a ``nextLink``).

        Returns a 2xx, 404 or 409 :class:`Reply`; raises dq errors for everything else.
        """
        self._ensure_client()
        if url is None:
            url = f"{self.vault}{path}"
            params = {**(params or {}), "api-version": self.config.api_version}
        elif not self.same_origin(url):
            raise AzureConfigurationError(
                f"{self.where()}: {what}: the vault's nextLink points to another host; "
                "refusing to send the token there"
            )
        if self.challenge is None:
            # Like the Azure SDKs: a first request without token (and without body) draws the
            # 401 challenge that names the tenant and the scope.
            probe = await self.send(method, url, what, params=params, idempotent=idempotent)
            if probe.status_code != 401:
                if json is None:
                    return self._interpret(probe, what, writes=not idempotent)
                raise AzureConfigurationError(
                    f"{self.where()}: {what}: the server answered HTTP {probe.status_code} "
                    "without asking for a token; is vault_url a Key Vault?"
                )
            self.challenge = self._challenge_of(probe)
        fresh = False
        while True:
            token = await self.tokens.token(self.challenge, fresh=fresh)
            response = await self.send(
                method,
                url,
                what,
                params=params,
                json=json,
                headers={"Authorization": f"Bearer {token.reveal_text()}"},
                idempotent=idempotent,
            )
            if response.status_code != 401:
                return self._interpret(response, what, writes=not idempotent)
            reply = Reply(401, self._json(response, what))
            if fresh:
                raise AzureAuthenticationError(
                    f"{self.where()}: {what}: Key Vault refused a freshly issued token (401 "
                    f"{reply.code or 'Unauthorized'}: {reply.message or 'no message'}); check "
                    "that the identity belongs to the vault's tenant (tenant_id) and that the "
                    "token's audience is Key Vault"
                )
            if response.headers.get("WWW-Authenticate"):
                self.challenge = self._challenge_of(response)
            fresh = True

    def _challenge_of(self, response: httpx.Response) -> Challenge:
        header = response.headers.get("WWW-Authenticate", "")
        return parse_challenge(
            header,
            self._origin[1],
            verify_resource=self.config.verify_challenge_resource,
            where=self.where(),
        )

    # -- one HTTP exchange with retries ---------------------------------------------------

    async def send(
        self,
        method: str,
        url: str,
        what: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> httpx.Response:
        """One request, retried per the module rules; transport failures become unavailable."""
        client = self._ensure_client()
        attempts = 1 + self.config.retries
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            wait = self.config.backoff * 2 ** (attempt - 1)
            try:
                response = await client.request(
                    method, url, params=params, headers=headers, json=json, data=data
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                failure = f"cannot connect ({type(exc).__name__})"
                if last:
                    raise dq.SecretBackendUnavailable(
                        f"{self.where()}: {what} failed: {failure} after {attempt} attempt(s); "
                        "is the vault (or token endpoint) reachable and is the URL right?"
                    ) from None
            except httpx.TransportError as exc:
                failure = type(exc).__name__
                if last or not idempotent:
                    raise dq.SecretBackendUnavailable(
                        f"{self.where()}: {what} failed: {failure} after {attempt} attempt(s)"
                        + ("" if idempotent else self._write_unknown())
                    ) from None
            else:
                status = response.status_code
                log.debug("%s %s -> %s (%s)", method, urlsplit(url).path, status, what)
                retryable = status in RETRYABLE and (idempotent or status == 429)
                if not retryable or last:
                    return response
                after = _retry_after(response)
                if after is not None:
                    if after > self.config.max_retry_after:
                        return response  # the caller reports it; waiting that long is not ours
                    wait = after
                failure = f"HTTP {status}"
            log.debug("%s: %s; retrying in %.2fs", what, failure, wait)
            await anyio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    # -- interpreting answers -------------------------------------------------------------

    def _json(self, response: httpx.Response, what: str) -> dict[str, Any]:
        if response.status_code == 204 or not response.content:
            return {}
        try:
            payload = response.json()
        except ValueError:
            if response.status_code >= 500 or response.status_code in RETRYABLE:
                return {}
            raise dq.SecretBackendUnavailable(
                f"{self.where()}: {what} got HTTP {response.status_code} with a body that is "
                "not JSON; is vault_url a Key Vault (and not a proxy or another service)?"
            ) from None
        return payload if isinstance(payload, dict) else {}

    @staticmethod
    def _write_unknown() -> str:
        return "; the write may or may not have been applied: read the secret before retrying"

    def _interpret(self, response: httpx.Response, what: str, *, writes: bool) -> Reply:
        reply = Reply(response.status_code, self._json(response, what))
        status = reply.status
        if 200 <= status < 300 or status in (404, 409):
            return reply
        said = f"{reply.code or f'HTTP {status}'}: {reply.message or 'no message'}"
        if status == 403:
            if reply.inner_code == "SecretDisabled":
                raise AzureSecretDisabled(
                    f"{self.where()}: {what}: the secret version is disabled ({said}); enable "
                    "it in Key Vault, or read another version"
                )
            raise dq.SecretAccessDenied(
                f"{self.where()}: {what} was denied ({said}); the identity needs a role such as "
                "'Key Vault Secrets User' (read) or 'Key Vault Secrets Officer' (write) on "
                "the vault or the secret, and the vault's firewall must admit this network"
            )
        if status in RETRYABLE or status >= 500:
            after = _retry_after(response)
            waited = f"; it asked to wait {after:.0f}s" if after is not None else ""
            raise dq.SecretBackendUnavailable(
                f"{self.where()}: {what} failed with HTTP {status} ({said}){waited}"
                + (self._write_unknown() if writes and status != 429 else "")
            )
        if 300 <= status < 400:
            raise dq.SecretBackendUnavailable(
                f"{self.where()}: {what} was redirected (HTTP {status}); dq does not follow "
                "redirects with a token: point vault_url at the vault itself"
            )
        raise AzureRequestError(f"{self.where()}: {what} was rejected: {said}", code=reply.code)
