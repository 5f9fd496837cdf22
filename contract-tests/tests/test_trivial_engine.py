"""The whole EngineContract against TrivialEngine: proof that the contract can be passed.

A second subclass narrows ``supported_checks`` to show that tests of undeclared checks skip
with a reason, and that the remaining ones (unsupported reported as such) still pass.
"""

from __future__ import annotations

import pytest
from dq_contract.engine import EngineContract
from dq_contract.trivial import TrivialEngine


class TestTrivialEngine(EngineContract):
    @pytest.fixture
    def engine(self) -> TrivialEngine:
        return TrivialEngine()


class TestTrivialEngineWithFewChecks(EngineContract):
    @pytest.fixture
    def engine(self) -> TrivialEngine:
        return TrivialEngine(supported_checks={"not_null", "unique", "row_count"})
