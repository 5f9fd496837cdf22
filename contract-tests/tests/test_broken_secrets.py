"""Each deliberately broken secret backend must fail the contract, in the test that pins its bug.

As in test_broken_engines.py, the contract runs in a nested pytest session (``pytester``) from a
module that subclasses SecretBackendContract; we assert the tests in ``must_fail`` failed and
the tests in ``must_pass`` (plus ALWAYS_PASS) passed, so each failure is specific.
"""

from __future__ import annotations

from collections.abc import Iterator

import broken_secrets  # noqa: F401

# Imported before any nested session: pytester drops modules first imported inside
# inline_run, and a re-imported dq would give error classes that are not the ones raised.
import dq  # noqa: F401
import dq.protocols  # noqa: F401
import dq_contract.reference_secrets  # noqa: F401
import dq_contract.secrets_cases  # noqa: F401
import pytest
from broken_harness import fresh_import, run_contract

MODULE = """
import pytest
from dq_contract.reference_secrets import MemorySecretBackend
from dq_contract.secrets import SecretBackendContract
import broken_secrets

class TestBroken(SecretBackendContract):
    @pytest.fixture
    def secret_backend(self):
        return broken_secrets.{name}(denied_prefixes={{"dq-denied"}})

    @pytest.fixture
    def denied_path(self):
        return "dq-denied/payroll/key"

    @pytest.fixture
    def unavailable_backend(self):
        return broken_secrets.{name}(unavailable=True)

    @pytest.fixture
    def io_calls(self, secret_backend):
        return lambda: len(secret_backend.io_log)
"""

#: Correct behaviour that no single bug below should disturb (except the one it pins).
ALWAYS_PASS = {
    "test_satisfies_the_secret_backend_protocol",
    "test_get_missing_is_not_found_with_reason_missing",
    "test_exists_is_true_only_for_a_live_secret",
    "test_list_returns_direct_children_with_folders_ending_in_slash",
    "test_unavailable_backend_is_unavailable_never_not_found",
}

CASES: dict[str, dict[str, set[str]]] = {
    "NormalisesDotDot": {
        "must_fail": {
            "test_unsafe_paths_are_rejected_by_every_operation",
            "test_unsafe_paths_are_rejected_before_any_io",
            "test_traversal_never_reaches_a_sibling_secret",
        },
        "must_pass": {"test_denied_path_is_access_denied_never_not_found"},
    },
    "DeniedAsNotFound": {
        "must_fail": {"test_denied_path_is_access_denied_never_not_found"},
        "must_pass": {"test_unsafe_paths_are_rejected_by_every_operation"},
    },
    "LogsValues": {
        "must_fail": {"test_values_never_appear_in_logs_output_or_errors"},
        "must_pass": {"test_secret_value_repr_and_str_never_show_the_value"},
    },
    "ValueInConflictError": {
        "must_fail": {"test_values_never_appear_in_logs_output_or_errors"},
        "must_pass": {
            "test_cas_with_a_stale_version_is_a_conflict_and_writes_nothing",
            "test_secret_value_repr_and_str_never_show_the_value",
        },
    },
    "ReturnsStr": {
        "must_fail": {
            "test_get_returns_a_secret_value_never_str_or_bytes",
            "test_set_then_get_round_trips_any_bytes_in_any_field",
            "test_secret_value_repr_and_str_never_show_the_value",
        },
        "must_pass": {"test_denied_path_is_access_denied_never_not_found"},
    },
    "IgnoresCas": {
        "must_fail": {
            "test_cas_zero_writes_only_when_absent",
            "test_cas_with_a_stale_version_is_a_conflict_and_writes_nothing",
        },
        "must_pass": {"test_each_set_makes_a_higher_version_and_old_versions_stay_readable"},
    },
    "ValidatesAfterLookup": {
        "must_fail": {"test_unsafe_paths_are_rejected_before_any_io"},
        "must_pass": {
            "test_unsafe_paths_are_rejected_by_every_operation",
            "test_traversal_never_reaches_a_sibling_secret",
        },
    },
    "ExistsHidesDenial": {
        "must_fail": {"test_denied_path_is_access_denied_never_not_found"},
        "must_pass": {"test_values_never_appear_in_logs_output_or_errors"},
    },
    "UnavailableAsNotFound": {
        "must_fail": {"test_unavailable_backend_is_unavailable_never_not_found"},
        "must_pass": {"test_denied_path_is_access_denied_never_not_found"},
    },
    "NotBytesSafe": {
        "must_fail": {"test_set_then_get_round_trips_any_bytes_in_any_field"},
        "must_pass": {
            "test_get_returns_a_secret_value_never_str_or_bytes",
            "test_secret_value_repr_and_str_never_show_the_value",
        },
    },
    "ListsRecursively": {
        "must_fail": {"test_list_returns_direct_children_with_folders_ending_in_slash"},
        "must_pass": {"test_exists_is_true_only_for_a_live_secret"},
    },
    "MissingIsKeyError": {
        "must_fail": {
            "test_get_missing_is_not_found_with_reason_missing",
            "test_missing_field_or_version_is_not_found",
        },
        "must_pass": {"test_delete_then_get_is_not_found_because_deleted"},
    },
    "HardDeleteForgets": {
        "must_fail": {"test_delete_then_get_is_not_found_because_deleted"},
        "must_pass": {"test_set_then_get_round_trips_any_bytes_in_any_field"},
    },
}


@pytest.fixture
def fresh_contract(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make the nested session import dq_contract.secrets anew, then restore hypothesis."""
    yield from fresh_import(monkeypatch, "dq_contract.secrets")


def outcomes(pytester: pytest.Pytester, name: str) -> tuple[set[str], set[str]]:
    """Run the contract against broken backend *name*; return (passed, failed) test names."""
    return run_contract(pytester, MODULE.format(name=name))


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_backend_fails_the_contract_where_it_is_broken(
    pytester: pytest.Pytester, fresh_contract: None, name: str
) -> None:
    passed, failed = outcomes(pytester, name)
    case = CASES[name]
    assert case["must_fail"] <= failed, f"not caught: {sorted(case['must_fail'] - failed)}"
    should_pass = case["must_pass"] | (ALWAYS_PASS - case["must_fail"])
    assert should_pass <= passed, f"collateral failures: {sorted(should_pass - passed)}"
