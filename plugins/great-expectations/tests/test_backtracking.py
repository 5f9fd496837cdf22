"""Patterns Python re backtracks on exponentially are refused, never run for minutes."""

from __future__ import annotations

import re
import time

import dq
import polars as pl
import pytest
from dq_great_expectations._backtrack import catastrophic

EVIL = [r"(a+)+", r"(a*)*b", r"(a|ab)+", r"(\w+\s?)*", r"(x+x+)+y", r"((a+)+)c", r"(?:a?a)+"]
SAFE = [
    r"(ab?)+",
    r"[\w.+-]+@[\w-]+\.[\w.]+",
    r"([a-z0-9]+\.)+[a-z]{2,}",
    r"(foo|bar)+",
    r"\d{3}-\d{4}",
    r"((a+)b)+",
    r"(?:[a-z]+,)*[a-z]+",
]


@pytest.mark.parametrize("pattern", EVIL)
def test_exponential_shapes_are_named(pattern: str) -> None:
    assert catastrophic(pattern) is not None


@pytest.mark.parametrize("pattern", SAFE)
def test_linear_shapes_pass(pattern: str) -> None:
    assert catastrophic(pattern) is None


def test_the_evil_pattern_is_unsupported_within_a_second(one) -> None:
    frame = pl.DataFrame({"s": ["a" * 30 + "b", "aaa"]})
    started = time.monotonic()
    result = one(frame, dq.Regex(id="evil", column="s", pattern="(a+)+$"))
    assert time.monotonic() - started < 5
    assert result.status is dq.RuleStatus.UNSUPPORTED
    assert "nested quantifier" in result.message and "linear time" in result.message


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_patterns_still_run_and_agree_with_python(one, pattern: str) -> None:
    values = ["a@b.co", "foo.bar.org", "foobar", "555-1234", "aab", "x,y", "", "a" * 40 + "!"]
    result = one(pl.DataFrame({"s": values}), dq.Regex(id="ok", column="s", pattern=pattern))
    expected = sum(re.fullmatch(pattern, v) is None for v in values)
    assert result.status in (dq.RuleStatus.PASSED, dq.RuleStatus.FAILED)
    assert result.failed_count == expected
