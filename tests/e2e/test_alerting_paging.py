"""examples/alerting/paging.toml end to end: a failing run pages PagerDuty and Opsgenie, the
fixed data resolves both, once — also when `dq run` is killed while sending the resolve.

Everything is real: the `dq` command of this environment, dq-polars, dq-vault against OpenBao
(the routing key and the GenieKey are read from it under the tenant), and the local Events
API v2 and Alert API stand-ins the plugins ship (`dq_pagerduty.testing`,
`dq_opsgenie.testing`) on real sockets. The example's suite is copied next to copies of its
data and rules so the test can fix the data; the only edit is `url = ...` on each paging
channel, pointing it at the stand-in (what a user does for a proxy).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, dq, put_webhook
from dq_opsgenie.testing import FakeOpsgenie
from dq_opsgenie.testing import serve as serve_opsgenie
from dq_pagerduty.testing import FakePagerDuty
from dq_pagerduty.testing import serve as serve_pagerduty

EXAMPLE = ROOT / "examples" / "alerting" / "paging.toml"
ROUTING_KEY = secrets.token_hex(16)  # a well-formed Events API v2 key, random per run
GENIE_KEY = str(uuid.uuid4())


class Pagers:
    """Both stand-ins, fresh per test, and the suite copy that points at them."""

    def __init__(self, pagerduty: FakePagerDuty, pd_url: str, opsgenie: FakeOpsgenie, og_url: str):
        self.pagerduty, self.opsgenie = pagerduty, opsgenie
        self.urls = {"pagerduty": pd_url, "opsgenie": og_url}


@pytest.fixture
def pagers() -> Iterator[Pagers]:
    pd, og = FakePagerDuty(ROUTING_KEY), FakeOpsgenie(GENIE_KEY)
    with serve_pagerduty(pd) as pd_sink, serve_opsgenie(og) as og_sink:
        yield Pagers(pd, pd_sink.origin + "/v2/enqueue", og, og_sink.origin)


@pytest.fixture
def suite(tmp_path: Path, pagers: Pagers) -> Path:
    """The example suite with its data and rules beside it, as `../orders.csv` expects."""
    work = tmp_path / "example"
    (work / "alerting").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "orders.csv", work / "orders.csv")
    shutil.copy(ROOT / "examples" / "orders.rules.toml", work / "orders.rules.toml")
    text = EXAMPLE.read_text()
    for channel, url in pagers.urls.items():
        header = f"[notify.channels.{channel}]\n"
        assert header in text, f"the example lost its {channel} channel"
        text = text.replace(header, f'{header}url = "{url}"\n')
    path = work / "alerting" / "paging.toml"
    path.write_text(text)
    return path


@pytest.fixture
def paging_env(bao, slack, vault_env) -> dict[str, str]:
    """acme's three credentials in Vault, where the example's references point."""
    put_webhook(bao, "acme", slack.url("acme"))
    bao.api("POST", "secret/data/tenants/acme/pagerduty", {"data": {"routing_key": ROUTING_KEY}})
    bao.api("POST", "secret/data/tenants/acme/opsgenie", {"data": {"api_key": GENIE_KEY}})
    return vault_env


def fix_the_data(suite: Path) -> None:
    """Rewrite the copied orders.csv so that every rule of the example passes."""
    rows = ["order_id,customer_email,amount,status,country,created_at"]
    rows += [
        f"{200000 + i},buyer{i}@example.com,{10 + i}.50,paid,DE,2026-10-02T{i % 24:02d}:00:00"
        for i in range(150)
    ]
    (suite.parent.parent / "orders.csv").write_text("\n".join(rows) + "\n")


def run_suite(env: dict[str, str], suite: Path) -> subprocess.CompletedProcess[str]:
    return dq(env, "run", str(suite), "--tenant", "acme", "--format", "json")


def assert_no_credential(*outputs: str) -> None:
    for output in outputs:
        assert ROUTING_KEY not in output and GENIE_KEY not in output
        assert "webhook-token" not in output


def opened_incident(pagers: Pagers) -> str:
    """The one open PagerDuty incident and the one open Opsgenie alert share dq's key."""
    [pd_incident] = pagers.pagerduty.open()
    [og_alert] = pagers.opsgenie.open()
    assert pd_incident.status == "triggered" and og_alert.status == "open"
    assert [e["event_action"] for e in pd_incident.events] == ["trigger"]
    assert og_alert.count == 1
    assert pd_incident.dedup_key == og_alert.alias
    return pd_incident.dedup_key


def assert_resolved_once(pagers: Pagers, key: str) -> None:
    [pd_incident] = pagers.pagerduty.by_key(key)
    assert pd_incident.status == "resolved"
    assert [e["event_action"] for e in pd_incident.events] == ["trigger", "resolve"]
    assert [e["dedup_key"] for e in pd_incident.events] == [key, key]
    [og_alert] = pagers.opsgenie.by_alias(key)
    assert og_alert.status == "closed" and len(og_alert.closes) == 1
    closes = [alias for action, alias in pagers.opsgenie.requests.values() if action == "close"]
    assert closes == [key]
    assert pagers.pagerduty.open() == [] and pagers.opsgenie.open() == []


def test_a_failing_run_opens_one_incident_per_service_and_the_fixed_data_resolves_each_once(
    bao, pagers, suite, paging_env
):
    failed = run_suite(paging_env, suite)

    assert failed.returncode == 1, failed.stderr
    assert json.loads(failed.stdout)["status"] == "failed"
    for channel in ("pagerduty", "opsgenie", "data-quality"):
        assert f"notify {channel}: delivered" in failed.stderr
    key = opened_incident(pagers)
    [incident] = json.loads(dq(paging_env, "notify", "incidents", "--json").stdout)
    assert incident["dedup_key"] == key and incident["tenant"] == "acme"
    assert set(incident["channels"]) == {"pagerduty", "opsgenie", "data-quality"}

    fix_the_data(suite)
    passed = run_suite(paging_env, suite)

    assert passed.returncode == 0, passed.stderr
    assert json.loads(passed.stdout)["status"] == "passed"
    assert_resolved_once(pagers, key)
    assert json.loads(dq(paging_env, "notify", "incidents", "--json").stdout) == []
    assert json.loads(dq(paging_env, "notify", "outbox", "--json").stdout) == []
    # a second passing run has nothing left to resolve
    assert run_suite(paging_env, suite).returncode == 0
    assert_resolved_once(pagers, key)
    assert_no_credential(failed.stdout, failed.stderr, passed.stdout, passed.stderr)
    assert bao.root_token not in failed.stderr + passed.stderr


def test_a_run_killed_while_sending_the_resolve_leaves_it_in_the_outbox_and_replay_sends_it_once(
    bao, pagers, suite, paging_env
):
    failed = run_suite(paging_env, suite)
    assert failed.returncode == 1, failed.stderr
    key = opened_incident(pagers)
    fix_the_data(suite)
    # both services hang on the resolve: the requests arrive, nothing is applied or answered
    pagers.pagerduty.stall("resolve")
    pagers.opsgenie.stall("close")

    command = [str(Path(sys.executable).with_name("dq")), "run", str(suite), "--tenant", "acme"]
    proc = subprocess.Popen(
        command, env=paging_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert pagers.pagerduty.wait_stalled(1, timeout=60), "the resolve never reached PagerDuty"
        assert pagers.opsgenie.wait_stalled(1, timeout=60), "the close never reached Opsgenie"
        os.kill(proc.pid, signal.SIGKILL)  # mid-delivery: sent, unanswered, unsettled
    finally:
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert pagers.pagerduty.stalled == [("resolve", key)]
    assert pagers.opsgenie.stalled == [("close", key)]
    assert [i.status for i in pagers.pagerduty.by_key(key)] == ["triggered"]

    waiting = json.loads(dq(paging_env, "notify", "outbox", "--json").stdout)
    resolves = {e["channel"]: e for e in waiting if e["channel"] in ("pagerduty", "opsgenie")}
    assert set(resolves) == {"pagerduty", "opsgenie"}, waiting
    for entry in resolves.values():
        assert entry["tenant"] == "acme" and entry["kind"] == "resolve"
        assert entry["dedup_key"] == key

    pagers.pagerduty.stall()  # the services answer again
    pagers.opsgenie.stall()
    replay = dq(paging_env, "notify", "replay", "--suite", str(suite))

    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert_resolved_once(pagers, key)
    assert json.loads(dq(paging_env, "notify", "outbox", "--json").stdout) == []
    again = dq(paging_env, "notify", "replay", "--suite", str(suite))
    assert again.returncode == 0
    assert_resolved_once(pagers, key)
    assert_no_credential(out, err, failed.stderr, replay.stdout, replay.stderr)
    assert bao.root_token not in replay.stdout + replay.stderr
