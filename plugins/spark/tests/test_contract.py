"""dq-spark against the engine contract. The contract hands polars frames, which the engine
copies into Spark (explicit schema, a row-order column) and checks with the same plan it runs
on a table. Spark's fixed cost per job is far above polars', so the three hypothesis
properties are re-declared here with fewer examples (the contract fixes its own counts and
has no knob for them); every hand-written case runs unchanged."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("dq_contract", reason="dq-contract-tests is not installed")

from dq_contract.compare import assert_conforms, comparable, run  # noqa: E402
from dq_contract.engine import PROPERTY_SETTINGS, EngineContract  # noqa: E402
from dq_contract.engine_cases import nasty_case  # noqa: E402
from dq_contract.strategies import cases  # noqa: E402
from dq_spark import SparkEngine  # noqa: E402
from hypothesis import example, given, settings  # noqa: E402

FEW = settings(PROPERTY_SETTINGS, max_examples=12)
FEWER = settings(PROPERTY_SETTINGS, max_examples=4)


class TestSparkLocal(EngineContract):
    @pytest.fixture
    def engine(self, spark: Any, spark_config: Any) -> SparkEngine:
        return SparkEngine(spark_config)

    @FEW
    @given(case=cases())
    @example(case=nasty_case())
    def test_counts_equal_the_oracle(self, engine: Any, case: Any) -> None:
        assert_conforms(engine, *case)

    @FEWER
    @given(case=cases())
    @example(case=nasty_case())
    def test_lazyframe_gives_the_same_result_as_dataframe(self, engine: Any, case: Any) -> None:
        data, rules = case
        eager = run(engine, data, rules)
        lazy = assert_conforms(engine, data.lazy(), rules)
        assert comparable(lazy) == comparable(eager)

    @FEWER
    @given(case=cases())
    @example(case=nasty_case())
    def test_is_deterministic(self, engine: Any, case: Any) -> None:
        data, rules = case
        assert comparable(run(engine, data, rules)) == comparable(run(engine, data, rules))
