"""The shared engine contract (dq-contract-tests), run against the truthound engine."""

from __future__ import annotations

import pytest

pytest.importorskip("dq_contract.engine", reason="dq-contract-tests is not installed")

from dq_contract.engine import EngineContract  # noqa: E402
from dq_truthound._engine import TruthoundEngine  # noqa: E402


class TestTruthoundEngine(EngineContract):
    @pytest.fixture
    def engine(self) -> TruthoundEngine:
        return TruthoundEngine()
