"""Running a contract against a deliberately broken implementation, inside pytester.

Shared by every ``test_broken_*.py``: each writes a test module subclassing its contract
with a broken component, runs it in a nested pytest session, and compares which contract
tests passed and failed with what it expects.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import dq
import pytest
from hypothesis import settings

# pytester drops every module first imported inside a nested session; a dq module dropped
# that way is imported again later, and its classes then exist twice (an engine's
# CheckResult is no longer a dq.CheckResult). Load all of dq's public API out here, once.
for _name in vars(dq)["__all__"]:
    getattr(dq, _name)

TESTS_DIR = Path(__file__).parent

# Shrinking a failing example can take minutes (hypothesis allows itself 300 s); here we only
# need to know *that* the contract fails, so the nested session generates without shrinking.
# The profile must be loaded before the contract module is imported (settings are fixed at
# decoration time), hence this conftest and the fresh import in ``fresh_import``.
CONFTEST = f"""
import sys
from hypothesis import Phase, settings
sys.path.insert(0, {str(TESTS_DIR)!r})
settings.register_profile(
    "dq-contract-broken", phases=[Phase.explicit, Phase.generate], database=None
)
settings.load_profile("dq-contract-broken")
"""


def fresh_import(monkeypatch: pytest.MonkeyPatch, module: str) -> Iterator[None]:
    """Make the nested session import *module* anew, then restore hypothesis' profile."""
    monkeypatch.delitem(sys.modules, module, raising=False)
    yield
    settings.load_profile("default")


def run_contract(
    pytester: pytest.Pytester, module_source: str, *args: str
) -> tuple[set[str], set[str]]:
    """Run *module_source* as a nested session; return (passed, failed) test names."""
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_contract=module_source)
    recorder = pytester.inline_run("-p", "no:cacheprovider", *args)
    passed, _skipped, failed = recorder.listoutcomes()

    def names(reports: list) -> set[str]:
        return {r.nodeid.split("::")[-1].split("[")[0] for r in reports}

    return names(passed), names(failed)
