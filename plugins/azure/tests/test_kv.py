"""Key Vault semantics through the backend: rotation, versions, soft delete vs purge, the 409
of a soft-deleted name, paging, and secrets other tools wrote."""

from __future__ import annotations

from typing import Any

import anyio
import dq
import pytest
from dq_azure import AzureKeyVaultBackend, path_to_name
from dq_azure.testing import KeyVaultTestServer

pytestmark = pytest.mark.anyio
V = dq.SecretValue


async def test_a_reader_during_repeated_rotation_sees_only_whole_old_or_new_values(
    make_backend: Any, folder: str
) -> None:
    path = f"{folder}/rotated"
    writer, reader = make_backend(), make_backend()
    values = [f"value-{i}-" + "x" * 200 for i in range(8)]
    await writer.set(path, {"k": V(values[0])})
    seen: list[str] = []
    done = anyio.Event()

    async def read_loop() -> None:
        while not done.is_set():
            seen.append((await reader.get(path, field="k")).reveal_text())

    async with anyio.create_task_group() as group:
        group.start_soon(read_loop)
        for value in values[1:]:
            await writer.set(path, {"k": V(value)})
        done.set()
    assert seen and set(seen) <= set(values)
    for number, value in enumerate(values, start=1):  # every previous version stays readable
        assert (await reader.get(path, version=number)).reveal_text() == value


async def test_versions_lists_each_write_with_its_number_across_pages(
    kv: KeyVaultTestServer, backend: AzureKeyVaultBackend, folder: str
) -> None:
    path = f"{folder}/many"
    for i in range(5):
        await backend.set(path, {"k": V(str(i))})
    kv.state.page_size = 2
    try:
        infos = await backend.versions(path)
        listed = await backend.list(folder)
    finally:
        kv.state.page_size = 25
    assert [i.version for i in infos] == [1, 2, 3, 4, 5] and all(i.enabled for i in infos)
    assert listed == ["many"]
    assert (await backend.get(path, version=infos[1].version_id)).reveal() == b"1", "by Key Vault id"


async def test_soft_deleted_and_purged_are_reported_distinctly(backend: AzureKeyVaultBackend, folder: str) -> None:
    path = f"{folder}/gone"
    await backend.set(path, {"k": V("x")})
    await backend.delete(path)
    info = await backend.deleted(path)
    assert info is not None and info.scheduled_purge and info.deleted_on
    with pytest.raises(dq.SecretNotFound, match="soft delete.*recover") as soft:
        await backend.get(path)
    assert soft.value.reason == "deleted"
    await backend.delete(path)  # deleting again is a no-op, not an error
    await backend.purge(path)
    assert await backend.deleted(path) is None
    with pytest.raises(dq.SecretNotFound) as hard:
        await backend.get(path)
    assert hard.value.reason == "missing"
    assert await backend.set(path, {"k": V("new")}) == 1, "a purged name starts afresh"
    assert (await backend.get(path, version=1)).reveal() == b"new"


async def test_a_soft_deleted_secret_blocks_its_name_until_recovered(backend: AzureKeyVaultBackend, folder: str) -> None:
    path = f"{folder}/blocked"
    await backend.set(path, {"k": V("one")})
    await backend.delete(path)
    with pytest.raises(dq.SecretConflict, match="deleted but recoverable.*recover.*purge"):
        await backend.set(path, {"k": V("two")})
    await backend.recover(path)
    assert (await backend.get(path)).reveal() == b"one"
    assert await backend.set(path, {"k": V("two")}) == 2


async def test_delete_of_a_missing_secret_is_not_found(backend: AzureKeyVaultBackend, folder: str) -> None:
    with pytest.raises(dq.SecretNotFound):
        await backend.delete(f"{folder}/never")
    with pytest.raises(dq.SecretNotFound):
        await backend.recover(f"{folder}/never")


async def test_secrets_other_tools_wrote_are_read_as_one_value(
    kv: KeyVaultTestServer, backend: AzureKeyVaultBackend, folder: str
) -> None:
    kv.state.put("LegacyDbPassword", {"value": "from-the-portal"})
    assert (await backend.get("legacydbpassword")).reveal() == b"from-the-portal"
    assert "legacydbpassword" in await backend.list("")
    with pytest.raises(dq.SecretNotFound, match="one unnamed value") as info:
        await backend.get("legacydbpassword", field="password")
    assert info.value.reason == "field"
    assert await backend.set("legacydbpassword", {"k": V("dq")}) == 2, "numbering counts foreign versions"


async def test_names_on_the_wire_are_the_documented_encoding(
    kv: KeyVaultTestServer, backend: AzureKeyVaultBackend, folder: str
) -> None:
    await backend.set(f"{folder}/DB_url", {"k": V("x")})
    assert path_to_name(f"{folder}/DB_url") in kv.state.secrets
    assert any(r.path == f"/secrets/{path_to_name(folder + '/DB_url')}" for r in kv.state.requests)
