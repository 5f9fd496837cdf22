"""What a dq run publishes in Mage: a JSON summary, returned by the helpers and logged.

The summary is small, plain JSON (Mage stores a block's output as JSON when it is a dict; a
downstream block or a callback reads it without dq installed) and attributable (run id,
tenant and Mage's ids travel with the verdict). It leaves out the suite's
``notify``/``secrets`` tables and the pipeline's runtime variables: those may hold webhook
URLs or credentials, and block output and logs are readable by anyone who can open the
pipeline in Mage.
"""

from __future__ import annotations

from typing import Any

import dq

#: Mage's ids copied from the RunContext params into the summary.
MAGE_KEYS = ("pipeline_uuid", "block_uuid", "pipeline_run_id", "execution_partition")
_NOT_PASSED = {dq.RuleStatus.FAILED, dq.RuleStatus.ERROR, dq.RuleStatus.UNSUPPORTED}


def failing_rules(result: dq.CheckResult) -> list[dq.RuleResult]:
    """Rules that did not pass, errors first (they are what fails a unit), in suite order."""
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


def rule_rows(result: dq.CheckResult) -> list[dict[str, Any]]:
    """One plain row per rule, in suite order (the summary's ``rules`` and the rules table)."""
    return [
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


def summarize(
    result: dq.CheckResult,
    suite: dq.Suite,
    context: dq.RunContext,
    deliveries: tuple[dq.Delivery, ...] = (),
) -> dict[str, Any]:
    """The JSON document published for one run (see the module docstring for what is left out).

    ``notifications`` says which channels were told and under which dedup key (the event's
    name, the same ``dq run`` uses), never a URL or an error text.
    """
    return {
        "suite": suite.name,
        "engine": result.engine,
        "status": result.status.value,
        "run_id": context.run_id,
        "tenant": None if context.tenant is None else str(context.tenant),
        "logical_date": None if context.logical_date is None else context.logical_date.isoformat(),
        "orchestrator": context.orchestrator,
        "mage": {k: context.params[k] for k in MAGE_KEYS if k in context.params},
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
        "rules": rule_rows(result),
        "notifications": [
            {"channel": d.channel, "status": d.status.value, "dedup_key": d.dedup_key}
            for d in deliveries
        ],
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
    """A fixed-width table of the rules that did not pass, for the block's log."""
    bad = failing_rules(result)
    if not bad:
        return f"all {len(result.results)} rules passed"
    header = ("rule", "check", "column", "severity", "status", "failed", "of")
    rows = [
        (
            r.rule_id,
            r.check,
            r.column or "",
            r.severity.value,
            r.status.value,
            str(r.failed_count),
            str(r.element_count),
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
        lines.append(f"... and {len(bad) - limit} more rules not passing")
    return "\n".join(lines)
