"""The example suite through a real Prefect task reaches ``dq run``'s verdict, rule by rule,
and alerts the same channel with the same dedup key.

``dq run`` is :func:`dq.execute_suite` (what the command calls); the alert channel is dq-slack
pointed at a local server that answers like a Slack incoming webhook (``200 ok``). The two
runners keep separate state directories, so the cooldown of one does not hide the other's
alert: the point is that both name the *event* the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import dq
import pytest
from dq_prefect import DqGateFailed, run_dq_suite
from helpers import summary_verdicts, verdicts
from prefect import flow
from pytest_httpserver import HTTPServer

pytestmark = pytest.mark.usefixtures("prefect_api")

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
HOOK = "/services/T000ACME/B000/acme-webhook-token"
#: The example rules that pass on examples/orders.csv (the others find planted defects).
PASSING = (
    'check = "not_null"\ncolumn = "order_id"',
    'id = "country_code"',
    "row_count",
    "created_at",
)


def write_suite(folder: Path, name: str, url: str) -> Path:
    rules = (EXAMPLES / "orders.rules.toml").read_text()
    if name == "passing":
        head, *blocks = rules.split("[[rules]]")
        rules = head + "".join(
            "[[rules]]" + b for b in blocks if any(marker in b for marker in PASSING)
        )
    (folder / f"{name}.rules.toml").write_text(rules)
    suite = folder / f"{name}.suite.toml"
    suite.write_text(
        f'name = "orders"\nsource = {json.dumps(str(EXAMPLES / "orders.csv"))}\n'
        f'rules = "{name}.rules.toml"\nengine = "polars"\n\n'
        '[notify]\non = ["failed", "error"]\n\n'
        f'[notify.channels.data-quality]\ntype = "slack"\nurl = {json.dumps(url)}\n'
    )
    return suite


def dq_run(suite: Path) -> dq.SuiteRun:
    """``dq run SUITE --tenant acme``, in process."""
    return dq.execute_suite(
        dq.load_suite(suite),
        host=dq.default_host(),
        source=str(suite),
        context=dq.RunContext(run_id="dq-cli-run", tenant=dq.TenantId("acme")),
    )


@flow(name="dq-orders")
def orders_flow(suite: str, tenant: str) -> dict[str, Any]:
    return run_dq_suite(suite)


def in_prefect(suite: Path) -> tuple[Any, dict[str, Any]]:
    """The suite as a task of a flow run for tenant acme: (flow state, published summary)."""
    state = orders_flow(str(suite), tenant="acme", return_state=True)
    outcome = state.result(raise_on_failure=False)
    return state, (outcome.summary if isinstance(outcome, DqGateFailed) else outcome)


@pytest.mark.parametrize("variant", ["failing", "passing"])
def test_the_task_reaches_dq_runs_verdict_and_alerts_with_the_same_dedup_key(
    variant: str,
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    httpserver.expect_request(HOOK, method="POST").respond_with_data("ok")
    suite = write_suite(tmp_path, variant, httpserver.url_for(HOOK))

    monkeypatch.setenv("DQ_STATE_DIR", str(tmp_path / "cli-state"))
    cli = dq_run(suite)
    monkeypatch.setenv("DQ_STATE_DIR", str(tmp_path / "prefect-state"))
    state, summary = in_prefect(suite)

    assert cli.result.status.value == summary["status"]
    assert summary_verdicts(summary) == verdicts(cli.result)
    messages = [json.loads(request.get_data()) for request, _ in httpserver.log]
    if variant == "passing":
        assert cli.result.status is dq.RunStatus.PASSED and state.is_completed()
        assert cli.deliveries == () and summary["notifications"] == [] and messages == []
        return
    assert cli.result.status is dq.RunStatus.FAILED
    assert state.is_failed(), "the gate failed: the flow run fails"
    (delivered,) = cli.deliveries
    assert delivered.status is dq.DeliveryStatus.DELIVERED
    assert summary["notifications"] == [
        {"channel": "data-quality", "status": "delivered", "dedup_key": delivered.dedup_key}
    ]
    cli_message, prefect_message = messages
    assert json.dumps(cli_message["blocks"][-1]) == json.dumps(prefect_message["blocks"][-1])
    assert delivered.dedup_key in json.dumps(prefect_message)
    assert summary["run_id"] in json.dumps(prefect_message), "the alert names the flow run"
