"""Tenant isolation through dq.TenantScopedBackend: under tenant acme, no spelling of a
reference reads globex's secret on the Key Vault."""

from __future__ import annotations

from typing import Any

import dq
import pytest

pytestmark = pytest.mark.anyio

TRICKY = [
    "../globex/db",
    "tenants/globex/db",
    "%2e%2e/globex/db",
    "%2E%2E/globex/db",
    "..%2fglobex/db",
    "a/../../globex/db",
    "./../globex/db",
    "//globex/db",
    "/tenants/globex/db",
    "Globex/db",
    "GLOBEX/DB",
    "\u2024\u2024/globex/db",  # one-dot leaders, look like ..
    "\uff0e\uff0e/globex/db",  # fullwidth dots
    "globex\u2215db",  # division slash
    "glob\u0435x/db",  # Cyrillic e
    "globex/db\x00",
    "\x00../globex/db",
    "globex\\db",
    "..\\globex\\db",
]


@pytest.mark.parametrize("spelling", TRICKY)
async def test_no_spelling_under_acme_reads_globex(make_backend: Any, spelling: str) -> None:
    raw = make_backend()
    await raw.set("tenants/globex/db", {"password": dq.SecretValue("globex-only")})
    acme = dq.TenantScopedBackend(make_backend(), backend="azure", tenant=dq.TenantId("acme"))
    try:
        got = await acme.get(spelling, field="password")
    except (dq.InvalidSecretPath, dq.SecretNotFound):
        return
    assert got.reveal() != b"globex-only", f"{spelling!r} read globex's secret"


async def test_acme_reads_its_own_and_lists_relative_to_its_folder(make_backend: Any) -> None:
    acme = dq.TenantScopedBackend(make_backend(), backend="azure", tenant=dq.TenantId("acme"))
    await acme.set("db", {"password": dq.SecretValue("acme-only")})
    assert (await make_backend().get("tenants/acme/db")).reveal() == b"acme-only"
    assert "db" in await acme.list("")
