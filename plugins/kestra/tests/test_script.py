"""``dq-kestra run`` as Kestra runs it: a real process, stdout read with Kestra's rule.

Each test starts ``python -m dq_kestra`` in a subprocess with the environment a generated
flow renders, then reads outputs, metrics and logs from stdout exactly as Kestra's
TaskLogLineMatcher does, and the exit code as Kestra does (non-zero fails the task).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dq
import pytest
from conftest import EXAMPLES, KESTRA_ENV, SECRET, run_script

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def rules_of(result: dq.CheckResult) -> list[tuple]:
    return [(r.rule_id, r.status.value, r.severity.value, r.failed_count, r.element_count)
            for r in result.results]


def rules_of_outputs(outputs: dict) -> list[tuple]:
    return [(r["rule_id"], r["status"], r["severity"], r["failed_count"], r["element_count"])
            for r in outputs["rules"]]


@pytest.mark.parametrize(
    ("name", "code", "status"),
    [("passing", 0, "passed"), ("warnings", 0, "passed"), ("failing", 1, "failed"), ("erroring", 2, "error")],
)
def test_exit_code_and_outputs_match_what_dq_run_gives(
    suites: dict[str, Path], name: str, code: int, status: str
) -> None:
    done = run_script("run", str(suites[name]))
    expected = dq.run_suite(dq.load_suite(suites[name]))
    assert done.code == code, done.stderr
    out = done.outputs
    assert out["status"] == status == expected.status.value
    assert out["exit_code"] == code
    assert rules_of_outputs(out) == rules_of(expected)
    assert out["row_count"] == expected.row_count == 4
    assert "Traceback" not in done.stderr


def test_the_run_context_comes_from_kestras_rendered_env(suites: dict[str, Path]) -> None:
    out = run_script("run", str(suites["passing"]), env={**KESTRA_ENV, "DQ_KESTRA_TENANT": "acme",
                                                         "DQ_KESTRA_PARAM_region": "eu"}).outputs
    assert out["run_id"] == "4wjtkzwVGBM9yKnjm3yv8r"
    assert out["logical_date"] == "2026-11-25T00:00:00+05:30"
    assert out["tenant"] == "acme"
    assert out["orchestrator"] == "kestra"
    assert out["kestra"] == {"namespace": "company.data", "flow_id": "orders_quality",
                             "task_id": "dq_check", "taskrun_id": "6Vh4g0eSa4qCdcJP9TkTVT",
                             "attempt": "0"}
    assert "region" not in json.dumps(out)  # params are not published (they may be secrets)


def test_tenant_flag_wins_over_the_flow_input(suites: dict[str, Path]) -> None:
    out = run_script("run", str(suites["passing"]), "--tenant", "globex",
                     env={**KESTRA_ENV, "DQ_KESTRA_TENANT": "acme"}).outputs
    assert out["tenant"] == "globex"


def test_metrics_count_rules_rows_and_time_the_check(suites: dict[str, Path]) -> None:
    done = run_script("run", str(suites["failing"]))
    m = done.metrics
    assert (m["dq.rules.passed"]["value"], m["dq.rules.failed"]["value"]) == (1, 3)
    assert m["dq.rows"]["value"] == 4 and m["dq.rows"]["type"] == "counter"
    assert m["dq.duration"]["type"] == "timer" and 0 <= m["dq.duration"]["value"] < 60
    assert m["dq.rows"]["tags"] == {"suite": "failing", "status": "failed"}
    assert [entry["level"] for entry in done.logs] == ["ERROR"]
    assert "emails_present (error, 1 failed)" in done.logs[0]["message"]


def test_tolerated_warnings_pass_with_a_warn_log(suites: dict[str, Path]) -> None:
    done = run_script("run", str(suites["warnings"]))
    assert done.code == 0
    assert [entry["level"] for entry in done.logs] == ["WARN"]


def test_fail_on_warning_fails_the_task_on_a_failed_warning(suites: dict[str, Path]) -> None:
    done = run_script("run", str(suites["warnings"]), "--fail-on", "warning")
    assert (done.code, done.outputs["status"], done.outputs["exit_code"]) == (1, "passed", 1)


def test_fail_on_never_observes_only(suites: dict[str, Path]) -> None:
    done = run_script("run", str(suites["failing"]), "--fail-on", "never")
    assert (done.code, done.outputs["status"]) == (0, "failed")


def test_the_dedup_key_is_the_one_dq_alerts_with(suites: dict[str, Path]) -> None:
    out = run_script("run", str(suites["failing"]), env={**KESTRA_ENV, "DQ_KESTRA_TENANT": "acme"}).outputs
    result = dq.run_suite(dq.load_suite(suites["failing"]))
    note = dq.notification_for(result, "failing", tenant=dq.TenantId("acme"))
    assert out["dedup_key"] == note.dedup_key
    assert run_script("run", str(suites["passing"])).outputs["dedup_key"] is None


@pytest.mark.parametrize(
    ("suite", "args", "env_extra", "says"),
    [
        ("broken", (), {}, "broken.suite.toml"),
        ("no_engine", (), {}, "no-such-engine"),
        ("passing", ("--tenant", "ACME"), {}, "not a tenant id"),
        ("pinned", ("--tenant", "globex"), {}, "belongs to tenant acme"),
        ("passing", (), {"DQ_KESTRA_TRIGGER_DATE": "2026-11-25T00:00:00"}, "has no offset"),
        ("passing", (), {"DQ_KESTRA_EXECUTION_ID": ""}, "DQ_KESTRA_EXECUTION_ID is not set"),
    ],
)
def test_a_config_error_exits_2_with_one_line_and_says_not_to_retry(
    suites: dict[str, Path], suite: str, args: tuple, env_extra: dict, says: str
) -> None:
    done = run_script("run", str(suites[suite]), *args, env={**KESTRA_ENV, **env_extra})
    assert done.code == 2
    assert says in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert done.outputs["status"] == "config_error" and done.outputs["retryable"] is False


def test_a_missing_suite_file_is_a_config_error(tmp_path: Path) -> None:
    done = run_script("run", str(tmp_path / "nope.suite.toml"))
    assert (done.code, done.outputs["status"]) == (2, "config_error")


def test_unreadable_data_is_a_runtime_error_worth_a_retry(suites: dict[str, Path]) -> None:
    done = run_script("run", str(suites["unreadable"]))
    assert done.code == 3, done.stderr
    assert done.outputs == {"status": "runtime_error", "error": done.outputs["error"],
                            "retryable": True, "exit_code": 3}
    assert "landing.parquet" in done.outputs["error"]


def test_a_missing_source_file_is_a_config_error_as_dq_run_says(suites: dict[str, Path]) -> None:
    # dq-core classifies a missing source as a usage error (exit 2), so does the script
    done = run_script("run", str(suites["missing_data"]))
    assert (done.code, done.outputs["status"]) == (2, "config_error")
    assert "not_there_yet.csv" in done.outputs["error"]


def test_validate_checks_without_reading_data(suites: dict[str, Path]) -> None:
    ok = run_script("validate", str(suites["missing_data"]))  # data is not read
    assert (ok.code, ok.outputs["valid"]) == (0, True)
    for name, args in [("no_engine", ()), ("broken", ()), ("pinned", ("--tenant", "globex"))]:
        bad = run_script("validate", str(suites[name]), *args)
        assert bad.code == 2 and bad.outputs["status"] == "config_error", bad.stderr


def test_no_secret_reaches_stdout_stderr_or_outputs(suites: dict[str, Path]) -> None:
    done = run_script("run", str(suites["secretive"]), "--no-notify",
                      env={**KESTRA_ENV, "DQ_KESTRA_PARAM_api_password": SECRET})
    assert done.code == 1
    assert SECRET not in done.stdout and SECRET not in done.stderr


def test_the_example_suite_reaches_the_verdict_of_dq_run_rule_by_rule() -> None:
    suite = EXAMPLES / "orders.suite.toml"
    done = run_script("run", str(suite))
    cli = subprocess.run([sys.executable, "-m", "dq", "run", str(suite), "--format", "json"],
                         capture_output=True, text=True, timeout=120)
    assert done.code == cli.returncode == 1
    report = json.loads(cli.stdout)
    assert done.outputs["status"] == report["status"]
    assert [(r["rule_id"], r["status"], r["failed_count"]) for r in done.outputs["rules"]] == [
        (r["rule_id"], r["status"], r["failed_count"]) for r in report["rules"]
    ]


def test_usage_errors_are_one_line_exit_2() -> None:
    done = run_script("run")
    assert done.code == 2 and "Traceback" not in done.stderr
    assert "required: SUITE" in done.stderr
