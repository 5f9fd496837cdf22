"""The composite resolver: first-match and must-agree, built from config."""

from __future__ import annotations

from typing import Any

import dq
import pytest
from conftest import AUDIENCE, HS_SECRET, ISSUER, Mint, rejection
from dq_tenancy import CompositeConfig, CompositeResolver, HeaderResolver, build_resolver

JWT_ENTRY = {"type": "jwt", "issuer": ISSUER, "audience": AUDIENCE, "hs256_secret": HS_SECRET}


def composite(mode: str) -> Any:
    config = dq.structure(
        {"mode": mode, "resolvers": [{"type": "header"}, JWT_ENTRY]}, CompositeConfig
    )
    return build_resolver(config)


def facts(tenant: str | None = None, token: str | None = None) -> dq.RequestFacts:
    pairs = []
    if tenant is not None:
        pairs.append(("x-tenant-id", tenant))
    if token is not None:
        pairs.append(("authorization", f"Bearer {token}"))
    return dq.RequestFacts(headers=tuple(pairs))


def test_config_structures_into_typed_sub_resolvers() -> None:
    resolver = composite("agree")
    assert isinstance(resolver, CompositeResolver)
    assert [type(r).__name__ for r in resolver.resolvers] == ["HeaderResolver", "JwtResolver"]


def test_first_takes_the_first_resolver_that_names_a_tenant(mint: Mint) -> None:
    resolver = composite("first")
    assert resolver.resolve(facts("acme", mint("HS256", tenant="globex"))) == dq.TenantId("acme")
    assert resolver.resolve(facts(None, mint("HS256", tenant="globex"))) == dq.TenantId("globex")
    assert resolver.resolve(facts()) is None


def test_first_stops_at_a_rejection_before_any_match(mint: Mint) -> None:
    resolver = composite("first")
    exc = rejection(resolver, facts("ACME", mint("HS256")))
    assert exc.code == "tenant_invalid"


def test_agree_accepts_sources_that_name_the_same_tenant(mint: Mint) -> None:
    resolver = composite("agree")
    assert resolver.resolve(facts("acme", mint("HS256", tenant="acme"))) == dq.TenantId("acme")
    assert resolver.resolve(facts("acme")) == dq.TenantId("acme")  # one source: nothing to agree
    assert resolver.resolve(facts()) is None


def test_agree_refuses_sources_that_disagree_with_403(mint: Mint) -> None:
    exc = rejection(composite("agree"), facts("acme", mint("HS256", tenant="globex")))
    assert (exc.status, exc.code) == (403, "tenant_mismatch")


def test_agree_refuses_when_any_source_rejects(mint: Mint) -> None:
    expired = mint("HS256", tenant="acme", exp=1)
    assert rejection(composite("agree"), facts("acme", expired)).code == "token_expired"


def test_an_unknown_mode_or_no_resolvers_is_an_error() -> None:
    with pytest.raises(dq.ConfigError, match="mode"):
        dq.structure({"mode": "any", "resolvers": [{"type": "header"}]}, CompositeConfig)
    with pytest.raises(dq.ConfigError, match="at least one"):
        dq.structure({"resolvers": []}, CompositeConfig)
    with pytest.raises(ValueError, match="mode"):
        CompositeResolver([HeaderResolver()], mode="any")


def test_a_sub_resolver_config_error_names_its_position() -> None:
    bad = {**JWT_ENTRY, "hs256_secret": "short"}
    with pytest.raises(dq.ConfigError, match=r"resolvers\[1\]") as info:
        dq.structure({"resolvers": [{"type": "header"}, bad]}, CompositeConfig)
    assert "short" not in str(info.value)  # the secret is not echoed either
    assert "32 bytes" in str(info.value)
