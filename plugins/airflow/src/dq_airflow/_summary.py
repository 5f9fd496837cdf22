"""What a dq run publishes to Airflow and writes to the task log.

The summary is the task's XCom ``return_value`` (and ``dq_summary``): small, plain JSON (XCom
stores JSON text, and a downstream task or a branch operator reads it without dq installed),
and attributable (run id, tenant and Airflow's ids travel with the verdict, so a result is
never read for another run). It deliberately leaves out the suite's ``notify``/``secrets``
tables and the DAG's other params: those may hold webhook URLs or credentials, and XCom is
readable by anyone who can see the DAG run.
"""

from __future__ import annotations

from typing import Any

import dq

#: Airflow's ids copied from the RunContext params into the summary.
AIRFLOW_KEYS = ("dag_id", "task_id", "try_number", "map_index")
#: A rule that "failed" in the sense of the summary's ``failing`` list.
_NOT_PASSED = {dq.RuleStatus.FAILED, dq.RuleStatus.ERROR, dq.RuleStatus.UNSUPPORTED}


def failing_rules(result: dq.CheckResult) -> list[dq.RuleResult]:
    """Rules that did not pass, errors first (they are what fails a task), in suite order."""
    bad = [r for r in result.results if r.status in _NOT_PASSED]
    return sorted(bad, key=lambda r: r.severity is not dq.Severity.ERROR)


def counts(result: dq.CheckResult) -> dict[str, int]:
    """Rules by status, and failed rules by severity (what the fail_on policies look at)."""
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


def summarize(result: dq.CheckResult, suite: dq.Suite, context: dq.RunContext) -> dict[str, Any]:
    """The JSON document published for one run (see the module docstring for what is left out)."""
    rules = [
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
    ]
    return {
        "suite": suite.name,
        "engine": result.engine,
        "status": result.status.value,
        "run_id": context.run_id,
        "tenant": None if context.tenant is None else str(context.tenant),
        "logical_date": None if context.logical_date is None else context.logical_date.isoformat(),
        "orchestrator": context.orchestrator,
        "airflow": {k: context.params[k] for k in AIRFLOW_KEYS if k in context.params},
        "row_count": result.row_count,
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
        "rules": rules,
    }


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


def table(result: dq.CheckResult, *, limit: int = 50) -> str:
    """A fixed-width table of the rules that did not pass, for the task log."""
    bad = failing_rules(result)
    if not bad:
        return f"all {len(result.results)} rules passed"
    header = ("rule", "check", "column", "severity", "status", "failed", "of", "message")
    rows = [
        (
            r.rule_id,
            r.check,
            r.column or "",
            r.severity.value,
            r.status.value,
            str(r.failed_count),
            str(r.element_count),
            " ".join(r.message.split())[:120],
        )
        for r in bad[:limit]
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if len(bad) > limit:
        lines.append(f"... and {len(bad) - limit} more failing rules (full result: XCom dq_result)")
    return "\n".join(lines)
