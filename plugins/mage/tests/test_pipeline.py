"""Real Mage runs of the fixture project's pipeline ``dq_orders`` (see conftest.py).

Blocks are run the way Mage's scheduler runs them -- ``BlockExecutor.execute`` (retries,
conditional add-on blocks, sensors' loop) -- and with ``block.execute_sync``/``run_tests``
as the editor does; the runtime variables are those of a triggered run (``pipeline_run_id``,
``execution_date``, ``execution_partition``) plus the pipeline's own (``tenant``...).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dq
import dq_mage
import pytest
from dq_contract.compare import comparable

_runs = itertools.count(1)


def variables(project: Any, suite: str, **extra: Any) -> dict[str, Any]:
    run = next(_runs)
    marker = Path(project.root) / f"marker-{run}.txt"
    return {
        "orders_csv": str(project.data),
        "suite_file": project.suite(suite),
        "condition_suite": project.suite(suite),
        "marker": str(marker),
        "tenant": "acme",
        "pipeline_run_id": 1000 + run,
        "execution_partition": f"7/20261125T000000_{run}",
        "execution_date": datetime(2026, 11, 25, tzinfo=UTC),
        **extra,
    }


def execute(project: Any, block: str, global_vars: dict[str, Any], **options: Any) -> Any:
    from mage_ai.data_preparation.executors.block_executor import BlockExecutor

    return BlockExecutor(
        project.pipeline(), block, execution_partition=global_vars["execution_partition"]
    ).execute(global_vars=dict(global_vars), update_status=False, **options)


def output_of(project: Any, block: str, global_vars: dict[str, Any]) -> Any:
    """The block's output as Mage stored it (its variable ``output_0``), read back."""
    return (
        project.pipeline()
        .get_block(block)
        .get_raw_outputs(block, execution_partition=global_vars["execution_partition"])
    )


def direct(project: Any, suite: str, context: dq.RunContext) -> dq.SuiteRun:
    """What dq-core gives for the same suite on the same data (the CSV the loader read)."""
    loaded = dq.load_suite(Path(project.repo) / project.suite(suite))
    return dq.execute_suite(loaded, host=dq.default_host(), context=context)


def test_a_passing_suite_lets_the_downstream_block_run(project: Any) -> None:
    gv = variables(project, "passing")
    for block in ("load_orders", "check_orders", "export_orders"):
        execute(project, block, gv)
    assert Path(gv["marker"]).read_text() == "4"


def test_a_gate_failure_fails_the_block_and_the_downstream_never_runs(project: Any) -> None:
    gv = variables(project, "failing")
    execute(project, "load_orders", gv)
    with pytest.raises(dq_mage.DqGateFailed) as raised:
        execute(project, "check_orders", gv)
    assert "emails_present (error, 1 failed)" in str(raised.value)
    assert raised.value.summary["status"] == "failed"
    assert raised.value.summary["run_id"] == str(gv["pipeline_run_id"])
    with pytest.raises(Exception, match="upstream blocks have not been executed"):
        project.pipeline().get_block("export_orders").execute_sync(
            global_vars=dict(gv), execution_partition=gv["execution_partition"]
        )
    assert not Path(gv["marker"]).exists()


def test_the_verdict_and_counts_equal_execute_suite_on_the_same_data(project: Any) -> None:
    for name in ("passing", "failing", "warnings"):
        gv = variables(project, name)
        execute(project, "load_orders", gv)
        execute(project, "orders_verdict", gv)
        summary = output_of(project, "orders_verdict", gv)[0]
        ctx = dq_mage.MageBinding().context(gv)
        want = direct(project, name, ctx).result
        assert summary["status"] == want.status.value
        got = [
            (r["rule_id"], r["status"], r["failed_count"], r["element_count"])
            for r in summary["rules"]
        ]
        assert got == [
            (r.rule_id, r.status.value, r.failed_count, r.element_count) for r in want.results
        ]
        assert summary["tenant"] == "acme"
        assert summary["logical_date"] == "2026-11-25T00:00:00+00:00"
        assert summary["mage"]["block_uuid"] == "orders_verdict"
        assert summary["mage"]["pipeline_uuid"] == "dq_orders"


def test_the_gate_failure_carries_the_result_execute_suite_gives(project: Any) -> None:
    gv = variables(project, "failing")
    execute(project, "load_orders", gv)
    with pytest.raises(dq_mage.DqGateFailed) as raised:
        execute(project, "check_orders", gv)
    want = direct(project, "failing", dq_mage.MageBinding().context(gv)).result
    assert comparable(raised.value.result) == comparable(want)
    # and it alerts as `dq run` would: the same dedup key for the same suite and tenant
    name = dq.load_suite(Path(project.repo) / project.suite("failing")).name
    tenant = dq.TenantId("acme")
    ours = dq.notification_for(raised.value.result, name, tenant=tenant)
    theirs = dq.notification_for(want, name, tenant=tenant)
    assert ours is not None and theirs is not None and ours.dedup_key == theirs.dedup_key


def test_the_test_block_fails_on_the_gate_and_passes_on_clean_data(project: Any) -> None:
    gv = variables(project, "passing")
    execute(project, "load_orders", gv)
    execute(project, "check_orders", gv)
    block = project.pipeline().get_block("check_orders")
    block.run_tests(global_vars=dict(gv), execution_partition=gv["execution_partition"])
    bad = {**gv, "suite_file": project.suite("failing")}
    with pytest.raises(Exception, match="Failed to pass tests for block check_orders"):
        block.run_tests(global_vars=bad, execution_partition=gv["execution_partition"])


def test_tolerated_warnings_pass_but_fail_on_warning_fails(project: Any) -> None:
    gv = variables(project, "warnings")
    execute(project, "load_orders", gv)
    execute(project, "check_orders", gv)
    with pytest.raises(dq_mage.DqGateFailed, match="emails_present \\(warning"):
        execute(project, "check_orders", {**gv, "fail_on": "warning"})


def test_a_config_error_fails_at_once_without_running_the_suite(project: Any) -> None:
    gv = variables(project, "bad_engine")
    execute(project, "load_orders", gv)
    with pytest.raises(dq_mage.DqConfigError) as raised:
        execute(project, "check_orders", gv)
    assert "no-such-engine" in str(raised.value)
    assert "\n" not in str(raised.value)
    assert raised.value.retryable is False


def test_a_missing_suite_file_names_the_file(project: Any) -> None:
    gv = variables(project, "passing", suite_file="suites/nope.suite.toml")
    execute(project, "load_orders", gv)
    with pytest.raises(dq_mage.DqConfigError, match="nope.suite.toml"):
        execute(project, "check_orders", gv)


def test_an_invalid_tenant_variable_is_a_config_error(project: Any) -> None:
    gv = variables(project, "passing", tenant="../Evil")
    execute(project, "load_orders", gv)
    with pytest.raises(dq_mage.DqConfigError, match="not a tenant id"):
        execute(project, "check_orders", gv)


def test_mage_retries_a_gate_failure_as_configured(project: Any) -> None:
    gv = variables(project, "failing")
    execute(project, "load_orders", gv)
    retry = {"retries": 1, "delay": 0, "max_delay": 60, "exponential_backoff": False}
    from mage_ai.data_preparation.executors.block_executor import BlockExecutor

    executor = BlockExecutor(
        project.pipeline(), "check_orders", execution_partition=gv["execution_partition"]
    )
    with pytest.raises(dq_mage.DqGateFailed):
        executor.execute(global_vars=dict(gv), update_status=False, retry_config=retry)
    assert executor.retry_metadata["attempts"] == 2


def test_a_failing_condition_skips_the_block(project: Any) -> None:
    gv = variables(project, "passing", condition_suite=project.suite("failing"))
    execute(project, "load_orders", gv)
    execute(project, "check_orders", gv)
    execute(project, "export_orders", gv)
    assert not Path(gv["marker"]).exists(), "the condition returned False: export must not run"


def test_a_passing_condition_runs_the_block(project: Any) -> None:
    gv = variables(project, "passing")
    execute(project, "load_orders", gv)
    execute(project, "check_orders", gv)
    execute(project, "export_orders", gv)
    assert Path(gv["marker"]).read_text() == "4"


def test_a_sensor_on_a_passing_suite_lets_its_downstream_run(project: Any) -> None:
    gv = variables(project, "passing")
    execute(project, "orders_landed", gv)
    execute(project, "after_sensor", gv)
    assert Path(gv["marker"]).read_text() == "sensed"


def test_a_sensor_on_a_failing_suite_reports_false(project: Any) -> None:
    # Mage's sensor loop sleeps a minute on False; the editor path returns the value
    gv = variables(project, "failing")
    out = (
        project.pipeline()
        .get_block("orders_landed")
        .execute_sync(
            global_vars=dict(gv), from_notebook=True, execution_partition=gv["execution_partition"]
        )
    )
    assert out["output"] == [False] or out["output"][0] is False or "False" in str(out["output"])
