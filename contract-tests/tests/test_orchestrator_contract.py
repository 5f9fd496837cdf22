"""The whole OrchestratorBindingContract against InProcessBinding: proof it can be passed.

Twice: with the default host (the installed plugins, as ``dq run``), which is how a binding
normally runs, and with the contract's ``contract_host``, for bindings that take a host.
Plus the reference's own choices the contract leaves open (naive dates refused).
"""

from __future__ import annotations

from datetime import datetime

import dq
import pytest
from dq_contract.orchestrator import OrchestratorBindingContract
from dq_contract.reference_orchestrator import InProcessBinding


class TestInProcessBinding(OrchestratorBindingContract):
    @pytest.fixture
    def binding(self) -> InProcessBinding:
        return InProcessBinding()


class TestInProcessBindingWithAHost(OrchestratorBindingContract):
    @pytest.fixture
    def binding(self, contract_host: dq.Host) -> InProcessBinding:
        return InProcessBinding(host=contract_host)


@pytest.mark.parametrize(
    "native",
    [
        {"run_id": "r", "logical_date": "2026-11-25T00:00:00"},
        {"run_id": "r", "logical_date": datetime(2026, 11, 25)},
        {"run_id": "r", "logical_date": "yesterday"},
        {"run_id": ""},
        {"logical_date": "2026-11-25T00:00:00+00:00"},
        {"run_id": "r", "params": ["tenant", "acme"]},
        ["run_id", "r"],
    ],
)
def test_the_reference_refuses_an_unusable_context(native: object) -> None:
    with pytest.raises(dq.UsageError):
        InProcessBinding().context(native)


def test_the_reference_records_the_orchestrator_and_keeps_tenant_out_of_params() -> None:
    ctx = InProcessBinding().context(
        {"run_id": "r", "logical_date": "2026-11-25T00:00:00Z", "params": {"tenant": "acme"}}
    )
    assert ctx.orchestrator == "in-process"
    assert ctx.params == {}
    assert ctx.logical_date is not None and ctx.logical_date.utcoffset() is not None
