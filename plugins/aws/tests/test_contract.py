"""dq's secret-backend contract, run against dq-aws on moto's server over real HTTP.

The backend under contract is signed by ``dq-app``, whose IAM policy (the README's) covers
``dq-contract/*`` only, so the denial test meets a real ``AccessDeniedException`` from
moto's IAM evaluator; ``io_calls`` counts requests that reached the server's socket, so
"validated before any I/O" is proven on the wire.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dq
import pytest
from dq_aws import AwsConfig, AwsSecretsBackend
from dq_aws.testing import REGION, MotoServer, free_port
from dq_contract import SecretsCapabilities
from dq_contract.secrets import SecretBackendContract


class TestAwsSecretsBackendContract(SecretBackendContract):
    # a full store: versions, writes, access control, a server: no contract case may skip
    capabilities = SecretsCapabilities()

    @pytest.fixture
    def secret_backend(self, make_backend: Any) -> AwsSecretsBackend:
        return make_backend()

    @pytest.fixture
    def denied_path(self, forbidden_path: str) -> str:
        return forbidden_path

    @pytest.fixture
    def io_calls(self, moto: MotoServer) -> Callable[[], int]:
        return moto.count

    @pytest.fixture
    def unavailable_backend(self) -> Any:
        # Nothing listens on a port just probed free: every connection is refused.
        return AwsSecretsBackend(
            AwsConfig(
                region=REGION,
                endpoint_url=f"http://127.0.0.1:{free_port()}",
                access_key_id="AKIADQNEVERUSED00000",
                secret_access_key=dq.SecretValue("never-used"),
                max_attempts=1,
                connect_timeout=1.0,
            )
        )
