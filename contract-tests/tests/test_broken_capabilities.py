"""Capability cases can fail: broken read-only stores, and stores declaring what they lack.

As in test_broken_secrets.py, the contract runs in a nested pytest session (``pytester``)
against each broken store with the capabilities its module declares; the cases in
``must_fail`` must fail and those in ``must_pass`` (plus ALWAYS_PASS) must pass. The nested
runs leave out the two path properties (``-k``): they are proven by test_broken_secrets.py and
cost most of the time here.
"""

from __future__ import annotations

from collections.abc import Iterator

import broken_readonly_secrets  # noqa: F401

# Imported before any nested session (see test_broken_secrets.py for why).
import dq  # noqa: F401
import dq.protocols  # noqa: F401
import dq_contract.reference_secrets  # noqa: F401
import dq_contract.reference_secrets_readonly  # noqa: F401
import dq_contract.secrets_capabilities  # noqa: F401
import dq_contract.secrets_cases  # noqa: F401
import pytest
from broken_harness import CONFTEST, fresh_import

FAST = ("-k", "not unsafe_paths and not round_trips")

READ_ONLY = """
import pytest
from dq_contract.reference_secrets_readonly import MappingWriter
from dq_contract.secrets import SecretBackendContract, SecretsCapabilities
import broken_readonly_secrets

class TestBroken(SecretBackendContract):
    capabilities = SecretsCapabilities(
        writable=False, versioned=False, can_deny=False, external=False
    )
    soft_delete = False

    @pytest.fixture
    def store(self):
        return {{}}

    @pytest.fixture
    def secret_backend(self, store):
        return broken_readonly_secrets.{name}(store)

    @pytest.fixture
    def secret_writer(self, store):
        return MappingWriter(store)

    @pytest.fixture
    def io_calls(self, secret_backend):
        return lambda: len(secret_backend.io_log)
"""

READ_ONLY_ALWAYS_PASS = {
    "test_satisfies_the_secret_backend_protocol",
    "test_get_missing_is_not_found_with_reason_missing",
    "test_exists_is_true_only_for_a_live_secret",
    "test_list_returns_direct_children_with_folders_ending_in_slash",
    "test_values_never_appear_in_logs_output_or_errors",
}
READ_ONLY_CASE = "test_read_only_store_refuses_every_write_and_changes_nothing"
CAS_CASE = "test_check_and_set_is_refused_where_it_cannot_be_honoured"
VERSION_CASE = "test_unversioned_store_has_only_the_current_value"
NEAR_MISS_CASE = "test_without_access_control_a_path_reads_its_own_secret_or_nothing"
IN_PROCESS_CASE = "test_in_process_store_touches_no_file_socket_or_process"

READ_ONLY_CASES: dict[str, dict[str, set[str]]] = {
    "MappingSecretBackend": {  # the correct reference: everything passes
        "must_fail": set(),
        "must_pass": {READ_ONLY_CASE, CAS_CASE, VERSION_CASE, NEAR_MISS_CASE, IN_PROCESS_CASE},
    },
    "WritesAnyway": {
        "must_fail": {READ_ONLY_CASE, CAS_CASE},
        "must_pass": {VERSION_CASE, NEAR_MISS_CASE, IN_PROCESS_CASE},
    },
    "RefusesWithNotImplemented": {  # the error escapes every case that tries a write
        "must_fail": {
            READ_ONLY_CASE,
            CAS_CASE,
            IN_PROCESS_CASE,
            "test_values_never_appear_in_logs_output_or_errors",
        },
        "must_pass": {VERSION_CASE, NEAR_MISS_CASE},
    },
    "RefusalSaysDenied": {
        "must_fail": {READ_ONLY_CASE},
        "must_pass": {CAS_CASE, VERSION_CASE, IN_PROCESS_CASE},
    },
    "ServesCurrentForAnyVersion": {
        "must_fail": {VERSION_CASE},
        "must_pass": {READ_ONLY_CASE, NEAR_MISS_CASE, IN_PROCESS_CASE},
    },
    "FoldsCase": {
        "must_fail": {NEAR_MISS_CASE},
        "must_pass": {READ_ONLY_CASE, VERSION_CASE, IN_PROCESS_CASE},
    },
    "FallsBackToDotEnv": {
        "must_fail": {IN_PROCESS_CASE},
        "must_pass": {READ_ONLY_CASE, VERSION_CASE, NEAR_MISS_CASE},
    },
}

#: Stores whose declaration is wrong: (module source, must fail, must pass).
MISDECLARED: dict[str, tuple[str, set[str], set[str]]] = {
    # A read-only, unversioned store left at the default (full) declaration.
    "ClaimsEverything": (
        READ_ONLY.replace(
            "SecretsCapabilities(\n        writable=False, versioned=False, can_deny=False, "
            "external=False\n    )",
            "SecretsCapabilities()",
        ).format(name="MappingSecretBackend"),
        {
            "test_each_set_makes_a_higher_version_and_old_versions_stay_readable",
            "test_cas_zero_writes_only_when_absent",
            "test_denied_path_is_access_denied_never_not_found",
            "test_unavailable_backend_is_unavailable_never_not_found",
        },
        {"test_exists_is_true_only_for_a_live_secret"},
    ),
    # A versioned store declared unversioned.
    "DeclaredUnversioned": (
        """
import pytest
from dq_contract.secrets import SecretBackendContract, SecretsCapabilities
import broken_readonly_secrets

class TestBroken(SecretBackendContract):
    capabilities = SecretsCapabilities(versioned=False)

    @pytest.fixture
    def secret_backend(self):
        return broken_readonly_secrets.DeclaredUnversioned(denied_prefixes={"dq-denied"})

    @pytest.fixture
    def denied_path(self):
        return "dq-denied/payroll/key"

    @pytest.fixture
    def unavailable_backend(self):
        return broken_readonly_secrets.DeclaredUnversioned(unavailable=True)

    @pytest.fixture
    def io_calls(self, secret_backend):
        return lambda: len(secret_backend.io_log)
""",
        {VERSION_CASE},
        {"test_denied_path_is_access_denied_never_not_found", CAS_CASE},
    ),
    # A full store declared as such, without the fixtures that declaration needs.
    "MissingFixtures": (
        """
import pytest
from dq_contract.reference_secrets import MemorySecretBackend
from dq_contract.secrets import SecretBackendContract, SecretsCapabilities

class TestBroken(SecretBackendContract):
    capabilities = SecretsCapabilities()

    @pytest.fixture
    def secret_backend(self):
        return MemorySecretBackend()
""",
        {
            "test_denied_path_is_access_denied_never_not_found",
            "test_unavailable_backend_is_unavailable_never_not_found",
            "test_unsafe_paths_are_rejected_before_any_io",
        },
        {"test_cas_zero_writes_only_when_absent"},
    ),
}


@pytest.fixture
def fresh_contract(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make the nested session import dq_contract.secrets anew, then restore hypothesis."""
    yield from fresh_import(monkeypatch, "dq_contract.secrets")


def run(pytester: pytest.Pytester, source: str, *args: str) -> tuple[set[str], set[str], int]:
    """(passed, failed, number skipped) of *source* run as a nested session."""
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_contract=source)
    recorder = pytester.inline_run("-p", "no:cacheprovider", *args)
    passed, skipped, failed = recorder.listoutcomes()

    def names(reports: list) -> set[str]:
        return {r.nodeid.split("::")[-1].split("[")[0] for r in reports}

    return names(passed), names(failed), len(skipped)


@pytest.mark.parametrize("name", sorted(READ_ONLY_CASES))
def test_broken_read_only_store_fails_where_it_is_broken(
    pytester: pytest.Pytester, fresh_contract: None, name: str
) -> None:
    passed, failed, skipped = run(pytester, READ_ONLY.format(name=name), *FAST)
    case = READ_ONLY_CASES[name]
    assert case["must_fail"] <= failed, f"not caught: {sorted(case['must_fail'] - failed)}"
    if not case["must_fail"]:
        assert not failed, f"the correct read-only reference failed {sorted(failed)}"
    should_pass = case["must_pass"] | (READ_ONLY_ALWAYS_PASS - case["must_fail"])
    assert should_pass <= passed, f"collateral failures: {sorted(should_pass - passed)}"
    assert skipped == 0, "a declared store must never skip"


@pytest.mark.parametrize("name", sorted(MISDECLARED))
def test_a_store_declaring_what_it_lacks_fails_instead_of_skipping(
    pytester: pytest.Pytester, fresh_contract: None, name: str
) -> None:
    source, must_fail, must_pass = MISDECLARED[name]
    passed, failed, skipped = run(pytester, source, *FAST[:1], "not round_trips")
    assert must_fail <= failed, f"not caught: {sorted(must_fail - failed)}"
    assert must_pass <= passed, f"collateral failures: {sorted(must_pass - passed)}"
    assert skipped == 0, "a declared store must fail, not skip, what it cannot prove"
