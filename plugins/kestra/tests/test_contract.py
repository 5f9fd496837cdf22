"""The orchestrator-binding contract, run against ``orchestrator:kestra`` as dq builds it.

The contract calls ``binding.context(native)`` and ``binding.run(suite, ctx)`` itself,
hundreds of times, so it takes the binding's in-process path -- the code ``dq-kestra run``
calls in the task process -- with Kestra's native context being what the task's ``env``
renders (text only, as an environment is). What the binding *published* is read back from
the wire lines it wrote, parsed with Kestra's own matching rule: the summary is the
``outputs`` map of each run. test_script.py runs the same code as a real process.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import dq
import pytest
from dq_contract.orchestrator import OrchestratorBindingContract
from dq_kestra import parse

KIND, NAME = "orchestrator", "kestra"


def kestra_env(
    run_id: str, logical_date: datetime | None, tenant: str | None, params: dict[str, Any]
) -> dict[str, str]:
    """What a generated flow's ``env`` renders to: DQ_KESTRA_* text variables."""
    env = {
        "DQ_KESTRA_EXECUTION_ID": run_id,
        "DQ_KESTRA_FLOW_ID": "orders_quality",
        "DQ_KESTRA_NAMESPACE": "company.data",
        "DQ_KESTRA_TRIGGER_DATE": "" if logical_date is None else logical_date.isoformat(),
        "DQ_KESTRA_TENANT": tenant or "",
    }
    env.update({f"DQ_KESTRA_PARAM_{k}": str(v) for k, v in params.items()})
    return env


def test_the_component_is_installed_from_this_distribution_and_loads() -> None:
    host = dq.Host(dq.discover())
    assert host.record_for(KIND, NAME).distribution == "dq-kestra"
    binding = host.component(KIND, NAME, {"fail_on": "warning"})
    assert binding.config.fail_on == "warning"
    with pytest.raises(dq.ConfigError):
        host.component(KIND, NAME, {"fail_on": "sometimes"})


def test_a_java_zoned_date_time_with_a_zone_id_is_read() -> None:
    binding = dq.Host(dq.discover()).component(KIND, NAME, {})
    ctx = binding.context({"DQ_KESTRA_EXECUTION_ID": "e",
                           "DQ_KESTRA_TRIGGER_DATE": "2026-11-25T00:00+05:30[Asia/Kolkata]"})
    assert ctx.logical_date.isoformat() == "2026-11-25T00:00:00+05:30"


class TestKestraBindingContract(OrchestratorBindingContract):
    @pytest.fixture
    def stream(self) -> io.StringIO:
        return io.StringIO()

    @pytest.fixture
    def binding(self, stream: io.StringIO) -> Any:
        binding = dq.Host(dq.discover()).component(KIND, NAME, {})
        binding.stream = stream
        return binding

    @pytest.fixture
    def native_context(self) -> Callable[..., Any]:
        return kestra_env

    @pytest.fixture
    def published(self, stream: io.StringIO) -> Callable[[], list[dict[str, Any]]]:
        return lambda: [m["outputs"] for m in parse(stream.getvalue()) if "outputs" in m]
