"""Shared fixtures: suites on disk and the script run as a real subprocess.

A Kestra script task is a process: Kestra renders the task's ``env``, starts the command,
reads every stdout line with ``^::(\\{.*})::$`` and fails the task on a non-zero exit. The
tests do exactly that: ``python -m dq_kestra`` in a subprocess, stdout parsed with the same
rule (``dq_kestra.parse``), the exit code read as Kestra reads it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

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
#: A value that must never reach stdout, stderr or an output (a webhook token).
SECRET = "hunter2-5f3a9c1e-do-not-log"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

# no user dq config or tenant may leak into the runs
os.environ.pop("DQ_CONFIG", None)
os.environ.pop("DQ_TENANT", None)


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
    suites["pinned"] = folder / "pinned.suite.toml"
    suites["pinned"].write_text(
        'name = "pinned"\nsource = "orders.csv"\nrules = "passing.rules.toml"\n'
        '[tenant]\nid = "acme"\n'
    )
    suites["missing_data"] = folder / "missing_data.suite.toml"
    suites["missing_data"].write_text(
        'name = "missing_data"\nsource = "not_there_yet.csv"\nrules = "passing.rules.toml"\n'
    )
    # a half-written upload: unreadable now, readable on a later attempt
    (folder / "landing.parquet").write_text("not parquet yet")
    suites["unreadable"] = folder / "unreadable.suite.toml"
    suites["unreadable"].write_text(
        'name = "unreadable"\nsource = "landing.parquet"\nrules = "passing.rules.toml"\n'
    )
    suites["no_engine"] = folder / "no_engine.suite.toml"
    suites["no_engine"].write_text(
        'name = "no_engine"\nsource = "orders.csv"\nrules = "passing.rules.toml"\n'
        'engine = "no-such-engine"\n'
    )
    suites["broken"] = folder / "broken.suite.toml"
    suites["broken"].write_text('name = "broken"\nsource = "orders.csv"\nrules = [1, 2\n')
    # a notify channel whose URL is a secret: it must never be echoed anywhere
    suites["secretive"] = folder / "secretive.suite.toml"
    suites["secretive"].write_text(
        'name = "secretive"\nsource = "orders.csv"\nrules = "failing.rules.toml"\n'
        f'[notify.channels.ops]\ntype = "slack"\nwebhook_url = "https://hooks.invalid/{SECRET}"\n'
    )
    return suites


@pytest.fixture(scope="session")
def suites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_suites(tmp_path_factory.mktemp("suites"))


@dataclass
class Finished:
    """One finished script run, read as Kestra reads it."""

    code: int
    stdout: str
    stderr: str

    @property
    def outputs(self) -> dict[str, Any]:
        from dq_kestra import read_outputs

        return read_outputs(self.stdout)

    @property
    def metrics(self) -> dict[str, dict[str, Any]]:
        from dq_kestra import read_metrics

        return {m["name"]: m for m in read_metrics(self.stdout)}

    @property
    def logs(self) -> list[dict[str, Any]]:
        from dq_kestra import read_logs

        return read_logs(self.stdout)


KESTRA_ENV = {
    "DQ_KESTRA_EXECUTION_ID": "4wjtkzwVGBM9yKnjm3yv8r",
    "DQ_KESTRA_TRIGGER_DATE": "2026-11-25T00:00:00.000+05:30",
    "DQ_KESTRA_NAMESPACE": "company.data",
    "DQ_KESTRA_FLOW_ID": "orders_quality",
    "DQ_KESTRA_TASK_ID": "dq_check",
    "DQ_KESTRA_TASKRUN_ID": "6Vh4g0eSa4qCdcJP9TkTVT",
    "DQ_KESTRA_ATTEMPT": "0",
}


_RUNS: dict[tuple, Finished] = {}


def run_script(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Finished:
    """``python -m dq_kestra ARGS`` as Kestra starts it: a fresh process, env rendered.

    Runs are deterministic, so one run per distinct command line and environment is shared
    by the tests that read it (each costs ~1.5 s: a fresh interpreter importing polars).
    """
    key = (args, tuple(sorted((env or {}).items())) if env is not None else None, cwd)
    if key not in _RUNS:
        _RUNS[key] = _run(args, env, cwd)
    return _RUNS[key]


def _run(args: tuple[str, ...], env: dict[str, str] | None, cwd: Path | None) -> Finished:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DQ_KESTRA_")}
    full_env.update(KESTRA_ENV if env is None else env)
    done = subprocess.run(
        [sys.executable, "-m", "dq_kestra", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
    )
    return Finished(done.returncode, done.stdout, done.stderr)
