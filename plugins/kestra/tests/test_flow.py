"""``dq-kestra flow``: the YAML is a valid Kestra flow, and its commands really run.

Validity is checked against Kestra's flow schema (the part covering what we write),
vendored in ``kestra_schema/flow.schema.json`` with its sources cited. The schema is
proved not vacuous: each broken variant below must fail it. Then the generated tasks'
``commands`` are run the way Kestra's Process runner runs them (``/bin/sh -c`` with
``set -e`` first, the task's ``env`` rendered, the namespace files in the working
directory), and their stdout is read with Kestra's matching rule.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import EXAMPLES
from dq_kestra import FlowOptions, generate_flow, read_outputs, render_flow

SCHEMA = json.loads((Path(__file__).parent / "kestra_schema" / "flow.schema.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


@pytest.fixture
def namespace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A namespace-files folder holding the example suite under suites/, as cwd."""
    root = tmp_path / "ns"
    (root / "suites").mkdir(parents=True)
    for name in ("orders.suite.toml", "orders.rules.toml", "orders.csv"):
        shutil.copy(EXAMPLES / name, root / "suites" / name)
    monkeypatch.chdir(root)
    return root


def options(**over: Any) -> FlowOptions:
    return FlowOptions(**{"namespace": "company.data", "id": "orders_quality", **over})


def errors(flow: dict[str, Any]) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(flow)]


def test_the_vendored_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(
    "over",
    [{}, {"schedule": "0 6 * * *"}, {"runner": "process", "packages": ()}, {"max_attempts": 1},
     {"fail_on": "warning", "engine": "polars", "include": ("dq.toml",)}],
)
def test_generated_flows_validate_against_kestras_schema(namespace: Path, over: dict) -> None:
    text = render_flow("suites/orders.suite.toml", options(**over))
    flow = yaml.safe_load(text)
    assert errors(flow) == []
    assert text.startswith("# written by dq-kestra")


def test_the_schema_rejects_what_kestra_rejects(namespace: Path) -> None:
    good = generate_flow("suites/orders.suite.toml", options(schedule="0 6 * * *"))
    broken = []
    for mutate in [
        lambda f: f.pop("namespace"),
        lambda f: f.update(namespace="Company Data"),
        lambda f: f.update(id="orders quality"),
        lambda f: f.update(tasks=[]),
        lambda f: f["tasks"][1].update(comands=["x"]),  # a misspelt property
        lambda f: f["tasks"][1].pop("commands"),
        lambda f: f["tasks"][1].update(id="dq check"),
        lambda f: f["tasks"][1]["retry"].pop("interval"),
        lambda f: f["tasks"][1]["retry"].update(interval="5 minutes"),
        lambda f: f["tasks"][1]["retry"].update(maxAttempts=0),
        lambda f: f["tasks"][1].update(type="io.kestra.plugin.scripts.python.Comands"),
        lambda f: f["tasks"][1]["namespaceFiles"].update(enable=True),
        lambda f: f["triggers"][0].pop("cron"),
        lambda f: f["tasks"][1]["env"].update(N=3),
    ]:
        flow = copy.deepcopy(good)
        mutate(flow)
        broken.append(bool(errors(flow)))
    assert all(broken), f"the schema let broken flows through: {broken}"


def test_config_errors_are_not_retried_and_runs_are(namespace: Path) -> None:
    flow = generate_flow("suites/orders.suite.toml", options(max_attempts=4, retry_interval="PT10M"))
    validate, check = flow["tasks"]
    assert validate["commands"] == ["dq-kestra validate suites/orders.suite.toml"]
    assert "retry" not in validate
    assert check["commands"] == ["dq-kestra run suites/orders.suite.toml"]
    assert check["retry"] == {"type": "constant", "interval": "PT10M", "maxAttempts": 4}
    assert validate["namespaceFiles"]["include"] == [
        "suites/orders.suite.toml", "suites/orders.rules.toml", "suites/orders.csv"]
    assert check["env"]["DQ_KESTRA_EXECUTION_ID"] == "{{ execution.id }}"


@pytest.mark.parametrize(
    ("over", "says"),
    [({"id": "orders quality"}, "--id"), ({"namespace": "Company"}, "--namespace"),
     ({"retry_interval": "5m"}, "--retry-interval"), ({"max_attempts": 0}, "--max-attempts")],
)
def test_bad_options_are_config_errors_naming_the_flag(namespace: Path, over: dict, says: str) -> None:
    import dq

    with pytest.raises(dq.ConfigError, match=re.escape(says)):
        generate_flow("suites/orders.suite.toml", options(**over))


def test_a_suite_path_outside_the_namespace_files_is_refused(namespace: Path) -> None:
    import dq

    with pytest.raises(dq.UsageError, match="inside the flow's namespace files"):
        generate_flow(str(namespace / "suites" / "orders.suite.toml"), options())


# -- running what the flow says, as Kestra's Process runner would ---------------------------

RENDERED = {
    "execution.id": "5kPH1pZUvXfUbAi1ztb7Ro",
    "flow.namespace": "company.data",
    "flow.id": "orders_quality",
    "task.id": None,  # filled per task
    "taskrun.id": "2DAtwVbqrmXDr0SdF8ZsN3",
    "taskrun.attemptsCount": "0",
}


def render(expression: str, task_id: str) -> str:
    """The few Pebble expressions the flow uses, rendered as Kestra would for a manual run."""
    values = {**RENDERED, "task.id": task_id}
    inner = expression.strip()[2:-2].strip()
    if inner.startswith("(trigger.date ?? execution.startDate)"):
        return "2026-11-25T06:00:00.000+01:00"  # no trigger: the execution's start date
    if inner == "inputs.tenant ?? ''":
        return "acme"
    return values[inner]


def run_task(task: dict[str, Any], cwd: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DQ_KESTRA_")}
    env.update({k: render(v, task["id"]) for k, v in task["env"].items()})
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    script = "\n".join(["set -e", *task["commands"]])  # Kestra: interpreter /bin/sh -c, failFast
    done = subprocess.run(["/bin/sh", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def test_the_generated_tasks_run_and_publish_for_real(namespace: Path, tmp_path: Path) -> None:
    flow = yaml.safe_load(render_flow("suites/orders.suite.toml", options(packages=())))
    workdir = tmp_path / "workdir"  # only the namespace files the task includes
    for name in flow["tasks"][1]["namespaceFiles"]["include"]:
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(namespace / name, workdir / name)
    code, out, err = run_task(flow["tasks"][0], workdir)
    assert code == 0, err
    assert read_outputs(out)["valid"] is True
    code, out, err = run_task(flow["tasks"][1], workdir)
    outputs = read_outputs(out)
    assert code == 1, err  # the example data breaks error-severity rules: the task fails
    assert (outputs["status"], outputs["run_id"], outputs["tenant"]) == (
        "failed", "5kPH1pZUvXfUbAi1ztb7Ro", "acme")
    assert outputs["logical_date"] == "2026-11-25T06:00:00+01:00"
    assert outputs["kestra"]["task_id"] == "dq_check"


def test_the_flow_command_writes_a_file(namespace: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dq_kestra", "flow", "suites/orders.suite.toml",
         "--namespace", "company.data", "--id", "orders_quality", "--schedule", "0 6 * * *",
         "-o", "flow.yml"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert errors(yaml.safe_load((namespace / "flow.yml").read_text())) == []
    bad = subprocess.run(
        [sys.executable, "-m", "dq_kestra", "flow", "suites/orders.suite.toml",
         "--namespace", "Bad NS", "--id", "x"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "--namespace" in bad.stderr
