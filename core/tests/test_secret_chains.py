"""Chains of secret backends: not-found falls through, denied and unavailable never do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import dq
import pytest

ACME = dq.TenantId("acme")


def chain_resolver(secret_site: Any, tmp_path: Path, **first: Any) -> dq.SecretResolver:
    """``ci`` = [first, second]: two file stores; ``first`` may deny or be down."""
    host = secret_site.host()
    near, far = tmp_path / "near.json", tmp_path / "far.json"
    stores = {
        "near": host.component("secrets", "file", {"path": str(near)}),
        "far": host.component("secrets", "file", {"path": str(far)}),
    }

    async def seed() -> None:
        await stores["near"].set("tenants/acme/db", {"password": dq.SecretValue("near-pw")})
        await stores["far"].set("tenants/acme/db", {"password": dq.SecretValue("far-pw")})
        await stores["far"].set("tenants/acme/only-far", {"password": dq.SecretValue("far-only")})

    anyio.run(seed)
    table = {
        "backends": {
            "first": {"type": "file", "path": str(near), **first},
            "second": {"type": "file", "path": str(far)},
        },
        "chains": {"ci": ["first", "second"]},
    }
    config = dq.secrets_config(table, "suite.toml: secrets")
    return dq.SecretResolver(host, config, tenant=ACME, actor="test")


def read(resolver: dq.SecretResolver, ref: str) -> str:
    return anyio.run(resolver.get, ref).reveal().decode()


def test_the_first_backend_that_has_the_secret_answers(secret_site, tmp_path) -> None:
    assert read(chain_resolver(secret_site, tmp_path), "${secret:ci:db#password}") == "near-pw"


def test_not_found_falls_through_to_the_next_backend(secret_site, tmp_path) -> None:
    resolver = chain_resolver(secret_site, tmp_path)
    assert read(resolver, "${secret:ci:only-far#password}") == "far-only"


def test_not_found_everywhere_names_the_chain_and_what_was_tried(secret_site, tmp_path) -> None:
    with pytest.raises(dq.SecretNotFound, match=r"chain 'ci' \(tried first, second\)"):
        read(chain_resolver(secret_site, tmp_path), "${secret:ci:nowhere#password}")


def test_a_denial_stops_the_chain_and_names_the_backend(secret_site, tmp_path) -> None:
    resolver = chain_resolver(secret_site, tmp_path, deny=["tenants/acme/db"])
    with pytest.raises(dq.SecretAccessDenied, match="chain 'ci' stopped at backend 'first'"):
        read(resolver, "${secret:ci:db#password}")


def test_an_unavailable_backend_stops_the_chain(secret_site, tmp_path) -> None:
    resolver = chain_resolver(secret_site, tmp_path, down=True)
    with pytest.raises(dq.SecretBackendUnavailable, match="stopped at backend 'first'"):
        read(resolver, "${secret:ci:only-far#password}")


def test_a_chain_cannot_be_written_through(secret_site, tmp_path) -> None:
    with pytest.raises(dq.UsageError, match="'ci' is a chain of secret backends"):
        chain_resolver(secret_site, tmp_path).backend("ci")


@pytest.mark.parametrize(
    ("chains", "problem"),
    [
        ({"first": ["first", "second"]}, "chains.first: 'first' is already a backend"),
        ({"ci": ["first"]}, "chains.ci: list two or more different backends"),
        ({"ci": ["first", "first"]}, "chains.ci: list two or more different backends"),
        ({"ci": ["first", "nope"]}, "chains.ci: 'nope' is not a configured backend"),
    ],
)
def test_bad_chains_are_config_errors_at_their_path(chains, problem) -> None:
    table = {"backends": {"first": {"type": "file", "path": "a"}, "second": {"path": "b"}}}
    with pytest.raises(dq.ConfigError) as err:
        dq.secrets_config({**table, "chains": chains}, "dq.toml: secrets")
    assert any(problem in p for p in err.value.problems), err.value.problems


def test_a_suite_chain_replaces_the_sites_chain_of_that_name() -> None:
    from dq.secrets._config import merge_secrets_tables

    merged = merge_secrets_tables(
        {"chains": {"ci": ["a", "b"], "other": ["a", "c"]}}, {"chains": {"ci": ["b", "a"]}}
    )
    assert merged["chains"] == {"ci": ["b", "a"], "other": ["a", "c"]}


# -- references inside a backend's own options (a dq-file key kept in Vault) ------------------


def resolver_with_keyed_backend(secret_site, tmp_path: Path, token: str) -> dq.SecretResolver:
    host = secret_site.host()
    tmp_path.mkdir(exist_ok=True)
    keys = tmp_path / "keys.json"
    store = host.component("secrets", "file", {"path": str(keys)})
    anyio.run(store.set, "main-token", {"value": dq.SecretValue("tok-123456")})
    table = {
        "backends": {
            "keys": {"type": "file", "path": str(keys), "tenant_scoped": False},
            "main": {"type": "file", "path": str(tmp_path / "main.json"), "token": token},
        },
    }
    config = dq.secrets_config(table, "dq.toml: secrets")
    return dq.SecretResolver(host, config, tenant=ACME, actor="test")


def test_a_backends_option_is_read_from_another_backend_first(secret_site, tmp_path) -> None:
    resolver = resolver_with_keyed_backend(secret_site, tmp_path, "${secret:keys:main-token}")
    anyio.run(resolver.abackend, "main")
    (raw,) = [r for r in resolver._raw if "main.json" in repr(r)]
    assert raw.config.token.reveal_text() == "tok-123456"
    with pytest.raises(dq.UsageError, match="build it with 'await resolver.abackend"):
        resolver_with_keyed_backend(secret_site, tmp_path / "x", "${secret:keys:t}").backend("main")


@pytest.mark.parametrize("token", ["${secret:main:own-token}", "prefix-${secret:main:t}"])
def test_a_backend_whose_options_refer_to_itself_is_a_config_error(
    secret_site, tmp_path, token
) -> None:
    resolver = resolver_with_keyed_backend(secret_site, tmp_path, token)
    with pytest.raises(dq.ConfigError) as err:
        anyio.run(resolver.abackend, "main")
    assert "backends.main: its options refer back to it through main -> main" in str(err.value)
