"""The alerting example as an Airflow 3 DAG: one task runs examples/alerting/suite.toml.

Put this file (and the suite next to it) in Airflow's dags folder. The tenant is a DAG
param, so one DAG serves every tenant: trigger it with ``{"tenant": "globex"}`` and the
run reads globex's webhook from Vault and posts to globex's channel. VAULT_ADDR and
VAULT_TOKEN come from the worker's environment, as for `dq run`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param
from dq_airflow import DqSuiteOperator

with DAG(
    "dq_orders_alerting",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    params={"tenant": Param("acme", type="string")},
    catchup=False,
    tags=["dq"],
):
    DqSuiteOperator(
        task_id="check_orders",
        suite="suite.toml",  # relative to this file's folder
        tenant="{{ params.tenant }}",
        fail_on="error",
        retries=0,
    )
