"""What a dq run publishes to Prefect: a JSON summary, a rules table and a Markdown report.

The summary is the task's return value: small, plain JSON (a downstream task, or a client
reading the result, needs no dq) and attributable (flow run id, tenant and Prefect's ids
travel with the verdict). The rules table and the report become the run's table and Markdown
artifacts. None of them holds the suite's ``notify``/``secrets`` tables or the flow run's
other parameters: those may hold webhook URLs or credentials, and artifacts are readable by
anyone who can see the flow run in Prefect's UI.
"""

from __future__ import annotations

from typing import Any

import dq

#: Prefect's ids copied from the RunContext params into the summary.
PREFECT_KEYS = ("flow_name", "flow_run_name", "task_run_id", "task_run_count")
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
        "prefect": {k: context.params[k] for k in PREFECT_KEYS if k in context.params},
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


def _cell(value: object) -> str:
    """Markdown table cell text: no pipes or newlines can break the row."""
    return " ".join(str(value).split()).replace("|", "\\|")


def markdown(summary: dict[str, Any], *, limit: int = 100) -> str:
    """A Markdown report of one run: verdict line, then every rule (failing first)."""
    c = summary["counts"]
    tenant = f", tenant `{summary['tenant']}`" if summary["tenant"] else ""
    lines = [
        f"### dq suite `{summary['suite']}`: **{summary['status']}**",
        "",
        f"{c['rules']} rules on {summary['row_count']} rows (engine `{summary['engine']}`), "
        f"{c['failed_errors']} failed errors, {c['failed_warnings']} failed warnings; "
        f"run `{summary['run_id']}`{tenant}.",
        "",
        "| rule | check | column | severity | status | failed | of |",
        "|---|---|---|---|---|---:|---:|",
    ]
    order = {r["rule_id"]: i for i, r in enumerate(summary["failing"])}
    rules = sorted(summary["rules"], key=lambda r: order.get(r["rule_id"], len(order)))
    for r in rules[:limit]:
        lines.append(
            f"| {_cell(r['rule_id'])} | {_cell(r['check'])} | {_cell(r['column'] or '')} | "
            f"{r['severity']} | {r['status']} | {r['failed_count']} | {r['element_count']} |"
        )
    if len(rules) > limit:
        lines.append(f"\n... and {len(rules) - limit} more rules (full list: `dq_summary`).")
    return "\n".join(lines)
