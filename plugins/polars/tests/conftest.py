"""Shared fixtures: every semantic test runs through each way the engine executes.

The engine has three paths that must agree: a DataFrame (in-memory engine, samples
inside the fused query), a LazyFrame on the streaming engine (samples from a second
query), and a LazyFrame with streaming turned off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dq
import polars as pl
import pytest
from dq_polars._config import PolarsConfig
from dq_polars._engine import PolarsEngine

MODES = {
    "dataframe": (True, False),
    "lazy-streaming": (True, True),
    "lazy-in-memory": (False, True),
}

Run = Callable[..., dq.CheckResult]


@pytest.fixture(params=list(MODES))
def run(request: pytest.FixtureRequest) -> Run:
    """``run(frame, *rules, sample_size=5, gate=...)`` -> CheckResult, in one mode."""
    streaming, lazy = MODES[request.param]
    engine = PolarsEngine(PolarsConfig(streaming=streaming))

    def _run(frame: pl.DataFrame, *rules: Any, **ruleset: Any) -> dq.CheckResult:
        data = frame.lazy() if lazy else frame
        return engine.check(data, dq.RuleSet(rules=tuple(rules), **ruleset))

    return _run
