"""The orchestrator-binding contract, run against ``orchestrator:dagster`` as dq builds it.

How the contract's runs map onto Dagster: the contract calls ``binding.context(native)`` and
``binding.run(suite, context)`` itself, hundreds of times (a property test among them),
which no real Dagster run could afford. So it takes the binding's in-process path -- the
very code a check calls inside a run -- fed with Dagster's own ``DagsterRun`` record: the
run id the contract chooses, its params as run tags (Dagster tags are text), the tenant as
the ``dq/tenant`` tag and the logical date as the scheduler's
``.dagster/scheduled_execution_time`` tag. What a real run publishes is checked with the
contract's own ``check_summary`` in test_asset_checks.py, on check metadata read back from
Dagster's event log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import dagster as dg
import dq
import pytest
from dq_contract.orchestrator import OrchestratorBindingContract

KIND, NAME = "orchestrator", "dagster"


def build(config: dict[str, Any]) -> Any:
    """The binding as ``dq`` builds it from a user's config table (entry point, hooks, config)."""
    return dq.Host(dq.discover()).component(KIND, NAME, config)


def dagster_run(
    run_id: str, logical_date: datetime | None, tenant: str | None, params: dict[str, Any]
) -> dg.DagsterRun:
    """The run a scheduled Dagster run carries, as far as the binding reads it."""
    tags = {str(key): str(value) for key, value in params.items()}
    if logical_date is not None:
        tags[".dagster/scheduled_execution_time"] = logical_date.isoformat()
    if tenant is not None:
        tags["dq/tenant"] = tenant
    return dg.DagsterRun(job_name="dq_contract_job", run_id=run_id, tags=tags)


def test_the_component_is_installed_from_this_distribution_and_loads() -> None:
    host = dq.Host(dq.discover())
    assert host.record_for(KIND, NAME).distribution == "dq-dagster"
    host.load(KIND, NAME)


class TestDagsterBindingContract(OrchestratorBindingContract):
    @pytest.fixture
    def binding(self) -> Any:
        return build({})

    @pytest.fixture
    def native_context(self) -> Callable[..., Any]:
        return dagster_run
