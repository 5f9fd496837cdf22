"""The orchestrator-binding contract, run against ``orchestrator:prefect`` as dq builds it.

The contract calls ``binding.context(native)`` and ``binding.run(suite, context)`` itself,
hundreds of times (a property test among them), which no Prefect flow run could afford. So
it takes the binding's in-process path -- the very code ``run_dq_suite`` calls inside a task
-- fed with the run facts ``dq_prefect.run_facts()`` reads from ``prefect.runtime``: the
flow run id, the scheduled start time, and the flow's parameters (the tenant among them, as
``flow_run.parameters['tenant']``). What a real task publishes is checked with the
contract's own ``check_summary`` in test_flows.py, on summaries and artifacts read back from
Prefect's API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import dq
import pytest
from dq_contract.orchestrator import OrchestratorBindingContract

KIND, NAME = "orchestrator", "prefect"


def build(config: dict[str, Any]) -> Any:
    """The binding as ``dq`` builds it from a user's config table (entry point, hooks, config)."""
    return dq.Host(dq.discover()).component(KIND, NAME, config)


def prefect_facts(
    run_id: str, logical_date: datetime | None, tenant: str | None, params: dict[str, Any]
) -> dict[str, Any]:
    """What ``run_facts()`` reads inside a task of a flow called with *params* (+ tenant)."""
    return {
        "id": run_id,
        "name": "dancing-okapi",
        "flow_name": "orders-quality",
        "scheduled_start_time": logical_date,
        "parameters": {**params, **({} if tenant is None else {"tenant": tenant})},
        "task_run_id": "0b6f0b8e-task",
        "task_run_count": 1,
    }


def test_the_component_is_installed_from_this_distribution_and_loads() -> None:
    host = dq.Host(dq.discover())
    assert host.record_for(KIND, NAME).distribution == "dq-prefect"
    host.load(KIND, NAME)


class TestPrefectBindingContract(OrchestratorBindingContract):
    @pytest.fixture
    def binding(self) -> Any:
        return build({})

    @pytest.fixture
    def native_context(self) -> Callable[..., Any]:
        return prefect_facts
