"""The quality gate: one verdict for every engine."""

from __future__ import annotations

import dq
import pytest
from dq import QualityGate, RuleStatus, RunStatus, Severity
from hypothesis import given
from hypothesis import strategies as st


def result(status: RuleStatus, severity: Severity = Severity.ERROR) -> dq.RuleResult:
    return dq.RuleResult(
        rule_id=f"r{id(object())}", check="not_null", column="c", status=status, severity=severity
    )


P, F, U, E = RuleStatus.PASSED, RuleStatus.FAILED, RuleStatus.UNSUPPORTED, RuleStatus.ERROR
W = Severity.WARNING


@pytest.mark.parametrize(
    ("results", "gate", "expected"),
    [
        ([result(P)], QualityGate(), RunStatus.PASSED),
        ([result(F)], QualityGate(), RunStatus.FAILED),
        ([result(F, W)], QualityGate(), RunStatus.PASSED),  # warnings are tolerated by default
        ([result(F, W)], QualityGate(max_failed_warnings=0), RunStatus.FAILED),
        ([result(F), result(F)], QualityGate(max_failed_errors=2), RunStatus.PASSED),
        ([result(U)], QualityGate(), RunStatus.FAILED),  # never silently passed
        ([result(U, W)], QualityGate(), RunStatus.PASSED),
        ([result(E), result(P)], QualityGate(), RunStatus.ERROR),
        (
            [result(F, W), result(P), result(P), result(P)],
            QualityGate(max_failure_rate=0.2),
            RunStatus.FAILED,
        ),
        (
            [result(F, W), result(P), result(P), result(P)],
            QualityGate(max_failure_rate=0.25),
            RunStatus.PASSED,
        ),
        ([], QualityGate(), RunStatus.PASSED),
    ],
)
def test_verdicts(results, gate, expected) -> None:
    assert dq.run_status(results, gate) is expected


@given(st.lists(st.sampled_from([P, F, U]), max_size=8))
def test_all_passing_never_fails_and_any_failed_error_rule_fails_by_default(statuses) -> None:
    verdict = dq.run_status([result(s) for s in statuses], QualityGate())
    assert (verdict is RunStatus.FAILED) == any(s is not P for s in statuses)


def test_max_failure_rate_must_be_a_rate() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        QualityGate(max_failure_rate=1.5)
