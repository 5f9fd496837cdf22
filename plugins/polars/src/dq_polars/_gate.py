"""The run's verdict from its rule results and the RuleSet's QualityGate.

dq-core 1.0 defines ``QualityGate`` but no code that evaluates it; this is the
engine's reading of it, kept in its own module so it can move to the core
unchanged once the core pins it:

* ``max_failed_errors`` / ``max_failed_warnings``: how many FAILED rules of each
  severity are tolerated (``None``: any number);
* ``max_failure_rate``: the tolerated share of *evaluated* rules (PASSED or
  FAILED, both severities) that FAILED — a rule-level rate; the row-level rate is
  what each rule's ``mostly`` already governs.

The run is FAILED when any budget is exceeded (the data is known to be bad),
otherwise ERROR when a rule could not be evaluated or is unsupported (the
verdict is unknown, so it must not read as passed), otherwise PASSED.
"""

from __future__ import annotations

from collections.abc import Sequence

import dq


def gate_exceeded(results: Sequence[dq.RuleResult], gate: dq.QualityGate) -> bool:
    failed = [r for r in results if r.status is dq.RuleStatus.FAILED]
    errors = sum(1 for r in failed if r.severity is dq.Severity.ERROR)
    warnings = len(failed) - errors
    if errors > gate.max_failed_errors:
        return True
    if gate.max_failed_warnings is not None and warnings > gate.max_failed_warnings:
        return True
    if gate.max_failure_rate is not None:
        evaluated = sum(
            1 for r in results if r.status in (dq.RuleStatus.PASSED, dq.RuleStatus.FAILED)
        )
        if evaluated and len(failed) / evaluated > gate.max_failure_rate:
            return True
    return False


def run_status(results: Sequence[dq.RuleResult], gate: dq.QualityGate) -> dq.RunStatus:
    if gate_exceeded(results, gate):
        return dq.RunStatus.FAILED
    unsettled = (dq.RuleStatus.ERROR, dq.RuleStatus.UNSUPPORTED)
    if any(r.status in unsettled for r in results):
        return dq.RunStatus.ERROR
    return dq.RunStatus.PASSED
