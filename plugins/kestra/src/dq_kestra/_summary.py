"""What a run publishes to Kestra: the task's outputs and metrics.

The outputs map is the run's summary -- plain JSON a downstream task reads as
``{{ outputs.<task>.status }}``, ``{{ outputs.<task>.failing }}`` ... without dq. It is
attributable (run id, tenant and Kestra's ids travel with the verdict) and it leaves out
the suite's ``notify``/``secrets`` tables and the run's other params: those may hold
credentials, and a task's outputs are visible to anyone who can see the execution.
Failure samples are left out too (row values, possibly personal data).
"""

from __future__ import annotations

from typing import Any

import dq

#: Kestra's ids copied from the RunContext params into the summary.
KESTRA_KEYS = ("namespace", "flow_id", "task_id", "taskrun_id", "attempt")
_NOT_PASSED = {dq.RuleStatus.FAILED, dq.RuleStatus.ERROR, dq.RuleStatus.UNSUPPORTED}

#: Process exit codes, the same as ``dq run``'s (Kestra fails the task on any non-zero).
EXIT_PASSED, EXIT_FAILED, EXIT_CONFIG, EXIT_RUNTIME = 0, 1, 2, 3


def failing_rules(result: dq.CheckResult) -> list[dq.RuleResult]:
    """Rules that did not pass, errors first, in suite order."""
    bad = [r for r in result.results if r.status in _NOT_PASSED]
    return sorted(bad, key=lambda r: r.severity is not dq.Severity.ERROR)


def counts(result: dq.CheckResult) -> dict[str, int]:
    by_status = {status.value: 0 for status in dq.RuleStatus}
    for r in result.results:
        by_status[r.status.value] += 1
    failed = [r for r in result.results if r.status is dq.RuleStatus.FAILED]
    return {
        "rules": len(result.results),
        **by_status,
        "failed_errors": sum(r.severity is dq.Severity.ERROR for r in failed),
        "failed_warnings": sum(r.severity is dq.Severity.WARNING for r in failed),
    }


def dedup_key(result: dq.CheckResult, suite: dq.Suite, context: dq.RunContext) -> str | None:
    """The key dq's notifications carry for this verdict (``None`` for a passing run).

    Taken from :func:`dq.notification_for`, so it is exactly the key ``dq run`` alerts with:
    the same failure reached through Kestra and through a terminal pages once.
    """
    if result.status is dq.RunStatus.PASSED:
        return None
    note = dq.notification_for(result, suite.name, tenant=context.tenant, notify_on=set(dq.RunStatus))
    return None if note is None else note.dedup_key


def summarize(
    result: dq.CheckResult, suite: dq.Suite, context: dq.RunContext, *, exit_code: int
) -> dict[str, Any]:
    """The outputs map of one run (see the module docstring for what is left out)."""
    return {
        "suite": suite.name,
        "engine": result.engine,
        "status": result.status.value,
        "passed": result.status is dq.RunStatus.PASSED,
        "exit_code": exit_code,
        "run_id": context.run_id,
        "tenant": None if context.tenant is None else str(context.tenant),
        "logical_date": None if context.logical_date is None else context.logical_date.isoformat(),
        "orchestrator": context.orchestrator,
        "kestra": {k: context.params[k] for k in KESTRA_KEYS if k in context.params},
        "row_count": result.row_count,
        "duration_seconds": result.duration_seconds,
        "dedup_key": dedup_key(result, suite, context),
        "counts": counts(result),
        "failing": [
            {
                "rule_id": r.rule_id,
                "status": r.status.value,
                "severity": r.severity.value,
                "failed_count": r.failed_count,
            }
            for r in failing_rules(result)
        ],
        "rules": [
            {
                "rule_id": r.rule_id,
                "check": r.check,
                "column": r.column,
                "status": r.status.value,
                "severity": r.severity.value,
                "failed_count": r.failed_count,
                "element_count": r.element_count,
            }
            for r in result.results
        ],
    }


def metric_entries(result: dq.CheckResult, suite: dq.Suite) -> list[dict[str, Any]]:
    """Counters for rules passed/failed and rows, a timer for the check's duration."""
    from dq_kestra._wire import metric

    tags = {"suite": suite.name, "status": result.status.value}
    c = counts(result)
    entries = [
        metric("dq.rules.passed", c["passed"], tags=tags),
        metric("dq.rules.failed", c["failed"], tags=tags),
        metric("dq.rules.error", c["error"] + c["unsupported"], tags=tags),
    ]
    if result.row_count is not None:
        entries.append(metric("dq.rows", result.row_count, tags=tags))
    if result.duration_seconds is not None:
        entries.append(metric("dq.duration", result.duration_seconds, type="timer", tags=tags))
    return entries


def describe_failures(result: dq.CheckResult, limit: int = 10) -> str:
    """``emails_present (error, 1 failed), amount_positive (warning, 1 failed)``; bounded."""
    bad = failing_rules(result)
    parts = []
    for r in bad[:limit]:
        what = f"{r.failed_count} failed" if r.status is dq.RuleStatus.FAILED else r.status.value
        parts.append(f"{r.rule_id} ({r.severity.value}, {what})")
    if len(bad) > limit:
        parts.append(f"and {len(bad) - limit} more")
    return ", ".join(parts) if parts else "no failing rules"
