"""DqResource: run dq suites from inside any op or asset.

Configured once in ``Definitions(resources={"dq": DqResource(tenant=..., fail_on=...)})``
(or per run through run config), then used from an op or asset body::

    @dg.asset
    def orders(dq: DqResource) -> pl.DataFrame:
        frame = load_orders()
        dq.run_suite(context, "orders.suite.toml", data=frame)   # raises Failure on the gate
        return frame

``run_suite`` raises ``dagster.Failure`` (with the summary and report as metadata) when the
policy fails the run, and returns the JSON summary otherwise; ``check`` returns an
``AssetCheckResult`` instead of raising, for assets that declare ``check_specs`` or
hand-written ``@asset_check`` functions.
"""

from __future__ import annotations

from typing import Any

import dagster as dg

from dq_dagster._checks import _caller_folder, _resolve
from dq_dagster._config import DagsterConfig, check_fail_on
from dq_dagster._run import Outcome, SuiteRef, check_result, execute, metadata


class DqResource(dg.ConfigurableResource):  # type: ignore[misc]
    """Runs dq suites for the current Dagster run (tenant, logical date, run id mapped)."""

    tenant: str | None = None
    """The tenant of every run; default: the run tag ``dq/tenant``."""
    fail_on: str = "error"
    """``error`` (the suite's gate), ``warning`` (any failing rule) or ``never``."""
    engine: str | None = None
    """Run on this engine instead of the suite's (``dq run --engine``)."""

    def _outcome(self, context: Any, suite: SuiteRef, data: object, depth: int) -> Outcome:
        try:
            config = DagsterConfig(fail_on=check_fail_on(self.fail_on))  # type: ignore[arg-type]
        except ValueError as exc:
            raise dg.Failure(description=f"DqResource: {exc}", allow_retries=False) from None
        return execute(
            context,
            _resolve(suite, _caller_folder(depth + 1)),
            value=data,
            tenant=self.tenant,
            config=config,
            engine=self.engine,
            log=context.log.info,
        )

    def run_suite(self, context: Any, suite: SuiteRef, *, data: object = None) -> dict[str, Any]:
        """Run *suite* on *data* (a frame or path; default: the suite's source).

        Returns the JSON summary; raises ``dagster.Failure`` carrying it as metadata when the
        policy fails the run. A suite or config error fails without retries.
        """
        outcome = self._outcome(context, suite, data, 1)
        if outcome.fails:
            context.log.error(outcome.message)
            raise dg.Failure(description=outcome.message, metadata=metadata(outcome))
        if outcome.summary["failing"]:
            context.log.warning(
                f"dq suite {outcome.suite.name!r} {outcome.summary['status']} with rules not "
                f"passing (tolerated by fail_on={self.fail_on})"
            )
        return outcome.summary

    def check(
        self,
        context: Any,
        suite: SuiteRef,
        *,
        data: object = None,
        asset_key: Any = None,
        check_name: str | None = None,
    ) -> dg.AssetCheckResult:
        """Run *suite* and return the ``AssetCheckResult`` instead of raising."""
        return check_result(
            self._outcome(context, suite, data, 1), asset_key=asset_key, check_name=check_name
        )


__all__ = ["DqResource"]
