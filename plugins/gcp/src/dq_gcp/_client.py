"""The HTTP side of the GCP backend: one authenticated request, retries, and Google's error
statuses turned into dq's categories.

Google answers errors as ``{"error": {"code": 403, "message": "...", "status":
"PERMISSION_DENIED"}}`` (https://cloud.google.com/apis/design/errors). The mapping:

* ``PERMISSION_DENIED`` (403) → :class:`dq.SecretAccessDenied`, never not-found (Google also
  answers 403 for a secret that does not exist when the caller may not see it);
* ``UNAUTHENTICATED`` (401) → the cached token is dropped and the request sent once more with
  a fresh one; a second 401 is :class:`dq.SecretAccessDenied`;
* ``NOT_FOUND`` (404) → returned to the caller, which knows what was missing;
* ``FAILED_PRECONDITION`` (400) → returned too (a disabled or destroyed version, a stale etag);
* ``RESOURCE_EXHAUSTED`` (429), ``UNAVAILABLE`` and other 5xx, timeouts and refused
  connections → retried ``retries`` times for idempotent requests, then
  :class:`dq.SecretBackendUnavailable`. ``addVersion`` is retried only when the connection was
  never made: a retried add could create a second version.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
import anyio.lowlevel
import attrs
import dq
import httpx

from dq_gcp._auth import TokenSource
from dq_gcp._config import GcpConfig
from dq_gcp._errors import GcpRequestError

log = logging.getLogger("dq_gcp")
RETRYABLE = frozenset({429, 500, 502, 503, 504})


@attrs.frozen
class Reply:
    status: int
    code: str
    message: str
    body: dict[str, Any]


def _error_of(response: httpx.Response) -> tuple[dict[str, Any], str, str]:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    return body, str(error.get("status") or ""), str(error.get("message") or "")[:300]


class GcpHttp:
    """Sends requests to Secret Manager with a bearer token; owns the httpx client."""

    def __init__(
        self,
        config: GcpConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        name: str = "gcp",
    ) -> None:
        self.config = config
        self.name = name
        self.tokens = TokenSource(config)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop: object = None

    def where(self) -> str:
        return f"gcp secrets backend {self.name!r} ({self.config.endpoint})"

    def _http(self) -> httpx.AsyncClient:
        # Pooled connections cannot outlive their event loop: one client per loop.
        loop = anyio.lowlevel.current_token().native_token
        if self._client is None or self._loop is not loop:
            self._client = httpx.AsyncClient(
                timeout=self.config.timeout,
                verify=self.config.verify,
                transport=self._transport,
                follow_redirects=False,
            )
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            try:
                await self._client.aclose()
            except RuntimeError:  # its loop is gone
                pass
            self._client = None

    async def request(
        self,
        method: str,
        url_path: str,
        what: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        idempotent: bool = True,
    ) -> Reply:
        """Send; return 2xx, 404 and 400 answers; raise dq errors for the rest."""
        http = self._http()
        url = self.config.endpoint.rstrip("/") + url_path
        attempts = 1 + self.config.retries
        refreshed = False
        last = ""
        attempt = 0
        while attempt < attempts:
            attempt += 1
            token = await self.tokens.token(http)
            headers = {"Authorization": f"Bearer {token.reveal_text()}"}
            try:
                response = await http.request(
                    method, url, json=json, params=params, headers=headers
                )
            except httpx.TransportError as exc:
                never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                last = f"{type(exc).__name__}"
                if (idempotent or never_sent) and attempt < attempts:
                    await anyio.sleep(self.config.backoff * 2 ** (attempt - 1))
                    continue
                raise dq.SecretBackendUnavailable(
                    f"{self.where()}: {what}: cannot reach Secret Manager after {attempt} "
                    f"attempt(s) ({last}); is the endpoint reachable?"
                    + ("" if never_sent else " (the write may or may not have been applied)")
                ) from None
            body, code, message = _error_of(response)
            status = response.status_code
            log.debug("%s: %s -> HTTP %s %s", self.where(), what, status, code)
            if status == 401 and not refreshed:
                self.tokens.invalidate()
                refreshed, attempt = True, attempt - 1  # a fresh token is not a retry
                continue
            if status in RETRYABLE:
                last = f"HTTP {status} {code}".strip()
                if idempotent and attempt < attempts:
                    await anyio.sleep(self.config.backoff * 2 ** (attempt - 1))
                    continue
                raise dq.SecretBackendUnavailable(
                    f"{self.where()}: {what}: {last} after {attempt} attempt(s); try again later"
                )
            if status in (401, 403):
                raise dq.SecretAccessDenied(
                    f"{self.where()}: {what}: {code or status}: {message or 'access denied'}"
                    f" (as {self.tokens.kind}; see the README for the roles needed)"
                )
            if status < 300 or status in (400, 404, 409):
                return Reply(status, code, message, body)
            raise GcpRequestError(
                f"{self.where()}: {what}: HTTP {status} {code}: {message}", status=code
            )
        raise dq.SecretBackendUnavailable(f"{self.where()}: {what}: {last}")  # pragma: no cover

    def fail(self, reply: Reply, what: str) -> GcpRequestError:
        """The error for an answer the caller did not expect (a 400/409 it cannot place)."""
        return GcpRequestError(
            f"{self.where()}: {what}: HTTP {reply.status} {reply.code}: {reply.message}",
            status=reply.code,
        )
