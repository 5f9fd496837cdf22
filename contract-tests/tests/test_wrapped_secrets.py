"""dq-core's secret wrappers keep the whole SecretBackendContract.

A suite never talks to a backend directly: it gets audit → tenant scope → cache → the
plugin's backend (dq.SecretResolver builds that stack). So the stack must pass the same
contract as the bare backend: a cache that masked a write, a scope that broke ``list`` or
turned a denial into not-found, or an audit layer that swallowed an error would fail here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dq
import pytest
from dq_contract.reference_secrets import MemorySecretBackend
from dq_contract.secrets import SecretBackendContract

ACME = dq.TenantId("acme")


def wrapped(inner: MemorySecretBackend, events: list[dq.SecretAccess]) -> Any:
    """The stack dq.SecretResolver builds, over an in-memory store, under tenant acme."""
    cached = dq.CachedSecretBackend(inner, ttl=300)
    scoped = dq.TenantScopedBackend(cached, backend="memory", tenant=ACME)
    return dq.AuditedSecretBackend(scoped, backend="memory", sinks=(events.append,))


class TestWrappedMemoryBackend(SecretBackendContract):
    @pytest.fixture
    def events(self) -> list[dq.SecretAccess]:
        return []

    @pytest.fixture
    def store(self) -> MemorySecretBackend:
        return MemorySecretBackend(denied_prefixes={"tenants/acme/dq-denied"})

    @pytest.fixture
    def secret_backend(self, store: MemorySecretBackend, events: list[dq.SecretAccess]) -> Any:
        return wrapped(store, events)

    @pytest.fixture
    def denied_path(self) -> str:
        return "dq-denied/payroll/key"

    @pytest.fixture
    def unavailable_backend(self, events: list[dq.SecretAccess]) -> Any:
        return wrapped(MemorySecretBackend(unavailable=True), events)

    @pytest.fixture
    def io_calls(self, store: MemorySecretBackend) -> Callable[[], int]:
        return lambda: len(store.io_log)


@pytest.mark.anyio
async def test_the_wrapped_store_only_ever_sees_the_tenants_folder() -> None:
    store, events = MemorySecretBackend(), []
    backend = wrapped(store, events)
    await backend.set("db", {"pw": dq.SecretValue(b"x")})
    await backend.get("db")
    await backend.get("db")  # served by the cache: no I/O, still audited
    await backend.list("")
    assert store.io_log == [("set", "tenants/acme/db"), ("get", "tenants/acme/db"),
                            ("list", "tenants/acme")]  # fmt: skip
    assert [(e.operation.value, e.cached) for e in events] == [
        ("set", False),
        ("get", False),
        ("get", True),
        ("list", False),
    ]


@pytest.mark.anyio
async def test_a_write_through_the_stack_is_never_masked_by_the_cache() -> None:
    """The contract reads each version once; a cache that masked writes would pass it."""
    backend = wrapped(MemorySecretBackend(), [])
    for round_ in range(3):
        await backend.set("db", {"pw": dq.SecretValue(f"v{round_}")})
        assert (await backend.get("db")).reveal() == f"v{round_}".encode()
        assert (await backend.get("db")).reveal() == f"v{round_}".encode()
    await backend.delete("db")
    with pytest.raises(dq.SecretNotFound):
        await backend.get("db")
