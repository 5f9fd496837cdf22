"""dq's secret-backend contract, run against dq-gcp on the local Secret Manager server.

The backend authenticates as ``dq-app`` through the real OAuth2 JWT bearer flow (the server
verifies the assertion's signature, audience and times); its grants cover ``dq-contract--*``
among the contract's paths, so the denial test meets a real 403 PERMISSION_DENIED;
``io_calls`` counts requests that reached the server's socket (token requests included).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dq
import pytest
from dq_contract import SecretsCapabilities
from dq_contract.secrets import SecretBackendContract
from dq_gcp import GcpConfig, GcpSecretsBackend
from dq_gcp.testing import FakeSecretManager, free_port


class TestGcpSecretsBackendContract(SecretBackendContract):
    # a full store: versions, writes, access control, a server: no contract case may skip
    capabilities = SecretsCapabilities()

    @pytest.fixture
    def secret_backend(self, make_backend: Any) -> GcpSecretsBackend:
        return make_backend()

    @pytest.fixture
    def denied_path(self, forbidden_path: str) -> str:
        return forbidden_path

    @pytest.fixture
    def io_calls(self, gsm: FakeSecretManager) -> Callable[[], int]:
        return gsm.count

    @pytest.fixture
    def unavailable_backend(self) -> Any:
        # Nothing listens on a port just probed free: every connection is refused.
        return GcpSecretsBackend(
            GcpConfig(
                project="dq-test-project",
                endpoint=f"http://127.0.0.1:{free_port()}",
                access_token=dq.SecretValue("never-used"),
                retries=1,
                backoff=0.01,
            )
        )
