"""Tokens: the 401 challenge, client credentials, managed identity (IMDS and App Service),
the token cache, a refused token, and a challenge that points outside the vault's domain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import dq
import pytest
from dq_azure import AzureAuthenticationError, AzureConfigurationError, AzureKeyVaultBackend
from dq_azure.testing import KeyVaultTestServer, LoopbackTransport
from dq_contract.secrets_cases import assert_only

from conftest import CLIENT_SECRETS

pytestmark = pytest.mark.anyio
V = dq.SecretValue


def token_requests(kv: KeyVaultTestServer) -> int:
    return sum(1 for r in kv.state.requests if r.path.endswith("/token"))


async def test_the_first_request_goes_without_a_token_and_learns_tenant_and_scope(
    backend: AzureKeyVaultBackend, transport: LoopbackTransport, kv: KeyVaultTestServer, folder: str
) -> None:
    await backend.set(f"{folder}/a", {"k": V("x")})
    (first, token, second) = transport.requests[:3]
    assert first[1] == kv.vault_host and token[2] == f"/{kv.state.tenant}/oauth2/v2.0/token"
    assert second == first, "the same request again, now with the token"
    assert backend._http.challenge is not None
    assert backend._http.challenge.scope == "https://vault.dq.test/.default"


async def test_one_token_serves_many_requests(backend: AzureKeyVaultBackend, kv: KeyVaultTestServer, folder: str) -> None:
    before = token_requests(kv)
    for i in range(5):
        await backend.set(f"{folder}/s{i}", {"k": V("x")})
        await backend.get(f"{folder}/s{i}")
    assert token_requests(kv) == before + 1


async def test_a_short_lived_token_is_renewed_before_it_expires(
    make_backend: Any, kv: KeyVaultTestServer, folder: str
) -> None:
    kv.state.token_lifetime = 2
    try:
        backend = make_backend()
        before = token_requests(kv)
        await backend.set(f"{folder}/a", {"k": V("x")})
        await anyio.sleep(1.1)  # past half the life: renewed, never sent expired
        await backend.get(f"{folder}/a")
        assert token_requests(kv) == before + 2
    finally:
        kv.state.token_lifetime = 3600


async def test_a_revoked_token_is_replaced_once_and_the_request_succeeds(
    backend: AzureKeyVaultBackend, kv: KeyVaultTestServer, folder: str
) -> None:
    await backend.set(f"{folder}/a", {"k": V("x")})
    kv.state.revoke_all()
    assert (await backend.get(f"{folder}/a")).reveal() == b"x"


async def test_a_401_to_a_fresh_token_is_an_authentication_error_never_not_found(
    make_backend: Any, kv: KeyVaultTestServer
) -> None:
    kv.state.token_lifetime = -1  # every token is already expired when it arrives
    try:
        with pytest.raises(AzureAuthenticationError, match="refused a freshly issued token") as info:
            await make_backend().get("some/secret")
        assert_only(info.value, dq.SecretAccessDenied)
    finally:
        kv.state.token_lifetime = 3600


async def test_a_wrong_client_secret_is_denied_with_entras_code_and_no_secret(make_backend: Any) -> None:
    wrong = "cs-wrong-" + "9" * 16
    with pytest.raises(AzureAuthenticationError) as info:
        await make_backend(client_secret=V(wrong)).get("a/b")
    assert "invalid_client" in str(info.value) and "AADSTS7000215" in str(info.value)
    assert "client_secret" in str(info.value) and wrong not in str(info.value)
    assert_only(info.value, dq.SecretAccessDenied)


async def test_a_configured_tenant_other_than_the_vaults_is_a_configuration_error(make_backend: Any) -> None:
    with pytest.raises(AzureConfigurationError, match="belongs to tenant 'dq-test-tenant' but tenant_id is 'other'"):
        await make_backend(tenant_id="other").get("a/b")


async def test_system_assigned_managed_identity_through_imds(kv: KeyVaultTestServer, folder: str) -> None:
    backend = AzureKeyVaultBackend(kv.config(credential="managed_identity"), transport=LoopbackTransport())
    await backend.set(f"{folder}/mi", {"k": V("x")})
    imds = [r for r in kv.state.requests if r.path == "/metadata/identity/oauth2/token"][-1]
    assert "api-version=2018-02-01" in imds.query and "resource=https%3A%2F%2Fvault.dq.test" in imds.query
    assert "managed_identity(imds, system-assigned)" in repr(backend)


async def test_user_assigned_identity_gets_its_own_roles(kv: KeyVaultTestServer, backend: AzureKeyVaultBackend, folder: str) -> None:
    await backend.set(f"{folder}/r", {"k": V("x")})
    reader = AzureKeyVaultBackend(
        kv.config(credential="managed_identity", managed_identity_client_id="mi-reader"), transport=LoopbackTransport()
    )
    assert (await reader.get(f"{folder}/r")).reveal() == b"x"
    with pytest.raises(dq.SecretAccessDenied, match="Key Vault Secrets Officer"):
        await reader.set(f"{folder}/r", {"k": V("y")})


async def test_app_service_managed_identity_sends_the_identity_header(kv: KeyVaultTestServer, folder: str) -> None:
    config = kv.config(identity_endpoint=kv.identity_endpoint, identity_header=V(kv.state.identity_header))
    assert config.flow == "app_service"
    backend = AzureKeyVaultBackend(config, transport=LoopbackTransport())
    await backend.set(f"{folder}/as", {"k": V("x")})
    wrong = AzureKeyVaultBackend(
        kv.config(identity_endpoint=kv.identity_endpoint, identity_header=V("not-the-header")),
        transport=LoopbackTransport(),
    )
    with pytest.raises(AzureAuthenticationError) as info:
        await wrong.get(f"{folder}/as")
    assert "not-the-header" not in str(info.value)


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[KeyVaultTestServer]:
    """A server whose challenge asks for a token for a resource outside the vault's domain."""
    with KeyVaultTestServer(vault_host="dqkv.vault.dq.test", resource="https://graph.dq.test") as server:
        server.state.add_app("dq-contract", CLIENT_SECRETS["dq-contract"])
        server.state.assign("app-dq-contract", "Key Vault Secrets Officer")
        yield server


async def test_a_challenge_for_a_resource_outside_the_vaults_domain_is_refused_before_any_token(
    elsewhere: KeyVaultTestServer,
) -> None:
    config = elsewhere.config(client_id="dq-contract", client_secret=V(CLIENT_SECRETS["dq-contract"]))
    with pytest.raises(AzureConfigurationError, match="'graph.dq.test', which is not the domain"):
        await AzureKeyVaultBackend(config, transport=LoopbackTransport()).get("a/b")
    assert token_requests(elsewhere) == 0, "the client secret must not be sent on such a challenge"
    lax = AzureKeyVaultBackend(
        elsewhere.config(client_id="dq-contract", client_secret=V(CLIENT_SECRETS["dq-contract"]), verify_challenge_resource=False),
        transport=LoopbackTransport(),
    )
    with pytest.raises(dq.SecretNotFound):  # the documented opt-out works
        await lax.get("a/b")
