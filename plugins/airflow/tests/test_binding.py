"""The binding's own rules, without a DAG run: context mapping, policy, publishing, hygiene.

These run the binding in-process (fast, and hypothesis-sized); what a real task does with it
is pinned in test_dag_runs.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import dq
import pendulum
import pytest
from airflow.sdk.definitions.param import ParamsDict
from dq_airflow import AirflowBinding, AirflowConfig
from dq_airflow._context import run_context
from dq_airflow._summary import describe_failures, table
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dag_runs import write_suites

IST = timezone(timedelta(hours=5, minutes=30))


class TaskInstance:
    """What the binding reads from Airflow's RuntimeTaskInstance: ids, and xcom_push."""

    def __init__(self, map_index: int = -1) -> None:
        self.dag_id, self.task_id, self.try_number, self.map_index = "d", "t", 2, map_index
        self.pushed: list[tuple[str, Any]] = []

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed.append((key, json.loads(json.dumps(value))))  # XCom stores JSON


@pytest.fixture(scope="module")
def suites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_suites(tmp_path_factory.mktemp("suites"))


def native(**over: Any) -> dict[str, Any]:
    return {
        "run_id": "scheduled__2026-11-25T00:00:00+05:30",
        "logical_date": pendulum.datetime(2026, 11, 25, tz="Asia/Kolkata"),
        "params": ParamsDict({"tenant": "acme", "n": 3, "flag": True, "region": "eu"}),
        "ti": TaskInstance(),
        **over,
    }


# -- context -------------------------------------------------------------------------------


def test_context_carries_airflows_ids_and_params_as_text() -> None:
    ctx = run_context(native())
    assert ctx.orchestrator == "airflow"
    assert ctx.params == {
        "n": "3",
        "flag": "true",
        "region": "eu",
        "dag_id": "d",
        "task_id": "t",
        "try_number": "2",
    }
    assert ctx.logical_date == datetime(2026, 11, 25, tzinfo=IST)


def test_a_mapped_tasks_map_index_is_carried() -> None:
    assert run_context(native(ti=TaskInstance(map_index=4))).params["map_index"] == "4"


def test_airflows_ids_win_over_a_param_of_the_same_name() -> None:
    ctx = run_context(native(params={"dag_id": "disguised"}))
    assert ctx.params["dag_id"] == "d"


def test_the_operator_tenant_overrides_the_param_and_an_empty_one_falls_back() -> None:
    assert run_context(native(), tenant="globex").tenant == dq.TenantId("globex")
    assert run_context(native(), tenant="").tenant == dq.TenantId("acme")


def test_a_manual_run_without_logical_date_maps_to_none() -> None:
    assert run_context(native(logical_date=None)).logical_date is None


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"run_id": ""}, "no run_id"),
        ({"logical_date": datetime(2026, 11, 25)}, "has no timezone"),
        ({"logical_date": "yesterday"}, "'yesterday' is not an ISO 8601 date"),
        ({"params": ["tenant"]}, "params must be a mapping"),
        ({"params": {"tenant": 7}}, "tenant must be text, not int"),
    ],
)
def test_an_unusable_context_is_refused_naming_the_fault(
    override: dict[str, Any], named: str
) -> None:
    with pytest.raises(dq.UsageError, match=named):
        run_context(native(**override))


def test_a_non_mapping_context_is_refused() -> None:
    with pytest.raises(dq.UsageError, match="expected Airflow's task context"):
        AirflowBinding().context("run-1")


@settings(max_examples=100, deadline=None)
@given(
    value=st.one_of(
        st.text(max_size=20),
        st.integers(),
        st.booleans(),
        st.none(),
        st.floats(allow_nan=False),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers()),
    )
)
def test_every_param_value_becomes_text_that_reads_back(value: Any) -> None:
    text = run_context(native(params={"p": value})).params["p"]
    assert isinstance(text, str)
    assert (text if isinstance(value, str) else json.loads(text)) == value


# -- policy and publishing -----------------------------------------------------------------


def run(suites: dict[str, Path], name: str, fail_on: str = "error") -> tuple[Any, TaskInstance]:
    ti = TaskInstance()
    binding = AirflowBinding(AirflowConfig(fail_on=fail_on)).for_task(ti)  # type: ignore[arg-type]
    suite = dq.load_suite(suites[name])
    ctx = binding.context(native(ti=ti))
    try:
        return binding.run(suite, ctx), ti
    except dq.SuiteFailed as exc:
        return exc, ti


@pytest.mark.parametrize(
    ("name", "fail_on", "fails"),
    [
        ("passing", "error", False),
        ("passing", "warning", False),
        ("warnings", "error", False),
        ("warnings", "warning", True),
        ("warnings", "never", False),
        ("failing", "error", True),
        ("failing", "never", False),
        ("erroring", "error", True),
        ("erroring", "warning", True),
        ("erroring", "never", False),
    ],
)
def test_fail_on_decides_which_verdicts_fail_the_unit(
    suites: dict[str, Path], name: str, fail_on: str, fails: bool
) -> None:
    outcome, ti = run(suites, name, fail_on)
    assert isinstance(outcome, dq.SuiteFailed) is fails
    keys = [key for key, _ in ti.pushed]
    assert keys == ["dq_summary", "dq_result"], "published before the verdict, every time"


def test_the_failure_message_names_the_failing_rules_errors_first(
    suites: dict[str, Path],
) -> None:
    failed, _ = run(suites, "failing")
    assert str(failed).startswith("dq suite 'failing' failed in run 'scheduled__")
    assert (
        "tenant acme: emails_present (error, 1 failed), amount_positive (error, 1 failed), "
        "amount_small (warning, 1 failed)" in str(failed)
    )


def test_the_log_table_lists_only_rules_that_did_not_pass(suites: dict[str, Path]) -> None:
    failed, _ = run(suites, "failing")
    lines = table(failed.result).splitlines()
    assert lines[0].split() == [
        "rule",
        "check",
        "column",
        "severity",
        "status",
        "failed",
        "of",
        "message",
    ]
    assert [line.split()[0] for line in lines[2:]] == [
        "emails_present",
        "amount_positive",
        "amount_small",
    ]
    passed, _ = run(suites, "passing")
    assert table(passed) == "all 3 rules passed"


def test_long_failure_lists_are_bounded(suites: dict[str, Path]) -> None:
    failed, _ = run(suites, "failing")
    assert describe_failures(failed.result, limit=1).endswith("and 2 more")


def test_config_rejects_an_unknown_fail_on_through_dq() -> None:
    with pytest.raises(dq.DqError, match="fail_on"):
        dq.Host(dq.discover()).component("orchestrator", "airflow", {"fail_on": "sometimes"})


def test_a_suite_pinned_to_another_tenant_refuses_to_run(tmp_path: Path) -> None:
    folder = tmp_path / "pinned"
    suites = write_suites(folder)
    text = suites["passing"].read_text() + '\n[tenant]\nid = "initech"\n'
    suites["passing"].write_text(text)
    with pytest.raises(dq.UsageError, match="belongs to tenant initech"):
        run(suites, "passing")


# -- import hygiene ------------------------------------------------------------------------


def test_importing_the_plugin_and_building_the_binding_does_not_import_airflow() -> None:
    code = (
        "import sys, dq, dq_airflow\n"
        "b = dq.Host(dq.discover()).component('orchestrator', 'airflow', {})\n"
        "assert type(b).__name__ == 'AirflowBinding', b\n"
        "print(sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_dq_plugins_info_check_imports_and_builds_the_binding() -> None:
    out = subprocess.run(
        [str(Path(sys.executable).parent / "dq"), "plugins", "info", "airflow", "--check"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "dq-airflow 0.1.0" in out.stdout and "AirflowBinding" in out.stdout
