"""The installed plugin as dq uses it: entry point, strict config, resolver and tenant scope."""

from __future__ import annotations

import dq
import pytest
from dq_env import EnvBackend

pytestmark = pytest.mark.anyio


def resolver(table: dict, tenant: str | None = None) -> dq.SecretResolver:
    config = dq.secrets_config(table, "dq.toml")
    return dq.SecretResolver(dq.Host(dq.discover()), config, tenant=tenant)


def test_the_entry_point_builds_the_backend_from_its_config() -> None:
    backend = dq.Host(dq.discover()).component("secrets", "env", {"prefix": "CI_"})
    assert isinstance(backend, EnvBackend)
    assert backend.prefix == "CI_"


@pytest.mark.parametrize(
    ("table", "problem"),
    [({"prefix": "lower_"}, "prefix"), ({"prefix": "DQ_", "extra": 1}, "extra")],
)
def test_bad_config_is_one_clear_error_at_its_key(table: dict, problem: str) -> None:
    with pytest.raises(dq.DqError) as info:
        dq.Host(dq.discover()).component("secrets", "env", table)
    assert problem in str(info.value)


async def test_a_reference_resolves_under_the_tenant_from_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DQ_SECRET_TENANTS__ACME__WAREHOUSE", '{"password": "acme-pw"}')
    monkeypatch.setenv("DQ_SECRET_TENANTS__GLOBEX__WAREHOUSE", '{"password": "globex-pw"}')
    secrets = resolver({"backends": {"env": {}}}, tenant="acme")
    got = await secrets.get("${secret:env:warehouse#password}")
    assert got.reveal_text() == "acme-pw"
    with pytest.raises(dq.InvalidSecretPath):
        await secrets.get("${secret:env:../globex/warehouse#password}")


async def test_a_chain_falls_through_env_not_found_but_stops_on_a_refused_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI_DB", "from-ci")
    monkeypatch.setenv("DQ_SECRET_DB", "from-default")
    table = {
        "backends": {
            "ci": {"type": "env", "prefix": "CI_", "tenant_scoped": False},
            "env": {"tenant_scoped": False},
        },
        "chains": {"both": ["ci", "env"]},
    }
    secrets = resolver(table)
    assert (await secrets.get("${secret:both:db}")).reveal_text() == "from-ci"
    monkeypatch.delenv("CI_DB")
    secrets = resolver(table)
    assert (await secrets.get("${secret:both:db}")).reveal_text() == "from-default"
