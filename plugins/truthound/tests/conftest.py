"""Shared fixtures: every semantic test runs on a DataFrame and on a LazyFrame."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dq
import polars as pl
import pytest
from dq_truthound._config import TruthoundConfig
from dq_truthound._engine import TruthoundEngine

Run = Callable[..., dq.CheckResult]


@pytest.fixture(scope="session")
def engine() -> TruthoundEngine:
    return TruthoundEngine(TruthoundConfig())


@pytest.fixture(params=["dataframe", "lazyframe"])
def run(request: pytest.FixtureRequest, engine: TruthoundEngine) -> Run:
    """``run(frame, *rules, sample_size=5, gate=...)`` -> CheckResult."""
    lazy = request.param == "lazyframe"

    def _run(frame: pl.DataFrame, *rules: Any, **ruleset: Any) -> dq.CheckResult:
        data = frame.lazy() if lazy else frame
        return engine.check(data, dq.RuleSet(rules=tuple(rules), **ruleset))

    return _run


@pytest.fixture
def one(run: Run) -> Callable[..., dq.RuleResult]:
    """``one(frame, rule, **ruleset)`` -> the rule's RuleResult."""

    def _one(frame: pl.DataFrame, rule: Any, **ruleset: Any) -> dq.RuleResult:
        return run(frame, rule, **ruleset).by_id(rule.id)

    return _one
