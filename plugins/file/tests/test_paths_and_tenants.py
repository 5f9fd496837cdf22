"""Refused paths never touch the file system; under tenant acme no spelling reads globex's
secret (through dq.TenantScopedBackend, as dq builds the stack)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import dq
import pytest
from conftest import snapshot
from dq_contract.secrets_cases import unsafe_paths
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

V = dq.SecretValue
ACME, GLOBEX = dq.TenantId("acme"), dq.TenantId("globex")


def operations(backend: Any, path: str) -> dict[str, Any]:
    return {
        "get": lambda: backend.get(path),
        "get-version": lambda: backend.get(path, version=1),
        "set": lambda: backend.set(path, {"k": V("x")}),
        "set-cas": lambda: backend.set(path, {"k": V("x")}, cas=0),
        "delete": lambda: backend.delete(path),
        "exists": lambda: backend.exists(path),
        "list": lambda: backend.list(path),
        "versions": lambda: backend.versions(path),
        "undelete": lambda: backend.undelete(path, [1]),
        "destroy": lambda: backend.destroy(path, [1]),
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=unsafe_paths() | st.sampled_from(["", "a/", "tenants/acme/../globex/db"]))
@example(path="../store.json")
@example(path="entries/../../etc")
@example(path="a/b\x00c")
def test_no_refused_path_ever_touches_the_file_system(
    store_dir: Path, make_backend: Any, disk_audit: list[Any], path: str
) -> None:
    backend = make_backend()
    anyio.run(lambda: backend.set("present/secret", {"k": V("x")}))
    before, fs_calls, events = (
        snapshot(store_dir.parent),
        len(backend.store.fs.calls),
        len(disk_audit),
    )
    for name, call in operations(backend, path).items():
        if name == "list" and path in ("", "a/"):
            continue  # valid list prefixes (the root, a folder with its slash)
        with pytest.raises(dq.InvalidSecretPath):
            anyio.run(call)
    assert backend.store.fs.calls[fs_calls:] == [], "the I/O layer was called"
    assert disk_audit[events:] == [], "the interpreter touched the store's folder"
    assert snapshot(store_dir.parent) == before


TRICKY = [
    "../globex/db",
    "../../tenants/globex/db",
    "%2e%2e/globex/db",
    "%2E%2E/globex/db",
    "%252e%252e/globex/db",
    "..%2fglobex/db",
    "./../globex/db",
    "/tenants/globex/db",
    "//tenants/globex/db",
    "tenants//globex/db",
    "..\\globex\\db",
    "db\x00/../../globex/db",
    "\u2024\u2024/globex/db",  # ONE DOT LEADER x2, looks like ".."
    "\uff0e\uff0e/globex/db",  # FULLWIDTH FULL STOP x2
    "\u2025/globex/db",  # TWO DOT LEADER
    "\u2215globex\u2215db",  # DIVISION SLASH
]


def scoped(backend: Any, tenant: dq.TenantId) -> dq.TenantScopedBackend:
    return dq.TenantScopedBackend(backend, backend="file", tenant=tenant)


@pytest.mark.anyio
async def test_under_acme_no_spelling_reads_globex(make_backend: Any) -> None:
    raw = make_backend()
    globex, acme = scoped(raw, GLOBEX), scoped(raw, ACME)
    await globex.set("db", {"pw": V("globex-only")})
    await acme.set("db", {"pw": V("acme-own")})
    spellings = TRICKY + ["tenants/globex/db", "TENANTS/GLOBEX/DB", "Globex/db", "GLOBEX/db"]
    for spelling in spellings:
        try:
            got = await acme.get(spelling)
        except (dq.InvalidSecretPath, dq.SecretNotFound):
            continue
        assert got.reveal() != b"globex-only", f"{spelling!r} read globex's secret"
    assert (await acme.get("db")).reveal() == b"acme-own"
    assert await acme.list("") == ["db"]
    # What acme's set with a look-alike spelling writes stays inside acme's folder.
    await acme.set("tenants/globex/db", {"pw": V("acme-shadow")})
    assert (await globex.get("db")).reveal() == b"globex-only"
    assert await raw.list("tenants/acme") == ["db", "tenants/"]


@pytest.mark.anyio
async def test_a_tenants_file_copied_into_another_tenants_place_does_not_decrypt(
    store_dir: Path, make_backend: Any
) -> None:
    import shutil

    from dq_file import FileStoreIntegrityError

    raw = make_backend()
    await scoped(raw, GLOBEX).set("db", {"pw": V("globex-only")})
    await scoped(raw, ACME).set("db", {"pw": V("acme-own")})
    header = raw.store._header()
    source, target = (
        store_dir / "entries" / f"{header.keys.file_id(f'tenants/{t}/db')}.dqs"
        for t in ("globex", "acme")
    )
    shutil.copyfile(source, target)
    with pytest.raises(FileStoreIntegrityError, match="tenants/acme/db"):
        await scoped(raw, ACME).get("db")
