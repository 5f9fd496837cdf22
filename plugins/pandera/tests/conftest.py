"""Shared fixtures: the engine as the host builds it, and a one-call runner."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import dq
import polars as pl
import pytest
from dq_pandera import PanderaConfig, dq_engine

NAN = float("nan")
INF = float("inf")


@pytest.fixture
def engine() -> Any:
    return dq_engine(name="pandera", config=PanderaConfig())


Run = Callable[..., dq.CheckResult]


@pytest.fixture
def run(engine: Any) -> Run:
    """Check *data* against *rules*; eager and lazy input must agree, so both are run."""

    def _run(data: pl.DataFrame, *rules: Any, sample_size: int = 5, **gate: Any) -> dq.CheckResult:
        rule_set = dq.RuleSet(rules=rules, sample_size=sample_size, gate=dq.QualityGate(**gate))
        eager = engine.check(data, rule_set)
        lazy = engine.check(data.lazy(), rule_set)
        assert [_comparable(r) for r in eager.results] == [_comparable(r) for r in lazy.results]
        assert eager.status is lazy.status
        return eager

    return _run


def _comparable(result: dq.RuleResult) -> tuple[Any, ...]:
    samples = tuple("NaN" if isinstance(s, float) and math.isnan(s) else s for s in result.samples)
    return (result.rule_id, result.status, result.failed_count, result.element_count, samples)


def counts(result: dq.RuleResult) -> tuple[str, int, int]:
    """(status, failed, elements): what most assertions compare."""
    return (result.status.value, result.failed_count, result.element_count)


def same_samples(actual: tuple[Any, ...], expected: tuple[Any, ...]) -> bool:
    """Sample tuples compared with NaN equal to NaN."""

    def norm(values: tuple[Any, ...]) -> list[Any]:
        return ["NaN" if isinstance(v, float) and math.isnan(v) else v for v in values]

    return norm(actual) == norm(expected)
