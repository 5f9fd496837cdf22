"""Header, subdomain and path resolvers: what resolves, what is None, what is refused."""

from __future__ import annotations

from typing import Any

import dq
import pytest
from conftest import rejection
from dq_tenancy import (
    HeaderConfig,
    HeaderResolver,
    PathConfig,
    PathResolver,
    SubdomainConfig,
    SubdomainResolver,
)

# -- header -------------------------------------------------------------------------------


def headers(*pairs: tuple[str, str]) -> dq.RequestFacts:
    return dq.RequestFacts(headers=pairs)


def test_the_header_resolver_reads_x_tenant_id_by_default() -> None:
    assert HeaderResolver().resolve(headers(("x-tenant-id", "acme"))) == dq.TenantId("acme")


def test_the_header_name_is_configurable() -> None:
    resolver = HeaderResolver(HeaderConfig(header="X-Org"))
    assert resolver.resolve(headers(("X-ORG", "acme"))) == dq.TenantId("acme")
    assert resolver.resolve(headers(("x-tenant-id", "acme"))) is None


@pytest.mark.parametrize(
    "pairs",
    [
        (("x-tenant-id", "acme"), ("x-tenant-id", "evil")),
        (("x-tenant-id", "acme"), ("X-Tenant-ID", "acme")),
        (("x-tenant-id", "acme,evil"),),
        (("x-tenant-id", "acme, acme"),),
    ],
)
def test_duplicate_or_comma_joined_headers_are_ambiguous(pairs: Any) -> None:
    exc = rejection(HeaderResolver(), headers(*pairs))
    assert (exc.status, exc.code) == (400, "tenant_ambiguous")


@pytest.mark.parametrize("value", ["ACME", " acme", "acme\r\n", "../x", "%61cme", "", "a" * 64])
def test_a_bad_value_is_invalid_and_never_repaired(value: str) -> None:
    exc = rejection(HeaderResolver(), headers(("x-tenant-id", value)))
    assert (exc.status, exc.code) == (400, "tenant_invalid")


def test_the_allow_list_forbids_other_tenants() -> None:
    resolver = HeaderResolver(HeaderConfig(allowed=["acme", "globex"]))
    assert resolver.resolve(headers(("x-tenant-id", "globex"))) == dq.TenantId("globex")
    exc = rejection(resolver, headers(("x-tenant-id", "initech")))
    assert (exc.status, exc.code) == (403, "tenant_not_allowed")


def test_a_non_ascii_header_name_never_matches() -> None:
    # U+0130 lower()s to 'i' + combining dot; U+212A (Kelvin) to 'k': never the header
    assert HeaderResolver().resolve(headers(("x-tenant-\u0130d", "acme"))) is None


# -- subdomain ----------------------------------------------------------------------------

SUB = SubdomainResolver(SubdomainConfig(base_domain="example.com"))


@pytest.mark.parametrize(
    "host",
    [
        "acme.example.com",
        "ACME.Example.COM",
        "acme.example.com:8443",
        "acme.example.com.",
        "acme.example.com.:443",
    ],
)
def test_a_host_one_label_under_the_base_domain_resolves(host: str) -> None:
    assert SUB.resolve(dq.RequestFacts(host=host)) == dq.TenantId("acme")


@pytest.mark.parametrize(
    "host",
    [
        "",
        "example.com",
        "example.com.",
        "evilexample.com",
        "acme.evilexample.com",
        "acme.example.com.evil.io",
        "acme.example.co",
        "acme.example.com..",  # two trailing dots: not the same name
        "127.0.0.1",
        "127.0.0.1:8080",
        "[::1]:8080",
        "[2001:db8::1]",
        "acme.exampl\u0435.com",  # Cyrillic 'е': a look-alike, not our domain
        "acme.example.com\u3002",  # ideographic full stop
    ],
)
def test_hosts_outside_the_base_domain_are_none(host: str) -> None:
    assert SUB.resolve(dq.RequestFacts(host=host)) is None


@pytest.mark.parametrize(
    ("host", "code"),
    [
        ("a.b.example.com", "tenant_invalid"),
        (".example.com", "tenant_invalid"),
        ("..example.com", "tenant_invalid"),
        ("acme_x.example.com", "tenant_invalid"),
        ("-acme.example.com", "tenant_invalid"),
        ("\u212acme.example.com", "tenant_invalid"),  # Kelvin sign is not folded to 'k'
        ("acme.example.com:", "host_invalid"),
        ("acme.example.com:http", "host_invalid"),
        ("acme.example.com:123456", "host_invalid"),
        ("user@acme.example.com", "tenant_invalid"),
    ],
)
def test_a_host_under_the_base_domain_that_names_no_single_label_is_refused(
    host: str, code: str
) -> None:
    exc = rejection(SUB, dq.RequestFacts(host=host))
    assert (exc.status, exc.code) == (400, code)


def test_the_subdomain_allow_list() -> None:
    resolver = SubdomainResolver(SubdomainConfig(base_domain="example.com", allowed=["acme"]))
    assert rejection(resolver, dq.RequestFacts(host="evil.example.com")).status == 403


def test_the_tenant_header_is_ignored_by_the_subdomain_resolver() -> None:
    facts = dq.RequestFacts(host="acme.example.com", headers=(("x-tenant-id", "evil"),))
    assert SUB.resolve(facts) == dq.TenantId("acme")


@pytest.mark.parametrize("base", ["Example.com", "com", "example.com.", "exa mple.com", "1.2.3.4"])
def test_a_bad_base_domain_is_a_config_error(base: str) -> None:
    with pytest.raises(dq.ConfigError, match="base_domain"):
        dq.structure({"base_domain": base}, SubdomainConfig)


# -- path ---------------------------------------------------------------------------------

PATH = PathResolver()


@pytest.mark.parametrize("path", ["/t/acme", "/t/acme/", "/t/acme/checks/1", "/t/acme//x"])
def test_the_segment_after_the_prefix_resolves(path: str) -> None:
    assert PATH.resolve(dq.RequestFacts(path=path)) == dq.TenantId("acme")


@pytest.mark.parametrize("path", ["/", "", "/tx/acme", "/T/acme", "/checks/t/acme", "/api"])
def test_paths_outside_the_prefix_are_none(path: str) -> None:
    assert PATH.resolve(dq.RequestFacts(path=path)) is None


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/t/acme/../evil/x", "path_invalid"),
        ("/t/../t/evil", "path_invalid"),
        ("/x/../t/evil", "path_invalid"),
        ("/t/./acme", "path_invalid"),
        ("/t/acme/..", "path_invalid"),
        ("/t/acme\\..\\evil", "path_invalid"),
        ("/t/acme%2f..%2fevil", "path_invalid"),
        ("/t/%2E%2E/evil", "path_invalid"),
        ("/t/acme%5cx", "path_invalid"),
        ("/t/acme\x00/x", "path_invalid"),
        ("//t/acme", "path_invalid"),
        ("/t", "tenant_invalid"),
        ("/t/", "tenant_invalid"),
        ("/t//acme", "tenant_invalid"),
        ("/t/ACME/x", "tenant_invalid"),
        ("/t/acme.evil/x", "tenant_invalid"),
        ("/t/%61cme/x", "tenant_invalid"),
    ],
)
def test_traversal_encoded_tricks_and_bad_segments_are_refused(path: str, code: str) -> None:
    exc = rejection(PATH, dq.RequestFacts(path=path))
    assert (exc.status, exc.code) == (400, code)


def test_dotted_names_that_are_not_dot_segments_are_fine() -> None:
    assert PATH.resolve(dq.RequestFacts(path="/t/acme/file..txt")) == dq.TenantId("acme")
    assert PATH.resolve(dq.RequestFacts(path="/t/acme/.well-known")) == dq.TenantId("acme")


def test_a_configured_prefix_is_matched_segment_by_segment() -> None:
    resolver = PathResolver(PathConfig(prefix="/api/tenants"))
    assert resolver.resolve(dq.RequestFacts(path="/api/tenants/acme/x")) == dq.TenantId("acme")
    assert resolver.resolve(dq.RequestFacts(path="/api/tenantsx/acme")) is None
    assert resolver.resolve(dq.RequestFacts(path="/t/acme")) is None


def test_mount_prefix_only_when_stripping_and_only_for_the_resolved_tenant() -> None:
    facts = dq.RequestFacts(path="/t/acme/x")
    acme = dq.TenantId("acme")
    assert PathResolver().mount_prefix(facts, acme) is None
    stripping = PathResolver(PathConfig(strip_prefix=True))
    assert stripping.mount_prefix(facts, acme) == "/t/acme"
    assert stripping.mount_prefix(facts, dq.TenantId("evil")) is None
    assert stripping.mount_prefix(dq.RequestFacts(path="/t/acmex"), acme) is None


@pytest.mark.parametrize("prefix", ["t", "/t/", "/", "/t/../x", "/a b", "/%74"])
def test_a_bad_prefix_is_a_config_error(prefix: str) -> None:
    with pytest.raises(dq.ConfigError, match="prefix"):
        dq.structure({"prefix": prefix}, PathConfig)
