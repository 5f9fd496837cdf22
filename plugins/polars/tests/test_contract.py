"""dq-polars against the engine contract of dq-contract-tests, in both execution modes."""

from __future__ import annotations

import pytest

pytest.importorskip("dq_contract", reason="dq-contract-tests is not installed")

from dq_contract.engine import EngineContract  # noqa: E402
from dq_polars._config import PolarsConfig  # noqa: E402
from dq_polars._engine import PolarsEngine  # noqa: E402


class TestInMemory(EngineContract):
    @pytest.fixture
    def engine(self) -> PolarsEngine:
        return PolarsEngine(PolarsConfig())


class TestStreaming(EngineContract):
    @pytest.fixture
    def engine(self) -> PolarsEngine:
        return PolarsEngine(PolarsConfig(streaming=True))
