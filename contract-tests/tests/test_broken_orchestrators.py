"""Each deliberately broken orchestrator binding must fail the contract, where it is broken.

As tests/test_broken_engines.py: the contract runs in a nested pytest session (pytester), as
in a plugin's own suite, and we assert the tests in ``must_fail`` failed (the bug is caught
where it should be) and those in ``must_pass`` passed (the failure is specific).
"""

from __future__ import annotations

from collections.abc import Iterator

import broken_orchestrators  # noqa: F401
import dq  # noqa: F401
import dq.protocols  # noqa: F401

# Imported before any nested session: pytester drops modules first imported inside
# inline_run, and a re-imported polars (a native extension) or dq (enums compared with
# ``is``) would not be the same objects as the ones already in use.
import dq_contract.compare  # noqa: F401
import dq_contract.reference_orchestrator  # noqa: F401
import dq_contract.trivial  # noqa: F401
import polars  # noqa: F401
import pytest
from broken_harness import fresh_import, run_contract

MODULE = """
import pytest
from dq_contract.orchestrator import OrchestratorBindingContract
import broken_orchestrators

class TestBroken(OrchestratorBindingContract):
    @pytest.fixture
    def binding(self):
        return broken_orchestrators.{name}()
"""

ALWAYS_PASS = {"test_satisfies_the_orchestrator_binding_protocol"}
CONTEXT = {
    "test_context_maps_run_id_logical_date_and_tenant_exactly",
    "test_context_keeps_any_run_id_and_tenant_verbatim",
}

CASES: dict[str, dict[str, set[str]]] = {
    "SwallowsFailures": {
        "must_fail": {
            "test_a_failed_gate_fails_the_unit_with_the_result",
            "test_publishes_the_result_of_a_failed_unit_too",
        },
        "must_pass": CONTEXT
        | {
            "test_a_passing_suite_gives_the_result_dq_run_gives",
            "test_tolerated_warnings_do_not_fail_the_unit",
            "test_publishes_a_summary_consistent_with_the_result",
        },
    },
    "FailsOnWarnings": {
        "must_fail": {
            "test_tolerated_warnings_do_not_fail_the_unit",
            "test_publishes_a_summary_consistent_with_the_result",
        },
        "must_pass": CONTEXT
        | {
            "test_a_passing_suite_gives_the_result_dq_run_gives",
            "test_a_failed_gate_fails_the_unit_with_the_result",
        },
    },
    "IgnoresTheTenant": {
        "must_fail": {
            "test_context_maps_run_id_logical_date_and_tenant_exactly",
            "test_context_rejects_an_invalid_tenant",
            "test_context_keeps_any_run_id_and_tenant_verbatim",
            "test_publishes_a_summary_consistent_with_the_result",
        },
        "must_pass": {
            "test_context_without_a_tenant_has_none_not_a_default",
            "test_a_passing_suite_gives_the_result_dq_run_gives",
            "test_a_failed_gate_fails_the_unit_with_the_result",
        },
    },
    "MapsRunIdWrong": {
        "must_fail": CONTEXT,
        "must_pass": {
            "test_context_rejects_an_invalid_tenant",
            "test_a_passing_suite_gives_the_result_dq_run_gives",
            "test_a_failed_gate_fails_the_unit_with_the_result",
        },
    },
    "DropsTheOffset": {
        "must_fail": {"test_context_maps_run_id_logical_date_and_tenant_exactly"},
        "must_pass": {
            "test_context_keeps_any_run_id_and_tenant_verbatim",
            "test_context_rejects_an_invalid_tenant",
            "test_a_passing_suite_gives_the_result_dq_run_gives",
        },
    },
    "PublishesRowCounts": {
        "must_fail": {
            "test_publishes_a_summary_consistent_with_the_result",
            "test_publishes_the_result_of_a_failed_unit_too",
        },
        "must_pass": CONTEXT
        | {
            "test_a_passing_suite_gives_the_result_dq_run_gives",
            "test_a_failed_gate_fails_the_unit_with_the_result",
        },
    },
    "PublishesOnlySuccesses": {
        "must_fail": {"test_publishes_the_result_of_a_failed_unit_too"},
        "must_pass": CONTEXT
        | {
            "test_a_failed_gate_fails_the_unit_with_the_result",
            "test_publishes_a_summary_consistent_with_the_result",
        },
    },
}


@pytest.fixture
def fresh_contract(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make the nested session import dq_contract.orchestrator anew, then restore hypothesis."""
    yield from fresh_import(monkeypatch, "dq_contract.orchestrator")


def outcomes(pytester: pytest.Pytester, name: str) -> tuple[set[str], set[str]]:
    """Run the contract against broken binding *name*; return (passed, failed) test names."""
    return run_contract(pytester, MODULE.format(name=name))


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_binding_fails_the_contract_where_it_is_broken(
    pytester: pytest.Pytester, fresh_contract: None, name: str
) -> None:
    passed, failed = outcomes(pytester, name)
    case = CASES[name]
    assert case["must_fail"] <= failed, f"not caught: {sorted(case['must_fail'] - failed)}"
    should_pass = (case["must_pass"] | ALWAYS_PASS) - case["must_fail"]
    assert should_pass <= passed - failed, f"collateral failures: {sorted(should_pass - passed)}"
