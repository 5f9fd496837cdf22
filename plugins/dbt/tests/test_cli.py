"""``dq dbt ...`` through the ``dq.commands`` hook, and the ``dq-dbt`` script."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import dq
import pytest
import yaml
from conftest import EXAMPLES
from dq_dbt import generate, package_path
from dq_dbt.cli import register


def dq_dbt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from dq_dbt.cli import main; "
                           "sys.exit(main())", *args], capture_output=True, text=True, timeout=120)


def test_the_commands_entry_point_names_register() -> None:
    [entry] = [e for e in metadata.entry_points(group="dq.commands") if e.name == "dbt"]
    assert entry.load() is register


def test_register_adds_dbt_with_handlers_like_cores_groups() -> None:
    parser = argparse.ArgumentParser(prog="dq")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["dbt", "generate", "r.toml", "--model", "m", "-o", "x.yml"])
    assert (args.rules, args.model, args.output) == ("r.toml", "m", "x.yml")
    assert callable(args.handler)
    args = parser.parse_args(["dbt", "results", "rr.json", "--manifest", "m.json", "--format", "json"])
    assert callable(args.handler) and args.format == "json"


def test_bad_input_raises_dqs_usage_errors_for_the_host_to_print() -> None:
    parser = argparse.ArgumentParser(prog="dq")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["dbt", "results", "/nonexistent/run_results.json", "--manifest", "m.json"])
    with pytest.raises(dq.UsageError, match="no such file"):
        args.handler(args)


def test_generate_declares_each_rule_with_its_id_severity_and_meta() -> None:
    rules = dq.load_typed(EXAMPLES / "orders.rules.toml", dq.RuleSet)
    doc = yaml.safe_load(generate(rules, "orders"))
    [model] = doc["models"]
    tests = {list(t.values())[0]["name"]: (list(t)[0], list(t.values())[0])
             for column in model["columns"] for t in column["data_tests"]}
    tests.update({list(t.values())[0]["name"]: (list(t)[0], list(t.values())[0]) for t in model["data_tests"]})
    assert set(tests) == {r.id for r in rules.rules}
    name, body = tests["country_code"]
    assert name == "dq.dq_regex" and body["pattern"] == "[A-Z]{2}"
    assert body["config"] == {"severity": "warn", "meta": {"dq_rule_id": "country_code", "dq_check": "regex"}}
    assert tests["between_amount"][1]["min"] == 0 and tests["row_count"][1] == {
        "name": "row_count", "min": 100, "config": {"severity": "error",
        "meta": {"dq_rule_id": "row_count", "dq_check": "row_count"}}}


def test_generate_lists_what_it_cannot_express_never_drops_it_silently() -> None:
    rules = dq.RuleSet(rules=(dq.DType(id="ids_int", column="id", dtype="Int64"),
                              dq.NotNull(id="ids", column="id", mostly=0.9)))
    text = generate(rules, "m")
    assert "# left out: ids_int (dtype" in text
    assert yaml.safe_load(text)["models"][0]["columns"][0]["data_tests"][0]["dq.dq_not_null"][
        "config"]["meta"]["dq_mostly"] == 0.9


def test_the_script_generates_and_reads_results(dbt_runs: dict, tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    done = dq_dbt("generate", str(EXAMPLES / "orders.rules.toml"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(out.read_text())["models"][0]["name"] == "orders"
    run_results, manifest = dbt_runs["project"].artifacts("duckdb")
    done = dq_dbt("results", str(run_results), "--manifest", str(manifest), "--model", "orders",
                  "--suite", "orders", "--format", "json")
    assert done.returncode == 1, done.stderr  # the gate fails: exit 1, as dq run's
    doc = json.loads(done.stdout)
    assert doc["status"] == "failed" and doc["dedup_key"].startswith("dq-")
    table = dq_dbt("results", str(run_results), "--manifest", str(manifest), "--model", "orders",
                   "--rules", str(EXAMPLES / "orders.rules.toml"))
    assert table.returncode == 1 and "unique_order_id" in table.stdout


@pytest.mark.parametrize(
    "args",
    [("generate", "/nonexistent.rules.toml"), ("results", "/nonexistent.json", "--manifest", "x"),
     ("generate", str(EXAMPLES / "orders.rules.toml"), "--model", "bad model")],
)
def test_script_errors_are_one_line_exit_2(args: tuple) -> None:
    done = dq_dbt(*args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_path_prints_the_installed_package() -> None:
    done = dq_dbt("path")
    assert Path(done.stdout.strip()) == package_path()
    assert (package_path() / "dbt_project.yml").is_file()
    assert "name: dq" in (package_path() / "dbt_project.yml").read_text()
