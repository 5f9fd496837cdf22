"""The same alerting suite through dq-airflow in a real Airflow 3, compared with `dq run`.

Airflow reads its settings when first imported, so they are set here before anything
imports it: a temporary AIRFLOW_HOME with a SQLite metadata DB, and examples/alerting as
the dags folder (``dag.test()`` runs only DAGs parsed from a file there).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import dq as dq_api
import pytest
from conftest import ROOT, SUITE, dq, put_webhook

EXAMPLE = ROOT / "examples" / "alerting"
_HOME = Path(tempfile.mkdtemp(prefix="dq-e2e-airflow-"))
os.environ.update(
    AIRFLOW_HOME=str(_HOME),
    AIRFLOW__CORE__DAGS_FOLDER=str(EXAMPLE),
    AIRFLOW__CORE__LOAD_EXAMPLES="False",
)


@pytest.fixture(scope="module")
def airflow_db() -> None:
    from airflow.utils import db

    db.resetdb()


def run_example_dag(tenant: str) -> tuple[str, dict[str, str], dict]:
    """dag.test() the example DAG for *tenant*; return the run state, task states, XComs."""
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 3.1
        from airflow.models.dagbag import DagBag
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    bag = DagBag(dag_folder=str(EXAMPLE / "dq_orders_dag.py"))
    assert not bag.import_errors, bag.import_errors
    dag = bag.get_dag("dq_orders_alerting")
    run = dag.test(run_conf={"tenant": tenant})
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    xcoms = {}
    with create_session() as session:
        for row in session.scalars(XComModel.get_many(run_id=run.run_id, dag_ids=run.dag_id)):
            xcoms[row.key] = XComModel.deserialize_value(row)
    return str(run.state), states, xcoms


def verdicts(rules: list[dict]) -> list[tuple]:
    return [(r["rule_id"], r["status"], r["failed_count"], r["element_count"]) for r in rules]


def test_the_airflow_task_reaches_the_same_verdict_and_alerts_the_same_channel(
    airflow_db, bao, slack, vault_env, monkeypatch, tmp_path
):
    put_webhook(bao, "acme", slack.url("acme"))
    cli = dq(vault_env, "run", str(SUITE), "--tenant", "acme", "--format", "json")
    assert cli.returncode == 1, cli.stderr
    cli_result = json.loads(cli.stdout)

    # the Airflow worker: same Vault, its own state dir (so cooldown does not hide its alert)
    for key, value in vault_env.items():
        if key.startswith(("VAULT_", "DQ_")):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("DQ_STATE_DIR", str(tmp_path / "worker-state"))
    state, tasks, xcoms = run_example_dag("acme")

    assert state == "failed" and tasks == {"check_orders": "failed"}
    # XCom holds the result as dq.unstructure gives it (dq.structure reads it back);
    # `dq run --format json` prints the documented report: same verdict, rule by rule
    airflow_result = dq_api.structure(xcoms["dq_result"], dq_api.CheckResult)
    assert airflow_result.status.value == cli_result["status"] == "failed"
    assert verdicts(xcoms["dq_result"]["results"]) == verdicts(cli_result["rules"])
    summary = xcoms["dq_summary"]
    assert summary["tenant"] == "acme" and summary["orchestrator"] == "airflow"

    cli_message, airflow_message = slack.messages("acme")
    assert summary["run_id"] in json.dumps(airflow_message)
    # one event, one dedup key, whichever runner saw it
    key = cli_message["blocks"][-1]
    assert json.dumps(key) == json.dumps(airflow_message["blocks"][-1])
