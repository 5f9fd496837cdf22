"""The pytest11 plugin: the ``dq_contract`` marker and the ``--dq-conformance`` report.

pytest loads this in every session where dq-contract-tests is installed, so it imports
nothing heavy (no polars, no hypothesis) and does nothing unless asked. With
``--dq-conformance=PATH`` it records the outcome of every test defined by a contract class
(any class with a ``dq_contract_name`` attribute, i.e. a subclass of a contract) and writes::

    {"suite_version": "0.1.0",
     "contracts": {"EngineContract": {"passed": [...], "failed": [...],
                                      "skipped": {"test_name": "reason"}}}}

Tests are named by method name. When several subclasses of one contract run in a session
(two engines in one plugin), a test is ``failed`` if it failed for any of them, ``passed``
if it passed for at least one and failed for none, otherwise ``skipped``. A contract whose
subclasses declare ``capabilities`` (the secrets contract's ``SecretsCapabilities``) also
gets ``"capabilities": [{...}, ...]``, each distinct declaration once: what the run was
held to.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dq_contract import SUITE_VERSION


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dq_contract", "dq contract tests")
    group.addoption(
        "--dq-conformance",
        metavar="PATH",
        default=None,
        help="write a JSON conformance report of the dq contract tests to PATH",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "dq_contract(kind): a test of a dq plugin contract (set by the contract classes)"
    )
    path = config.getoption("--dq-conformance")
    if path:
        config.pluginmanager.register(ConformanceReport(Path(path)), "dq_contract_report")


class ConformanceReport:
    """Collects contract test outcomes and writes them at session end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.names: dict[str, tuple[str, str]] = {}  # nodeid -> (contract, test name)
        self.outcomes: dict[str, dict[str, Any]] = {}
        self.capabilities: dict[str, list[dict[str, bool]]] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            contract = getattr(getattr(item, "cls", None), "dq_contract_name", None)
            if contract:
                name = getattr(item, "originalname", None) or item.name
                self.names[item.nodeid] = (contract, name)
                declared = _declared(getattr(item.cls, "capabilities", None))
                seen = self.capabilities.setdefault(contract, [])
                if declared is not None and declared not in seen:
                    seen.append(declared)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        where = self.names.get(report.nodeid)
        if where is None:
            return
        contract, name = where
        bucket = self.outcomes.setdefault(
            contract, {"passed": set(), "failed": set(), "skipped": {}}
        )
        if report.failed:
            bucket["failed"].add(name)
        elif report.skipped:
            reason = (
                report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            )
            bucket["skipped"].setdefault(name, reason.removeprefix("Skipped: "))
        elif report.when == "call":
            bucket["passed"].add(name)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        contracts = {}
        for contract, bucket in sorted(self.outcomes.items()):
            failed = bucket["failed"]
            passed = bucket["passed"] - failed
            skipped = {
                k: v
                for k, v in sorted(bucket["skipped"].items())
                if k not in failed and k not in passed
            }
            contracts[contract] = {
                "passed": sorted(passed),
                "failed": sorted(failed),
                "skipped": skipped,
            }
            if self.capabilities.get(contract):
                contracts[contract]["capabilities"] = self.capabilities[contract]
        report = {"suite_version": SUITE_VERSION, "contracts": contracts}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")


def _declared(capabilities: Any) -> dict[str, bool] | None:
    """An attrs declaration as a plain dict (read without importing attrs), else None."""
    fields = getattr(type(capabilities), "__attrs_attrs__", None)
    if capabilities is None or fields is None:
        return None
    return {field.name: getattr(capabilities, field.name) for field in fields}
