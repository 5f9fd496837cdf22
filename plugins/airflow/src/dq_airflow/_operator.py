"""DqSuiteOperator: a dq suite as a native Airflow 3 task.

The operator is thin on purpose: everything a scheduler-agnostic binding must do lives in
:class:`dq_airflow.AirflowBinding` (contract-tested); this class adds only what is Airflow's:
templated arguments, the task logger, the XCom ``return_value`` and Airflow's exceptions.

Failures are sorted so Airflow's retries are spent only where a retry can help:

* the suite cannot be used (missing or invalid suite file, unknown engine, an invalid tenant,
  a suite pinned to another tenant): :class:`AirflowFailException` -- retrying the same file
  gives the same answer, so retries are skipped -- with the suite file named;
* the verdict fails the task under ``fail_on``: :class:`AirflowException` naming the failing
  rules (retries apply: the data may be fixed upstream in the meantime);
* anything else dq reports while running (the data cannot be read yet, a secret backend is
  down, a plugin crashed): :class:`AirflowException`, retried as configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dq
from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

try:  # the task SDK has it from Airflow 3.2; 3.1 keeps it in airflow-core (same base class)
    from airflow.sdk.exceptions import AirflowFailException
except ImportError:  # pragma: no cover - Airflow 3.1
    from airflow.exceptions import AirflowFailException  # type: ignore[no-redef]

from dq_airflow._binding import RESULT_KEY, AirflowBinding
from dq_airflow._config import AirflowConfig, FailOn
from dq_airflow._summary import describe_failures, summarize, table


class DqSuiteOperator(BaseOperator):
    """Run the dq suite file *suite* and publish its result to XCom.

    :param suite: path of the suite file (TOML/YAML/JSON), templated. A relative path is
        resolved against the folder of the DAG file, so a suite can live beside its DAG.
    :param tenant: the tenant the run belongs to, templated (e.g. ``"{{ params.tenant }}"``);
        when unset or rendered empty, the DAG run's ``params["tenant"]`` is used, if any.
    :param fail_on: ``"error"`` (default): fail when the suite's quality gate fails or the run
        errored (with the default gate: an error-severity rule failed; failed warnings only
        log); ``"warning"``: also fail when any warning failed; ``"never"``: only log and
        publish (a downstream task can branch on the XCom summary).
    :param engine: run on this engine instead of the suite's (like ``dq run --engine``),
        templated.

    Returns the JSON summary (Airflow stores it as XCom ``return_value``); the binding also
    pushes it as ``dq_summary`` and the full result (:func:`dq.unstructure`) as
    ``dq_result``, both before the task fails, so a failed run's result is readable too.
    """

    template_fields: Sequence[str] = ("suite", "tenant", "engine")
    ui_color = "#e8f4e8"

    def __init__(
        self,
        *,
        suite: str | Path,
        tenant: str | None = None,
        fail_on: FailOn = "error",
        engine: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.suite = str(suite)
        self.tenant = tenant
        self.engine = engine
        try:
            self.config = AirflowConfig(fail_on=fail_on)
        except ValueError as exc:  # at DAG parse time: the import error names the task
            raise ValueError(f"DqSuiteOperator {self.task_id!r}: {exc}") from None
        self.fail_on = fail_on

    # -- Airflow calls this ---------------------------------------------------------------

    def execute(self, context: Any) -> dict[str, Any]:
        path = self.suite_path(context)
        try:
            suite = dq.load_suite(path)
        except dq.UsageError as exc:
            raise AirflowFailException(
                f"dq suite file {path}: {_without_path_prefix(exc, path)}"
            ) from None
        binding = AirflowBinding(
            self.config, engine=self.engine or None, source=str(path)
        ).for_task(context["ti"])
        try:
            run_ctx = binding.context(context, tenant=self.tenant)
        except dq.UsageError as exc:
            raise AirflowFailException(f"dq suite {path}: {exc}") from None
        self.log.info(
            "dq: running suite %r (%s) for run %r, tenant %s, fail_on=%s",
            suite.name,
            path,
            run_ctx.run_id,
            run_ctx.tenant or "(none)",
            self.fail_on,
        )
        try:
            result = binding.run(suite, run_ctx)
        except dq.SuiteFailed as exc:
            failed: dq.CheckResult = exc.result  # type: ignore[assignment]
            self.log.error("dq: suite %r %s\n%s", suite.name, failed.status.value, table(failed))
            raise AirflowException(str(exc)) from None
        except dq.UsageError as exc:
            raise AirflowFailException(f"dq suite {path}: {exc}") from None
        except dq.DqError as exc:
            raise AirflowException(f"dq suite {path}: {exc}") from None
        ran = binding.last_context or run_ctx
        self.report(suite, result)
        return summarize(result, suite, ran)

    # -- helpers --------------------------------------------------------------------------

    def suite_path(self, context: Any) -> Path:
        """The suite file; a relative path is taken from the DAG file's folder."""
        path = Path(self.suite).expanduser()
        if path.is_absolute():
            return path
        dag = context.get("dag") if hasattr(context, "get") else None
        fileloc = getattr(dag, "fileloc", None)
        return Path(fileloc).parent / path if fileloc else path.resolve()

    def report(self, suite: dq.Suite, result: dq.CheckResult) -> None:
        """Log the verdict: a table when rules did not pass; failures tolerated are warnings."""
        not_passed = [r for r in result.results if r.status is not dq.RuleStatus.PASSED]
        if not not_passed:
            self.log.info(
                "dq: suite %r passed: %d rules on %s rows",
                suite.name,
                len(result.results),
                result.row_count,
            )
            return
        self.log.warning(
            "dq: suite %r %s with rules not passing (tolerated by fail_on=%s): %s\n%s\n"
            "Full result in XCom %r.",
            suite.name,
            result.status.value,
            self.fail_on,
            describe_failures(result),
            table(result),
            RESULT_KEY,
        )


def _without_path_prefix(exc: dq.UsageError, path: Path) -> str:
    """The error text; dq's messages already start with the file, so do not repeat it."""
    text = str(exc)
    prefix = f"{path}: "
    return text[len(prefix) :] if text.startswith(prefix) else text
