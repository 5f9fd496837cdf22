"""No secret value, client secret, identity header or token in any log line (httpx's
included), repr, str or error."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import dq
import dq.protocols
import pytest
from dq_azure import AzureKeyVaultBackend, AzureKeyVaultConfig
from dq_azure.testing import KeyVaultTestServer, LoopbackTransport

from conftest import CLIENT_SECRETS

pytestmark = pytest.mark.anyio
V = dq.SecretValue


async def test_nothing_secret_reaches_logs_reprs_or_errors(
    kv: KeyVaultTestServer, folder: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"canary-{secrets.token_hex(8)}"
    config = kv.config(client_id="dq-contract", client_secret=V(CLIENT_SECRETS["dq-contract"]))
    backend = AzureKeyVaultBackend(config, transport=LoopbackTransport())
    errors: list[BaseException] = []
    await backend.set(f"{folder}/c", {"k": V(canary), "b": V(canary.encode() + b"\xff")})
    for call in (
        lambda: backend.get(f"{folder}/c"),
        lambda: backend.get(f"{folder}/c", field="nope"),
        lambda: backend.set(f"{folder}/c", {"k": V(canary)}, cas=0),
        lambda: backend.get("dq-forbidden/secret"),
        lambda: AzureKeyVaultBackend(kv.config(client_id="dq-contract", client_secret=V("wrong-" + canary)), transport=LoopbackTransport()).get("a"),
    ):
        try:
            await call()
        except dq.SecretError as exc:
            errors.append(exc)
    assert len(errors) == 5
    tokens = list(kv.state.tokens)
    forbidden = [canary, CLIENT_SECRETS["dq-contract"], kv.state.identity_header, *tokens]
    texts = [caplog.text, repr(backend), repr(config), str(config)]
    texts += [f"{r.getMessage()} {r.args!r}" for r in caplog.records]
    texts += [t for e in errors for t in (str(e), repr(e), repr(e.__dict__))]
    for text in texts:
        for secret in forbidden:
            assert secret not in text
    assert any("httpx" in r.name for r in caplog.records), "httpx's own log lines were checked"


def test_config_repr_masks_its_secrets() -> None:
    config = AzureKeyVaultConfig(
        vault_url="https://x.vault.azure.net", client_id="c", client_secret=V("cs-shh"), identity_header=V("ih-shh")
    )
    assert "cs-shh" not in repr(config) and "ih-shh" not in repr(config)


def test_the_plugin_builds_through_its_hooks_without_io() -> None:
    import dq_azure

    assert dq_azure.dq_component_config("secrets", "azure") is AzureKeyVaultConfig
    built = dq_azure.dq_secret_backend("azure", AzureKeyVaultConfig(vault_url="https://x.vault.azure.net"))
    assert isinstance(built, dq.protocols.SecretBackend)
    assert dq_azure.dq_secret_backend("vault", None) is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"vault_url": "ftp://x"}, "http"),
        ({"vault_url": "https://u:p@x.vault.azure.net"}, "credentials"),
        ({"credential": "password"}, "one of"),
        ({"credential": "client_secret", "client_id": None, "client_secret": None}, "needs client_id"),
        ({"timeout": 0}, "timeout"),
    ],
)
def test_bad_config_is_one_clear_line(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AzureKeyVaultConfig(**fields)


async def test_no_vault_url_says_what_to_set() -> None:
    from dq_azure import AzureConfigurationError

    backend = AzureKeyVaultBackend(AzureKeyVaultConfig(vault_url=None))
    with pytest.raises(AzureConfigurationError, match="AZURE_KEYVAULT_URL"):
        await backend.get("a")
