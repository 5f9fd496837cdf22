"""dq's shared engine contract (dq-contract-tests), run against dq-pandera."""

from __future__ import annotations

from typing import Any

import pytest

dq_contract_engine = pytest.importorskip("dq_contract.engine")


class TestPanderaEngineContract(dq_contract_engine.EngineContract):  # type: ignore[misc, name-defined]
    @pytest.fixture
    def engine(self) -> Any:
        import dq

        return dq.Host(dq.discover()).component("engine", "pandera")
