"""dq-spark against the engine contract. The contract hands polars frames, which the engine
copies into Spark (explicit schema, a row-order column) and checks with the same plan it runs
on a table. Spark's fixed cost per job is far above polars', so the three hypothesis
properties are re-declared here with fewer examples (the contract fixes its own counts and
has no knob for them); every hand-written case runs unchanged."""

from __future__ import annotations

from typing import Any

import dq
import pytest

pytest.importorskip("dq_contract", reason="dq-contract-tests is not installed")

from dq_contract.compare import assert_conforms, comparable, run  # noqa: E402
from dq_contract.engine import PROPERTY_SETTINGS, EngineContract  # noqa: E402
from dq_contract.engine_cases import frame, nasty_case  # noqa: E402
from dq_contract.strategies import cases  # noqa: E402
from dq_spark import SparkEngine  # noqa: E402
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

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

    # the contract's two properties for dq-core 1.3's checks, with fewer examples (one
    # Spark job each); the hand-written cases for those checks run unchanged
    @FEW
    @given(
        ids=st.lists(st.one_of(st.none(), st.integers(0, 2)), min_size=8, max_size=8),
        statuses=st.lists(st.one_of(st.none(), st.sampled_from("ab")), min_size=8, max_size=8),
    )
    def test_composite_unique_counts_equal_the_oracle(
        self, engine: Any, ids: list[Any], statuses: list[Any]
    ) -> None:
        rules = dq.RuleSet(rules=(dq.Unique(id="u", columns=("id", "status")),))
        assert_conforms(engine, frame(id=ids, status=statuses), rules)

    @FEW
    @given(
        amounts=st.lists(
            st.one_of(st.none(), st.integers(-20, 20).map(float), st.just(float("nan"))),
            max_size=10,
        ),
        check=st.sampled_from(["mean", "stddev", "quantile"]),
        q=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
    )
    def test_statistics_equal_the_oracle(
        self, engine: Any, amounts: list[Any], check: str, q: float
    ) -> None:
        extra = {"quantile": q} if check == "quantile" else {}
        rule = dq.CHECKS[check](id="s", column="amount", min=-3.25, max=4.75, **extra)
        assert_conforms(engine, frame(amount=amounts), dq.RuleSet(rules=(rule,)))
