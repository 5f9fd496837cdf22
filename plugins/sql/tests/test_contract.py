"""dq-sql against the engine contract: the contract hands polars frames, which the engine
loads into an in-process DuckDB (temporary Parquet file + a row-order column) and checks
there with the same compiled SQL it runs on a real table."""

from __future__ import annotations

import pytest

pytest.importorskip("dq_contract", reason="dq-contract-tests is not installed")

from dq_contract.engine import EngineContract  # noqa: E402
from dq_sql import SqlEngine  # noqa: E402


class TestSqlOnDuckDB(EngineContract):
    @pytest.fixture
    def engine(self) -> SqlEngine:
        return SqlEngine()
