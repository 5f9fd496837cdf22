"""The shared engine contract (dq-contract-tests), run against this engine."""

from __future__ import annotations

import pytest

dq_contract_engine = pytest.importorskip("dq_contract.engine")

from dq_great_expectations import GxConfig  # noqa: E402
from dq_great_expectations._engine import GxEngine  # noqa: E402

_ENGINE = GxEngine(GxConfig())  # one GX context for every contract test (GX is slow to set up)


class TestGxEngineContract(dq_contract_engine.EngineContract):
    @pytest.fixture
    def engine(self) -> GxEngine:
        return _ENGINE
