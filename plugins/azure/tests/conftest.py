"""Fixtures: one local Key Vault (+ token endpoints) for the session, backends built on it.

Identities the server knows (RBAC as in Azure; principals are ``app-<client id>``):

* ``dq-contract`` — ``Key Vault Secrets Officer`` on the vault, with a deny assignment on the
  secret ``dq-forbidden/secret`` (so the contract's denial is a real 403);
* ``dq-reader`` — ``Key Vault Secrets User`` (read only); ``dq-nobody`` — no role at all;
* the host's system-assigned managed identity — Officer; user-assigned ``mi-reader`` — User.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import dq
import pytest
from dq_azure import AzureKeyVaultBackend, path_to_name
from dq_azure.testing import KeyVaultTestServer, LoopbackTransport

FORBIDDEN = "dq-forbidden/secret"
#: Client secrets are random per session, so a leak test can grep for them.
CLIENT_SECRETS = {name: f"cs-{secrets.token_hex(12)}" for name in ("dq-contract", "dq-reader", "dq-nobody")}


@pytest.fixture(scope="session")
def kv() -> Iterator[KeyVaultTestServer]:
    with KeyVaultTestServer() as server:
        state = server.state
        for client_id, secret in CLIENT_SECRETS.items():
            state.add_app(client_id, secret)
        state.assign("app-dq-contract", "Key Vault Secrets Officer")
        state.deny("app-dq-contract", path_to_name(FORBIDDEN))
        state.assign("app-dq-reader", "Key Vault Secrets User")
        state.assign(state.add_managed_identity(None), "Key Vault Secrets Officer")
        state.assign(state.add_managed_identity("mi-reader"), "Key Vault Secrets User")
        state.put(path_to_name(FORBIDDEN), {"value": "not for you"})
        yield server


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def folder() -> str:
    """A fresh folder, so tests never see each other's secrets."""
    return f"dq-tests/{uuid.uuid4().hex[:12]}"


@pytest.fixture
def transport() -> LoopbackTransport:
    return LoopbackTransport()


@pytest.fixture
def make_backend(kv: KeyVaultTestServer, transport: LoopbackTransport) -> Any:
    """Build a backend on the local vault (``dq-contract`` app unless overridden)."""

    def make(client_id: str = "dq-contract", **overrides: Any) -> AzureKeyVaultBackend:
        fields: dict[str, Any] = {}
        if client_id:
            fields = {"client_id": client_id, "client_secret": dq.SecretValue(CLIENT_SECRETS[client_id])}
        fields.update(overrides)
        return AzureKeyVaultBackend(kv.config(**fields), transport=overrides.pop("transport", transport))

    return make


@pytest.fixture
def backend(make_backend: Any) -> AzureKeyVaultBackend:
    return make_backend()
