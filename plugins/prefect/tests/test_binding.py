"""The binding's own rules without a flow run: context mapping, hygiene, retry condition."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import dq
import pytest
from dq_prefect import DqConfigError, DqGateFailed, DqRunError, PrefectBinding
from dq_prefect import retry_unless_config_error as retry
from dq_prefect._context import run_context
from dq_prefect._task import artifact_key
from hypothesis import given, settings
from hypothesis import strategies as st
from prefect.client.schemas.objects import FlowRun
from prefect.states import Failed


def facts(**over: Any) -> dict[str, Any]:
    return {
        "id": "5c1d",
        "name": "dancing-okapi",
        "flow_name": "orders",
        "scheduled_start_time": datetime(2026, 11, 25, tzinfo=UTC),
        "parameters": {"tenant": "acme", "n": 3, "flag": True, "region": "eu"},
        "task_run_id": "t1",
        "task_run_count": 2,
        **over,
    }


def test_parameters_become_text_and_prefects_ids_are_added() -> None:
    ctx = run_context(facts())
    assert ctx.params == {
        "n": "3",
        "flag": "true",
        "region": "eu",
        "flow_name": "orders",
        "flow_run_name": "dancing-okapi",
        "task_run_id": "t1",
        "task_run_count": "2",
    }
    assert ctx.tenant == dq.TenantId("acme") and ctx.orchestrator == "prefect"


def test_prefects_ids_win_over_a_parameter_of_the_same_name() -> None:
    assert run_context(facts(parameters={"flow_name": "disguised"})).params["flow_name"] == "orders"


def test_the_explicit_tenant_wins_and_an_empty_one_falls_back_to_the_parameter() -> None:
    assert run_context(facts(), tenant="globex").tenant == dq.TenantId("globex")
    assert run_context(facts(), tenant="").tenant == dq.TenantId("acme")


def test_a_flow_run_read_through_the_client_maps_too() -> None:
    run_id = uuid.uuid4()
    when = datetime(2026, 11, 25, 6, tzinfo=UTC)
    flow_run = FlowRun(
        id=run_id,
        name="x",
        flow_id=uuid.uuid4(),
        parameters={"tenant": "acme"},
        expected_start_time=when,
    )
    ctx = PrefectBinding().context(flow_run)
    assert (ctx.run_id, ctx.logical_date, ctx.tenant) == (str(run_id), when, dq.TenantId("acme"))


@pytest.mark.parametrize(
    ("native", "named"),
    [
        ("run-1", "expected Prefect's run facts"),
        (facts(id=None), "no Prefect flow run id"),
        (facts(scheduled_start_time=datetime(2026, 11, 25)), "has no timezone"),
        (facts(scheduled_start_time="soon"), "'soon' is not an ISO 8601 date"),
        (facts(parameters=["tenant"]), "flow parameters must be a mapping"),
        (facts(parameters={"tenant": 7}), "tenant must be text, not int"),
        (facts(parameters={"tenant": "Acme Corp"}), "'Acme Corp' is not a tenant id"),
    ],
)
def test_an_unusable_context_is_refused_naming_the_fault(native: Any, named: str) -> None:
    with pytest.raises(dq.UsageError, match=named):
        PrefectBinding().context(native)


@settings(max_examples=100, deadline=None)
@given(
    value=st.one_of(
        st.text(max_size=20),
        st.integers(),
        st.booleans(),
        st.none(),
        st.floats(allow_nan=False),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers()),
    )
)
def test_every_parameter_value_becomes_text_that_reads_back(value: Any) -> None:
    text = run_context(facts(parameters={"p": value})).params["p"]
    assert (text if isinstance(value, str) else json.loads(text)) == value


# -- the retry condition and the task's exceptions -----------------------------------------


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (DqConfigError("dq suite file x: no such file"), False),
        (DqRunError("warehouse down"), True),
        (DqGateFailed("failed", {"status": "failed"}), True),
        (RuntimeError("anything else"), True),
    ],
)
def test_only_config_errors_are_refused_a_retry(error: Exception, retried: bool) -> None:
    assert retry(None, None, Failed(data=error)) is retried


def test_the_gate_exception_keeps_its_message_and_summary_through_pickling() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(DqGateFailed("suite failed: a (error, 1 failed)", {"k": 1})))
    assert str(error) == "suite failed: a (error, 1 failed)" and error.summary == {"k": 1}


@pytest.mark.parametrize(
    ("name", "key"),
    [("orders", "dq-orders"), ("Orders EU_2", "dq-orders-eu-2"), ("__", "dq-suite")],
)
def test_artifact_keys_use_only_what_prefect_allows(name: str, key: str) -> None:
    assert artifact_key(name) == key


# -- as a dq component ---------------------------------------------------------------------


def test_config_rejects_an_unknown_fail_on_through_dq() -> None:
    with pytest.raises(dq.DqError, match="fail_on"):
        dq.Host(dq.discover()).component("orchestrator", "prefect", {"fail_on": "sometimes"})


def test_importing_the_plugin_and_building_the_binding_does_not_import_prefect() -> None:
    code = (
        "import json, sys, dq, dq_prefect\n"
        "b = dq.Host(dq.discover()).component('orchestrator', 'prefect', {'fail_on': 'never'})\n"
        "assert type(b).__name__ == 'PrefectBinding' and b.config.fail_on == 'never', b\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'prefect')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
