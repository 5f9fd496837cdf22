"""``dq check --source`` and ``dq run`` on a PostgreSQL table and a DuckDB table, through the
real ``dq`` command: the same counts as dq-polars, the password only behind a secret reference
and nowhere in the output; an engine that reads only polars is refused in one line.

The secret backend here (``envsecrets``) is a small real dq.secrets plugin installed as
metadata on a temp sys.path entry; it reads ``DQ_SQLTEST_SECRET_<NAME>`` variables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, PG_PASSWORD
from test_orders import POLARS

ENV_SECRETS = '''
import os

import dq
from dq import hookimpl


class EnvSecrets:
    """Read-only: ${secret:env:NAME} is the variable DQ_SQLTEST_SECRET_NAME."""

    async def get(self, path, *, field=None, version=None):
        dq.validate_secret_path(path)
        value = os.environ.get("DQ_SQLTEST_SECRET_" + path.upper())
        if value is None:
            raise dq.SecretNotFound(f"no variable for {path!r}", reason="missing")
        return dq.SecretValue(value)

    async def set(self, path, values, *, cas=None):
        raise dq.SecretAccessDenied("envsecrets is read-only")

    async def delete(self, path):
        raise dq.SecretAccessDenied("envsecrets is read-only")

    async def list(self, prefix=""):
        return []

    async def exists(self, path):
        return ("DQ_SQLTEST_SECRET_" + path.upper()) in os.environ


@hookimpl
def dq_secret_backend(name, config):
    return EnvSecrets() if name == "env" else None
'''


@pytest.fixture
def work(tmp_path: Path, pg_orders: str, duckdb_orders: str) -> dict[str, Any]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "dq_sqltest_envsecrets.py").write_text(ENV_SECRETS)
    info = site / "dq_sqltest_envsecrets-1.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: dq-sqltest-envsecrets\nVersion: 1.0.0\n"
    )
    (info / "entry_points.txt").write_text(
        "[dq.secrets]\nenv = dq_sqltest_envsecrets\n\n[dq.hook_api]\n^1.0 = x\n"
    )
    (tmp_path / "rules.toml").write_text((EXAMPLES / "orders.rules.toml").read_text())
    pg_ref = pg_orders.replace(PG_PASSWORD, "${secret:env:pg_password}")
    (tmp_path / "dq.toml").write_text(
        textwrap.dedent(f"""
        [sources.orders_pg]
        type = "sql"
        table = "public.orders"
        url = "{pg_ref}"

        [sources.orders_duck]
        type = "sql"
        table = "orders"
        url = "{duckdb_orders}"

        [sources.wrong_pw]
        type = "sql"
        table = "orders"
        url = "{pg_orders.replace(PG_PASSWORD, "${secret:env:wrong}")}"

        [secrets.backends.env]
        type = "env"
        tenant_scoped = false
        """)
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
        "DQ_SQLTEST_SECRET_PG_PASSWORD": PG_PASSWORD,
        "DQ_SQLTEST_SECRET_WRONG": "not-" + PG_PASSWORD,
        "DQ_CONFIG": str(tmp_path / "dq.toml"),
    }
    return {"dir": tmp_path, "env": env, "pg": pg_orders}


def dq_cli(work: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dq", *args],
        cwd=work["dir"],
        env=work["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _counts(out: str) -> dict[str, tuple[object, ...]]:
    report = json.loads(out)
    return {
        r["rule_id"]: (r["status"], r["failed_count"], r["element_count"], tuple(r["samples"]))
        for r in report["rules"]
    }


@pytest.mark.parametrize("name", ["orders_pg", "orders_duck"])
def test_dq_check_source_prints_dq_polars_counts(work: dict[str, Any], name: str) -> None:
    done = dq_cli(work, "check", "--source", name, "-r", "rules.toml", "-e", "sql", "-f", "json")
    assert done.returncode == 1, done.stderr  # the example data has failing rules
    assert _counts(done.stdout) == POLARS
    assert PG_PASSWORD not in done.stdout + done.stderr


def test_dq_run_a_suite_whose_source_is_a_postgres_table(work: dict[str, Any]) -> None:
    pg_ref = work["pg"].replace(PG_PASSWORD, "${secret:env:pg_password}")
    (work["dir"] / "suite.toml").write_text(
        textwrap.dedent(f"""
        name = "orders"
        rules = "rules.toml"
        engine = "sql"
        [source]
        type = "sql"
        query = "SELECT * FROM public.orders"
        url = "{pg_ref}"
        [output]
        format = "json"
        """)
    )
    done = dq_cli(work, "run", "suite.toml")
    assert done.returncode == 1, done.stderr
    assert _counts(done.stdout) == POLARS
    assert PG_PASSWORD not in done.stdout + done.stderr


def test_wrong_credentials_exit_3_naming_the_source_in_one_line(work: dict[str, Any]) -> None:
    done = dq_cli(work, "check", "--source", "wrong_pw", "-r", "rules.toml", "-e", "sql")
    assert done.returncode == 3
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in done.stderr
    assert "wrong_pw" in line and "password authentication failed" in line
    assert PG_PASSWORD not in done.stdout + done.stderr


def test_an_engine_that_reads_only_polars_is_refused_in_one_line(work: dict[str, Any]) -> None:
    done = dq_cli(work, "check", "--source", "orders_pg", "-r", "rules.toml", "-e", "nope")
    assert done.returncode == 2  # no such engine installed here: a usage error as well
    done = dq_cli(work, "check", "sql:orders", "-r", "rules.toml", "-e", "sql")
    assert done.returncode == 2 and "no database URL" in done.stderr
