"""The example suite through a real Dagster check reaches ``dq run``'s verdict, rule by rule,
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

import dagster as dg
import dq
import pytest
from dq_dagster import dq_asset_check
from helpers import summary_verdicts, verdicts
from pytest_httpserver import HTTPServer

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


def in_dagster(instance: Any, suite: Path) -> Any:
    @dg.asset
    def orders() -> str:
        return str(EXAMPLES / "orders.csv")

    result = dg.materialize(
        [orders, dq_asset_check(suite=suite, asset=orders, name="dq_orders")],
        instance=instance,
        raise_on_error=False,
        tags={"dq/tenant": "acme"},
    )
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


@pytest.mark.parametrize("variant", ["failing", "passing"])
def test_the_check_reaches_dq_runs_verdict_and_alerts_with_the_same_dedup_key(
    variant: str,
    instance: Any,
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    httpserver.expect_request(HOOK, method="POST").respond_with_data("ok")
    suite = write_suite(tmp_path, variant, httpserver.url_for(HOOK))

    monkeypatch.setenv("DQ_STATE_DIR", str(tmp_path / "cli-state"))
    cli = dq_run(suite)
    monkeypatch.setenv("DQ_STATE_DIR", str(tmp_path / "dagster-state"))
    evaluation = in_dagster(instance, suite)
    summary = evaluation.metadata["dq_summary"].value

    assert cli.result.status.value == summary["status"]
    assert summary_verdicts(summary) == verdicts(cli.result)
    messages = [json.loads(request.get_data()) for request, _ in httpserver.log]
    if variant == "passing":
        assert cli.result.status is dq.RunStatus.PASSED and evaluation.passed
        assert cli.deliveries == () and summary["notifications"] == [] and messages == []
        return
    assert cli.result.status is dq.RunStatus.FAILED
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    (delivered,) = cli.deliveries
    assert delivered.status is dq.DeliveryStatus.DELIVERED
    assert summary["notifications"] == [
        {"channel": "data-quality", "status": "delivered", "dedup_key": delivered.dedup_key}
    ]
    cli_message, dagster_message = messages
    assert json.dumps(cli_message["blocks"][-1]) == json.dumps(dagster_message["blocks"][-1])
    assert delivered.dedup_key in json.dumps(dagster_message)
    assert summary["run_id"] in json.dumps(dagster_message), "the alert names the Dagster run"
