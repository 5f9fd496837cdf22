"""A local Azure Key Vault for tests: :class:`KeyVaultTestServer` and :class:`LoopbackTransport`.

No Key Vault emulator exists, so this is a faithful server written from Microsoft's REST
reference (Key Vault secrets 7.4, the Microsoft identity platform's client-credential token
endpoint, IMDS and App Service managed identity; see ``_app``), served by uvicorn on a real
127.0.0.1 socket in a background thread. It enforces what the client must cope with: the 401
bearer challenge, tokens with audience and expiry, RBAC roles and deny assignments (so
"denied" is a real 403), soft delete that blocks the name (409) until recover or purge,
``nextLink`` paging, disabled versions, and injected faults (429 + ``Retry-After``, 5xx).

The vault is addressed as ``http://<vault_host>:<port>`` with a host under ``.dq.test`` (a
reserved test domain), so the challenge's resource (``https://vault.dq.test``) is the vault's
parent domain as in Azure. :class:`LoopbackTransport` connects such hosts to 127.0.0.1 and
refuses every non-loopback host, so a test can never reach the network.

Usage::

    with KeyVaultTestServer() as server:
        server.state.add_app("app", "s3cret")
        server.state.assign("app-app", "Key Vault Secrets Officer")
        backend = AzureKeyVaultBackend(server.config(client_id="app", client_secret=...),
                                       transport=LoopbackTransport())
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import anyio.lowlevel
import httpx

from dq_azure.testing._state import ROLES, Fault, KeyVaultState, Recorded

__all__ = [
    "ROLES",
    "Fault",
    "KeyVaultState",
    "KeyVaultTestServer",
    "LoopbackTransport",
    "Recorded",
    "free_port",
]

STARTUP_TIMEOUT = 20.0
TEST_DOMAIN = ".dq.test"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on (right now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LoopbackTransport(httpx.AsyncBaseTransport):
    """httpx's real transport, with ``*.dq.test`` connected to 127.0.0.1 and every request
    recorded; a host that is neither loopback nor ``.dq.test`` is refused (ConnectError).

    The ``Host`` header keeps the name the client used, so the server sees the vault host.
    One inner transport per event loop (pooled connections cannot outlive their loop).
    """

    def __init__(self) -> None:
        self._inner: httpx.AsyncHTTPTransport | None = None
        self._loop: object = None
        #: ``(method, host, path)`` of each request that left the client, in order.
        self.requests: list[tuple[str, str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        loop = anyio.lowlevel.current_token().native_token
        if self._inner is None or self._loop is not loop:
            self._inner, self._loop = httpx.AsyncHTTPTransport(), loop
        host = request.url.host
        self.requests.append((request.method, host, request.url.path))
        if host.endswith(TEST_DOMAIN):  # a copy: httpx logs (and callers see) the original
            request = httpx.Request(
                request.method,
                request.url.copy_with(host="127.0.0.1"),
                headers=request.headers,
                stream=request.stream,
                extensions=request.extensions,
            )
        elif host not in ("127.0.0.1", "localhost", "::1"):
            raise httpx.ConnectError(f"test transport: {host} is not a loopback or .dq.test host")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        inner, self._inner = self._inner, None
        if inner is not None:
            await inner.aclose()

    def count(self, path_part: str = "") -> int:
        return sum(1 for _m, _h, path in self.requests if path_part in path)


class KeyVaultTestServer:
    """The local Key Vault + token endpoints on a free 127.0.0.1 port, in a thread."""

    def __init__(
        self,
        *,
        tenant: str = "dq-test-tenant",
        vault_host: str = "dqkv.vault.dq.test",
        resource: str = "https://vault.dq.test",
    ) -> None:
        self.state = KeyVaultState(tenant=tenant, resource=resource)
        self.vault_host = vault_host
        self.port = 0
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def vault_url(self) -> str:
        return f"http://{self.vault_host}:{self.port}"

    @property
    def authority(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def imds_endpoint(self) -> str:
        return f"{self.authority}/metadata/identity/oauth2/token"

    @property
    def identity_endpoint(self) -> str:
        return f"{self.authority}/msi/token"

    def config(self, **fields: Any) -> Any:
        """An :class:`AzureKeyVaultConfig` for this server (fast retries), *fields* on top."""
        from dq_azure import AzureKeyVaultConfig

        base: dict[str, Any] = {
            "vault_url": self.vault_url,
            "authority_host": self.authority,
            "imds_endpoint": self.imds_endpoint,
            "identity_endpoint": None,
            "identity_header": None,
            "tenant_id": None,
            "client_id": None,
            "client_secret": None,
            "backoff": 0.01,
            "retries": 2,
        }
        base.update(fields)
        return AzureKeyVaultConfig(**base)

    def start(self) -> KeyVaultTestServer:
        import uvicorn

        from dq_azure.testing._app import build_app

        self.port = free_port()
        app = build_app(self.state, "https://login.microsoftonline.com")
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            loop="asyncio",
            http="h11",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="dq-azure-kv", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"the local Key Vault did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> KeyVaultTestServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
