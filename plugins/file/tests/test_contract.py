"""dq's secret-backend contract, run against dq-file on a real store directory, with every
optional fixture, so nothing is skipped.

* **denied**: the store's entries carry the key id that encrypted them; a version under a
  key this keyring does not hold is :class:`dq.SecretAccessDenied` for ``get`` and
  ``exists`` (cryptographic access control: never "not found", or a chain would fall through).
  The fixture writes it with a second backend that also holds key ``admin``.
* **unavailable**: the store directory does not exist (an unmounted volume).
* **io_calls**: every call into the store's I/O layer plus every file-system event the
  interpreter raises under the store's folder (audit hook), so "validated before any I/O" is
  proven at the OS boundary, not only at our own layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import dq
import pytest
from conftest import CountingFileSystem, DiskAudit
from dq_contract import SecretsCapabilities
from dq_contract.secrets import SecretBackendContract
from dq_file import FileBackend, Keyring

DENIED = "dq-admin-only/payroll"


class TestFileBackendContract(SecretBackendContract):
    # a full store: versions, writes, access control, a server: no contract case may skip
    capabilities = SecretsCapabilities()

    @pytest.fixture
    def prepared_store(self, store_dir: Path, make_backend: Any) -> Path:
        """Store created by an admin (keys k1 + admin) who wrote DENIED under ``admin``."""
        admin = make_backend("k1", "admin")

        async def prepare() -> None:
            await admin.rotate_key("admin")
            await admin.set(DENIED, {"k": dq.SecretValue(b"admin eyes only")})
            await admin.rotate_key("k1")

        anyio.run(prepare)
        return store_dir

    @pytest.fixture
    def counting_fs(self, prepared_store: Path) -> CountingFileSystem:
        return CountingFileSystem(str(prepared_store))

    @pytest.fixture
    def secret_backend(
        self, counting_fs: CountingFileSystem, keys: dict[str, bytes]
    ) -> FileBackend:
        ring = Keyring([("k1", keys["k1"])])
        return FileBackend.open(counting_fs.root, ring, fs=counting_fs)

    @pytest.fixture
    def denied_path(self) -> str:
        return DENIED

    @pytest.fixture
    def unavailable_backend(self, tmp_path: Path, keys: dict[str, bytes]) -> FileBackend:
        return FileBackend.open(str(tmp_path / "not-mounted"), Keyring([("k1", keys["k1"])]))

    @pytest.fixture
    def audit_events(self, prepared_store: Path) -> Iterator[list[tuple[str, str]]]:
        seen = DiskAudit.watch(prepared_store)
        yield seen
        DiskAudit.unwatch(prepared_store)

    @pytest.fixture
    def io_calls(
        self, counting_fs: CountingFileSystem, audit_events: list[tuple[str, str]]
    ) -> Callable[[], int]:
        return lambda: len(counting_fs.calls) + len(audit_events)


def test_the_io_counter_sees_real_operations(
    store_dir: Path, make_backend: Any, disk_audit: list[tuple[str, str]]
) -> None:
    """The counters the contract relies on do move when the store is used (else the
    before-any-I/O property could not fail)."""
    backend = make_backend()
    anyio.run(lambda: backend.set("a/b", {"k": dq.SecretValue(b"x")}))
    assert backend.store.fs.calls and disk_audit
    assert any(event == "open" for event, _ in disk_audit)
