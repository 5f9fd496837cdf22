"""dbt's ``run_results.json`` + ``manifest.json`` read back into a :class:`dq.CheckResult`.

Schemas: https://docs.getdbt.com/reference/artifacts/run-results-json (``results[]``:
``unique_id``, ``status`` pass/fail/warn/error/skipped, ``failures``, ``message``,
``execution_time``; ``elapsed_time``, ``metadata.generated_at``) and
https://docs.getdbt.com/reference/artifacts/manifest-json (``nodes[unique_id]``:
``resource_type``, ``name``, ``column_name``, ``test_metadata.name``/``kwargs``,
``config.severity``, ``config.meta``, ``attached_node``).

One rule per dbt test node that ran: ``rule_id`` the test's ``config.meta.dq_rule_id`` (set
by :func:`dq_dbt.generate`) else its name; ``check`` ``meta.dq_check`` else the generic
test's name (``singular`` for a SQL test file); ``failed_count`` dbt's ``failures``;
severity from the node's config. dbt's statuses map as: pass -> PASSED, fail/warn ->
FAILED (a ``warn`` is a failure whose severity is warning), error -> ERROR, skipped ->
ERROR (not evaluated: its verdict is unknown). The verdict is then dq's own, by
:func:`dq.run_status` under the given gate -- dbt's exit code is not trusted for it. dbt
does not report how many rows a test judged, so ``element_count`` is 0.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import dq

ENGINE = "dbt"
_STATUS = {
    "pass": dq.RuleStatus.PASSED,
    "success": dq.RuleStatus.PASSED,
    "fail": dq.RuleStatus.FAILED,
    "warn": dq.RuleStatus.FAILED,
    "error": dq.RuleStatus.ERROR,
    "runtime error": dq.RuleStatus.ERROR,
    "skipped": dq.RuleStatus.ERROR,
}


def _load(path: str | Path, what: str) -> dict[str, Any]:
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise dq.UsageError(f"{file}: no such file (dbt writes {what} into target/)") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise dq.UsageError(f"{file}: not a dbt {what} (invalid JSON: {exc})") from None
    if not isinstance(data, dict):
        raise dq.UsageError(f"{file}: not a dbt {what} (expected a JSON object)")
    return data


def _severity(node: dict[str, Any], status: str) -> dq.Severity:
    if status == "warn":
        return dq.Severity.WARNING
    configured = str((node.get("config") or {}).get("severity") or "error").lower()
    return dq.Severity.WARNING if configured == "warn" else dq.Severity.ERROR


def rule_result(entry: dict[str, Any], node: dict[str, Any]) -> dq.RuleResult:
    status = str(entry.get("status", "")).lower()
    meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
    test = (node.get("test_metadata") or {}).get("name") or "singular"
    failures = entry.get("failures")
    rule_status = _STATUS.get(status, dq.RuleStatus.ERROR)
    message = " ".join(str(entry.get("message") or "").split())[:500]
    if status == "skipped":
        message = message or "skipped by dbt (an upstream node failed)"
    return dq.RuleResult(
        rule_id=str(meta.get("dq_rule_id") or node.get("name") or entry.get("unique_id")),
        check=str(meta.get("dq_check") or test),
        column=node.get("column_name") or None,
        status=rule_status,
        severity=_severity(node, status),
        failed_count=int(failures) if isinstance(failures, int) and failures >= 0 else 0,
        element_count=0,
        message=message,
    )


def read_results(
    run_results: str | Path,
    manifest: str | Path,
    *,
    gate: dq.QualityGate | None = None,
    model: str | None = None,
) -> dq.CheckResult:
    """The dbt tests in *run_results* as a dq result judged by *gate* (default gate).

    *model* keeps only the tests attached to that model (its name).
    """
    runs = _load(run_results, "run_results.json")
    nodes = _load(manifest, "manifest.json").get("nodes")
    if not isinstance(nodes, dict) or not isinstance(runs.get("results"), list):
        raise dq.UsageError(
            f"{run_results} / {manifest}: not dbt artifacts (no 'results' list or 'nodes' map)"
        )
    results = []
    for entry in runs["results"]:
        node = nodes.get(entry.get("unique_id")) if isinstance(entry, dict) else None
        if not isinstance(node, dict) or node.get("resource_type") != "test":
            continue
        if model is not None and not _attached_to(node, model):
            continue
        results.append(rule_result(entry, node))
    gate = gate if gate is not None else dq.QualityGate()
    started = (runs.get("metadata") or {}).get("generated_at")
    return dq.CheckResult(
        status=dq.run_status(results, gate),
        engine=ENGINE,
        results=tuple(results),
        row_count=None,
        started_at=_parse_time(started),
        duration_seconds=runs.get("elapsed_time") if isinstance(runs.get("elapsed_time"), (int, float)) else None,
    )


def _attached_to(node: dict[str, Any], model: str) -> bool:
    attached = node.get("attached_node") or ""
    if attached.split(".")[-1] == model:
        return True
    depends = (node.get("depends_on") or {}).get("nodes") or []
    return any(str(d).split(".")[-1] == model for d in depends)


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
