"""KestraBinding: the ``orchestrator:kestra`` component.

The three duties of a dq orchestrator binding, in Kestra's terms:

* ``context(env)`` maps the variables the task's ``env`` rendered (execution id, trigger
  date, flow ids, tenant input) into a :class:`dq.RunContext` (:mod:`dq_kestra._context`);
* ``run(suite, context)`` runs the suite through :func:`dq.execute_suite` -- what ``dq run``
  does: tenant bound, secrets resolved, engine, gate, notifications -- then **publishes**
  the summary as a Kestra ``outputs`` line, the metrics as a ``metrics`` line and the
  verdict as a ``logs`` line, all on the binding's stream (stdout in a task), and only then
  fails the unit with :class:`dq.SuiteFailed` when the ``fail_on`` policy says so;
* failing the unit is the script's exit code, which :mod:`dq_kestra.cli` derives from the
  raised error: Kestra fails a script task on any non-zero exit.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

import attrs
import dq

from dq_kestra._config import KestraConfig
from dq_kestra._context import run_context
from dq_kestra._summary import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_PASSED,
    describe_failures,
    metric_entries,
    summarize,
)
from dq_kestra._wire import Emitter


class KestraBinding:
    """Satisfies :class:`dq.protocols.OrchestratorBinding` for Kestra script tasks.

    ``stream`` is where the wire lines go (``None``: ``sys.stdout`` at the time of the run);
    ``host`` the plugin host suites run with (``None``: :func:`dq.default_host`); ``engine``
    overrides the suite's engine, as ``dq run --engine`` does.
    """

    name = "kestra"

    def __init__(
        self,
        config: KestraConfig | None = None,
        *,
        stream: TextIO | None = None,
        host: dq.Host | None = None,
        engine: str | None = None,
        source: str | None = None,
    ) -> None:
        self.config = config if config is not None else KestraConfig()
        self.stream = stream
        self.host = host
        self.engine = engine
        self.source = source
        #: The run context :meth:`run` last ran under (tenant as resolved).
        self.last_context: dq.RunContext | None = None

    def __repr__(self) -> str:
        return f"KestraBinding(fail_on={self.config.fail_on!r}, engine={self.engine!r})"

    @property
    def emitter(self) -> Emitter:
        return Emitter(self.stream if self.stream is not None else sys.stdout)

    # -- the protocol ---------------------------------------------------------------------

    def context(self, native: Any, *, tenant: object = None) -> dq.RunContext:
        """The task's environment (``os.environ`` or a mapping) -> :class:`dq.RunContext`."""
        return run_context(native, tenant=tenant)

    def run(self, suite: dq.Suite, context: dq.RunContext) -> dq.CheckResult:
        """Run *suite*, publish outputs/metrics/log lines, then fail per ``fail_on``."""
        run = dq.execute_suite(
            suite,
            host=self.host if self.host is not None else dq.default_host(),
            context=attrs.evolve(context, orchestrator=context.orchestrator or self.name),
            source=self.source,
            engine=self.engine,
        )
        result, ran = run.result, run.context
        self.last_context = ran
        code = self.exit_code(result)
        emitter = self.emitter
        emitter.outputs(summarize(result, suite, ran, exit_code=code))
        emitter.metrics(metric_entries(result, suite))
        for delivery in run.deliveries:  # Delivery.error never holds a URL or token
            detail = f" ({delivery.error})" if delivery.error else ""
            emitter.log("INFO", f"notification on {delivery.channel}: {delivery.status.value}{detail}")
        emitter.log(*self.verdict_log(suite, result))
        if code != EXIT_PASSED:
            raise dq.SuiteFailed(result, failure_message(suite, result, ran))
        return result

    # -- policy ---------------------------------------------------------------------------

    def exit_code(self, result: dq.CheckResult) -> int:
        """0 when the unit passes under ``fail_on``; else ``dq run``'s code (1 failed, 2 error)."""
        policy = self.config.fail_on
        if policy == "never":
            return EXIT_PASSED
        if result.status is dq.RunStatus.ERROR:
            return EXIT_CONFIG
        if result.status is dq.RunStatus.FAILED:
            return EXIT_FAILED
        if policy == "warning" and any(r.status is not dq.RuleStatus.PASSED for r in result.results):
            return EXIT_FAILED
        return EXIT_PASSED

    def verdict_log(self, suite: dq.Suite, result: dq.CheckResult) -> tuple[Any, str]:
        """One log entry for Kestra's log tab: INFO pass, WARN tolerated, ERROR failed."""
        rows = f" on {result.row_count} rows" if result.row_count is not None else ""
        if all(r.status is dq.RuleStatus.PASSED for r in result.results):
            return "INFO", f"dq suite {suite.name!r} passed: {len(result.results)} rules{rows}"
        level = "ERROR" if self.exit_code(result) != EXIT_PASSED else "WARN"
        return level, (
            f"dq suite {suite.name!r} {result.status.value}{rows}: {describe_failures(result)}"
        )


def failure_message(suite: dq.Suite, result: dq.CheckResult, context: dq.RunContext) -> str:
    """Why the task failed, naming the failing rules (ids and counts only, never a value)."""
    tenant = f", tenant {context.tenant}" if context.tenant is not None else ""
    return (
        f"dq suite {suite.name!r} {result.status.value} in execution {context.run_id!r}{tenant}: "
        f"{describe_failures(result)}"
    )
