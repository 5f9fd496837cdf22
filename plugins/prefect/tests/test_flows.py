"""``run_dq_suite`` in real Prefect flows against Prefect's ephemeral API server: states,
task runs (retries) and artifacts read back through Prefect's client."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest import PROBE_FILE
from dq_contract.orchestrator import OrchestratorBindingContract
from dq_prefect import DqConfigError, DqGateFailed, dq_suite_flow, run_dq_suite, validate
from helpers import SECRET, direct, summary_verdicts, verdicts, write_suites
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterId,
)

pytestmark = pytest.mark.usefixtures("prefect_api")


@flow(name="dq-case")
def case(
    suite: str,
    tenant: str | None = None,
    fail_on: str = "error",
    retries: int = 0,
    api_password: str = SECRET,
) -> dict[str, Any]:
    """One suite through the task; ``tenant`` is a flow parameter, as a deployment has it."""
    return validate(suite, retries=retries, fail_on=fail_on)


def settled_task_runs(client: Any, flow_run_id: Any, deadline: float = 30.0) -> list[Any]:
    """The flow run's task runs once the server has recorded their final states.

    Task run states reach the server as events and are recorded asynchronously (visibly so on
    Prefect 3.4), so a read right after the flow returns may still see Pending or Running.
    """
    flow_filter = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    stop = time.monotonic() + deadline
    while True:
        runs = client.read_task_runs(flow_run_filter=flow_filter)
        if runs and all(run.state is not None and run.state.is_final() for run in runs):
            return runs
        if time.monotonic() > stop:
            states = [run.state for run in runs]
            raise AssertionError(
                f"task runs of {flow_run_id} not final after {deadline}s: {states}"
            )
        time.sleep(0.2)


class Outcome:
    """A finished flow run read back from the API: its state, task runs and artifacts."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.flow_run_id = state.state_details.flow_run_id
        with get_client(sync_client=True) as client:
            self.flow_run = client.read_flow_run(self.flow_run_id)
            self.task_runs = settled_task_runs(client, self.flow_run_id)
            self.artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[self.flow_run_id])
                )
            )

    @property
    def task_run(self) -> Any:
        (run,) = [t for t in self.task_runs if t.task_key.startswith("run_dq_suite")]
        return run

    def artifact(self, kind: str) -> Any:
        (found,) = [a for a in self.artifacts if a.type == kind]
        return found

    def table(self) -> list[dict[str, Any]]:
        data = self.artifact("table").data
        return json.loads(data) if isinstance(data, str) else data

    def result(self) -> Any:
        return self.state.result(raise_on_failure=False)


def run_case(suite: Path, **params: Any) -> Outcome:
    return Outcome(case(str(suite), return_state=True, **params))


@pytest.fixture(scope="module")
def suites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_suites(tmp_path_factory.mktemp("suites"))


@pytest.fixture(scope="module")
def passing(suites: dict[str, Path]) -> Outcome:
    return run_case(suites["passing"], tenant="acme")


@pytest.fixture(scope="module")
def failing(suites: dict[str, Path]) -> Outcome:
    return run_case(suites["failing"], tenant="acme")


# -- a passing suite -----------------------------------------------------------------------


def test_a_passing_suite_completes_and_returns_its_summary(
    passing: Outcome, suites: dict[str, Path]
) -> None:
    assert passing.state.is_completed()
    summary = passing.result()
    assert summary["status"] == "passed" and summary["orchestrator"] == "prefect"
    assert summary["run_id"] == str(passing.flow_run_id)
    assert summary["tenant"] == "acme"
    assert summary["prefect"]["flow_name"] == "dq-case"
    assert summary["prefect"]["task_run_count"] == "1"
    assert summary_verdicts(summary) == verdicts(direct(suites["passing"]))


def test_the_logical_date_is_the_flow_runs_scheduled_start(passing: Outcome) -> None:
    published = datetime.fromisoformat(passing.result()["logical_date"])
    assert published.utcoffset() is not None
    assert published == passing.flow_run.expected_start_time


def test_the_table_artifact_holds_every_rule_and_the_markdown_the_report(
    passing: Outcome, suites: dict[str, Path]
) -> None:
    rows = passing.table()
    want = [(r.rule_id, r.status.value, r.failed_count) for r in direct(suites["passing"]).results]
    assert [(r["rule_id"], r["status"], r["failed_count"]) for r in rows] == want
    table = passing.artifact("table")
    assert table.key == "dq-passing" and table.task_run_id == passing.task_run.id
    report = passing.artifact("markdown")
    assert report.key == "dq-passing-report"
    assert report.data.startswith("### dq suite `passing`: **passed**")


def test_the_returned_summaries_pass_the_contracts_own_check(
    passing: Outcome, failing: Outcome, suites: dict[str, Path]
) -> None:
    checker = OrchestratorBindingContract()
    checker.check_summary(
        passing.result(), direct(suites["passing"]), str(passing.flow_run_id), "acme"
    )
    summary = failing.result().summary
    checker.check_summary(summary, direct(suites["failing"]), str(failing.flow_run_id), "acme")


# -- failing the task and the flow ---------------------------------------------------------


def test_a_failed_gate_fails_the_task_and_the_flow_naming_the_rules(failing: Outcome) -> None:
    assert failing.state.is_failed()
    assert failing.task_run.state.is_failed()
    error = failing.result()
    assert isinstance(error, DqGateFailed)
    assert "emails_present (error, 1 failed)" in str(error)
    assert "amount_positive (error, 1 failed)" in str(error)


def test_a_failed_task_still_publishes_both_artifacts(failing: Outcome) -> None:
    rows = failing.table()
    assert {r["rule_id"]: r["status"] for r in rows}["emails_present"] == "failed"
    assert failing.artifact("markdown").data.startswith("### dq suite `failing`: **failed**")


@flow(name="dq-matrix")
def matrix(cases: list[tuple[str, str, str | None]]) -> list[tuple[bool, dict[str, Any]]]:
    """Several tasks in one flow run (a run costs ~1 s): (completed, summary) per case."""
    outcomes = []
    for suite, fail_on, data_kind in cases:
        csv = Path(suite).parent / "orders.csv"
        data: Any = None
        if data_kind == "polars":
            data = pl.read_csv(csv)
        elif data_kind == "pandas":
            data = pl.read_csv(csv).to_pandas()
        elif data_kind == "path":
            data = str(csv)
        state = run_dq_suite(suite, fail_on=fail_on, data=data, return_state=True)
        value = state.result(raise_on_failure=False)
        outcomes.append((state.is_completed(), value.summary if state.is_failed() else value))
    return outcomes


MATRIX = [
    ("warnings", "error", None, True),
    ("warnings", "warning", None, False),
    ("failing", "never", None, True),
    ("erroring", "error", None, False),
    ("failing", "never", "polars", True),
    ("failing", "never", "pandas", True),
    ("failing", "never", "path", True),
]


@pytest.fixture(scope="module")
def matrix_run(suites: dict[str, Path]) -> list[tuple[bool, dict[str, Any]]]:
    cases = [(str(suites[suite]), fail_on, data) for suite, fail_on, data, _ in MATRIX]
    return matrix(cases)


@pytest.mark.parametrize(("index", "case"), list(enumerate(MATRIX)))
def test_fail_on_decides_which_verdicts_fail_the_task_on_any_data(
    matrix_run: list[tuple[bool, dict[str, Any]]],
    suites: dict[str, Path],
    index: int,
    case: tuple[str, str, str | None, bool],
) -> None:
    suite, _, _, completes = case
    completed, summary = matrix_run[index]
    assert completed is completes
    assert summary["status"] == direct(suites[suite]).status.value
    assert summary_verdicts(summary) == verdicts(direct(suites[suite]))


# -- retries -------------------------------------------------------------------------------


def test_a_missing_suite_file_fails_without_retrying_naming_the_path(
    suites: dict[str, Path],
) -> None:
    missing = suites["passing"].parent / "no-such.suite.toml"
    outcome = run_case(missing, retries=2)
    assert outcome.state.is_failed()
    assert outcome.task_run.run_count == 1, "a config error must not be retried"
    error = outcome.result()
    assert isinstance(error, DqConfigError)
    assert str(error) == f"dq suite file {missing}: no such file"
    assert [a for a in outcome.artifacts if a.type in ("table", "markdown")] == []


def test_an_invalid_tenant_parameter_fails_without_retrying(suites: dict[str, Path]) -> None:
    outcome = run_case(suites["passing"], tenant="Globex Corp", retries=2)
    assert outcome.state.is_failed() and outcome.task_run.run_count == 1
    assert "'Globex Corp' is not a tenant id" in str(outcome.result())


def test_a_runtime_error_is_retried_and_the_retry_succeeds(suites: dict[str, Path]) -> None:
    PROBE_FILE.with_suffix(".flaky").unlink(missing_ok=True)
    outcome = run_case(suites["flaky"], retries=2)
    assert outcome.state.is_completed()
    assert outcome.task_run.run_count == 2
    assert outcome.result()["prefect"]["task_run_count"] == "2"


def test_a_failed_gate_is_retried_as_configured(suites: dict[str, Path]) -> None:
    outcome = run_case(suites["failing"], retries=1)
    assert outcome.state.is_failed() and outcome.task_run.run_count == 2


# -- data, tenancy, secrets ----------------------------------------------------------------


@flow(name="dq-tenants")
def tenants(suite: str, tenant: str) -> list[str | None]:
    """The same suite with the flow's tenant parameter, then with the task's own tenant."""
    return [run_dq_suite(suite)["tenant"], run_dq_suite(suite, tenant="initech")["tenant"]]


def test_the_tenant_parameter_is_the_bound_tenant_and_the_tasks_own_wins(
    suites: dict[str, Path],
) -> None:
    PROBE_FILE.write_text("")
    assert tenants(str(suites["tenant-probe"]), tenant="globex") == ["globex", "initech"]
    assert PROBE_FILE.read_text().split() == ["globex", "initech"]


def test_no_flow_parameter_value_reaches_an_artifact_or_the_summary(
    passing: Outcome, failing: Outcome
) -> None:
    assert passing.flow_run.parameters["api_password"] == SECRET  # it was really there
    for outcome in (passing, failing):
        texts = [json.dumps(a.data, default=str) + str(a.description) for a in outcome.artifacts]
        assert all(SECRET not in text for text in texts)
    assert SECRET not in json.dumps(passing.result())


def test_the_ready_flow_takes_the_tenant_as_a_parameter(suites: dict[str, Path]) -> None:
    state = dq_suite_flow(str(suites["warnings"]), tenant="acme", return_state=True)
    assert state.is_completed()
    summary = state.result()
    assert summary["tenant"] == "acme" and summary["prefect"]["flow_name"] == "dq-suite"


def test_the_task_outside_a_flow_uses_its_own_run(suites: dict[str, Path]) -> None:
    summary = run_dq_suite(str(suites["passing"]))
    assert summary["status"] == "passed" and summary["run_id"] == summary["prefect"]["task_run_id"]
    assert summary["logical_date"] is None and "flow_name" not in summary["prefect"]
