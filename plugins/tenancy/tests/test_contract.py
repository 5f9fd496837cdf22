"""Every resolver through dq-contract-tests' TenantResolverContract.

The contract carries its tenant in ``X-Tenant-ID``. The header resolver and the composites
(header first, then every other kind, so arbitrary hosts, paths and Authorization headers
reach the subdomain, path and JWT resolvers too) run all of it. The subdomain, path and JWT
resolvers cannot read that header, so on their own they run the tests that hold for any
resolver -- protocol, no-crash on arbitrary requests, determinism, no default tenant -- and
the header-specific tests are skipped with that reason (their own rules are pinned in
test_resolvers.py and test_jwt.py).
"""

from __future__ import annotations

from typing import Any

import dq
import pytest

pytest.importorskip("dq_contract", reason="dq-contract-tests is not installed")

from conftest import AUDIENCE, HS_SECRET, ISSUER  # noqa: E402
from dq_contract.tenant import TenantResolverContract  # noqa: E402
from dq_tenancy import (  # noqa: E402
    CompositeConfig,
    HeaderResolver,
    JwtConfig,
    JwtResolver,
    PathResolver,
    SubdomainConfig,
    SubdomainResolver,
    build_resolver,
)

JWT = {"type": "jwt", "issuer": ISSUER, "audience": AUDIENCE, "hs256_secret": HS_SECRET}
# A base domain the contract's hosts (acme.example.com, arbitrary text) never fall under.
SUBDOMAIN = {"type": "subdomain", "base_domain": "tenants.test"}


class TestHeader(TenantResolverContract):
    @pytest.fixture
    def tenant_resolver(self) -> Any:
        return HeaderResolver()


class TestCompositeFirst(TenantResolverContract):
    @pytest.fixture
    def tenant_resolver(self) -> Any:
        resolvers = [{"type": "header"}, SUBDOMAIN, {"type": "path"}, JWT]
        return build_resolver(dq.structure({"resolvers": resolvers}, CompositeConfig))


class TestCompositeAgree(TenantResolverContract):
    """Agree mode consults every source, so the path resolver (which refuses any path with
    '..' or a backslash, and the contract's paths are arbitrary text) is left out here."""

    @pytest.fixture
    def tenant_resolver(self) -> Any:
        config = {"mode": "agree", "resolvers": [{"type": "header"}, SUBDOMAIN, JWT]}
        return build_resolver(dq.structure(config, CompositeConfig))


_NOT_A_HEADER_RESOLVER = "this resolver does not read X-Tenant-ID; its own tests pin its rules"
_HEADER_TESTS = (
    "test_a_valid_tenant_id_resolves_to_exactly_that_id",
    "test_the_header_name_is_matched_case_insensitively",
    "test_other_request_facts_do_not_change_the_tenant",
    "test_a_repeated_tenant_header_is_rejected",
    "test_a_comma_joined_tenant_header_is_rejected",
    "test_a_value_that_is_not_exactly_a_tenant_id_is_rejected_not_repaired",
    "test_case_variants_never_alias_another_tenant",
    "test_a_huge_value_is_rejected_with_a_bounded_message",
)


def _skipped(name: str) -> Any:
    def test(self: Any) -> None:
        pytest.skip(_NOT_A_HEADER_RESOLVER)

    test.__name__ = name
    return test


class _OtherSource(TenantResolverContract):
    locals().update({name: _skipped(name) for name in _HEADER_TESTS})


class TestSubdomain(_OtherSource):
    @pytest.fixture
    def tenant_resolver(self) -> Any:
        return SubdomainResolver(SubdomainConfig(base_domain="tenants.test"))


class TestPath(_OtherSource):
    @pytest.fixture
    def tenant_resolver(self) -> Any:
        return PathResolver()


class TestJwt(_OtherSource):
    @pytest.fixture
    def tenant_resolver(self) -> Any:
        return JwtResolver(
            JwtConfig(issuer=ISSUER, audience=AUDIENCE, hs256_secret=dq.SecretValue(HS_SECRET))
        )
