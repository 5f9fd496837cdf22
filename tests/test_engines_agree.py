"""The differential test: every engine gives the same counts on the same data and rules.

Runs in the ``engines-agree`` tox env, which installs dq-polars, dq-pandera,
dq-great-expectations and dq-truthound side by side (truthound 3.1.x, which allows
polars 2). Each engine is compared with the reference oracle of dq-contract-tests
and so with every other engine: same status, failing rows and checked rows per rule.
A result an engine marks ``approximate`` or ``unsupported`` is exempt, because it
says so; the test asserts that the exemption is declared, never silent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dq
import polars as pl
import pytest
from dq_contract.reference import reference_check
from dq_contract.strategies import cases
from hypothesis import HealthCheck, given, settings

ENGINES = ("polars", "pandera", "gx", "truthound")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def engines() -> dict[str, Any]:
    host = dq.Host(dq.discover())
    return {name: host.component("engine", name) for name in ENGINES}


def _comparable(r: dq.RuleResult) -> tuple[Any, ...]:
    return (r.rule_id, r.status, r.failed_count, r.element_count)


def _assert_agree(engines: dict[str, Any], frame: pl.DataFrame, rules: dq.RuleSet) -> None:
    expected = reference_check(frame, rules)
    for name, engine in engines.items():
        got = engine.check(frame, rules)
        for want, have in zip(expected.results, got.results, strict=True):
            if have.status is dq.RuleStatus.UNSUPPORTED:
                assert have.check not in engine.supported_checks or have.message, (name, have)
                continue
            if have.approximate:
                assert have.message, f"{name}: approximate result without a reason: {have}"
                continue
            assert _comparable(have) == _comparable(want), (
                f"{name} disagrees with the reference on {have.rule_id} ({have.check}): "
                f"{_comparable(have)} != {_comparable(want)}\n{frame}"
            )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_all_engines_agree_with_the_reference_on_generated_data(engines, case) -> None:
    frame, rules = case
    _assert_agree(engines, frame, rules)


def test_all_engines_agree_on_the_example_orders(engines) -> None:
    frame = pl.read_csv(ROOT / "examples" / "orders.csv")
    rules = dq.load_typed(ROOT / "examples" / "orders.rules.toml", dq.RuleSet)
    counts = {}
    for name, engine in engines.items():
        result = engine.check(frame, rules)
        counts[name] = [
            (r.rule_id, r.status.value, r.failed_count, r.element_count) for r in result.results
        ]
    assert all(c == counts["polars"] for c in counts.values()), counts
    # the planted defects, as documented in examples/make_orders.py
    failed = {rule: n for rule, status, n, _ in counts["polars"] if status == "failed"}
    assert failed == {
        "unique_order_id": 4,
        "not_null_amount": 3,
        "between_amount": 3,
        "regex_customer_email": 4,
        "max_length_customer_email": 1,
        "in_set_status": 3,
    }
