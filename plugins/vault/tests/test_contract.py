"""dq's secret-backend contract, run against dq-vault on a real OpenBao dev server.

The backend under contract uses a *policy-limited* token (not root), so the denial test meets
a real 403 from Vault's policy engine; ``io_calls`` counts requests at the httpx transport, so
"validated before any I/O" is proven on the wire.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dq
import pytest
from dq_contract import SecretsCapabilities
from dq_contract.secrets import SecretBackendContract
from dq_vault import VaultBackend, VaultConfig
from dq_vault.testing import BaoDevServer, CountingTransport, free_port


class TestVaultBackendContract(SecretBackendContract):
    # a full store: versions, writes, access control, a server: no contract case may skip
    capabilities = SecretsCapabilities()

    @pytest.fixture
    def secret_backend(
        self, bao: BaoDevServer, limited_token: str, transport: CountingTransport
    ) -> VaultBackend:
        config = VaultConfig(address=bao.address, token=dq.SecretValue(limited_token))
        return VaultBackend(config, transport=transport)

    @pytest.fixture
    def denied_path(self, forbidden_path: str) -> str:
        return forbidden_path

    @pytest.fixture
    def io_calls(self, transport: CountingTransport) -> Callable[[], int]:
        return lambda: len(transport.requests)

    @pytest.fixture
    def unavailable_backend(self) -> Any:
        # Nothing listens on a port just probed free: every connection is refused.
        config = VaultConfig(
            address=f"http://127.0.0.1:{free_port()}",
            token=dq.SecretValue("never-used"),
            retries=1,
            backoff=0.01,
        )
        return VaultBackend(config)
