"""One dq run inside a Dagster unit: load the suite, map the context, run, sort errors.

Shared by the asset checks and :class:`dq_dagster.DqResource`. Errors are sorted so Dagster's
retry policies are spent only where a retry can help:

* the suite cannot be used (missing or invalid suite file, unknown engine, an invalid
  tenant, a suite pinned to another tenant, an asset value dq cannot read -- any
  :class:`dq.UsageError`): ``dagster.Failure(allow_retries=False)``, so a ``RetryPolicy`` is
  bypassed: the same file gives the same answer;
* anything else dq reports while running (data not readable yet, a secret backend down, a
  plugin crashed): ``dagster.Failure`` that the unit's ``RetryPolicy`` retries;
* the verdict itself is not an exception here: the caller turns it into a failed blocking
  check (ERROR severity) or raises ``Failure`` with the summary as metadata.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import dagster as dg
import dq

from dq_dagster._binding import DagsterBinding
from dq_dagster._config import DagsterConfig
from dq_dagster._data import source_for, with_source
from dq_dagster._summary import failing_rules, markdown, rule_rows

#: What names a suite: its file, or a suite already loaded with :func:`dq.load_suite`.
SuiteRef = str | os.PathLike[str] | dq.Suite


@attrs.frozen
class Outcome:
    """A finished run: the result, its published summary and whether it fails the unit."""

    suite: dq.Suite
    result: dq.CheckResult
    summary: dict[str, Any]
    fails: bool
    message: str
    run: dq.SuiteRun | None


def suite_label(ref: SuiteRef) -> str:
    return ref.name if isinstance(ref, dq.Suite) else os.fspath(ref)


def load(ref: SuiteRef) -> dq.Suite:
    """The suite *ref* names, read now (each run sees the file as it is)."""
    if isinstance(ref, dq.Suite):
        return ref
    path = Path(ref)
    try:
        return dq.load_suite(path)
    except dq.UsageError as exc:
        text = str(exc)
        text = text[len(f"{path}: ") :] if text.startswith(f"{path}: ") else text
        raise dg.Failure(description=f"dq suite file {path}: {text}", allow_retries=False) from None


def execute(
    context: Any,
    ref: SuiteRef,
    *,
    value: object = None,
    tenant: str | None = None,
    config: DagsterConfig,
    engine: str | None = None,
    host: dq.Host | None = None,
    log: Callable[[str], None] | None = None,
) -> Outcome:
    """Run the suite *ref* on *value* (or the suite's source) for the run in *context*."""
    suite = load(ref)
    where = suite_label(ref)
    published: list[dict[str, Any]] = []
    binding = DagsterBinding(
        config, host=host, publish=published.append, engine=engine or None, source=where
    )
    try:
        run_ctx = binding.context(context, tenant=tenant)
    except dq.UsageError as exc:
        raise dg.Failure(description=f"dq suite {where}: {exc}", allow_retries=False) from None
    fails, message = False, ""
    with tempfile.TemporaryDirectory(prefix="dq-dagster-") as folder:
        try:
            data = with_source(suite, source_for(value, Path(folder)))
            if log is not None:
                log(
                    f"dq: running suite {suite.name!r} ({where}) on {data.source.path} for run "
                    f"{run_ctx.run_id!r}, tenant {run_ctx.tenant or '(none)'}, "
                    f"fail_on={config.fail_on}"
                )
            result = binding.run(data, run_ctx)
        except dq.SuiteFailed as exc:
            result, fails, message = exc.result, True, str(exc)  # type: ignore[assignment]
        except dq.UsageError as exc:
            raise dg.Failure(description=f"dq suite {where}: {exc}", allow_retries=False) from None
        except dq.DqError as exc:
            raise dg.Failure(description=f"dq suite {where}: {exc}", allow_retries=True) from None
    return Outcome(suite, result, published[-1], fails, message, binding.last_run)


def metadata(outcome: Outcome) -> dict[str, Any]:
    """Dagster metadata: verdict and counts, the per-rule table, the summary and a report."""
    summary = outcome.summary
    counts = summary["counts"]
    columns = [
        dg.TableColumn("rule_id", "string"),
        dg.TableColumn("check", "string"),
        dg.TableColumn("column", "string"),
        dg.TableColumn("status", "string"),
        dg.TableColumn("severity", "string"),
        dg.TableColumn("failed_count", "int"),
        dg.TableColumn("element_count", "int"),
    ]
    records = [
        dg.TableRecord({**row, "column": row["column"] or ""}) for row in rule_rows(outcome.result)
    ]
    values: dict[str, Any] = {
        "dq_status": summary["status"],
        "dq_failed_errors": counts["failed_errors"],
        "dq_failed_warnings": counts["failed_warnings"],
        "dq_rules": dg.MetadataValue.table(records, schema=dg.TableSchema(columns=columns)),
        "dq_summary": dg.MetadataValue.json(summary),
        "dq_report": dg.MetadataValue.md(markdown(summary)),
    }
    if summary["row_count"] is not None:
        values["dq_row_count"] = summary["row_count"]
    return values


def check_result(outcome: Outcome, *, asset_key: Any = None, check_name: str | None = None) -> Any:
    """The ``AssetCheckResult``: ERROR when the policy fails the run, WARN when rules failed
    but the policy tolerates it, passed when every rule passed."""
    not_passed = failing_rules(outcome.result)
    if outcome.fails:
        severity, description = dg.AssetCheckSeverity.ERROR, outcome.message
    else:
        severity = dg.AssetCheckSeverity.WARN
        description = (
            f"dq suite {outcome.suite.name!r} {outcome.result.status.value}; tolerated: "
            + ", ".join(f"{r.rule_id} ({r.severity.value})" for r in not_passed)
            if not_passed
            else f"dq suite {outcome.suite.name!r}: all {len(outcome.result.results)} rules passed"
        )
    extra: dict[str, Any] = {}
    if asset_key is not None:
        extra["asset_key"] = asset_key
    if check_name is not None:
        extra["check_name"] = check_name
    return dg.AssetCheckResult(
        passed=not outcome.fails and not not_passed,
        severity=severity,
        metadata=metadata(outcome),
        description=description[:2000],
        **extra,
    )
