"""The orchestrator-binding contract, run against ``orchestrator:airflow`` as dq builds it.

How the contract's runs map onto Airflow: the contract calls ``binding.context(native)`` and
``binding.run(suite, context)`` itself, hundreds of times (a property test among them), which
no real DAG run could afford (~1 s each). So the contract takes the binding's in-process path
-- the very code the operator calls inside a task -- fed with what Airflow hands a task: a
pendulum ``DateTime`` logical date and Airflow's own ``ParamsDict`` (whose ``items()`` yields
``Param`` objects, not values: mapping it is part of what is tested). What a real task
publishes is checked with the contract's own ``check_summary`` in test_dag_runs.py, on
summaries read back from Airflow's XCom table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import dq
import pendulum
import pytest
from airflow.sdk.definitions.param import Param, ParamsDict
from dq_contract.orchestrator import OrchestratorBindingContract

KIND, NAME = "orchestrator", "airflow"


def build(config: dict[str, Any]) -> Any:
    """The binding as ``dq`` builds it from a user's config table (entry point, hooks, config)."""
    return dq.Host(dq.discover()).component(KIND, NAME, config)


def airflow_context(
    run_id: str, logical_date: datetime | None, tenant: str | None, params: dict[str, Any]
) -> dict[str, Any]:
    """Airflow's task context as far as the binding reads it, built from Airflow's types."""
    values: dict[str, Any] = dict(params)
    if tenant is not None:
        values["tenant"] = Param(tenant, type="string")
    return {
        "run_id": run_id,
        "logical_date": None if logical_date is None else pendulum.instance(logical_date),
        "params": ParamsDict(values),
    }


def test_the_component_is_installed_from_this_distribution_and_loads() -> None:
    host = dq.Host(dq.discover())
    assert host.record_for(KIND, NAME).distribution == "dq-airflow"
    host.load(KIND, NAME)


class TestAirflowBindingContract(OrchestratorBindingContract):
    @pytest.fixture
    def binding(self) -> Any:
        return build({})

    @pytest.fixture
    def native_context(self) -> Callable[..., Any]:
        return airflow_context
