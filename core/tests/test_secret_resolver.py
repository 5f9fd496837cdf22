"""The [secrets] table and SecretResolver: references in config values become SecretValues.

Backends are built through a real Host from the file-backed store plugin, exactly as a
suite run builds them.
"""

from __future__ import annotations

from typing import Any

import anyio
import dq
import pytest
from dq.secrets._config import merge_secrets_tables
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.anyio

ACME = dq.TenantId("acme")


@pytest.fixture
def host(secret_site: Any) -> Any:
    return secret_site.host()


def config_for(secret_site: Any, **extra: Any) -> dq.SecretsConfig:
    table = {
        "backends": {
            "vault": {"type": "file", "path": str(secret_site.store), "deny": ["tenants/acme/hr"]},
            "shared": {"type": "file", "tenant_scoped": False, "path": str(secret_site.store)},
        },
        **extra,
    }
    return dq.secrets_config(table, "suite.toml: secrets")


@pytest.fixture
def seeded(host: Any, secret_site: Any) -> dq.SecretResolver:
    """A resolver over a store holding two tenants' secrets and one shared one.

    Seeded synchronously (its own event loop) so sync tests can use it too."""
    store = host.component("secrets", "file", {"path": str(secret_site.store)})

    async def seed() -> None:
        await store.set(
            "tenants/acme/db", {"user": dq.SecretValue("app"), "password": dq.SecretValue("pw-a")}
        )
        await store.set("tenants/globex/db", {"password": dq.SecretValue("pw-g")})
        await store.set("slack", {"url": dq.SecretValue("https://hooks.example/T0/B0/xyz")})
        await store.set("tenants/acme/host", {"v": dq.SecretValue("db.acme.internal")})

    anyio.run(seed)
    return dq.SecretResolver(host, config_for(secret_site), tenant=ACME, actor="test")


# -- the [secrets] table ---------------------------------------------------------------------


def test_a_full_table_is_read_with_backend_options_kept_apart() -> None:
    config = dq.secrets_config(
        {
            "cache_ttl": 30,
            "tenant_prefix": "orgs/{tenant}",
            "backends": {
                "vault": {"address": "http://127.0.0.1:8200", "tenant_scoped": False},
                "local": {"type": "file", "path": "/tmp/x.json"},
            },
        },
        "dq.toml: secrets",
    )
    assert config.cache_ttl == 30.0 and config.tenant_prefix == "orgs/{tenant}"
    vault, local = config.backends["vault"], config.backends["local"]
    assert (vault.type, vault.tenant_scoped, vault.options) == (
        "vault",
        False,
        {"address": "http://127.0.0.1:8200"},
    )
    assert (local.type, local.tenant_scoped, local.options) == (
        "file",
        True,
        {"path": "/tmp/x.json"},
    )


def test_an_empty_table_means_defaults_and_no_backends() -> None:
    config = dq.secrets_config({}, "x")
    assert (config.cache_ttl, config.cache_size, config.backends) == (300.0, 1024, {})
    assert dq.secrets_config(None, "x") == config


def test_every_problem_is_reported_at_its_path_at_once() -> None:
    with pytest.raises(dq.ConfigError) as info:
        dq.secrets_config(
            {
                "cache_ttl": -1,
                "cache_size": 0,
                "tenant_prefix": "tenants",
                "backends": {
                    "vault": {"tenant_scoped": "yes"},
                    "Bad Name": {},
                    "ok": {"type": 5},
                    "flat": "vault",
                },
            },
            "suite.toml: secrets",
        )
    assert info.value.source == "suite.toml: secrets"
    problems = "\n".join(info.value.problems)
    assert "cache_ttl: must be >= 0" in problems
    assert "cache_size: must be >= 1" in problems
    assert "tenant_prefix: 'tenants' must contain '{tenant}' exactly once" in problems
    assert "backends.vault.tenant_scoped: expected bool" in problems
    assert "backends.Bad Name: backend names are lowercase" in problems
    assert "backends.ok.type: expected str" in problems
    assert "backends.flat: expected a table, got str" in problems


@pytest.mark.parametrize(
    "prefix", ["{tenant}{tenant}", "t/{tenant}x", "../{tenant}", "/t/{tenant}", "a//{tenant}"]
)
def test_a_prefix_that_could_merge_tenants_or_escape_is_refused(prefix: str) -> None:
    with pytest.raises(dq.ConfigError, match="tenant_prefix"):
        dq.secrets_config({"tenant_prefix": prefix}, "x")


def test_backends_that_is_not_a_table_is_refused_plainly() -> None:
    with pytest.raises(dq.ConfigError, match="backends: expected a table of"):
        dq.secrets_config({"backends": ["vault"]}, "x")


def test_unknown_top_level_keys_are_refused() -> None:
    with pytest.raises(dq.ConfigError, match="unknown field 'cache_tll'"):
        dq.secrets_config({"cache_tll": 5}, "x")


def test_a_suite_table_lays_over_the_site_table_backend_by_backend() -> None:
    site = {"cache_ttl": 60, "backends": {"vault": {"address": "a", "token": "t"}, "env": {}}}
    suite = {"cache_ttl": 0, "backends": {"vault": {"address": "b"}}}
    merged = merge_secrets_tables(site, suite)
    assert merged == {"cache_ttl": 0, "backends": {"vault": {"address": "b"}, "env": {}}}
    assert site["backends"]["vault"] == {"address": "a", "token": "t"}  # inputs untouched


# -- resolving ------------------------------------------------------------------------------


async def test_a_reference_reads_the_tenants_own_secret(seeded) -> None:
    value = await seeded.get(dq.SecretRef.parse("${secret:vault:db#password}"))
    assert value.reveal() == b"pw-a"
    assert (await seeded.get("${secret:vault:db#user}")).reveal() == b"app"


async def test_the_same_reference_reads_another_tenants_secret_under_that_tenant(
    seeded, host, secret_site
) -> None:
    globex = dq.SecretResolver(host, config_for(secret_site), tenant=dq.TenantId("globex"))
    assert (await globex.get("${secret:vault:db#password}")).reveal() == b"pw-g"


async def test_a_shared_backend_is_not_prefixed(seeded) -> None:
    assert (await seeded.get("${secret:shared:slack#url}")).reveal_text().startswith("https://")


async def test_an_unknown_backend_names_it_and_the_configured_ones(seeded) -> None:
    with pytest.raises(dq.ConfigError) as info:
        await seeded.get("${secret:valt:db#password}")
    (problem,) = info.value.problems
    assert "'valt'" in problem and "configured: shared, vault" in problem
    assert "[secrets.backends.valt]" in problem


async def test_a_denial_is_raised_and_never_falls_through(seeded, secret_site) -> None:
    io = secret_site.module().IO
    before = len(io)
    with pytest.raises(dq.SecretAccessDenied):
        await seeded.get("${secret:vault:hr/payroll#key}")
    assert len(io) == before  # and nothing else was asked in its place


async def test_each_backend_is_built_once_and_wrapped(seeded) -> None:
    backend = seeded.backend("vault")
    assert backend is seeded.backend("vault")
    assert isinstance(backend, dq.AuditedSecretBackend)
    assert isinstance(backend.inner, dq.TenantScopedBackend)
    assert isinstance(backend.inner.inner, dq.CachedSecretBackend)


async def test_cache_ttl_zero_leaves_the_cache_out(host, secret_site) -> None:
    resolver = dq.SecretResolver(host, config_for(secret_site, cache_ttl=0), tenant=ACME)
    assert not isinstance(resolver.backend("vault").inner.inner, dq.CachedSecretBackend)


async def test_resolve_tree_replaces_references_and_names_nothing_else(seeded) -> None:
    tree = {
        "notify": {
            "channels": {
                "oncall": {
                    "url": "${secret:shared:slack#url}",
                    "retries": 3,
                    "tags": ["db", "${secret:vault:db#user}"],
                }
            }
        },
        "dsn": "postgres://${secret:vault:db#user}:${secret:vault:db#password}@${secret:vault:host}/x",
        "plain": "no references here",
        "pair": ("${secret:vault:db#user}", None),
    }
    resolved = await seeded.resolve_tree(tree)
    oncall = resolved["notify"]["channels"]["oncall"]
    assert isinstance(oncall["url"], dq.SecretValue)
    assert oncall["url"].reveal() == b"https://hooks.example/T0/B0/xyz"
    assert oncall["retries"] == 3 and oncall["tags"][0] == "db"
    assert oncall["tags"][1].reveal() == b"app"
    assert isinstance(resolved["dsn"], dq.SecretValue)
    assert resolved["dsn"].reveal() == b"postgres://app:pw-a@db.acme.internal/x"
    assert resolved["plain"] == "no references here"
    assert resolved["pair"][0].reveal() == b"app" and resolved["pair"][1] is None
    assert tree["plain"] == "no references here" and isinstance(tree["dsn"], str)
    assert "pw-a" not in repr(resolved)


async def test_resolve_tree_reads_each_reference_once(seeded, secret_site) -> None:
    io = secret_site.module().IO
    tree = {"a": "${secret:vault:db#user}", "b": ["${secret:vault:db#user}"] * 5}
    before = len(io)
    await seeded.resolve_tree(tree)
    assert len(io) - before == 1


async def test_a_missing_secret_names_the_config_path_and_keeps_its_class(seeded) -> None:
    tree = {"notify": {"channels": {"oncall": {"url": "${secret:vault:nope#url}"}}}}
    with pytest.raises(dq.SecretNotFound) as info:
        await seeded.resolve_tree(tree)
    message = str(info.value)
    assert message.startswith("notify.channels.oncall.url: ${secret:vault:nope#url}: ")
    assert info.value.reason == "missing"


async def test_a_denial_inside_a_tree_is_still_a_denial(seeded) -> None:
    with pytest.raises(dq.SecretAccessDenied, match=r"^channels\[1\]: "):
        await seeded.resolve_tree({"channels": ["x", "${secret:vault:hr/x}"]})


async def test_a_traversal_inside_a_tree_is_refused_with_its_path(seeded) -> None:
    with pytest.raises(dq.InvalidSecretPath, match="^engine.token: "):
        await seeded.resolve_tree({"engine": {"token": "${secret:vault:../globex/db#password}"}})


@pytest.mark.parametrize(
    "text",
    [
        "${secret:Vault:db}",
        "${secret:vault}",
        "prefix ${secret:vault:db#f@x} suffix",
        "${secret:vault:db",
        "${secret:}",
    ],
)
async def test_a_malformed_reference_is_a_config_error_at_its_path(seeded, text: str) -> None:
    with pytest.raises(dq.ConfigError) as info:
        await seeded.resolve_tree({"output": {"token": text}})
    assert info.value.problems[0].startswith("output.token: ")
    assert "not a valid secret reference" in info.value.problems[0]


def test_resolve_tree_sync_works_from_plain_code(seeded) -> None:
    resolved = seeded.resolve_tree_sync({"pw": "${secret:vault:db#password}"})
    assert resolved["pw"].reveal() == b"pw-a"


async def test_resolve_tree_sync_also_works_inside_a_running_event_loop(seeded) -> None:
    """A sync entry point (dq.run_suite) called from async code must not break on secrets."""
    resolved = seeded.resolve_tree_sync({"pw": "${secret:vault:db#password}"})
    assert resolved["pw"].reveal() == b"pw-a"


async def test_the_resolver_follows_the_bound_tenant_when_none_is_pinned(
    seeded, host, secret_site
) -> None:
    resolver = dq.SecretResolver(host, config_for(secret_site))
    with dq.tenant_scope("globex"):
        assert (await resolver.get("${secret:vault:db#password}")).reveal() == b"pw-g"
    with dq.tenant_scope("acme"):
        assert (await resolver.get("${secret:vault:db#password}")).reveal() == b"pw-a"
    with pytest.raises(dq.UsageError, match="no tenant is bound"):
        await resolver.get("${secret:vault:db#password}")


async def test_a_backend_that_breaks_its_contract_is_a_plugin_error_without_its_message(
    host, secret_site, monkeypatch
) -> None:
    resolver = dq.SecretResolver(host, config_for(secret_site), tenant=ACME)
    raw = resolver.backend("vault").inner.inner.inner.inner  # audit>scope>cache>guard>raw

    async def broken(path: str, **_kw: Any) -> Any:
        raise RuntimeError("token hvs.LEAKED-IN-A-BUG")

    monkeypatch.setattr(raw, "get", broken)
    with pytest.raises(dq.PluginError) as info:
        await resolver.get("${secret:vault:db#password}")
    assert info.value.distribution == "dq-filesecrets"
    assert "RuntimeError" in str(info.value) and "LEAKED" not in str(info.value)


# -- the converter: secrets only land in secret fields ----------------------------------------


async def test_a_resolved_tree_structures_into_a_secret_field(seeded, host, secret_site) -> None:
    resolved = await seeded.resolve_tree(
        {"path": str(secret_site.store), "token": "${secret:vault:db#password}"}
    )
    store = host.component("secrets", "file", resolved)
    assert store.config.token.reveal() == b"pw-a"


async def test_a_secret_handed_to_a_plain_field_is_refused_naming_the_field(
    seeded, host, secret_site
) -> None:
    resolved = await seeded.resolve_tree({"path": "${secret:vault:db#password}"})
    with pytest.raises(dq.ConfigError) as info:
        host.component("secrets", "file", resolved)
    (problem,) = info.value.problems
    assert problem.startswith("path: holds a secret reference but is not a secret field")
    assert "pw-a" not in str(info.value)


def test_an_unresolved_reference_is_refused_by_a_secret_field(host, secret_site) -> None:
    with pytest.raises(dq.ConfigError, match="token: holds an unresolved secret reference"):
        host.component("secrets", "file", {"path": "x", "token": "${secret:vault:db#password}"})


def test_a_literal_secret_still_structures_into_a_secret_field(host) -> None:
    store = host.component("secrets", "file", {"path": "x", "token": "literal-token"})
    assert store.config.token.reveal_text() == "literal-token"


@given(st.text(max_size=40).filter(lambda t: "${secret:" not in t))
def test_strings_without_references_come_back_unchanged(text: str) -> None:
    class NoHost:  # the walk must not touch a backend when there is nothing to resolve
        pass

    resolver = dq.SecretResolver(NoHost(), dq.secrets_config({}, "x"))  # type: ignore[arg-type]
    assert resolver.resolve_tree_sync({"k": [text]}) == {"k": [text]}


@pytest.mark.parametrize(
    ("site", "suite", "expected"),
    [
        (None, None, None),
        ({"cache_ttl": 5}, None, {"cache_ttl": 5}),
        (None, {"cache_ttl": 5}, {"cache_ttl": 5}),
        ({"backends": 5}, {"backends": {"v": {}}}, {"backends": {"v": {}}}),
        ({"backends": {"v": {}}}, {"backends": "oops"}, {"backends": "oops"}),
    ],
)
def test_merging_odd_tables_never_crashes_and_leaves_the_fault_to_report(
    site: Any, suite: Any, expected: Any
) -> None:
    merged = merge_secrets_tables(site, suite)
    assert merged == expected
    if merged is not None and merged.get("backends") == "oops":
        with pytest.raises(dq.ConfigError, match="backends"):
            dq.secrets_config(merged, "x")
