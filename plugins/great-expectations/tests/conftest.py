"""One engine for the whole session: importing GX takes seconds, its context is reused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dq
import pytest
from dq_great_expectations import GxConfig
from dq_great_expectations._engine import GxEngine


@pytest.fixture(scope="session")
def engine() -> GxEngine:
    return GxEngine(GxConfig())


@pytest.fixture(scope="session")
def run(engine: GxEngine) -> Callable[..., dq.CheckResult]:
    """Check *data* against *rules* (a rule or several) with a fresh RuleSet."""

    def _run(data: Any, *rules: dq.Rule, **ruleset: Any) -> dq.CheckResult:
        return engine.check(data, dq.RuleSet(rules=tuple(rules), **ruleset))

    return _run


@pytest.fixture(scope="session")
def one(run: Callable[..., dq.CheckResult]) -> Callable[..., dq.RuleResult]:
    """The single RuleResult of checking *data* against *rule*."""

    def _one(data: Any, rule: dq.Rule, **ruleset: Any) -> dq.RuleResult:
        return run(data, rule, **ruleset).results[0]

    return _one
