"""Faults: refused paths never reach the server, throttling and outages are retried (honouring
Retry-After) and then "unavailable", 403 is denied for every operation, and the bearer token
never follows a nextLink to another host."""

from __future__ import annotations

import time
from typing import Any

import anyio
import dq
import pytest
from dq_azure import AzureConfigurationError, AzureKeyVaultBackend, AzureKeyVaultConfig, AzureSecretDisabled
from dq_azure.testing import Fault, KeyVaultTestServer, LoopbackTransport, free_port
from dq_contract.secrets_cases import assert_only, unsafe_paths
from hypothesis import HealthCheck, example, given, settings

from conftest import CLIENT_SECRETS

pytestmark = pytest.mark.anyio
V = dq.SecretValue


def operations(backend: AzureKeyVaultBackend, path: str) -> dict[str, Any]:
    return {
        "get": lambda: backend.get(path),
        "set": lambda: backend.set(path, {"k": V("x")}),
        "delete": lambda: backend.delete(path),
        "exists": lambda: backend.exists(path),
        "list": lambda: backend.list(path),
        "versions": lambda: backend.versions(path),
        "deleted": lambda: backend.deleted(path),
        "recover": lambda: backend.recover(path),
        "purge": lambda: backend.purge(path),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(path=unsafe_paths())
@example(path="tenants/acme/../globex/db")
@example(path="a/%2e%2e/b")
def test_no_path_validate_secret_path_refuses_ever_reaches_the_server(kv: KeyVaultTestServer, path: str) -> None:
    transport = LoopbackTransport()
    backend = AzureKeyVaultBackend(
        kv.config(client_id="dq-contract", client_secret=V(CLIENT_SECRETS["dq-contract"])), transport=transport
    )
    seen = len(kv.state.requests)

    async def every() -> None:
        for call in operations(backend, path).values():
            with pytest.raises(dq.InvalidSecretPath):
                await call()

    anyio.run(every)
    assert transport.requests == [] and len(kv.state.requests) == seen


async def test_throttling_is_retried_after_the_servers_retry_after(kv: KeyVaultTestServer, backend: AzureKeyVaultBackend, folder: str) -> None:
    await backend.set(f"{folder}/t", {"k": V("x")})
    kv.state.faults.append(Fault(path="/secrets/", status=429, code="Throttled", headers={"Retry-After": "1"}))
    started = time.monotonic()
    assert (await backend.get(f"{folder}/t")).reveal() == b"x"
    assert time.monotonic() - started >= 1.0


async def test_a_retry_after_longer_than_allowed_fails_at_once_as_unavailable(
    kv: KeyVaultTestServer, make_backend: Any, folder: str
) -> None:
    backend = make_backend(max_retry_after=0.5)
    await backend.set(f"{folder}/t", {"k": V("x")})
    kv.state.faults.append(Fault(path="/secrets/", status=429, code="Throttled", headers={"Retry-After": "60"}))
    with pytest.raises(dq.SecretBackendUnavailable, match="HTTP 429.*asked to wait 60s") as info:
        await backend.get(f"{folder}/t")
    assert_only(info.value, dq.SecretBackendUnavailable)


async def test_a_503_on_a_read_is_retried_then_unavailable(kv: KeyVaultTestServer, backend: AzureKeyVaultBackend, folder: str) -> None:
    await backend.set(f"{folder}/t", {"k": V("x")})
    kv.state.faults.append(Fault(path="/secrets/", status=503, times=3))
    with pytest.raises(dq.SecretBackendUnavailable, match="HTTP 503"):
        await backend.get(f"{folder}/t")
    kv.state.faults.append(Fault(path="/secrets/", status=503, times=1))
    assert (await backend.get(f"{folder}/t")).reveal() == b"x"


async def test_a_write_answered_500_is_not_retried_and_says_it_may_have_landed(
    kv: KeyVaultTestServer, backend: AzureKeyVaultBackend, folder: str
) -> None:
    await backend.exists(f"{folder}/w")  # draw the challenge first
    kv.state.faults.append(Fault(path="/secrets/", method="PUT", status=500, times=5, code="InternalServerError"))
    with pytest.raises(dq.SecretBackendUnavailable, match="may or may not have been applied"):
        await backend.set(f"{folder}/w", {"k": V("x")})
    assert kv.state.faults[-1].times == 4, "one attempt only"
    kv.state.faults.clear()


async def test_a_dead_vault_is_unavailable_for_every_read_never_not_found() -> None:
    config = AzureKeyVaultConfig(vault_url=f"http://127.0.0.1:{free_port()}", client_id="c", client_secret=V("s"), retries=1, backoff=0.01)
    backend = AzureKeyVaultBackend(config)
    for call in (lambda: backend.get("a/b"), lambda: backend.exists("a/b"), lambda: backend.list("a")):
        with pytest.raises(dq.SecretBackendUnavailable, match="cannot connect.*2 attempt") as info:
            await call()
        assert_only(info.value, dq.SecretBackendUnavailable)


async def test_an_identity_without_a_role_is_denied_on_every_operation(make_backend: Any, folder: str) -> None:
    nobody = make_backend("dq-nobody")
    for name, call in operations(nobody, f"{folder}/x").items():
        if name in ("deleted",):
            continue
        with pytest.raises(dq.SecretAccessDenied, match="Key Vault Secrets") as info:
            await call()
        assert_only(info.value, dq.SecretAccessDenied)


async def test_a_disabled_version_is_denied_not_missing_and_older_versions_still_read(
    kv: KeyVaultTestServer, backend: AzureKeyVaultBackend, folder: str
) -> None:
    path = f"{folder}/d"
    await backend.set(path, {"k": V("one")})
    await backend.set(path, {"k": V("two")})
    latest = (await backend.versions(path))[-1]
    await backend._http.request("PATCH", f"/secrets/{backend_name(path)}/{latest.version_id}", "disable", json={"attributes": {"enabled": False}})
    for call in (lambda: backend.get(path), lambda: backend.exists(path)):
        with pytest.raises(AzureSecretDisabled, match="disabled") as info:
            await call()
        assert_only(info.value, dq.SecretAccessDenied)
    assert (await backend.get(path, version=1)).reveal() == b"one"
    assert await backend.set(path, {"k": V("three")}) == 3, "numbering continues past a disabled latest"


def backend_name(path: str) -> str:
    from dq_azure import path_to_name

    return path_to_name(path)


async def test_a_next_link_to_another_host_is_refused_and_gets_no_token(
    kv: KeyVaultTestServer, make_backend: Any, transport: LoopbackTransport, folder: str
) -> None:
    backend = make_backend()
    for i in range(3):
        await backend.set(f"{folder}/n{i}", {"k": V("x")})
    kv.state.page_size, kv.state.next_link_base = 2, "http://evil.dq.test:1"
    try:
        with pytest.raises(AzureConfigurationError, match="nextLink points to another host"):
            await backend.list(folder)
    finally:
        kv.state.page_size, kv.state.next_link_base = 25, None
    assert not any(host == "evil.dq.test" for _m, host, _p in transport.requests)
