"""The whole TenantResolverContract against HeaderTenantResolver: proof it can be passed.

Plus the reference's own choices that the contract leaves open (which status and code a
refusal carries, another header name), pinned here so the reference stays a good example.
"""

from __future__ import annotations

import dq
import pytest
from dq_contract.reference_tenant import HeaderTenantResolver
from dq_contract.tenant import TenantResolverContract, facts


class TestHeaderTenantResolver(TenantResolverContract):
    @pytest.fixture
    def tenant_resolver(self) -> HeaderTenantResolver:
        return HeaderTenantResolver(header="X-Tenant-ID")


class TestDefaultHeader(TenantResolverContract):
    @pytest.fixture
    def tenant_resolver(self) -> HeaderTenantResolver:
        return HeaderTenantResolver()


@pytest.mark.parametrize(
    ("values", "code"),
    [
        (("acme", "evil"), "ambiguous_tenant"),
        (("acme,evil",), "ambiguous_tenant"),
        (("ACME",), "invalid_tenant"),
        ((" acme",), "invalid_tenant"),
    ],
)
def test_refusals_are_400_with_a_code(values: tuple[str, ...], code: str) -> None:
    with pytest.raises(dq.TenantRejected) as raised:
        HeaderTenantResolver().resolve(facts(*values))
    assert (raised.value.status, raised.value.code) == (400, code)


def test_the_message_quotes_an_escaped_excerpt() -> None:
    with pytest.raises(dq.TenantRejected) as raised:
        HeaderTenantResolver().resolve(facts("\x1b[31m" + "x" * 500))
    message = str(raised.value)
    assert "\x1b" not in message and "\\x1b" in message
    assert "(505 characters)" in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_another_header_can_be_configured() -> None:
    resolver = HeaderTenantResolver(header="X-Org")
    assert resolver.resolve(facts("acme", name="x-org")) == dq.TenantId("acme")
    assert resolver.resolve(facts("acme")) is None


@pytest.mark.parametrize("header", ["", "X Tenant", "X-Tenant:", "X-Ténant"])
def test_an_invalid_header_name_is_a_usage_error(header: str) -> None:
    with pytest.raises(dq.UsageError):
        HeaderTenantResolver(header=header)


@pytest.mark.parametrize("value", ["\U000e0001" * 40, "\x00" * 40, "é" * 5000, "\U000e0001"])
def test_the_excerpt_is_bounded_after_escaping(value: str) -> None:
    with pytest.raises(dq.TenantRejected) as raised:
        HeaderTenantResolver().resolve(facts(value))
    assert len(str(raised.value)) <= 200
