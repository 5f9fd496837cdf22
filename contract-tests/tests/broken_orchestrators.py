"""Deliberately broken orchestrator bindings: each makes one mistake a real author could make.

Each subclasses the correct InProcessBinding and overrides one step;
tests/test_broken_orchestrators.py runs the whole OrchestratorBindingContract against each
and asserts it fails, and in the tests that pin the broken rule.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import dq
from dq_contract.reference_orchestrator import InProcessBinding, result_summary


class SwallowsFailures(InProcessBinding):
    """Publishes the verdict but never fails the unit: a red suite shows as a green task."""

    def run(self, suite: dq.Suite, context: dq.RunContext) -> dq.CheckResult:
        result = self.execute(suite, context)
        self.publish(result, context)
        return result


class FailsOnWarnings(InProcessBinding):
    """Fails the unit whenever any rule failed, ignoring the gate that tolerates warnings."""

    def run(self, suite: dq.Suite, context: dq.RunContext) -> dq.CheckResult:
        result = self.execute(suite, context)
        self.publish(result, context)
        if any(r.status is not dq.RuleStatus.PASSED for r in result.results):
            raise dq.SuiteFailed(result)
        return result


class IgnoresTheTenant(InProcessBinding):
    """Never reads the tenant param: every run is tenant-less (and nothing is validated)."""

    def context(self, native: Any) -> dq.RunContext:
        params = {k: v for k, v in native.get("params", {}).items() if k != "tenant"}
        return super().context({**native, "params": params})


class MapsRunIdWrong(InProcessBinding):
    """Keeps only the part of the run id after ``__`` (as if parsing Airflow's run ids)."""

    def context(self, native: Any) -> dq.RunContext:
        ctx = super().context(native)
        return attrs.evolve(ctx, run_id=ctx.run_id.rpartition("__")[2])


class DropsTheOffset(InProcessBinding):
    """Reads the logical date's wall-clock time as UTC: a +05:30 run lands 5.5 hours late."""

    def context(self, native: Any) -> dq.RunContext:
        ctx = super().context(native)
        date = ctx.logical_date
        if isinstance(date, datetime):
            date = date.replace(tzinfo=UTC)
        return attrs.evolve(ctx, logical_date=date)


class PublishesRowCounts(InProcessBinding):
    """Publishes each rule's element count as its failed count."""

    def publish(self, result: dq.CheckResult, context: dq.RunContext) -> None:
        summary = result_summary(result, context)
        for rule in summary["rules"]:
            rule["failed_count"] = rule["element_count"]
        self.published.append(summary)


class PublishesOnlySuccesses(InProcessBinding):
    """Raises before publishing, so a failed unit leaves no result behind."""

    def run(self, suite: dq.Suite, context: dq.RunContext) -> dq.CheckResult:
        result = self.execute(suite, context)
        if result.status is not dq.RunStatus.PASSED:
            raise dq.SuiteFailed(result)
        self.publish(result, context)
        return result
