"""InProcessBinding: the reference orchestrator binding, for an orchestrator that is a Python call.

It exists to prove :class:`dq_contract.orchestrator.OrchestratorBindingContract` can be
passed, to be the base the deliberately broken bindings in the tests subclass, and to show a
binding author the three duties in their plainest form:

* **map the context**: the orchestrator's native run context (here a mapping, as a scheduler
  passing keyword arguments would) becomes a :class:`dq.RunContext`. The run id is kept
  verbatim (it is how a result is traced back to the run), the logical date must be
  timezone-aware (a naive one is ambiguous across the scheduler's and the worker's zones, so
  it is refused, not guessed), and the tenant is validated as a :class:`dq.TenantId`
  (refused, never repaired, as a tenant resolver would);
* **run as a native unit**: :func:`dq.run_suite`, exactly what ``dq run`` does, and the unit
  fails (:class:`dq.SuiteFailed`, carrying the result) when the suite's gate says FAILED or
  the verdict is ERROR; a run that only has tolerated warnings succeeds;
* **publish the result** where the orchestrator keeps task output (XCom, an asset check, an
  artifact); here a ``published`` list of JSON documents, appended *before* the unit fails,
  so a failed run is visible too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import dq


def result_summary(result: dq.CheckResult, context: dq.RunContext) -> dict[str, Any]:
    """The JSON document a binding publishes: who ran, the verdict, and each rule's counts.

    Plain JSON types only (an orchestrator stores it as text), and attributable: the run id
    and tenant travel with the verdict, so a published result is never read for another run.
    """
    return {
        "run_id": context.run_id,
        "tenant": None if context.tenant is None else str(context.tenant),
        "logical_date": None if context.logical_date is None else context.logical_date.isoformat(),
        "status": result.status.value,
        "row_count": result.row_count,
        "rules": [
            {
                "rule_id": r.rule_id,
                "status": r.status.value,
                "severity": r.severity.value,
                "failed_count": r.failed_count,
                "element_count": r.element_count,
            }
            for r in result.results
        ],
    }


def parse_logical_date(value: object) -> datetime | None:
    """A timezone-aware datetime from a datetime or an ISO 8601 string; naive is refused."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise dq.UsageError(f"logical_date {value[:64]!r} is not an ISO 8601 date") from None
    if not isinstance(value, datetime):
        raise dq.UsageError(f"logical_date must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise dq.UsageError(f"logical_date {value.isoformat()} has no timezone; give an offset")
    return value


def parse_tenant(value: object) -> dq.TenantId | None:
    if value is None:
        return None
    try:
        return dq.TenantId(value)  # type: ignore[arg-type]
    except ValueError:
        shown = value[:64] if isinstance(value, str) else type(value).__name__
        raise dq.UsageError(
            f"tenant {shown!r} is not a tenant id: use 1-63 lowercase letters, digits, inner '-'"
        ) from None


class InProcessBinding:
    """A binding whose orchestrator calls it directly: ``binding.run(suite, binding.context(...))``.

    ``host`` is the plugin host suites run with; ``None`` means :func:`dq.default_host`,
    the installed plugins, as ``dq run`` uses.
    """

    name = "in-process"

    def __init__(self, host: dq.Host | None = None) -> None:
        self.host = host
        #: What the orchestrator would show for each run, oldest first (JSON text, parsed).
        self.published: list[dict[str, Any]] = []

    def context(self, native: Any) -> dq.RunContext:
        if not isinstance(native, Mapping):
            raise dq.UsageError(f"expected a mapping run context, got {type(native).__name__}")
        run_id = native.get("run_id")
        if not isinstance(run_id, str) or not run_id:
            raise dq.UsageError("the run context has no run_id")
        params = native.get("params") or {}
        if not isinstance(params, Mapping):
            raise dq.UsageError("run context params must be a mapping")
        return dq.RunContext(
            run_id=run_id,
            logical_date=parse_logical_date(native.get("logical_date")),
            tenant=parse_tenant(params.get("tenant")),
            orchestrator=self.name,
            params={str(k): str(v) for k, v in params.items() if k != "tenant"},
        )

    def run(self, suite: dq.Suite, context: dq.RunContext) -> dq.CheckResult:
        result = self.execute(suite, context)
        self.publish(result, context)
        if result.status in (dq.RunStatus.FAILED, dq.RunStatus.ERROR):
            raise dq.SuiteFailed(
                result,
                f"suite {suite.name!r} {result.status.value} in run {context.run_id!r}",
            )
        return result

    def execute(self, suite: dq.Suite, context: dq.RunContext) -> dq.CheckResult:
        """Run the suite itself; the orchestrator's worker would do this inside its task."""
        return dq.run_suite(suite, host=self.host)

    def publish(self, result: dq.CheckResult, context: dq.RunContext) -> None:
        """Store the summary as the orchestrator would: serialised, so only JSON survives."""
        self.published.append(json.loads(json.dumps(result_summary(result, context))))
