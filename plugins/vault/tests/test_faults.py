"""Faults: refused paths never leave the process, a dead or failing server is "unavailable"
(reads retried, writes not), and odd answers get messages that say what to fix.

Server faults a real OpenBao cannot be made to produce on demand (503, 500 on a write, a
redirect, a non-JSON body) are served by pytest-httpserver, a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

import dq
import pytest
from dq_contract.secrets_cases import unsafe_paths
from dq_vault import VaultBackend, VaultConfig
from dq_vault.testing import CountingTransport, free_port
from hypothesis import HealthCheck, example, given, settings
from pytest_httpserver import HTTPServer

pytestmark = pytest.mark.anyio

V = dq.SecretValue


def operations(backend: VaultBackend, path: str) -> dict[str, Any]:
    return {
        "get": lambda: backend.get(path),
        "set": lambda: backend.set(path, {"k": V("x")}),
        "delete": lambda: backend.delete(path),
        "exists": lambda: backend.exists(path),
        "list": lambda: backend.list(path),
        "versions": lambda: backend.versions(path),
        "destroy": lambda: backend.destroy(path, [1]),
        "undelete": lambda: backend.undelete(path, [1]),
    }


@pytest.mark.parametrize(
    "path",
    ["a/../b", "a/%2e%2e/b", "a/%2E%2e/b", "a//b", "/etc/passwd", "a/./b", "a\\..\\b", "a/b\nc"],
)
async def test_unsafe_paths_are_refused_by_every_operation_before_any_request(
    make_backend: Any, transport: CountingTransport, path: str
) -> None:
    backend = make_backend()
    for operation, call in operations(backend, path).items():
        with pytest.raises(dq.InvalidSecretPath):
            await call()
        assert transport.requests == [], f"{operation}({path!r}) sent a request"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=unsafe_paths())
@example(path="tenants/acme/../globex/db")
def test_no_unsafe_path_ever_reaches_the_wire_even_against_a_live_server(
    bao: Any, path: str
) -> None:
    import anyio

    transport = CountingTransport()
    backend = VaultBackend(
        VaultConfig(address=bao.address, token=V(bao.root_token)), transport=transport
    )

    async def every() -> None:
        for call in operations(backend, path).values():
            with pytest.raises(dq.InvalidSecretPath):
                await call()

    anyio.run(every)
    assert transport.requests == []


async def test_a_dead_server_is_unavailable_after_the_retries_never_not_found() -> None:
    transport = CountingTransport()
    config = VaultConfig(
        address=f"http://127.0.0.1:{free_port()}", token=V("t"), retries=2, backoff=0.01
    )
    backend = VaultBackend(config, transport=transport)
    for call in (lambda: backend.get("a/b"), lambda: backend.exists("a/b")):
        with pytest.raises(dq.SecretBackendUnavailable, match="cannot connect.*3 attempt") as info:
            await call()
        assert not isinstance(info.value, dq.SecretNotFound)
    # a refused connection never reached the server, so even a write may be tried again
    with pytest.raises(dq.SecretBackendUnavailable, match="is the server running"):
        await backend.set("a/b", {"k": V("x")})
    assert len(transport.requests) == 9


@pytest.fixture
def fake_vault(httpserver: HTTPServer) -> Any:
    def make(**overrides: Any) -> VaultBackend:
        fields: dict[str, Any] = {
            "address": httpserver.url_for("/"),
            "token": V("fake-token"),
            "retries": 2,
            "backoff": 0.01,
        }
        fields.update(overrides)
        return VaultBackend(VaultConfig(**fields))

    return make


async def test_503_on_a_read_is_retried_and_then_unavailable(
    httpserver: HTTPServer, fake_vault: Any
) -> None:
    httpserver.expect_request("/v1/secret/data/a/b").respond_with_json(
        {"errors": ["Vault is sealed"]}, status=503
    )
    with pytest.raises(dq.SecretBackendUnavailable, match="HTTP 503 .Vault is sealed."):
        await fake_vault().get("a/b")
    assert len(httpserver.log) == 3


async def test_a_read_that_fails_once_succeeds_on_the_retry(
    httpserver: HTTPServer, fake_vault: Any
) -> None:
    httpserver.expect_ordered_request("/v1/secret/data/a/b").respond_with_json({}, status=502)
    httpserver.expect_ordered_request("/v1/secret/data/a/b").respond_with_json(
        {"data": {"data": {"k": "ok"}, "metadata": {"version": 1}}}
    )
    assert (await fake_vault().get("a/b")).reveal() == b"ok"


async def test_a_write_answered_with_500_is_not_retried_and_says_it_may_have_landed(
    httpserver: HTTPServer, fake_vault: Any
) -> None:
    httpserver.expect_request("/v1/secret/data/a/b", method="POST").respond_with_json(
        {"errors": ["internal error"]}, status=500
    )
    with pytest.raises(dq.SecretBackendUnavailable, match="may or may not have been applied"):
        await fake_vault().set("a/b", {"k": V("x")})
    assert len(httpserver.log) == 1


async def test_the_token_and_namespace_headers_are_sent(
    httpserver: HTTPServer, fake_vault: Any
) -> None:
    httpserver.expect_request(
        "/v1/kv/data/a/b",
        headers={"X-Vault-Token": "fake-token", "X-Vault-Namespace": "team/sub"},
    ).respond_with_json({"data": {"data": {"k": "v"}, "metadata": {"version": 1}}})
    backend = fake_vault(namespace="team/sub", mount="kv")
    assert (await backend.get("a/b")).reveal() == b"v"


async def test_a_redirect_is_not_followed_with_the_token(
    httpserver: HTTPServer, fake_vault: Any
) -> None:
    httpserver.expect_request("/v1/secret/data/a/b").respond_with_data(
        "", status=307, headers={"Location": "http://198.51.100.1/v1/secret/data/a/b"}
    )
    with pytest.raises(dq.SecretBackendUnavailable, match="redirected.*active node"):
        await fake_vault().get("a/b")
    assert len(httpserver.log) == 1


async def test_a_server_that_is_not_vault_gets_a_message_saying_so(
    httpserver: HTTPServer, fake_vault: Any
) -> None:
    httpserver.expect_request("/v1/secret/data/a/b").respond_with_data("<html>hi</html>")
    with pytest.raises(dq.SecretBackendUnavailable, match="not JSON.*Vault server"):
        await fake_vault().get("a/b")


async def test_a_400_surfaces_vaults_errors(httpserver: HTTPServer, fake_vault: Any) -> None:
    from dq_vault import VaultRequestError

    httpserver.expect_request("/v1/secret/data/a/b", method="POST").respond_with_json(
        {"errors": ["invalid request: bad things"]}, status=400
    )
    with pytest.raises(VaultRequestError, match="rejected by Vault: invalid request") as info:
        await fake_vault().set("a/b", {"k": V("x")})
    assert info.value.errors == ("invalid request: bad things",)
    assert not isinstance(info.value, dq.SecretConflict | dq.SecretNotFound)


async def test_a_read_timeout_is_unavailable(httpserver: HTTPServer, fake_vault: Any) -> None:
    import time

    def slow(_request: Any) -> Any:
        time.sleep(0.5)
        from werkzeug import Response

        return Response("{}", status=200)

    httpserver.expect_request("/v1/secret/data/a/b").respond_with_handler(slow)
    with pytest.raises(dq.SecretBackendUnavailable, match="ReadTimeout"):
        await fake_vault(timeout=0.1, retries=0).get("a/b")
