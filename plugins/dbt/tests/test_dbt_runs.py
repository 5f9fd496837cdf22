"""The dq dbt package run by real dbt-core on DuckDB and on PostgreSQL.

The counts are dq's: each dbt test's ``failures`` must equal what dq's reference oracle
(docs/rules.md transcribed, ``dq_contract.reference``) -- the spec dq-polars is held to --
counts on the same CSV, for the example suite and for a file of edge cases (nulls in
value checks, every row of a repeated value, exclusive bounds, lengths in characters,
Unicode ``\\w``, a quote inside a set value, table-level checks, SQL expressions).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import dq
import polars as pl
import pytest
from conftest import DATA, EXAMPLES
from dq_contract.reference import reference_check
from dq_dbt import read_results

TARGETS = ("duckdb", "postgres")
CASES = {
    "orders": (EXAMPLES / "orders.csv", EXAMPLES / "orders.rules.toml"),
    "edge": (DATA / "edge.csv", DATA / "edge.rules.toml"),
}


def oracle(model: str) -> dq.CheckResult:
    data, rules = CASES[model]
    return reference_check(pl.read_csv(data), dq.load_typed(rules, dq.RuleSet))


def by_id(result: dq.CheckResult) -> dict[str, tuple[str, int, str]]:
    return {r.rule_id: (r.status.value, r.failed_count, r.severity.value) for r in result.results}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("model", CASES)
def test_dbt_counts_equal_dqs_on_the_same_data(dbt_runs: dict, target: str, model: str) -> None:
    got = read_results(*dbt_runs["project"].artifacts(target), model=model)
    assert by_id(got) == by_id(oracle(model))
    assert got.status is oracle(model).status


@pytest.mark.parametrize("target", TARGETS)
def test_a_gate_failure_fails_dbts_own_unit(dbt_runs: dict, target: str) -> None:
    run = dbt_runs[target]
    assert run.success is False  # error-severity tests failed: `dbt build` fails
    statuses = {r.node.name: str(r.status) for r in run.result.results if r.node.resource_type == "test"}
    assert statuses["unique_order_id"] == "fail"
    assert statuses["name_short"] == "warn"  # a warning-severity rule warns, never fails dbt
    assert statuses["not_null_order_id"] == "pass"


def test_warnings_come_back_as_failed_warnings_the_gate_tolerates(dbt_runs: dict) -> None:
    got = read_results(*dbt_runs["project"].artifacts("duckdb"), model="edge")
    short = next(r for r in got.results if r.rule_id == "name_short")
    assert (short.status, short.severity) == (dq.RuleStatus.FAILED, dq.Severity.WARNING)
    tolerant = dq.QualityGate(max_failed_errors=100)
    assert read_results(*dbt_runs["project"].artifacts("duckdb"), model="edge",
                        gate=tolerant).status is dq.RunStatus.PASSED
    strict = dq.QualityGate(max_failed_errors=100, max_failed_warnings=0)
    assert read_results(*dbt_runs["project"].artifacts("duckdb"), model="edge",
                        gate=strict).status is dq.RunStatus.FAILED


def test_the_dedup_key_is_the_one_dq_alerts_with_for_the_same_failure(dbt_runs: dict) -> None:
    got = read_results(*dbt_runs["project"].artifacts("postgres"), model="orders")
    direct = oracle("orders")
    assert (dq.notification_for(got, "orders").dedup_key
            == dq.notification_for(direct, "orders").dedup_key)


def test_a_skipped_test_is_an_error_not_a_pass(dbt_runs: dict, tmp_path: Path) -> None:
    run_results, manifest = dbt_runs["project"].artifacts("duckdb")
    doc = json.loads(run_results.read_text())
    for entry in doc["results"]:
        if entry["unique_id"].startswith("test.") and "not_null_order_id" in entry["unique_id"]:
            entry.update(status="skipped", failures=None, message=None)
    patched = tmp_path / "run_results.json"
    patched.write_text(json.dumps(doc))
    got = read_results(patched, manifest, model="orders")
    skipped = next(r for r in got.results if r.rule_id == "not_null_order_id")
    assert skipped.status is dq.RuleStatus.ERROR and "skipped" in skipped.message
    assert got.status is dq.RunStatus.ERROR


def test_the_session_timings_are_reported(dbt_runs: dict, record_property: Any) -> None:
    for name, seconds in dbt_runs["durations"].items():
        record_property(name, round(seconds, 2))
        print(f"{name}: {seconds:.1f} s")
    assert set(dbt_runs["durations"]) >= {"deps", "build_duckdb", "build_postgres"}
