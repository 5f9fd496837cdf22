"""The pytest11 plugin: marker registered, conformance report written from outcomes."""

from __future__ import annotations

import json

import dq_contract.engine  # noqa: F401
import dq_contract.trivial  # noqa: F401
import polars  # noqa: F401  (imported before nested sessions; see test_broken_engines)
import pytest

MODULE = """
import pytest
from dq_contract.engine import EngineContract
from dq_contract.trivial import TrivialEngine

class TestNarrow(EngineContract):
    @pytest.fixture
    def engine(self):
        return TrivialEngine(supported_checks={"not_null", "unique"})

    def test_extra_by_the_author(self):
        pass

def test_not_a_contract_test():
    pass
"""


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["*dq_contract(kind)*"])


def test_conformance_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_narrow=MODULE)
    out = pytester.path / "reports" / "conformance.json"
    result = pytester.runpytest("--strict-markers", f"--dq-conformance={out}")
    assert result.ret == 0, result.stdout.str()
    report = json.loads(out.read_text())
    assert report["suite_version"] == dq_contract.SUITE_VERSION == "0.3.0"
    contract = report["contracts"]["EngineContract"]
    assert "test_counts_equal_the_oracle" in contract["passed"]
    assert "test_extra_by_the_author" in contract["passed"]  # defined in a contract subclass
    assert "test_not_a_contract_test" not in json.dumps(report)
    assert contract["failed"] == []
    assert "regex" in contract["skipped"]["test_regex_matches_the_whole_value"]


SECRETS_MODULE = """
import pytest
from dq_contract.reference_secrets_readonly import MappingSecretBackend, MappingWriter
from dq_contract.secrets import SecretBackendContract, SecretsCapabilities

class TestReadOnly(SecretBackendContract):
    capabilities = SecretsCapabilities(
        writable=False, versioned=False, can_deny=False, external=False
    )
    soft_delete = False

    @pytest.fixture
    def store(self):
        return {}

    @pytest.fixture
    def secret_backend(self, store):
        return MappingSecretBackend(store)

    @pytest.fixture
    def secret_writer(self, store):
        return MappingWriter(store)

    @pytest.fixture
    def io_calls(self, secret_backend):
        return lambda: len(secret_backend.io_log)
"""


def test_the_report_records_declared_capabilities_and_no_skip(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readonly=SECRETS_MODULE)
    out = pytester.path / "conformance.json"
    result = pytester.runpytest(f"--dq-conformance={out}", "-k", "not unsafe_paths")
    assert result.ret == 0, result.stdout.str()
    contract = json.loads(out.read_text())["contracts"]["SecretBackendContract"]
    assert contract["capabilities"] == [
        {"writable": False, "versioned": False, "can_deny": False, "external": False}
    ]
    assert contract["skipped"] == {} and contract["failed"] == []
    assert "test_read_only_store_refuses_every_write_and_changes_nothing" in contract["passed"]
    assert "test_cas_zero_writes_only_when_absent" not in json.dumps(contract)


def test_no_report_without_the_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_narrow=MODULE)
    assert pytester.runpytest().ret == 0
    assert not list(pytester.path.rglob("*.json"))
