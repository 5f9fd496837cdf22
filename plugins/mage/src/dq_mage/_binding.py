"""MageBinding: the ``orchestrator:mage`` component, Mage-free at import.

It does the three duties of a dq orchestrator binding; the block helpers
(:func:`dq_mage.dq_check` and friends) are built on it:

* ``context(native)`` maps a Mage block's keyword arguments into a :class:`dq.RunContext`
  (:mod:`dq_mage._context`);
* ``run(suite, context)`` runs the suite through :func:`dq.execute_suite` -- exactly what
  ``dq run`` does: tenant bound, secrets resolved, engine, gate, notifications -- publishes
  the summary, then fails the unit with :class:`dq.SuiteFailed` when ``fail_on`` says so;
* publishing goes through a *publisher*, ``publish(summary)``, called **before** the verdict
  is acted on, so a failed block's per-rule result is in its log too. With no publisher (a
  binding built by ``dq.Host``) summaries are kept in :attr:`MageBinding.published`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import attrs
import dq

from dq_mage._config import MageConfig
from dq_mage._context import run_context
from dq_mage._summary import describe_failures, summarize

#: ``publish(summary)``: receives each run's JSON summary before the verdict is acted on.
Publisher = Callable[[dict[str, Any]], None]

log = logging.getLogger(__name__)


class MageBinding:
    """Satisfies :class:`dq.protocols.OrchestratorBinding` for Mage.

    ``host`` is the plugin host suites run with (``None``: :func:`dq.default_host`, the
    installed plugins, as ``dq run`` uses); ``engine`` overrides the suite's engine, as
    ``dq run --engine`` does; ``source`` names the suite file in errors.
    """

    name = "mage"

    def __init__(
        self,
        config: MageConfig | None = None,
        *,
        host: dq.Host | None = None,
        publish: Publisher | None = None,
        engine: str | None = None,
        source: str | None = None,
    ) -> None:
        self.config = config if config is not None else MageConfig()
        self.host = host
        self.engine = engine
        self.source = source
        self._publish = publish
        #: Summaries published while no publisher was set, oldest first.
        self.published: list[dict[str, Any]] = []
        #: The last run as dq-core returned it (tenant as resolved, deliveries).
        self.last_run: dq.SuiteRun | None = None

    def __repr__(self) -> str:
        return f"MageBinding(fail_on={self.config.fail_on!r}, engine={self.engine!r})"

    # -- the protocol ---------------------------------------------------------------------

    def context(self, native: Any, *, tenant: object = None) -> dq.RunContext:
        """A Mage block's ``**kwargs`` -> :class:`dq.RunContext`."""
        return run_context(native, tenant=tenant, tenant_variable=self.config.tenant_variable)

    def run(self, suite: dq.Suite, context: dq.RunContext) -> dq.CheckResult:
        """Run *suite*, publish its summary, then fail per ``fail_on`` (dq.SuiteFailed)."""
        run = dq.execute_suite(
            suite,
            host=self.host if self.host is not None else dq.default_host(),
            context=attrs.evolve(context, orchestrator=context.orchestrator or self.name),
            source=self.source,
            engine=self.engine,
        )
        self.last_run = run
        result = run.result
        for delivery in run.deliveries:
            # Delivery.error never holds a URL or token (dq-core's guarantee)
            log.info(
                "notification on %s: %s%s",
                delivery.channel,
                delivery.status.value,
                f" ({delivery.error})" if delivery.error else "",
            )
        summary = json.loads(json.dumps(summarize(result, suite, run.context, run.deliveries)))
        if self._publish is None:
            self.published.append(summary)
        else:
            self._publish(summary)
        if self.fails(result):
            raise dq.SuiteFailed(result, failure_message(suite, result, run.context))
        return result

    # -- policy ---------------------------------------------------------------------------

    def fails(self, result: dq.CheckResult) -> bool:
        """Whether *result* fails the block under this binding's ``fail_on`` policy."""
        policy = self.config.fail_on
        if policy == "never":
            return False
        if result.status in (dq.RunStatus.FAILED, dq.RunStatus.ERROR):
            return True
        if policy == "warning":
            return any(r.status is not dq.RuleStatus.PASSED for r in result.results)
        return False


def failure_message(suite: dq.Suite, result: dq.CheckResult, context: dq.RunContext) -> str:
    """Why the block failed, naming the failing rules (never a secret: ids and counts only)."""
    tenant = f", tenant {context.tenant}" if context.tenant is not None else ""
    return (
        f"dq suite {suite.name!r} {result.status.value} in run {context.run_id!r}{tenant}: "
        f"{describe_failures(result)}"
    )
