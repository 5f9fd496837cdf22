"""DqSuiteOperator in a real Airflow 3: DAG files parsed from the dags folder, run by
``dag.test()`` on the session's SQLite metadata DB, states, XComs and logs read back.

One DAG holds one task per case (independent tasks, so one failing does not skip another):
a DAG run costs ~4 s to start and each task about a second.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import dq
import pytest
from conftest import DAGS, PROBE_FILE, DagRunOutcome, run_dag
from dq_contract.compare import comparable
from dq_contract.orchestrator import OrchestratorBindingContract

DATA = "id,email,amount\n1,a@example.com,10\n2,b@example.com,20\n3,,30\n4,d@example.com,-5\n"
RULES = {
    "passing": """rules = [
  {id = "ids_present", check = "not_null", column = "id"},
  {id = "ids_unique", check = "unique", column = "id"},
  {id = "amount_range", check = "between", column = "amount", min = -10, max = 100},
]""",
    "failing": """rules = [
  {id = "ids_unique", check = "unique", column = "id"},
  {id = "emails_present", check = "not_null", column = "email"},
  {id = "amount_positive", check = "between", column = "amount", min = 0},
  {id = "amount_small", check = "between", column = "amount", max = 25, severity = "warning"},
]""",
    "warnings": """rules = [
  {id = "ids_present", check = "not_null", column = "id"},
  {id = "emails_present", check = "not_null", column = "email", severity = "warning"},
  {id = "amount_positive", check = "between", column = "amount", min = 0, severity = "warning"},
]""",
    "erroring": """rules = [
  {id = "ids_present", check = "not_null", column = "id"},
  {id = "no_such_column", check = "not_null", column = "customer"},
]""",
}
#: A DAG param that must never reach a log or an XCom (params can carry credentials).
SECRET = "hunter2-5f3a9c1e-do-not-log"
IST = timezone(timedelta(hours=5, minutes=30))
LOGICAL_DATE = datetime(2026, 11, 25, 0, 0, tzinfo=IST)


def write_suites(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orders.csv").write_text(DATA)
    suites = {}
    for name, rules in RULES.items():
        (folder / f"{name}.rules.toml").write_text(rules)
        suites[name] = folder / f"{name}.suite.toml"
        suites[name].write_text(
            f'name = "{name}"\nsource = "orders.csv"\nrules = "{name}.rules.toml"\n'
        )
    suites["probe"] = folder / "probe.suite.toml"
    suites["probe"].write_text(
        'name = "probe"\nsource = "orders.csv"\nrules = "passing.rules.toml"\n'
        'engine = "tenant-probe"\n'
    )
    return suites


CASES_DAG = """
from airflow.sdk import DAG, Param
from dq_airflow import DqSuiteOperator

S = {suites!r}

with DAG(
    "dq_cases",
    schedule=None,
    params={{"tenant": Param("acme", type="string"), "api_password": {secret!r}, "region": "eu"}},
    default_args={{"retries": 0}},
):
    DqSuiteOperator(task_id="passing", suite=S["passing"])
    DqSuiteOperator(task_id="relative", suite="suites/passing.suite.toml")
    DqSuiteOperator(task_id="failing", suite=S["failing"])
    DqSuiteOperator(task_id="erroring", suite=S["erroring"])
    DqSuiteOperator(task_id="warnings", suite=S["warnings"])
    DqSuiteOperator(task_id="strict_warnings", suite=S["warnings"], fail_on="warning")
    DqSuiteOperator(task_id="observe_only", suite=S["failing"], fail_on="never")
    DqSuiteOperator(task_id="probe", suite=S["probe"], tenant="{{{{ params.tenant }}}}-eu")
    DqSuiteOperator(task_id="missing_suite", suite="suites/no-such.suite.toml", retries=3)
    DqSuiteOperator(task_id="bad_tenant", suite=S["passing"], tenant="Globex Corp")
"""


@pytest.fixture(scope="module")
def suites(airflow_db: Path) -> dict[str, Path]:
    return write_suites(DAGS / "suites")


@pytest.fixture(scope="module")
def cases(suites: dict[str, Path]) -> DagRunOutcome:
    PROBE_FILE.write_text("")
    source = CASES_DAG.format(suites={k: str(v) for k, v in suites.items()}, secret=SECRET)
    return run_dag("dq_cases", source, logical_date=LOGICAL_DATE, run_conf={"tenant": "globex"})


def direct(suite: Path) -> dq.CheckResult:
    """What ``dq run`` gives for the suite file: what the task must reproduce."""
    return dq.run_suite(dq.load_suite(suite), notify=False)


# -- a passing suite -----------------------------------------------------------------------


def test_a_passing_suite_succeeds_and_returns_its_summary_as_xcom(
    cases: DagRunOutcome, suites: dict[str, Path]
) -> None:
    assert cases.task_states["passing"] == "success"
    summary = cases.xcom("passing")
    assert summary["status"] == "passed"
    assert summary["suite"] == "passing" and summary["engine"] == "polars"
    assert summary["run_id"] == cases.dag_run.run_id
    assert summary["counts"] == {
        "rules": 3,
        "passed": 3,
        "failed": 0,
        "error": 0,
        "unsupported": 0,
        "failed_errors": 0,
        "failed_warnings": 0,
    }
    assert summary["failing"] == []
    assert summary["row_count"] == 4
    assert summary["airflow"] == {"dag_id": "dq_cases", "task_id": "passing", "try_number": "1"}


def test_the_full_result_is_pushed_as_dq_result_equal_to_dq_run(
    cases: DagRunOutcome, suites: dict[str, Path]
) -> None:
    pushed = dq.structure(cases.xcom("passing", "dq_result"), dq.CheckResult)
    assert comparable(pushed) == comparable(direct(suites["passing"]))


def test_the_published_summary_passes_the_contracts_own_check(
    cases: DagRunOutcome, suites: dict[str, Path]
) -> None:
    checker = OrchestratorBindingContract()
    for task, name in [("passing", "passing"), ("failing", "failing"), ("warnings", "warnings")]:
        checker.check_summary(
            cases.xcom(task, "dq_summary"), direct(suites[name]), cases.dag_run.run_id, "globex"
        )
    assert cases.xcom("passing", "dq_summary") == cases.xcom("passing")


def test_the_run_context_maps_airflows_logical_date_as_the_same_instant(
    cases: DagRunOutcome,
) -> None:
    summary = cases.xcom("passing")
    published = datetime.fromisoformat(summary["logical_date"])
    assert published.utcoffset() is not None
    assert published == cases.dag_run.logical_date == LOGICAL_DATE
    assert published.astimezone(UTC) == datetime(2026, 11, 24, 18, 30, tzinfo=UTC)


def test_a_relative_suite_path_is_taken_from_the_dag_files_folder(cases: DagRunOutcome) -> None:
    assert cases.task_states["relative"] == "success"
    assert cases.xcom("relative")["suite"] == "passing"


# -- failing the task ----------------------------------------------------------------------


def test_error_severity_failures_fail_the_task_naming_the_rules(cases: DagRunOutcome) -> None:
    assert cases.task_states["failing"] == "failed"
    assert cases.state == "failed"
    log = cases.task_log("failing")
    assert "AirflowException" in log
    for rule in ("emails_present (error, 1 failed)", "amount_positive (error, 1 failed)"):
        assert rule in log
    assert "amount_small" in log  # the failing warning is in the table too
    assert cases.xcom("failing") is None, "a failed task has no return_value"
    summary = cases.xcom("failing", "dq_summary")
    assert summary["status"] == "failed"
    assert [f["rule_id"] for f in summary["failing"]] == [
        "emails_present",
        "amount_positive",
        "amount_small",
    ]
    assert summary["counts"]["failed_errors"] == 2
    assert summary["counts"]["failed_warnings"] == 1


def test_a_run_that_errored_fails_the_task(cases: DagRunOutcome) -> None:
    assert cases.task_states["erroring"] == "failed"
    assert "no_such_column (error, error)" in cases.task_log("erroring")
    assert cases.xcom("erroring", "dq_summary")["status"] == "error"


def test_failed_warnings_only_log_and_the_task_succeeds(cases: DagRunOutcome) -> None:
    assert cases.task_states["warnings"] == "success"
    log = cases.task_log("warnings")
    assert "[warning" in log and "emails_present (warning, 1 failed)" in log
    summary = cases.xcom("warnings")
    assert summary["status"] == "passed"
    assert summary["counts"]["failed_warnings"] == 2


def test_fail_on_warning_fails_the_task_on_failed_warnings(cases: DagRunOutcome) -> None:
    assert cases.task_states["strict_warnings"] == "failed"
    assert "amount_positive (warning, 1 failed)" in cases.task_log("strict_warnings")


def test_fail_on_never_only_logs_a_failed_verdict(cases: DagRunOutcome) -> None:
    assert cases.task_states["observe_only"] == "success"
    assert cases.xcom("observe_only")["status"] == "failed"
    assert "emails_present (error, 1 failed)" in cases.task_log("observe_only")


def test_a_missing_suite_file_fails_without_retries_naming_the_path(
    cases: DagRunOutcome,
) -> None:
    assert cases.task_states["missing_suite"] == "failed", "retries must be skipped"
    assert cases.try_numbers["missing_suite"] == 1
    log = cases.task_log("missing_suite")
    assert "AirflowFailException" in log
    assert str(DAGS / "suites" / "no-such.suite.toml") in log


def test_an_invalid_tenant_fails_without_retrying_and_is_not_repaired(
    cases: DagRunOutcome,
) -> None:
    assert cases.task_states["bad_tenant"] == "failed"
    log = cases.task_log("bad_tenant")
    assert "AirflowFailException" in log and "'Globex Corp' is not a tenant id" in log
    assert cases.xcom("bad_tenant", "dq_summary") is None, "nothing ran, nothing published"


# -- tenancy -------------------------------------------------------------------------------


def test_the_templated_tenant_is_the_bound_tenant_while_the_engine_runs(
    cases: DagRunOutcome,
) -> None:
    assert cases.task_states["probe"] == "success"
    # rendered from the run conf's tenant (which overrode the DAG's default "acme"), and
    # that rendering, not the raw param, is what the engine saw as dq.current_tenant()
    assert PROBE_FILE.read_text().split() == ["globex-eu"]
    assert cases.xcom("probe")["tenant"] == "globex-eu"


def test_the_tenant_param_reaches_every_task_without_a_tenant_argument(
    cases: DagRunOutcome,
) -> None:
    assert cases.xcom("passing")["tenant"] == "globex"


# -- secrets -------------------------------------------------------------------------------


def test_no_param_value_reaches_the_log_or_any_xcom(cases: DagRunOutcome) -> None:
    assert SECRET not in cases.log
    assert SECRET not in json.dumps(list(cases.xcoms.values()), default=str)
    # the check can fail: the value is a real param of the run the tasks saw
    assert cases.dag_run.dag.params["api_password"] == SECRET


# -- a manual run without a logical date, and mapped tasks ---------------------------------

MANUAL_DAG = """
from airflow.sdk import DAG
from dq_airflow import DqSuiteOperator

with DAG("dq_manual", schedule=None):
    DqSuiteOperator.partial(task_id="mapped", fail_on="never").expand(suite={suites!r})
"""


@pytest.fixture(scope="module")
def manual(suites: dict[str, Path]) -> DagRunOutcome:
    mapped = [str(suites["passing"]), str(suites["warnings"])]
    return run_dag("dq_manual", MANUAL_DAG.format(suites=mapped), logical_date=None)


def test_a_manual_run_without_logical_date_or_tenant_maps_to_none(manual: DagRunOutcome) -> None:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    assert manual.state == "success", manual.log[-3000:]
    assert manual.dag_run.logical_date is None
    with create_session() as session:
        rows = session.scalars(
            XComModel.get_many(run_id=manual.dag_run.run_id, key="return_value")
        ).all()
        summaries: list[dict[str, Any]] = sorted(
            (XComModel.deserialize_value(row) for row in rows),
            key=lambda s: s["airflow"]["map_index"],
        )
    assert [s["suite"] for s in summaries] == ["passing", "warnings"]
    assert [s["airflow"]["map_index"] for s in summaries] == ["0", "1"]
    assert all(s["logical_date"] is None and s["tenant"] is None for s in summaries)


def test_an_invalid_fail_on_is_refused_when_the_dag_is_parsed() -> None:
    from dq_airflow import DqSuiteOperator

    with pytest.raises(
        ValueError, match=r"DqSuiteOperator 't': fail_on must be one of .* not 'sometimes'"
    ):
        DqSuiteOperator(task_id="t", suite="x.toml", fail_on="sometimes")  # type: ignore[arg-type]
