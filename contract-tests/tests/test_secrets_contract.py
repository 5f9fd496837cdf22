"""The whole SecretBackendContract against its references: proof each shape can be passed.

* MemorySecretBackend, declared a full store, with every fixture its capabilities need;
* the same, undeclared and without optional fixtures: the tests needing them skip with a
  reason (the 0.2 behaviour ``dq plugins verify`` relies on) while everything else runs;
* MappingSecretBackend, declared read-only, unversioned, without access control and
  in-process: no test skips, the opposite of each missing capability is proven instead;
* UnversionedMemoryBackend below, a writable store without versions (a plain key-value store).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import dq
import pytest
from dq_contract.reference_secrets import MemorySecretBackend
from dq_contract.reference_secrets_readonly import MappingSecretBackend, MappingWriter
from dq_contract.secrets import SecretBackendContract, SecretsCapabilities


class UnversionedMemoryBackend(MemorySecretBackend):
    """A writable store that keeps only the current value: ``set`` returns None, a version
    is not found, and ``cas`` (which needs versions to check) is a conflict."""

    async def set(  # type: ignore[override]
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> None:
        if cas is not None:
            raise dq.SecretConflict(
                f"{self._path(path)!r}: check-and-set needs versions; this store keeps none"
            )
        await super().set(path, values)

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> dq.SecretValue:
        if version is not None:
            raise dq.SecretNotFound(
                f"secret {self._path(path)!r} has no version {version}: only the current "
                "value is kept",
                reason="missing",
            )
        return await super().get(path, field=field)


class TestMemorySecretBackend(SecretBackendContract):
    capabilities = SecretsCapabilities()

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


class TestMappingSecretBackend(SecretBackendContract):
    capabilities = SecretsCapabilities(
        writable=False, versioned=False, can_deny=False, external=False
    )
    soft_delete = False  # the owner removes a secret outright

    @pytest.fixture
    def store(self) -> dict[str, Any]:
        return {}

    @pytest.fixture
    def secret_backend(self, store: dict[str, Any]) -> MappingSecretBackend:
        return MappingSecretBackend(store)

    @pytest.fixture
    def secret_writer(self, store: dict[str, Any]) -> MappingWriter:
        return MappingWriter(store)

    @pytest.fixture
    def io_calls(self, secret_backend: MappingSecretBackend) -> Callable[[], int]:
        return lambda: len(secret_backend.io_log)


class TestUnversionedMemoryBackend(SecretBackendContract):
    capabilities = SecretsCapabilities(versioned=False)

    @pytest.fixture
    def secret_backend(self) -> UnversionedMemoryBackend:
        return UnversionedMemoryBackend(denied_prefixes={"dq-denied"})

    @pytest.fixture
    def denied_path(self) -> str:
        return "dq-denied/payroll/key"

    @pytest.fixture
    def unavailable_backend(self) -> UnversionedMemoryBackend:
        return UnversionedMemoryBackend(unavailable=True)

    @pytest.fixture
    def io_calls(self, secret_backend: MemorySecretBackend) -> Callable[[], int]:
        return lambda: len(secret_backend.io_log)


def test_each_declared_shape_runs_the_cases_for_what_it_can_and_cannot_do() -> None:
    """Capabilities choose the cases when the class is defined: none is skipped at run time."""

    def cases(cls: type) -> set[str]:
        return {n for n in dir(cls) if n.startswith("test_") and getattr(cls, n) is not None}

    full, mapping = cases(TestMemorySecretBackend), cases(TestMappingSecretBackend)
    assert "test_cas_zero_writes_only_when_absent" in full
    assert "test_read_only_store_refuses_every_write_and_changes_nothing" not in full
    assert "test_cas_zero_writes_only_when_absent" not in mapping
    assert {
        "test_read_only_store_refuses_every_write_and_changes_nothing",
        "test_unversioned_store_has_only_the_current_value",
        "test_check_and_set_is_refused_where_it_cannot_be_honoured",
        "test_without_access_control_a_path_reads_its_own_secret_or_nothing",
        "test_in_process_store_touches_no_file_socket_or_process",
    } <= mapping
    assert len(full) == len(mapping), "each missing capability swaps its cases, none vanish"


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
