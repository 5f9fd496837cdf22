"""KV v2 behaviour against the real OpenBao dev server: versions, cas, delete/undelete/destroy,
list, bytes safety, and what other Vault clients see of what dq wrote."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import anyio
import dq
import pytest
from dq_vault import VaultBackend, VaultConfig
from dq_vault._codec import MARKER
from dq_vault.testing import BaoDevServer

pytestmark = pytest.mark.anyio

V = dq.SecretValue


async def test_roundtrip_of_several_fields_returns_secret_values(
    root_backend: VaultBackend, folder: str
) -> None:
    path = f"{folder}/db"
    version = await root_backend.set(path, {"user": V("app"), "password": V("pa55")})
    assert version == 1
    assert (await root_backend.get(path, field="user")).reveal() == b"app"
    assert (await root_backend.get(path, field="password")).reveal_text() == "pa55"


async def test_text_is_stored_as_plain_text_so_other_clients_read_it(
    root_backend: VaultBackend, bao: BaoDevServer, folder: str
) -> None:
    await root_backend.set(f"{folder}/plain", {"k": V("hello wörld")})
    raw = bao.api("GET", f"secret/data/{folder}/plain")
    assert raw["data"]["data"] == {"k": "hello wörld"}


async def test_bytes_that_are_not_utf8_are_stored_base64_with_the_marker_and_round_trip(
    root_backend: VaultBackend, bao: BaoDevServer, folder: str
) -> None:
    blob = b"\x00\xff\xfe key \x80"
    await root_backend.set(f"{folder}/bin", {"der": V(blob), "tricky": V(MARKER + "abc")})
    raw = bao.api("GET", f"secret/data/{folder}/bin")["data"]["data"]
    assert raw["der"].startswith(MARKER) and raw["tricky"].startswith(MARKER)
    assert (await root_backend.get(f"{folder}/bin", field="der")).reveal() == blob
    assert (await root_backend.get(f"{folder}/bin", field="tricky")).reveal_text() == MARKER + "abc"


async def test_values_written_by_other_tools_as_json_non_strings_read_as_json_text(
    root_backend: VaultBackend, bao: BaoDevServer, folder: str
) -> None:
    bao.api("POST", f"secret/data/{folder}/typed", {"data": {"port": 5432, "on": True}})
    assert (await root_backend.get(f"{folder}/typed", field="port")).reveal() == b"5432"
    assert (await root_backend.get(f"{folder}/typed", field="on")).reveal() == b"true"


async def test_field_none_on_a_multi_field_secret_names_the_fields_but_no_value(
    root_backend: VaultBackend, folder: str
) -> None:
    await root_backend.set(f"{folder}/two", {"user": V("u-canary"), "pw": V("p-canary")})
    with pytest.raises(dq.SecretNotFound) as info:
        await root_backend.get(f"{folder}/two")
    message = str(info.value)
    assert "'pw'" in message and "'user'" in message and "#FIELD" in message
    assert "canary" not in message
    with pytest.raises(dq.SecretNotFound, match="no field 'nope'.*'pw', 'user'"):
        await root_backend.get(f"{folder}/two", field="nope")


async def test_cas_zero_then_cas_n_then_a_stale_cas_is_a_conflict(
    root_backend: VaultBackend, folder: str
) -> None:
    path = f"{folder}/cas"
    assert await root_backend.set(path, {"k": V("a")}, cas=0) == 1
    with pytest.raises(dq.SecretConflict, match="expected the secret absent"):
        await root_backend.set(path, {"k": V("b")}, cas=0)
    assert await root_backend.set(path, {"k": V("b")}, cas=1) == 2
    with pytest.raises(dq.SecretConflict, match=f"{path}.*at version 1"):
        await root_backend.set(path, {"k": V("lost")}, cas=1)
    assert (await root_backend.get(path)).reveal() == b"b"


async def test_old_versions_are_readable_and_versions_reports_metadata(
    root_backend: VaultBackend, folder: str
) -> None:
    path = f"{folder}/rotated"
    for text in ("one", "two", "three"):
        await root_backend.set(path, {"k": V(text)})
    assert (await root_backend.get(path, version=1)).reveal() == b"one"
    assert (await root_backend.get(path, version=3)).reveal() == b"three"
    meta = await root_backend.versions(path)
    assert (meta.path, meta.current_version) == (path, 3)
    assert [v.version for v in meta.versions] == [1, 2, 3]
    assert all(v.live and v.created_time is not None for v in meta.versions)
    assert all(v.created_time.utcoffset() == timedelta(0) for v in meta.versions)  # type: ignore[union-attr]
    with pytest.raises(dq.SecretNotFound) as info:
        await root_backend.get(path, version=9)
    assert info.value.reason == "missing"


async def test_soft_delete_is_not_found_deleted_and_undelete_restores(
    root_backend: VaultBackend, folder: str
) -> None:
    path = f"{folder}/soft"
    await root_backend.set(path, {"k": V("v1")})
    await root_backend.set(path, {"k": V("v2")})
    await root_backend.delete(path)
    with pytest.raises(dq.SecretNotFound, match="deleted.*undelete") as info:
        await root_backend.get(path)
    assert info.value.reason == "deleted"
    assert await root_backend.exists(path) is False
    assert (await root_backend.get(path, version=1)).reveal() == b"v1"  # only the latest went
    meta = await root_backend.versions(path)
    assert meta.versions[-1].deletion_time is not None and not meta.versions[-1].live
    await root_backend.undelete(path, [2])
    assert (await root_backend.get(path)).reveal() == b"v2"
    assert await root_backend.exists(path) is True


async def test_destroy_is_not_found_destroyed_even_after_undelete(
    root_backend: VaultBackend, folder: str
) -> None:
    path = f"{folder}/gone"
    await root_backend.set(path, {"k": V("v1")})
    await root_backend.destroy(path, [1])
    with pytest.raises(dq.SecretNotFound, match="destroyed") as info:
        await root_backend.get(path)
    assert info.value.reason == "destroyed"
    await root_backend.undelete(path, [1])
    with pytest.raises(dq.SecretNotFound) as info:
        await root_backend.get(path, version=1)
    assert info.value.reason == "destroyed"
    assert (await root_backend.versions(path)).versions[0].destroyed is True


async def test_delete_of_a_missing_secret_succeeds_like_vault(
    root_backend: VaultBackend, folder: str
) -> None:
    await root_backend.delete(f"{folder}/never")
    with pytest.raises(dq.SecretNotFound) as info:
        await root_backend.versions(f"{folder}/never")
    assert info.value.reason == "missing"


async def test_list_gives_direct_children_and_folders_with_a_slash(
    root_backend: VaultBackend, folder: str
) -> None:
    for path in ("app/a", "app/b@x+y=z", "app/db/c", "other/d"):
        await root_backend.set(f"{folder}/{path}", {"k": V("x")})
    assert await root_backend.list(f"{folder}/app") == ["a", "b@x+y=z", "db/"]
    assert await root_backend.list(f"{folder}/app/") == ["a", "b@x+y=z", "db/"]
    assert await root_backend.list(folder) == ["app/", "other/"]
    assert await root_backend.list(f"{folder}/nothing-here") == []
    assert "dq-tests/" in await root_backend.list("")
    assert (await root_backend.get(f"{folder}/app/b@x+y=z")).reveal() == b"x"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.get("a/b", version=0), "positive integer"),
        (lambda b: b.set("a/b", {"k": V("x")}, cas=-1), "cas"),
        (lambda b: b.set("a/b", {}), "at least one field"),
        (lambda b: b.destroy("a/b", []), "non-empty list"),
        (lambda b: b.undelete("a/b", [0]), "positive integers"),
    ],
)
async def test_bad_arguments_are_usage_errors_before_any_request(
    make_backend: Any, transport: Any, call: Any, message: str
) -> None:
    with pytest.raises(dq.UsageError, match=message):
        await call(make_backend())
    assert transport.requests == []


async def test_a_plain_str_value_is_refused_by_type_without_showing_it(
    root_backend: VaultBackend, folder: str
) -> None:
    with pytest.raises(TypeError, match="must be a dq.SecretValue, not str") as info:
        await root_backend.set(f"{folder}/typed", {"k": "plain-canary"})  # type: ignore[dict-item]
    assert "plain-canary" not in str(info.value)


def test_one_backend_serves_several_event_loops_as_a_sync_bridge_would(
    bao: BaoDevServer, folder: str
) -> None:
    # No injected transport: the backend's own client must be re-made for each new loop.
    backend = VaultBackend(VaultConfig(address=bao.address, token=V(bao.root_token)))
    path = f"{folder}/bridged"

    async def write() -> int:
        return await backend.set(path, {"k": V("x")})

    async def read() -> bytes:
        return (await backend.get(path)).reveal()

    assert anyio.run(write) == 1
    assert anyio.run(read) == b"x"
    assert anyio.run(read) == b"x"
