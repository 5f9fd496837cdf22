"""dq's secret-backend contract, run against dq-azure on the local Key Vault.

The backend under contract authenticates as an app with ``Key Vault Secrets Officer`` and a
deny assignment on one secret, so the denial test meets a real 403 from the server's RBAC;
``io_calls`` counts requests at the httpx transport, so "validated before any I/O" is proven
on the wire; the unavailable backend points at a port nothing listens on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dq
import pytest
from dq_azure import AzureKeyVaultBackend, AzureKeyVaultConfig
from dq_azure.testing import KeyVaultTestServer, LoopbackTransport, free_port
from dq_contract import SecretsCapabilities
from dq_contract.secrets import SecretBackendContract

from conftest import FORBIDDEN


class TestAzureKeyVaultContract(SecretBackendContract):
    # a full store: versions, writes, access control, a server: no contract case may skip
    capabilities = SecretsCapabilities()

    @pytest.fixture
    def secret_backend(self, make_backend: Any) -> AzureKeyVaultBackend:
        return make_backend()

    @pytest.fixture
    def denied_path(self) -> str:
        return FORBIDDEN

    @pytest.fixture
    def io_calls(self, transport: LoopbackTransport, kv: KeyVaultTestServer) -> Callable[[], int]:
        return lambda: len(transport.requests) + len(kv.state.requests)

    @pytest.fixture
    def unavailable_backend(self) -> Any:
        config = AzureKeyVaultConfig(
            vault_url=f"http://127.0.0.1:{free_port()}",
            client_id="x",
            client_secret=dq.SecretValue("never-used"),
            tenant_id="t",
            retries=1,
            backoff=0.01,
        )
        return AzureKeyVaultBackend(config)
