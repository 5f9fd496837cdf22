"""The whole SecretBackendContract against MemorySecretBackend: proof it can be passed.

A second subclass provides no optional fixtures, to show that the tests needing them skip
with a reason (and are reported as such) while everything else still runs.
"""

from __future__ import annotations

from collections.abc import Callable

import dq
import pytest
from dq_contract.reference_secrets import MemorySecretBackend
from dq_contract.secrets import SecretBackendContract


class TestMemorySecretBackend(SecretBackendContract):
    @pytest.fixture
    def secret_backend(self) -> MemorySecretBackend:
        return MemorySecretBackend(denied_prefixes={"dq-denied"})

    @pytest.fixture
    def denied_path(self) -> str:
        return "dq-denied/payroll/key"

    @pytest.fixture
    def unavailable_backend(self) -> MemorySecretBackend:
        return MemorySecretBackend(unavailable=True)

    @pytest.fixture
    def io_calls(self, secret_backend: MemorySecretBackend) -> Callable[[], int]:
        return lambda: len(secret_backend.io_log)


class TestMemorySecretBackendWithoutOptionalFixtures(SecretBackendContract):
    @pytest.fixture
    def secret_backend(self) -> MemorySecretBackend:
        return MemorySecretBackend()


@pytest.mark.anyio
async def test_reference_records_io_only_after_validation() -> None:
    backend = MemorySecretBackend()
    with pytest.raises(dq.InvalidSecretPath):
        await backend.get("a/../b")
    assert backend.io_log == []
    await backend.set("a/b", {"k": dq.SecretValue(b"v")})
    assert backend.io_log == [("set", "a/b")]


@pytest.mark.anyio
async def test_reference_keeps_old_versions_after_a_soft_delete_and_never_shows_values() -> None:
    backend = MemorySecretBackend()
    assert await backend.set("a/b", {"k": dq.SecretValue(b"one")}) == 1
    assert await backend.set("a/b", {"k": dq.SecretValue(b"two")}) == 2
    await backend.delete("a/b")
    assert (await backend.get("a/b", version=1)).reveal() == b"one"
    assert await backend.list("a") == []
    assert await backend.set("a/b", {"k": dq.SecretValue(b"three")}, cas=2) == 3
    assert "one" not in repr(backend) and "three" not in repr(backend)


@pytest.mark.anyio
async def test_reference_refuses_unmasked_values_without_showing_them() -> None:
    backend = MemorySecretBackend()
    with pytest.raises(TypeError) as info:
        await backend.set("a/b", {"k": "plain-text-secret"})  # type: ignore[dict-item]
    assert "plain-text-secret" not in str(info.value)
