"""TenantScopedBackend: a tenant reads only its own folder, and no spelling escapes it.

The store underneath is the real file-backed plugin (tests/plugin_zoo.py), so "what
reached storage" is read from its own I/O log, not from a double of the wrapper.
"""

from __future__ import annotations

import string
from typing import Any

import dq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.anyio

ACME = dq.TenantId("acme")
GLOBEX = dq.TenantId("globex")


@pytest.fixture
def store(secret_site: Any) -> Any:
    return secret_site.host().component("secrets", "file", {"path": str(secret_site.store)})


@pytest.fixture
def io(secret_site: Any, store: Any) -> list[tuple[str, str]]:
    return secret_site.module().IO


def scoped(store: Any, tenant: dq.TenantId | None = ACME, **kw: Any) -> dq.TenantScopedBackend:
    return dq.TenantScopedBackend(store, backend="file", tenant=tenant, **kw)


async def test_a_tenant_path_is_placed_under_its_folder(store, io) -> None:
    backend = scoped(store)
    assert await backend.set("db", {"password": dq.SecretValue("pw-acme")}) == 1
    assert io == [("set", "tenants/acme/db")]
    assert (await store.get("tenants/acme/db", field="password")).reveal() == b"pw-acme"
    assert (await backend.get("db", field="password")).reveal() == b"pw-acme"


async def test_two_tenants_read_different_secrets_under_the_same_name(store) -> None:
    await store.set("tenants/acme/db", {"v": dq.SecretValue("a")})
    await store.set("tenants/globex/db", {"v": dq.SecretValue("g")})
    assert (await scoped(store, ACME).get("db")).reveal() == b"a"
    assert (await scoped(store, GLOBEX).get("db")).reveal() == b"g"


async def test_another_tenants_full_path_stays_inside_the_callers_folder(store, io) -> None:
    await store.set("tenants/globex/db", {"v": dq.SecretValue("globex-only")})
    with pytest.raises(dq.SecretNotFound):
        await scoped(store, ACME).get("tenants/globex/db")
    assert io[-1] == ("get", "tenants/acme/tenants/globex/db")


async def test_without_a_tenant_a_scoped_backend_fails_closed_before_any_io(store, io) -> None:
    with pytest.raises(dq.UsageError, match="tenant-scoped but no tenant is bound") as info:
        await scoped(store, None).get("db")
    assert "tenant_scoped = false" in str(info.value)
    assert io == []


async def test_an_unpinned_backend_follows_the_tenant_bound_at_access_time(store, io) -> None:
    backend = scoped(store, None)
    await store.set("tenants/acme/k", {"v": dq.SecretValue("a")})
    await store.set("tenants/globex/k", {"v": dq.SecretValue("g")})
    with dq.tenant_scope("acme"):
        assert (await backend.get("k")).reveal() == b"a"
    with dq.tenant_scope("globex"):
        assert (await backend.get("k")).reveal() == b"g"


async def test_a_shared_store_validates_but_does_not_prefix(store, io) -> None:
    backend = scoped(store, None, scoped=False)
    await backend.set("slack/webhook", {"url": dq.SecretValue("x")})
    assert io == [("set", "slack/webhook")]
    with pytest.raises(dq.InvalidSecretPath):
        await backend.get("slack/../db")
    assert len(io) == 1


async def test_list_shows_names_inside_the_tenants_folder_only(store) -> None:
    await store.set("tenants/acme/db/main", {"v": dq.SecretValue("1")})
    await store.set("tenants/acme/api", {"v": dq.SecretValue("2")})
    await store.set("tenants/globex/secret", {"v": dq.SecretValue("3")})
    backend = scoped(store)
    assert await backend.list() == ["api", "db/"]
    assert await backend.list("db/") == ["main"]
    assert await scoped(store, GLOBEX).list("") == ["secret"]


async def test_delete_and_exists_are_scoped_too(store, io) -> None:
    backend = scoped(store)
    await backend.set("gone", {"v": dq.SecretValue("1")})
    assert await backend.exists("gone")
    await backend.delete("gone")
    assert not await backend.exists("gone")
    assert {path for _, path in io} == {"tenants/acme/gone"}


def test_a_prefix_without_a_tenant_segment_is_refused(store) -> None:
    with pytest.raises(dq.UsageError, match="'\\{tenant\\}' once"):
        dq.TenantScopedBackend(store, tenant=ACME, prefix="tenants")


async def test_a_custom_prefix_is_honoured(store, io) -> None:
    await scoped(store, prefix="orgs/{tenant}/kv").set("db", {"v": dq.SecretValue("1")})
    assert io == [("set", "orgs/acme/kv/db")]


# -- no spelling reaches another tenant's path ----------------------------------------------

HOSTILE_PIECES = [
    "..",
    ".",
    "%2e%2e",
    "%2E%2E",
    "%2f",
    "/",
    "//",
    "\\",
    "tenants",
    "globex",
    "acme",
    "..\u2215",
    "\u2024\u2024",
    "\uff0e\uff0e",
    "\x00",
    "\n",
    "\t",
    " ",
    "~",
    "*",
    "?",
    "#",
    "db",
]
hostile = st.lists(
    st.sampled_from(HOSTILE_PIECES)
    | st.text(alphabet=string.printable + "\u00e9\u2215", max_size=6),
    max_size=8,
).map("".join)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=hostile)
@example(path="../globex/db")
@example(path="tenants/globex/db")
@example(path="/tenants/globex/db")
@example(path="%2e%2e/globex/db")
@example(path="db/../../globex/db")
@example(path="db//../globex")
@example(path="..\\globex\\db")
@example(path="\u2025/globex")
async def test_no_spelling_leaves_the_tenants_folder(store, io, path: str) -> None:
    io.clear()
    try:
        await scoped(store, ACME).get(path)
    except dq.InvalidSecretPath:
        assert io == [], f"{path!r} was refused only after reaching storage"
        return
    except dq.SecretNotFound:
        pass
    assert len(io) == 1
    reached = io[0][1]
    assert reached.startswith("tenants/acme/"), reached
    assert dq.validate_secret_path(reached) == reached
    assert ".." not in reached.split("/")
