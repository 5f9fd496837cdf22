"""The HTTP side of the Vault backend: one request with auth, retries and error mapping.

Everything that turns an HTTP exchange into a dq error lives here, so the KV operations in
``_backend`` only read successful answers. The rules (docs/decisions/0014-vault-backend.md):

* 403 is :class:`dq.SecretAccessDenied`, never "not found": Vault answers 403 for a bad token
  and for a policy that forbids the path, and a resolver must not fall through on either.
* 5xx, 412, 429, timeouts and refused connections are :class:`dq.SecretBackendUnavailable`.
  Idempotent requests (reads, lists, deletes of named versions) are retried ``retries`` times
  with doubling backoff; a write is retried only when the connection was never made (then the
  server cannot have seen it), because a retried ``set`` could write a second version, or
  report a check-and-set conflict against its own first attempt.
* A 404 whose ``errors`` list is non-empty is not a missing secret: Vault says "namespace not
  found" or "no handler for route" when the namespace or mount is wrong. That is a
  :class:`VaultConfigurationError` naming the namespace and mount, so a typo in the config is
  not mistaken for an empty store.
* No message, log line or exception ever carries the token, the AppRole secret id or a value:
  the token lives in a :class:`dq.SecretValue` and is revealed only into the request header.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Mapping
from typing import Any

import anyio
import anyio.lowlevel
import attrs
import dq
import httpx

from dq_vault._config import VaultConfig
from dq_vault._errors import VaultConfigurationError, VaultRequestError

log = logging.getLogger("dq_vault")

#: Statuses after which trying again may succeed (sealed/standby, rate limit, overload).
RETRYABLE_STATUSES = frozenset({412, 429, 500, 502, 503, 504})
#: A token is re-obtained when this fraction of its lease has passed, before it can expire.
RENEW_AT = 0.8
#: At most this many of Vault's error strings, each at most this long, go into a message.
MAX_ERRORS, MAX_ERROR_CHARS = 3, 200


@attrs.frozen
class Reply:
    """A Vault answer the caller has to interpret (2xx, or a 404 about the secret itself)."""

    status: int
    body: dict[str, Any]


def _errors_of(body: Mapping[str, Any]) -> tuple[str, ...]:
    raw = body.get("errors")
    if not isinstance(raw, list):
        return ()
    return tuple(str(e)[:MAX_ERROR_CHARS] for e in raw[:MAX_ERRORS])


class VaultHttp:
    """Sends requests to one Vault server, authenticated, with retries and error mapping.

    The ``httpx.AsyncClient`` is created on first use and re-created when called from a
    different event loop: a sync bridge that calls ``anyio.run`` per operation would otherwise
    reuse pooled connections bound to a loop that no longer exists.
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
        self.address = config.address.rstrip("/") if config.address else "(no address)"
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop: object = None
        self._lock: anyio.Lock | None = None
        self._login_token: dq.SecretValue | None = None
        self._login_renew_at = 0.0

    def where(self) -> str:
        """How messages name this backend: address, mount and namespace (never credentials)."""
        namespace = f", namespace {self.config.namespace!r}" if self.config.namespace else ""
        mount = self.config.mount
        return f"vault backend {self.name!r} at {self.address} (mount {mount!r}{namespace})"

    # -- connection ---------------------------------------------------------------------

    def _verify(self) -> ssl.SSLContext | bool:
        if not self.config.verify:
            return False
        if self.config.ca_cert:
            try:
                return ssl.create_default_context(cafile=self.config.ca_cert)
            except (OSError, ssl.SSLError) as exc:
                raise VaultConfigurationError(
                    f"{self.where()}: cannot load the CA bundle ca_cert={self.config.ca_cert!r} "
                    f"({type(exc).__name__}: {exc}); fix the path or unset VAULT_CACERT"
                ) from None
        return True

    def _ensure_client(self) -> httpx.AsyncClient:
        loop = anyio.lowlevel.current_token().native_token
        if self._client is None or self._loop is not loop:
            from dq_vault import __version__

            self.config.require_complete()

            self._client = httpx.AsyncClient(
                base_url=self.address,
                timeout=self.config.timeout,
                verify=self._verify(),
                transport=self._transport,
                follow_redirects=False,
                headers={"User-Agent": f"dq-vault/{__version__}", "X-Vault-Request": "true"},
            )
            self._loop = loop
            self._lock = anyio.Lock()
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    # -- authentication -----------------------------------------------------------------

    def _base_headers(self) -> dict[str, str]:
        if self.config.namespace:
            return {"X-Vault-Namespace": self.config.namespace.strip("/")}
        return {}

    async def _token(self, *, fresh: bool = False) -> dq.SecretValue:
        if not self.config.uses_approle:
            assert self.config.token is not None  # VaultConfig guarantees one of the two
            return self.config.token
        assert self._lock is not None
        async with self._lock:
            expired = time.monotonic() >= self._login_renew_at
            if fresh or self._login_token is None or expired:
                await self._login()
            assert self._login_token is not None
            return self._login_token

    async def _login(self) -> None:
        """AppRole login: ``POST /v1/auth/<approle_mount>/login`` -> a client token."""
        mount = self.config.approle_mount.strip("/")
        assert self.config.secret_id is not None
        body = {"role_id": self.config.role_id, "secret_id": self.config.secret_id.reveal_text()}
        what = f"AppRole login at auth/{mount}"
        response = await self._send("POST", f"/v1/auth/{mount}/login", what, {}, body, None, False)
        payload = self._json(response, what)
        errors = _errors_of(payload)
        if response.status_code in (400, 403):
            detail = "; ".join(errors) or f"HTTP {response.status_code}"
            raise dq.SecretAccessDenied(
                f"{self.where()}: {what} was refused ({detail}); check role_id and secret_id "
                "(a secret id may have expired or used up its uses), and approle_mount "
                f"{mount!r} (Vault answers 403 for an auth mount that does not exist)"
            )
        if response.status_code == 404:
            raise VaultConfigurationError(
                f"{self.where()}: no AppRole auth method at auth/{mount} "
                f"({'; '.join(errors) or 'not found'}); enable it or set approle_mount"
            )
        self._raise_for_status(response, payload, what, writes=False)
        auth = payload.get("auth") if isinstance(payload.get("auth"), dict) else {}
        token = auth.get("client_token")
        if not isinstance(token, str) or not token:
            raise dq.SecretBackendUnavailable(f"{self.where()}: {what} returned no client token")
        lease = auth.get("lease_duration")
        lease = lease if isinstance(lease, int) and lease > 0 else None
        self._login_token = dq.SecretValue(token)
        # A token without a lease (ttl 0) never expires by time; a 403 still re-logs once.
        self._login_renew_at = time.monotonic() + lease * RENEW_AT if lease else float("inf")
        log.debug("%s: logged in (lease %ss)", what, lease)

    # -- one request --------------------------------------------------------------------

    async def request(
        self,
        method: str,
        api_path: str,
        what: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool,
        conflict: str | None = None,
    ) -> Reply:
        """Send ``method api_path`` and return a 2xx or a plain 404; raise dq errors otherwise.

        *what* names the operation and secret path for messages (``"get 'app/db'"``).
        *conflict*, when given, is the message for a check-and-set mismatch (HTTP 400).
        """
        self._ensure_client()
        relogged = False
        while True:
            token = await self._token()
            headers = {**self._base_headers(), "X-Vault-Token": token.reveal_text()}
            response = await self._send(method, api_path, what, headers, json, params, idempotent)
            if response.status_code == 403 and self.config.uses_approle and not relogged:
                # The login token may have been revoked or expired early: log in again once.
                relogged = True
                await self._token(fresh=True)
                continue
            break
        payload = self._json(response, what)
        status = response.status_code
        if status == 400:
            errors = _errors_of(payload)
            if conflict is not None and any("check-and-set" in e for e in errors):
                raise dq.SecretConflict(f"{self.where()}: {conflict}")
            raise VaultRequestError(
                f"{self.where()}: {what} was rejected by Vault: {'; '.join(errors) or 'HTTP 400'}",
                errors=errors,
            )
        if status == 404:
            errors = _errors_of(payload)
            if errors:
                raise self._misconfigured(what, errors)
            return Reply(status, payload)
        self._raise_for_status(response, payload, what, writes=not idempotent)
        return Reply(status, payload)

    async def _send(
        self,
        method: str,
        api_path: str,
        what: str,
        headers: Mapping[str, str],
        json: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
        idempotent: bool,
    ) -> httpx.Response:
        client = self._ensure_client()
        attempts = 1 + self.config.retries
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                response = await client.request(
                    method,
                    api_path,
                    headers={**self._base_headers(), **headers},
                    json=json,
                    params=params,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # The connection was never made: nothing reached the server, any request is safe.
                failure = f"cannot connect ({type(exc).__name__}: {exc})"
                if last:
                    raise dq.SecretBackendUnavailable(
                        f"{self.where()}: {what} failed: {failure} after {attempt} attempt(s); "
                        "is the server running and is `address` right?"
                    ) from None
            except httpx.TransportError as exc:
                failure = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                if last or not idempotent:
                    raise dq.SecretBackendUnavailable(
                        f"{self.where()}: {what} failed: {failure} after {attempt} attempt(s)"
                        + ("" if idempotent else self._write_unknown())
                    ) from None
            else:
                log.debug("%s %s -> %s (%s)", method, api_path, response.status_code, what)
                if response.status_code not in RETRYABLE_STATUSES or last or not idempotent:
                    return response
                failure = f"HTTP {response.status_code}"
            wait = self.config.backoff * 2 ** (attempt - 1)
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
            if response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES:
                return {}
            raise dq.SecretBackendUnavailable(
                f"{self.where()}: {what} got HTTP {response.status_code} with a body that is not "
                "JSON; is `address` a Vault server (and not a proxy or another service)?"
            ) from None
        return payload if isinstance(payload, dict) else {}

    def _write_unknown(self) -> str:
        return "; the write may or may not have been applied: read the secret before retrying"

    def _raise_for_status(
        self, response: httpx.Response, payload: Mapping[str, Any], what: str, *, writes: bool
    ) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        detail = "; ".join(_errors_of(payload)) or f"HTTP {status}"
        if status == 403:
            raise dq.SecretAccessDenied(
                f"{self.where()}: {what} was denied ({detail}); the token's policies do not "
                "allow it, or the token is invalid or expired"
            )
        if status in RETRYABLE_STATUSES or status >= 500:
            raise dq.SecretBackendUnavailable(
                f"{self.where()}: {what} failed with HTTP {status} ({detail})"
                + (self._write_unknown() if writes else "")
            )
        if 300 <= status < 400:
            raise dq.SecretBackendUnavailable(
                f"{self.where()}: {what} was redirected (HTTP {status}); point `address` at the "
                "active node or the load balancer, dq does not follow redirects with a token"
            )
        raise VaultRequestError(
            f"{self.where()}: {what} failed: {detail}", errors=_errors_of(payload)
        )

    def _misconfigured(self, what: str, errors: tuple[str, ...]) -> VaultConfigurationError:
        detail = "; ".join(errors)
        if any("namespace" in e for e in errors):
            hint = (
                f"the namespace {self.config.namespace!r} does not exist on this server; "
                "check `namespace` (or VAULT_NAMESPACE)"
            )
        else:
            hint = (
                f"no KV version 2 secrets engine is mounted at {self.config.mount!r}"
                + (f" in namespace {self.config.namespace!r}" if self.config.namespace else "")
                + "; check `mount` (and `namespace`)"
            )
        return VaultConfigurationError(f"{self.where()}: {what}: {hint} (Vault said: {detail})")
