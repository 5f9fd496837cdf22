"""``run_dq_suite``: a dq suite as a Prefect 3 task; ``dq_suite_flow`` and ``validate``.

The task runs the suite through :class:`dq_prefect.PrefectBinding` (``dq.execute_suite``,
exactly what ``dq run`` does), publishes a **table artifact** of the per-rule results and a
**Markdown artifact** report -- before deciding the verdict, so a failed run has them too --
and returns the JSON summary. Failures are sorted so Prefect's retries are spent only where
a retry can help:

* the suite cannot be used (missing or invalid suite file, unknown engine, an invalid
  tenant, a suite pinned to another tenant, data dq cannot read, an unknown ``fail_on``):
  :class:`DqConfigError`, which the task's ``retry_condition_fn`` refuses to retry;
* the verdict fails under ``fail_on``: :class:`DqGateFailed` naming the failing rules
  (retried when the task has retries: the data may be fixed upstream in the meantime);
* anything else dq reports (data not readable yet, a secret backend down, a plugin crash):
  :class:`DqRunError`, retried as configured.

The exceptions carry text only (and the summary), so Prefect can keep and show them.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import dq
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from dq_prefect._binding import PrefectBinding
from dq_prefect._config import PrefectConfig, check_fail_on
from dq_prefect._data import source_for, with_source
from dq_prefect._summary import describe_failures, markdown, rule_rows

#: What names a suite: its file, or a suite already loaded with :func:`dq.load_suite`.
SuiteRef = str | os.PathLike[str] | dq.Suite


class DqConfigError(Exception):
    """The suite or its configuration cannot be used: retrying gives the same answer."""


class DqRunError(Exception):
    """dq failed while running (data not readable yet, a backend down): worth a retry."""


class DqGateFailed(Exception):
    """The suite's verdict fails the task under ``fail_on``; ``summary`` is the JSON summary."""

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        super().__init__(message, summary)
        self.summary = summary

    def __str__(self) -> str:
        return str(self.args[0])


def retry_unless_config_error(task: Any, task_run: Any, state: Any) -> bool:
    """``retry_condition_fn``: retry anything but a :class:`DqConfigError`."""
    error = state.data if isinstance(state.data, BaseException) else None
    if error is None:
        try:
            state.result()
        except BaseException as exc:  # noqa: BLE001 - reading which exception failed it
            error = exc
    return not isinstance(error, DqConfigError)


def run_facts() -> dict[str, Any]:
    """The run as ``prefect.runtime`` sees it (see :mod:`dq_prefect._context`).

    A task called outside any flow (Prefect 3 allows it) has no flow run: its own task run
    id is the run id, and it has no schedule and no flow parameters.
    """
    from prefect.runtime import flow_run, task_run

    facts: dict[str, Any] = {
        "task_run_id": task_run.id,
        "task_run_count": task_run.run_count,
    }
    flow_run_id = flow_run.id
    # outside a flow Prefect 3.4 reports the task's missing flow run id as the text "None"
    if not flow_run_id or str(flow_run_id) == "None":
        return {**facts, "id": task_run.id, "parameters": {}}
    return {
        **facts,
        "id": flow_run_id,
        "name": flow_run.name,
        "flow_name": flow_run.flow_name,
        "scheduled_start_time": flow_run.scheduled_start_time,
        "parameters": dict(flow_run.parameters or {}),
    }


def artifact_key(name: str) -> str:
    """An artifact key from a suite name: Prefect allows lowercase letters, digits and '-'."""
    slug = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    return f"dq-{slug or 'suite'}"


def _load(ref: SuiteRef) -> tuple[dq.Suite, str]:
    if isinstance(ref, dq.Suite):
        return ref, ref.name
    path = Path(ref).expanduser().resolve()
    try:
        return dq.load_suite(path), str(path)
    except dq.UsageError as exc:
        text = str(exc)
        text = text[len(f"{path}: ") :] if text.startswith(f"{path}: ") else text
        raise DqConfigError(f"dq suite file {path}: {text}") from None


@task(
    name="dq-suite",
    cache_policy=NO_CACHE,
    persist_result=False,
    retry_condition_fn=retry_unless_config_error,
)
def run_dq_suite(
    suite: SuiteRef,
    *,
    tenant: str | None = None,
    fail_on: str = "error",
    engine: str | None = None,
    data: Any = None,
    key: str | None = None,
) -> dict[str, Any]:
    """Run the dq suite *suite*, publish its artifacts, return its JSON summary.

    :param suite: the suite file (a relative path is taken from the working directory, as
        Prefect deployments set it), or a :class:`dq.Suite`.
    :param tenant: the tenant; default: the flow parameter ``tenant``.
    :param fail_on: ``"error"`` (the suite's gate), ``"warning"`` (any failing rule),
        ``"never"`` (publish only).
    :param engine: run on this engine instead of the suite's (``dq run --engine``).
    :param data: check this instead of the suite's source: a polars/pandas frame or a path.
    :param key: the artifacts' key (default ``dq-<suite name>``; the report adds ``-report``).
    """
    logger = get_run_logger()
    try:
        config = PrefectConfig(fail_on=check_fail_on(fail_on))  # type: ignore[arg-type]
    except ValueError as exc:
        raise DqConfigError(f"run_dq_suite: {exc}") from None
    loaded, where = _load(suite)
    artifact = key or artifact_key(loaded.name)

    def publish(summary: dict[str, Any]) -> None:
        rows = [{**row, "column": row["column"] or ""} for row in summary["rules"]]
        create_table_artifact(
            table=rows,
            key=artifact,
            description=f"dq suite {loaded.name!r}: {summary['status']} (run {summary['run_id']})",
        )
        create_markdown_artifact(
            markdown=markdown(summary),
            key=f"{artifact}-report",
            description=f"dq suite {loaded.name!r} report",
        )

    binding = PrefectBinding(config, publish=publish, engine=engine or None, source=where)
    try:
        run_ctx = binding.context(run_facts(), tenant=tenant)
    except dq.UsageError as exc:
        raise DqConfigError(f"dq suite {where}: {exc}") from None
    logger.info(
        "dq: running suite %r (%s) for flow run %s, tenant %s, fail_on=%s",
        loaded.name,
        where,
        run_ctx.run_id,
        run_ctx.tenant or "(none)",
        fail_on,
    )
    with tempfile.TemporaryDirectory(prefix="dq-prefect-") as folder:
        try:
            result = binding.run(with_source(loaded, source_for(data, Path(folder))), run_ctx)
        except dq.SuiteFailed as exc:
            summary = binding.last_summary or {}
            logger.error("dq: %s", exc)
            raise DqGateFailed(str(exc), summary) from None
        except dq.UsageError as exc:
            raise DqConfigError(f"dq suite {where}: {exc}") from None
        except dq.DqError as exc:
            raise DqRunError(f"dq suite {where}: {exc}") from None
    summary = binding.last_summary or {}
    if summary["failing"]:
        logger.warning(
            "dq: suite %r %s with rules not passing (tolerated by fail_on=%s): %s",
            loaded.name,
            result.status.value,
            fail_on,
            describe_failures(result),
        )
    else:
        logger.info("dq: suite %r passed: %d rules", loaded.name, len(rule_rows(result)))
    return summary


def validate(
    suite: SuiteRef, *, retries: int = 0, retry_delay_seconds: float = 0, **options: Any
) -> dict[str, Any]:
    """Run :data:`run_dq_suite` from inside a flow with these retries; returns the summary.

    ``options`` are the task's (``tenant``, ``fail_on``, ``engine``, ``data``, ``key``).
    """
    configured = run_dq_suite.with_options(retries=retries, retry_delay_seconds=retry_delay_seconds)
    return configured(suite, **options)


@flow(name="dq-suite")
def dq_suite_flow(
    suite: str,
    tenant: str | None = None,
    fail_on: str = "error",
    engine: str | None = None,
) -> dict[str, Any]:
    """A ready flow to deploy per suite: its ``tenant`` parameter names the run's tenant."""
    return run_dq_suite(suite, fail_on=fail_on, engine=engine)
