"""Each deliberately broken tenant resolver must fail the contract, where it is broken.

As tests/test_broken_engines.py: the contract runs in a nested pytest session (pytester), as
in a plugin's own suite, and we assert the tests in ``must_fail`` failed (the bug is caught
where it should be) and those in ``must_pass`` passed (the failure is specific).
"""

from __future__ import annotations

from collections.abc import Iterator

import broken_tenants  # noqa: F401
import dq  # noqa: F401
import dq.protocols  # noqa: F401

# Imported before any nested session: pytester drops modules first imported inside
# inline_run, and a re-imported dq would bring a second TenantId class.
import dq_contract.reference_tenant  # noqa: F401
import pytest
from broken_harness import fresh_import, run_contract

MODULE = """
import pytest
from dq_contract.tenant import TenantResolverContract
import broken_tenants

class TestBroken(TenantResolverContract):
    @pytest.fixture
    def tenant_resolver(self):
        return broken_tenants.{name}()
"""

ALWAYS_PASS = {"test_satisfies_the_tenant_resolver_protocol"}

CASES: dict[str, dict[str, set[str]]] = {
    "TakesFirstOfDuplicates": {
        "must_fail": {"test_a_repeated_tenant_header_is_rejected"},
        "must_pass": {
            "test_a_valid_tenant_id_resolves_to_exactly_that_id",
            "test_a_comma_joined_tenant_header_is_rejected",
            "test_no_tenant_header_resolves_to_none_not_a_default",
            "test_is_deterministic",
        },
    },
    "ReturnsPlainStr": {
        "must_fail": {
            "test_a_valid_tenant_id_resolves_to_exactly_that_id",
            "test_the_header_name_is_matched_case_insensitively",
            "test_other_request_facts_do_not_change_the_tenant",
            "test_any_request_gives_none_a_valid_tenant_or_a_rejection",
        },
        "must_pass": {
            "test_a_repeated_tenant_header_is_rejected",
            "test_no_tenant_header_resolves_to_none_not_a_default",
        },
    },
    "LowercasesIds": {
        "must_fail": {
            "test_a_value_that_is_not_exactly_a_tenant_id_is_rejected_not_repaired",
            "test_case_variants_never_alias_another_tenant",
        },
        "must_pass": {
            "test_a_valid_tenant_id_resolves_to_exactly_that_id",
            "test_a_repeated_tenant_header_is_rejected",
            "test_any_request_gives_none_a_valid_tenant_or_a_rejection",
        },
    },
    "CrashesOnNonAscii": {
        "must_fail": {
            "test_a_value_that_is_not_exactly_a_tenant_id_is_rejected_not_repaired",
            "test_any_request_gives_none_a_valid_tenant_or_a_rejection",
        },
        "must_pass": {
            "test_a_valid_tenant_id_resolves_to_exactly_that_id",
            "test_case_variants_never_alias_another_tenant",
        },
    },
    "DefaultTenant": {
        "must_fail": {"test_no_tenant_header_resolves_to_none_not_a_default"},
        "must_pass": {
            "test_a_valid_tenant_id_resolves_to_exactly_that_id",
            "test_a_repeated_tenant_header_is_rejected",
            "test_any_request_gives_none_a_valid_tenant_or_a_rejection",
        },
    },
    "EchoesTheWholeValue": {
        "must_fail": {
            "test_a_huge_value_is_rejected_with_a_bounded_message",
            "test_any_request_gives_none_a_valid_tenant_or_a_rejection",
        },
        "must_pass": {
            "test_a_valid_tenant_id_resolves_to_exactly_that_id",
            "test_no_tenant_header_resolves_to_none_not_a_default",
        },
    },
}


@pytest.fixture
def fresh_contract(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make the nested session import dq_contract.tenant anew, then restore hypothesis."""
    yield from fresh_import(monkeypatch, "dq_contract.tenant")


def outcomes(pytester: pytest.Pytester, name: str) -> tuple[set[str], set[str]]:
    """Run the contract against broken resolver *name*; return (passed, failed) test names."""
    return run_contract(pytester, MODULE.format(name=name))


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_resolver_fails_the_contract_where_it_is_broken(
    pytester: pytest.Pytester, fresh_contract: None, name: str
) -> None:
    passed, failed = outcomes(pytester, name)
    case = CASES[name]
    assert case["must_fail"] <= failed, f"not caught: {sorted(case['must_fail'] - failed)}"
    should_pass = (case["must_pass"] | ALWAYS_PASS) - case["must_fail"]
    assert should_pass <= passed - failed, f"collateral failures: {sorted(should_pass - passed)}"
