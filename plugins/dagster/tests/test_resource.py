"""DqResource inside real ops and assets: the gate fails the step with the summary attached,
a tolerated result returns it, ``check`` feeds an asset's own check specs.

No ``from __future__ import annotations`` here: Dagster reads the ops' annotations at
definition time (``DqResource`` marks the resource parameter, the context's class is checked).
"""

from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl
import pytest
from dq_dagster import DqResource
from helpers import direct, summary_verdicts, verdicts, write_suites


@pytest.fixture(scope="module")
def suites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_suites(tmp_path_factory.mktemp("resource-suites"))


@pytest.fixture(scope="module")
def job_run(instance: Any, suites: dict[str, Path]) -> dg.ExecuteInProcessResult:
    """A job of ops: one passing, one failing the gate, one with tolerated warnings."""
    data = pl.read_csv(suites["passing"].parent / "orders.csv")

    @dg.op
    def passing(context: dg.OpExecutionContext, dq: DqResource) -> dict:
        return dq.run_suite(context, suites["passing"], data=data)

    @dg.op
    def failing(context: dg.OpExecutionContext, dq: DqResource) -> dict:
        return dq.run_suite(context, suites["failing"], data=data)

    @dg.op
    def after_failing(summary: dict) -> None:
        return None

    @dg.op
    def warnings(context: dg.OpExecutionContext, dq: DqResource) -> dict:
        return dq.run_suite(context, suites["warnings"])  # the suite's own source

    @dg.job(resource_defs={"dq": DqResource(tenant="acme")})
    def quality() -> None:
        passing()
        after_failing(failing())
        warnings()

    return quality.execute_in_process(
        instance=instance, raise_on_error=False, tags={"dq/tenant": "globex"}
    )


def outputs(result: dg.ExecuteInProcessResult, op: str) -> Any:
    return result.output_for_node(op)


def test_a_passing_suite_returns_its_summary_from_the_op(
    job_run: dg.ExecuteInProcessResult, suites: dict[str, Path]
) -> None:
    summary = outputs(job_run, "passing")
    assert summary["status"] == "passed"
    assert summary_verdicts(summary) == verdicts(direct(suites["passing"]))
    assert summary["dagster"]["job_name"] == "quality" and summary["dagster"]["op"] == "passing"


def test_the_resources_tenant_wins_over_the_run_tag(job_run: dg.ExecuteInProcessResult) -> None:
    assert outputs(job_run, "passing")["tenant"] == "acme"


def test_a_failed_gate_fails_the_op_with_the_summary_as_failure_metadata(
    job_run: dg.ExecuteInProcessResult, suites: dict[str, Path]
) -> None:
    assert not job_run.success
    (failure,) = [e for e in job_run.all_events if e.is_step_failure]
    assert failure.step_key == "failing"
    data = failure.event_specific_data.user_failure_data
    assert "emails_present (error, 1 failed)" in data.description
    summary = data.metadata["dq_summary"].value
    assert summary["status"] == "failed"
    assert summary_verdicts(summary) == verdicts(direct(suites["failing"]))
    skipped = {e.step_key for e in job_run.all_events if e.event_type_value == "STEP_SKIPPED"}
    started = {e.step_key for e in job_run.all_events if e.event_type_value == "STEP_START"}
    assert "after_failing" not in started, f"downstream ran: {started}, skipped {skipped}"


def test_tolerated_warnings_return_the_summary(job_run: dg.ExecuteInProcessResult) -> None:
    summary = outputs(job_run, "warnings")
    assert summary["status"] == "passed" and summary["counts"]["failed_warnings"] == 2


def test_check_gives_an_assets_own_check_specs_their_results(
    instance: Any, suites: dict[str, Path]
) -> None:
    @dg.asset(check_specs=[dg.AssetCheckSpec("dq_orders", asset="orders", blocking=True)])
    def orders(context: dg.AssetExecutionContext, dq: DqResource) -> Any:
        frame = pl.read_csv(suites["failing"].parent / "orders.csv")
        yield dg.Output(frame)
        yield dq.check(context, suites["failing"], data=frame, check_name="dq_orders")

    @dg.asset(deps=[orders])
    def report() -> None:
        return None

    result = dg.materialize(
        [orders, report],
        instance=instance,
        resources={"dq": DqResource()},
        raise_on_error=False,
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == {"orders"}, "the blocking check stopped the downstream asset"


def test_an_invalid_fail_on_fails_the_op_without_retries(
    instance: Any, suites: dict[str, Path]
) -> None:
    @dg.op(retry_policy=dg.RetryPolicy(max_retries=2))
    def validate(context: dg.OpExecutionContext, dq: DqResource) -> None:
        dq.run_suite(context, suites["passing"])

    @dg.job(resource_defs={"dq": DqResource(fail_on="sometimes")})
    def strict() -> None:
        validate()

    result = strict.execute_in_process(instance=instance, raise_on_error=False)
    kinds = [e.event_type_value for e in result.all_events if e.step_key == "validate"]
    assert "STEP_FAILURE" in kinds and "STEP_UP_FOR_RETRY" not in kinds
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "fail_on must be one of" in failure.event_specific_data.error.message
