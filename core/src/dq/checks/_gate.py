"""The run's verdict: rule results judged by the rule set's quality gate.

One implementation in the core so every engine reaches the same verdict from
the same results (engines compute results; they do not judge them).

* A rule *counts against the gate* when it FAILED or is UNSUPPORTED: a check
  the engine could not perform is never silently passed. An unsupported
  error-severity rule therefore fails the run by default; an unsupported
  warning does not, unless ``max_failed_warnings`` says so.
* ``max_failed_errors`` / ``max_failed_warnings``: how many counting rules of
  each severity are tolerated (``None``: any number).
* ``max_failure_rate``: the tolerated share of all rules that count against the
  gate (a rule-level rate; each rule's ``mostly`` already governs rows).

The run is ERROR when any rule could not be evaluated (unknown column, invalid
regex ...): the verdict is unknown and must not read as pass or fail. Otherwise
FAILED when a budget is exceeded, otherwise PASSED.
"""

from __future__ import annotations

from collections.abc import Sequence

from dq.model._results import RuleResult, RuleStatus, RunStatus
from dq.model._rules import QualityGate, Severity

_COUNTING = (RuleStatus.FAILED, RuleStatus.UNSUPPORTED)


def gate_exceeded(results: Sequence[RuleResult], gate: QualityGate) -> bool:
    counting = [r for r in results if r.status in _COUNTING]
    errors = sum(1 for r in counting if r.severity is Severity.ERROR)
    warnings = len(counting) - errors
    if errors > gate.max_failed_errors:
        return True
    if gate.max_failed_warnings is not None and warnings > gate.max_failed_warnings:
        return True
    if gate.max_failure_rate is not None and results:
        return len(counting) / len(results) > gate.max_failure_rate
    return False


def run_status(results: Sequence[RuleResult], gate: QualityGate) -> RunStatus:
    """ERROR if a rule could not be evaluated, else FAILED if the gate is exceeded, else PASSED."""
    if any(r.status is RuleStatus.ERROR for r in results):
        return RunStatus.ERROR
    return RunStatus.FAILED if gate_exceeded(results, gate) else RunStatus.PASSED
