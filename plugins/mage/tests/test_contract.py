"""The orchestrator-binding contract, run against ``orchestrator:mage`` as dq builds it.

How the contract's runs map onto Mage: the contract calls ``binding.context(native)`` and
``binding.run(suite, context)`` itself, hundreds of times (a property test among them). Those
are the very calls a block helper makes inside a block, fed here with what Mage hands a block
function as ``**kwargs`` in a triggered run: ``pipeline_uuid``, ``block_uuid``,
``pipeline_run_id`` (the contract's run id), ``execution_date``, ``execution_partition``,
the pipeline variables (the tenant as ``tenant``) and Mage's objects (a logger, ``context``,
``configuration``), which must not leak into the params. What real Mage runs publish is
checked against ``dq.execute_suite`` in test_pipeline.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import dq
import pytest
from dq_contract.orchestrator import OrchestratorBindingContract

KIND, NAME = "orchestrator", "mage"


def build(config: dict[str, Any]) -> Any:
    """The binding as ``dq`` builds it from a user's config table (entry point, hooks, config)."""
    return dq.Host(dq.discover()).component(KIND, NAME, config)


def mage_kwargs(
    run_id: str, logical_date: datetime | None, tenant: str | None, params: dict[str, Any]
) -> dict[str, Any]:
    """A block's ``**kwargs`` in a triggered Mage run, as far as the binding reads them."""
    kwargs: dict[str, Any] = {
        **params,
        "pipeline_uuid": "dq_contract",
        "block_uuid": "check",
        "pipeline_run_id": run_id,
        "execution_date": logical_date,
        "execution_partition": "1/20261125T000000",
        "env": "prod",
        "logger": logging.getLogger("mage"),
        "context": {},
        "configuration": {},
    }
    if tenant is not None:
        kwargs["tenant"] = tenant
    return kwargs


def test_the_component_is_installed_from_this_distribution_and_loads() -> None:
    host = dq.Host(dq.discover())
    assert host.record_for(KIND, NAME).distribution == "dq-mage"
    host.load(KIND, NAME)


def test_the_config_table_sets_the_policy_and_tenant_variable() -> None:
    binding = build({"fail_on": "warning", "tenant_variable": "customer"})
    assert binding.config.fail_on == "warning"
    ctx = binding.context(mage_kwargs("r1", None, None, {"customer": "acme"}))
    assert ctx.tenant == dq.TenantId("acme")


class TestMageBindingContract(OrchestratorBindingContract):
    @pytest.fixture
    def binding(self) -> Any:
        return build({})

    @pytest.fixture
    def native_context(self) -> Callable[..., Any]:
        return mage_kwargs
