"""AirflowBinding: the ``orchestrator:airflow`` component, Airflow-free at import.

It does the three duties of a dq orchestrator binding; :class:`dq_airflow.DqSuiteOperator`
is the Airflow task built on it:

* ``context(native)`` maps Airflow's task context into a :class:`dq.RunContext`
  (:mod:`dq_airflow._context`);
* ``run(suite, context)`` runs the suite through :func:`dq.execute_suite` -- exactly what
  ``dq run`` does: tenant bound, secrets resolved, engine, gate, notifications -- publishes
  the result, then fails the unit with :class:`dq.SuiteFailed` when the ``fail_on`` policy
  says so;
* publishing goes through a *publisher*, ``publish(key, value)``: inside a task that is the
  task instance's ``xcom_push`` (see :meth:`AirflowBinding.for_task`), so the summary lands
  in Airflow's XCom table under ``dq_summary`` and the full result under ``dq_result``,
  **before** the unit fails: a failed task's verdict is readable too. With no publisher
  (a binding built by ``dq.Host``, outside any task) the documents are kept in
  :attr:`AirflowBinding.published` instead.

The module imports no Airflow, so ``dq plugins info --check`` can build the binding cheaply.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import attrs
import dq

from dq_airflow._config import AirflowConfig
from dq_airflow._context import run_context
from dq_airflow._summary import describe_failures, summarize

#: XCom keys the binding publishes under (the operator also returns the summary, which
#: Airflow stores as ``return_value``).
SUMMARY_KEY = "dq_summary"
RESULT_KEY = "dq_result"

#: ``publish(key, value)``; Airflow's ``ti.xcom_push`` has this shape with keywords.
Publisher = Callable[[str, Any], None]

log = logging.getLogger(__name__)


class AirflowBinding:
    """Satisfies :class:`dq.protocols.OrchestratorBinding` for Airflow 3.

    ``host`` is the plugin host suites run with (``None``: :func:`dq.default_host`, the
    installed plugins, as ``dq run`` uses); ``engine`` overrides the suite's engine, as
    ``dq run --engine`` does.
    """

    name = "airflow"

    def __init__(
        self,
        config: AirflowConfig | None = None,
        *,
        host: dq.Host | None = None,
        publish: Publisher | None = None,
        engine: str | None = None,
        source: str | None = None,
    ) -> None:
        self.config = config if config is not None else AirflowConfig()
        self.host = host
        self.engine = engine
        #: Where the suite came from (its file), named in errors raised while running it.
        self.source = source
        self._publish = publish
        #: Summaries published while no publisher was set, oldest first (JSON, parsed back).
        self.published: list[dict[str, Any]] = []
        #: The run context :meth:`run` last ran under, tenant as resolved (suite pins included).
        self.last_context: dq.RunContext | None = None

    def __repr__(self) -> str:
        return f"AirflowBinding(fail_on={self.config.fail_on!r}, engine={self.engine!r})"

    def for_task(self, ti: Any) -> AirflowBinding:
        """A copy of this binding that publishes to the XCom of the running task instance."""

        def push(key: str, value: Any) -> None:
            ti.xcom_push(key=key, value=value)

        return AirflowBinding(
            self.config, host=self.host, publish=push, engine=self.engine, source=self.source
        )

    # -- the protocol ---------------------------------------------------------------------

    def context(self, native: Any, *, tenant: object = None) -> dq.RunContext:
        """Airflow's task context -> :class:`dq.RunContext` (``tenant`` overrides the param)."""
        return run_context(native, tenant=tenant)

    def run(self, suite: dq.Suite, context: dq.RunContext) -> dq.CheckResult:
        """Run *suite*, publish its result, then fail per ``fail_on`` (dq.SuiteFailed)."""
        run = dq.execute_suite(
            suite,
            host=self.host if self.host is not None else dq.default_host(),
            context=attrs.evolve(context, orchestrator=context.orchestrator or self.name),
            source=self.source,
            engine=self.engine,
        )
        result = run.result
        self.last_context = run.context
        for delivery in run.deliveries:
            # Delivery.error never holds a URL or token (dq-core's guarantee)
            log.info(
                "notification on %s: %s%s",
                delivery.channel,
                delivery.status.value,
                f" ({delivery.error})" if delivery.error else "",
            )
        self.publish(suite, result, run.context)
        if self.fails(result):
            raise dq.SuiteFailed(result, failure_message(suite, result, run.context))
        return result

    # -- policy and publishing ------------------------------------------------------------

    def fails(self, result: dq.CheckResult) -> bool:
        """Whether *result* fails the task under this binding's ``fail_on`` policy."""
        policy = self.config.fail_on
        if policy == "never":
            return False
        if result.status in (dq.RunStatus.FAILED, dq.RunStatus.ERROR):
            return True
        if policy == "warning":
            return any(r.status is not dq.RuleStatus.PASSED for r in result.results)
        return False

    def publish(self, suite: dq.Suite, result: dq.CheckResult, context: dq.RunContext) -> None:
        """Publish the summary and the full result (both plain JSON, as XCom stores them)."""
        summary = summarize(result, suite, context)
        full = json.loads(json.dumps(dq.unstructure(result), default=str))
        if self._publish is None:
            self.published.append(json.loads(json.dumps(summary)))
            return
        self._publish(SUMMARY_KEY, summary)
        self._publish(RESULT_KEY, full)


def failure_message(suite: dq.Suite, result: dq.CheckResult, context: dq.RunContext) -> str:
    """Why the task failed, naming the failing rules (never a secret: ids and counts only)."""
    tenant = f", tenant {context.tenant}" if context.tenant is not None else ""
    return (
        f"dq suite {suite.name!r} {result.status.value} in run {context.run_id!r}{tenant}: "
        f"{describe_failures(result)}. Full result in XCom {RESULT_KEY!r}."
    )
