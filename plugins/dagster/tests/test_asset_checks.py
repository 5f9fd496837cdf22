"""dq asset checks in a real Dagster: ``materialize(...)`` on a SQLite instance, with check
evaluations, materializations and step events read back from the run.

One run holds many independent assets, each with its own check and downstream asset, so one
failing check does not hide another's outcome (a run costs a few seconds to start).
"""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import dq
import pandas as pd
import polars as pl
import pytest
from conftest import PROBE_FILE
from dq_contract.orchestrator import OrchestratorBindingContract
from dq_dagster import dq_asset_check, dq_asset_checks
from helpers import SECRET, direct, summary_verdicts, verdicts, write_suites


class Run:
    """One finished ``materialize`` run: its checks, materializations and step events."""

    def __init__(self, result: dg.ExecuteInProcessResult) -> None:
        self.result = result
        self.success = result.success
        self.checks = {
            (e.asset_key.to_user_string(), e.check_name): e
            for e in result.get_asset_check_evaluations()
        }
        self.materialized = {
            e.asset_key.to_user_string() for e in result.get_asset_materialization_events()
        }
        self.events = result.all_events

    def check(self, asset: str, name: str) -> Any:
        assert (asset, name) in self.checks, f"no evaluation of {asset}:{name}: {list(self.checks)}"
        return self.checks[(asset, name)]

    def summary(self, asset: str, name: str) -> dict[str, Any]:
        return self.check(asset, name).metadata["dq_summary"].value

    def step_events(self, step: str, kind: str) -> list[Any]:
        return [e for e in self.events if e.step_key == step and e.event_type_value == kind]

    def failure(self, step: str) -> str:
        (event,) = self.step_events(step, "STEP_FAILURE")
        error = event.event_specific_data.error
        return f"{error.cls_name}: {error.message}"


@pytest.fixture(scope="module")
def suites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_suites(tmp_path_factory.mktemp("suites"))


def frame(suites: dict[str, Path]) -> pl.DataFrame:
    return pl.read_csv(suites["passing"].parent / "orders.csv")


@pytest.fixture(scope="module")
def cases(instance: Any, suites: dict[str, Path]) -> Run:
    """Every verdict, on every kind of asset value, in one run tagged for tenant globex."""
    data = frame(suites)
    csv = suites["passing"].parent / "orders.csv"

    @dg.asset
    def good_orders() -> pl.DataFrame:
        return data

    @dg.asset
    def bad_orders() -> pl.DataFrame:
        return data

    @dg.asset
    def warn_orders() -> pl.LazyFrame:
        return data.lazy()

    @dg.asset
    def broken_orders() -> pl.DataFrame:
        return data

    @dg.asset
    def pandas_orders() -> pd.DataFrame:
        return data.to_pandas()

    @dg.asset
    def file_orders() -> str:
        return str(csv)

    @dg.asset
    def external_orders() -> None:
        return None  # the data lives where the suite's source says

    def downstream(name: str, upstream: Any) -> Any:
        @dg.asset(name=name, deps=[upstream])
        def report() -> None:
            return None

        return report

    assets = [good_orders, bad_orders, warn_orders, broken_orders]
    assets += [pandas_orders, file_orders, external_orders]
    reports = [
        downstream("good_report", good_orders),
        downstream("bad_report", bad_orders),
        downstream("warn_report", warn_orders),
        downstream("broken_report", broken_orders),
    ]
    checks = [
        dq_asset_check(suite=suites["passing"], asset=good_orders),
        dq_asset_check(suite=suites["failing"], asset=bad_orders),
        dq_asset_check(suite=suites["failing"], asset=bad_orders, name="observe", fail_on="never"),
        dq_asset_check(suite=suites["warnings"], asset=warn_orders),
        dq_asset_check(
            suite=suites["warnings"],
            asset=warn_orders,
            name="strict",
            fail_on="warning",
            blocking=False,
        ),
        dq_asset_check(suite=suites["erroring"], asset=broken_orders),
        dq_asset_check(suite=suites["passing"], asset=pandas_orders),
        dq_asset_check(suite=suites["failing"], asset=file_orders, blocking=False),
        dq_asset_check(
            suite=suites["failing"], asset=external_orders, load_value=False, blocking=False
        ),
        *dq_asset_checks(
            suites=[suites["tenant-probe"], suites["warnings"]], asset=pandas_orders, blocking=False
        ),
    ]
    PROBE_FILE.write_text("")
    result = dg.materialize(
        [*assets, *reports, *checks],
        instance=instance,
        raise_on_error=False,
        tags={"dq/tenant": "globex", "region": "eu", "api_password": SECRET},
    )
    return Run(result)


# -- passing ---------------------------------------------------------------------------------


def test_a_passing_suite_passes_its_check_and_downstream_materializes(cases: Run) -> None:
    evaluation = cases.check("good_orders", "dq_passing")
    assert evaluation.passed
    assert "good_report" in cases.materialized
    meta = evaluation.metadata
    assert meta["dq_status"].value == "passed"
    assert meta["dq_row_count"].value == 4
    assert meta["dq_failed_errors"].value == 0


def test_the_published_summary_passes_the_contracts_own_check(
    cases: Run, suites: dict[str, Path]
) -> None:
    checker = OrchestratorBindingContract()
    run_id = cases.result.run_id
    for asset, name, suite in [
        ("good_orders", "dq_passing", "passing"),
        ("bad_orders", "dq_failing", "failing"),
        ("warn_orders", "dq_warnings", "warnings"),
        ("broken_orders", "dq_erroring", "erroring"),
    ]:
        checker.check_summary(cases.summary(asset, name), direct(suites[suite]), run_id, "globex")


def test_the_per_rule_table_lists_every_rule_with_its_counts(
    cases: Run, suites: dict[str, Path]
) -> None:
    table = cases.check("bad_orders", "dq_failing").metadata["dq_rules"]
    rows = [(r.data["rule_id"], r.data["status"], r.data["failed_count"]) for r in table.records]
    want = [(r.rule_id, r.status.value, r.failed_count) for r in direct(suites["failing"]).results]
    assert rows == want
    report = cases.check("bad_orders", "dq_failing").metadata["dq_report"].value
    assert report.startswith("### dq suite `failing`: **failed**")
    assert "| emails_present | not_null | email | error | failed | 1 | 4 |" in report


# -- failing and blocking --------------------------------------------------------------------


def test_failed_error_rules_give_an_error_check_that_blocks_downstream(cases: Run) -> None:
    evaluation = cases.check("bad_orders", "dq_failing")
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "bad_report" not in cases.materialized, "a failed blocking check stops downstream"
    assert "good_report" in cases.materialized  # the same run went on elsewhere
    assert not cases.success
    text = evaluation.description
    assert (
        "emails_present (error, 1 failed)" in text and "amount_positive (error, 1 failed)" in text
    )


def test_a_run_that_errored_gives_an_error_check(cases: Run) -> None:
    evaluation = cases.check("broken_orders", "dq_erroring")
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert cases.summary("broken_orders", "dq_erroring")["status"] == "error"
    assert "broken_report" not in cases.materialized


def test_failed_warnings_give_a_warn_check_and_downstream_still_runs(cases: Run) -> None:
    evaluation = cases.check("warn_orders", "dq_warnings")
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "warn_report" in cases.materialized
    summary = cases.summary("warn_orders", "dq_warnings")
    assert summary["status"] == "passed" and summary["counts"]["failed_warnings"] == 2


def test_fail_on_warning_turns_failed_warnings_into_an_error_check(cases: Run) -> None:
    evaluation = cases.check("warn_orders", "strict")
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR and not evaluation.passed


def test_fail_on_never_only_warns_on_a_failed_gate(cases: Run) -> None:
    evaluation = cases.check("bad_orders", "observe")
    assert evaluation.severity == dg.AssetCheckSeverity.WARN and not evaluation.passed
    assert cases.summary("bad_orders", "observe")["status"] == "failed"


# -- what the check reads --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asset", "check", "suite"),
    [
        ("good_orders", "dq_passing", "passing"),  # a polars DataFrame
        ("warn_orders", "dq_warnings", "warnings"),  # a LazyFrame
        ("pandas_orders", "dq_passing", "passing"),  # a pandas DataFrame
        ("file_orders", "dq_failing", "failing"),  # a path the asset wrote
        ("external_orders", "dq_failing", "failing"),  # load_value=False: the suite's source
    ],
)
def test_every_kind_of_asset_value_gives_the_verdict_dq_run_gives(
    cases: Run, suites: dict[str, Path], asset: str, check: str, suite: str
) -> None:
    assert summary_verdicts(cases.summary(asset, check)) == verdicts(direct(suites[suite]))


def test_the_check_reads_the_assets_value_not_the_suites_source(
    instance: Any, suites: dict[str, Path]
) -> None:
    @dg.asset
    def clean() -> pl.DataFrame:  # the suite's own orders.csv fails; this frame passes
        return pl.DataFrame({"id": [1, 2], "email": ["a@x.org", "b@x.org"], "amount": [1, 2]})

    result = dg.materialize(
        [clean, dq_asset_check(suite=suites["failing"], asset=clean)],
        instance=instance,
        raise_on_error=False,
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.metadata["dq_row_count"].value == 2


# -- context and tenancy ---------------------------------------------------------------------


def test_the_run_tag_tenant_is_the_bound_tenant_while_the_engine_runs(cases: Run) -> None:
    assert cases.check("pandas_orders", "dq_tenant_probe").passed
    assert PROBE_FILE.read_text().split() == ["globex"]
    summary = cases.summary("pandas_orders", "dq_tenant_probe")
    assert summary["tenant"] == "globex" and summary["orchestrator"] == "dagster"
    assert summary["run_id"] == cases.result.run_id
    assert summary["dagster"]["op"] == "pandas_orders_dq_tenant_probe"


def test_no_run_tag_value_reaches_check_metadata(cases: Run) -> None:
    assert SECRET in cases.result.dagster_run.tags.values()  # the tag was really there
    for evaluation in cases.checks.values():
        for value in evaluation.metadata.values():
            if isinstance(value, dg.TableMetadataValue):
                text = json.dumps([record.data for record in value.records])
            else:
                text = json.dumps(value.value, default=str)
            assert SECRET not in text
        assert SECRET not in (evaluation.description or "")


def test_a_daily_partition_is_the_logical_date_in_its_timezone(
    instance: Any, suites: dict[str, Path]
) -> None:
    daily = dg.DailyPartitionsDefinition(start_date="2026-11-01", timezone="Asia/Kolkata")

    @dg.asset(partitions_def=daily)
    def daily_orders() -> pl.DataFrame:
        return frame(suites)

    if "partitions_def" not in inspect.signature(dg.asset_check).parameters:
        with pytest.raises(ValueError, match=r"needs Dagster >= 1.11 .* pass load_value=False"):
            dq_asset_check(suite=suites["passing"], asset=daily_orders)
        pytest.skip(f"Dagster {dg.__version__} has no per-partition asset checks")
    result = dg.materialize(
        [daily_orders, dq_asset_check(suite=suites["passing"], asset=daily_orders)],
        instance=instance,
        partition_key="2026-11-25",
        raise_on_error=False,
    )
    (evaluation,) = result.get_asset_check_evaluations()
    summary = evaluation.metadata["dq_summary"].value
    published = datetime.fromisoformat(summary["logical_date"])
    assert published.utcoffset() is not None
    assert published.astimezone(UTC) == datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    assert summary["dagster"]["partition_key"] == "2026-11-25"


# -- errors and retries ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def errors(instance: Any, suites: dict[str, Path]) -> Run:
    """Config errors (with a RetryPolicy that must be bypassed) and a runtime error retried."""
    retry = dg.RetryPolicy(max_retries=2)

    @dg.asset
    def orders() -> pl.DataFrame:
        return frame(suites)

    @dg.asset
    def answer() -> int:
        return 42

    missing = suites["passing"].parent / "no-such.suite.toml"
    PROBE_FILE.with_suffix(".flaky").unlink(missing_ok=True)
    checks = [
        dq_asset_check(suite=missing, asset=orders, retry_policy=retry, blocking=False),
        dq_asset_check(
            suite=suites["passing"],
            asset=orders,
            name="bad_tenant",
            tenant="Globex Corp",
            retry_policy=retry,
            blocking=False,
        ),
        dq_asset_check(suite=suites["passing"], asset=answer, retry_policy=retry, blocking=False),
        dq_asset_check(suite=suites["flaky"], asset=orders, retry_policy=retry, blocking=False),
    ]
    result = dg.materialize([orders, answer, *checks], instance=instance, raise_on_error=False)
    return Run(result)


def test_a_missing_suite_file_fails_without_retries_naming_the_path(
    errors: Run, suites: dict[str, Path]
) -> None:
    step = "orders_dq_no_such"
    assert errors.step_events(step, "STEP_UP_FOR_RETRY") == [], "retries must be skipped"
    message = errors.failure(step)
    assert message.startswith("Failure: ")
    assert (
        f"dq suite file {suites['passing'].parent / 'no-such.suite.toml'}: no such file" in message
    )
    assert ("orders", "dq_no_such") not in errors.checks


def test_an_invalid_tenant_fails_without_retrying_and_is_not_repaired(errors: Run) -> None:
    assert errors.step_events("orders_bad_tenant", "STEP_UP_FOR_RETRY") == []
    assert "'Globex Corp' is not a tenant id" in errors.failure("orders_bad_tenant")


def test_an_asset_value_dq_cannot_read_fails_without_retries(errors: Run) -> None:
    assert errors.step_events("answer_dq_passing", "STEP_UP_FOR_RETRY") == []
    assert "the asset's value is a builtins.int" in errors.failure("answer_dq_passing")


def test_a_runtime_error_is_retried_by_the_retry_policy(errors: Run) -> None:
    assert len(errors.step_events("orders_dq_flaky", "STEP_UP_FOR_RETRY")) == 1
    assert errors.check("orders", "dq_flaky").passed, "the second attempt succeeded"


def test_an_invalid_fail_on_is_refused_when_the_check_is_defined(suites: dict[str, Path]) -> None:
    with pytest.raises(ValueError, match=r"fail_on must be one of .* not 'sometimes'"):
        dq_asset_check(suite=suites["passing"], asset="orders", fail_on="sometimes")  # type: ignore[arg-type]


def test_two_suites_with_the_same_check_name_are_refused(suites: dict[str, Path]) -> None:
    with pytest.raises(ValueError, match="two suites give the check name 'dq_passing'"):
        dq_asset_checks(suites=[suites["passing"], suites["passing"]], asset="orders")


def test_a_relative_suite_path_is_taken_from_the_calling_modules_folder() -> None:
    check = dq_asset_check(suite="suites/x.suite.toml", asset="orders")
    assert check.check_specs  # built; the path is resolved when it runs
    assert Path(__file__).parent.name == "tests"
    assert dq.__name__ == "dq"
