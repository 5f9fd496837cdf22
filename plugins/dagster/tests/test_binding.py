"""The binding's own rules without a Dagster run: context mapping, data, summary, hygiene."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import dagster as dg
import dq
import polars as pl
import pytest
from dq_dagster import DagsterBinding
from dq_dagster._context import run_context
from dq_dagster._data import source_for
from dq_dagster._summary import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

IST = timezone(timedelta(hours=5, minutes=30))


def run(**tags: str) -> dg.DagsterRun:
    return dg.DagsterRun(job_name="orders_job", run_id="9f1c-run", tags=tags)


def test_tags_become_params_without_dagsters_own_tags() -> None:
    ctx = run_context(
        run(**{"region": "eu", "dq/tenant": "acme", "dagster/partition": "p1", ".dagster/x": "y"})
    )
    assert ctx.params == {"region": "eu", "job_name": "orders_job"}
    assert ctx.tenant == dq.TenantId("acme") and ctx.orchestrator == "dagster"


def test_dagsters_ids_win_over_a_tag_of_the_same_name() -> None:
    assert run_context(run(job_name="disguised")).params["job_name"] == "orders_job"


def test_the_explicit_tenant_wins_and_an_empty_one_falls_back_to_the_tag() -> None:
    tagged = run(**{"dq/tenant": "acme"})
    assert run_context(tagged, tenant="globex").tenant == dq.TenantId("globex")
    assert run_context(tagged, tenant="").tenant == dq.TenantId("acme")


def test_the_scheduled_execution_time_is_the_logical_date_and_older_spelling_too() -> None:
    when = "2026-11-25T00:00:00+05:30"
    for tag in (".dagster/scheduled_execution_time", "dagster/scheduled_execution_time"):
        assert run_context(run(**{tag: when})).logical_date == datetime(2026, 11, 25, tzinfo=IST)


def test_a_run_launched_by_hand_has_no_logical_date() -> None:
    assert run_context(run()).logical_date is None


@pytest.mark.parametrize(
    ("native", "named"),
    [
        ("run-1", "expected a Dagster execution context or DagsterRun, got str"),
        (run(**{".dagster/scheduled_execution_time": "2026-11-25T00:00"}), "has no timezone"),
        (run(**{".dagster/scheduled_execution_time": "soon"}), "'soon' is not an ISO 8601 date"),
        (run(**{"dq/tenant": "Acme Corp"}), "'Acme Corp' is not a tenant id"),
    ],
)
def test_an_unusable_context_is_refused_naming_the_fault(native: Any, named: str) -> None:
    with pytest.raises(dq.UsageError, match=named):
        DagsterBinding().context(native)


@settings(max_examples=50, deadline=None)
@given(
    st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), st.text(max_size=20))
)
def test_every_user_tag_arrives_verbatim(tags: dict[str, str]) -> None:
    params = run_context(run(**tags)).params
    assert {k: params[k] for k in tags if k != "job_name"} == {
        k: v for k, v in tags.items() if k != "job_name"
    }


# -- the data a check reads ----------------------------------------------------------------


def test_frames_are_checked_through_a_parquet_file_keeping_dtypes(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": [1, None], "when": [datetime(2026, 1, 1), None]})
    source = source_for(frame, tmp_path)
    assert source is not None and source.format == "parquet"
    assert pl.read_parquet(source.path).equals(frame)
    (tmp_path / "lazy").mkdir()
    lazy = source_for(frame.lazy(), tmp_path / "lazy")
    assert lazy is not None and pl.read_parquet(lazy.path).equals(frame)


def test_a_path_is_checked_where_it_is_and_none_keeps_the_suites_source(tmp_path: Path) -> None:
    assert source_for(tmp_path / "x.csv", tmp_path) == dq.Source(path=str(tmp_path / "x.csv"))
    assert source_for(None, tmp_path) is None


def test_an_unreadable_value_is_refused_saying_what_to_return(tmp_path: Path) -> None:
    with pytest.raises(dq.UsageError, match="return a polars or pandas DataFrame or the path"):
        source_for({"id": [1]}, tmp_path)


# -- summary and report --------------------------------------------------------------------


def test_the_report_lists_failing_rules_first_and_escapes_cells() -> None:
    summary = {
        "suite": "s",
        "status": "failed",
        "run_id": "r",
        "tenant": None,
        "row_count": 3,
        "engine": "polars",
        "counts": {"rules": 2, "failed_errors": 1, "failed_warnings": 0},
        "failing": [{"rule_id": "b|c"}],
        "rules": [
            {
                "rule_id": "a",
                "check": "not_null",
                "column": "x",
                "severity": "error",
                "status": "passed",
                "failed_count": 0,
                "element_count": 3,
            },
            {
                "rule_id": "b|c",
                "check": "regex",
                "column": None,
                "severity": "error",
                "status": "failed",
                "failed_count": 1,
                "element_count": 3,
            },
        ],
    }
    lines = markdown(summary).splitlines()
    assert lines[0] == "### dq suite `s`: **failed**"
    assert lines[6].startswith("| b\\|c | regex |  | error | failed | 1 | 3 |")
    assert lines[7].startswith("| a |")


# -- as a dq component ---------------------------------------------------------------------


def test_config_rejects_an_unknown_fail_on_through_dq() -> None:
    with pytest.raises(dq.DqError, match="fail_on"):
        dq.Host(dq.discover()).component("orchestrator", "dagster", {"fail_on": "sometimes"})


def test_importing_the_plugin_and_building_the_binding_does_not_import_dagster() -> None:
    code = (
        "import sys, dq, dq_dagster\n"
        "b = dq.Host(dq.discover()).component('orchestrator', 'dagster', {'fail_on': 'warning'})\n"
        "assert type(b).__name__ == 'DagsterBinding' and b.config.fail_on == 'warning', b\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'dagster')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []
