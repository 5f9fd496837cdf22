"""``dq notify`` as a user runs it: separate processes sharing only the state dir.

Each command is a real ``dq`` process; the notifier and the secret store are real
plugin distributions on ``PYTHONPATH``. A failed alert is written by one process
(standing in for a scheduled ``dq run``), and listed, replayed and delivered by
later ones: the outbox is only worth anything if that works.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import write_dist_info
from notify_plugin import MODULE, SOURCE, records, scripter
from plugin_zoo import FILE_SECRETS

WEBHOOK = "https://hooks.example.com/services/T000/B000/cliSECRETcliTOKEN"
TOKEN_PART = "cliSECRETcliTOKEN"


class Env:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.site = root / "site"
        self.state = root / "state"
        self.record = root / "received.jsonl"
        self.script_file = root / "oncall.script"
        self.suite = root / "orders.toml"
        self.store = root / "secrets.json"

    def script(self, *outcomes: str) -> None:
        scripter(self.script_file)(*outcomes)

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DQ_")}
        env.update(PYTHONPATH=str(self.site), DQ_STATE_DIR=str(self.state))
        return env

    def dq(self, *args: str) -> subprocess.CompletedProcess[str]:
        code = "import sys; from dq.cli import main; sys.exit(main(sys.argv[1:]))"
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            cwd=self.root,
            env=self.environ(),
            timeout=120,
        )

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            capture_output=True,
            text=True,
            cwd=self.root,
            env=self.environ(),
            timeout=120,
        )

    def state_bytes(self) -> bytes:
        return (
            b"".join(p.read_bytes() for p in self.state.iterdir()) if self.state.exists() else b""
        )


def _dist(site: Path, name: str, module: str, group: str, component: str) -> None:
    write_dist_info(
        site, name, entry_points={group: {component: module}, "dq.hook_api": {"^1.0": module}}
    )


@pytest.fixture
def env(tmp_path: Path) -> Env:
    e = Env(tmp_path)
    e.site.mkdir()
    (e.site / f"{MODULE}.py").write_text(textwrap.dedent(SOURCE))
    _dist(e.site, "dq-test-recorder", MODULE, "dq.notifiers", "recorder")
    (e.site / "dq_filesecrets_plugin.py").write_text(textwrap.dedent(FILE_SECRETS))
    _dist(e.site, "dq-filesecrets", "dq_filesecrets_plugin", "dq.secrets", "file")
    url = base64.b64encode(WEBHOOK.encode()).decode()
    e.store.write_text(json.dumps({"slack": [{"url": url}]}))
    e.suite.write_text(
        textwrap.dedent(f"""\
        name = "orders"
        source = "orders.csv"
        rules = {{ rules = [] }}

        [notify]
        cooldown_seconds = 3600

        [notify.channels.oncall]
        type = "recorder"
        record = "{e.record}"
        script = "{e.script_file}"
        url = "${{secret:vault:slack#url}}"

        [notify.channels.broken]
        type = "recorder"

        [secrets.backends.vault]
        type = "file"
        path = "{e.store}"
        tenant_scoped = false
        """)
    )
    return e


def _fail_once_from_another_process(env: Env) -> None:
    """What a scheduled run does when the sink is down: dispatch, fail, keep."""
    env.script("fail")
    done = env.python(f"""
        import anyio, dq
        from dq.config._files import read_config
        from pathlib import Path
        from dq.notify._delivery import Dispatcher
        from dq.notify._config import NotifyConfig
        from dq.plugins._discovery import discover
        from dq.plugins._host import Host
        from dq.notify._outbox import Outbox
        from dq.secrets._config import secrets_config
        from dq.secrets._resolver import SecretResolver

        suite = read_config(Path({str(env.suite)!r}))
        host = Host(discover())
        resolver = SecretResolver(host, secrets_config(suite["secrets"], "secrets"))
        config = NotifyConfig.from_table(
            {{**suite["notify"], "channels": {{"oncall": suite["notify"]["channels"]["oncall"]}}}}
        )
        dispatcher = Dispatcher(host, config, Outbox(), config_source={str(env.suite)!r},
                                resolve=resolver.resolve_tree)
        note = dq.Notification(title="dq: orders failed", summary="orders: 1 rule failed",
                               level=dq.Level.ERROR, dedup_key="dq-orders-event")
        [delivery] = dispatcher.dispatch_sync(note)
        print(delivery.status.value, delivery.error)
        """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("failed HTTP 503"), done.stdout


def _assert_no_secret(env: Env, *outputs: subprocess.CompletedProcess[str]) -> None:
    for out in outputs:
        assert TOKEN_PART not in out.stdout + out.stderr
        assert "hooks.example.com" not in out.stdout + out.stderr
    assert TOKEN_PART.encode() not in env.state_bytes()


def test_notify_test_delivers_through_the_resolved_secret_and_exits_0(env: Env) -> None:
    out = env.dq("notify", "test", "oncall", "--suite", str(env.suite))
    assert out.returncode == 0, out.stderr
    assert "delivered: test message sent to 'oncall'" in out.stdout
    [got] = records(env.record)
    assert got["url"] == WEBHOOK and got["dedup_key"].startswith("dq-test-")
    _assert_no_secret(env, out)


def test_notify_test_of_a_failing_channel_exits_3_without_the_url(env: Env) -> None:
    env.script("leak")
    out = env.dq("notify", "test", "oncall", "--suite", str(env.suite), "--json")
    assert out.returncode == 3
    delivery = json.loads(out.stdout)
    assert delivery["status"] == "failed" and delivery["error"].startswith("HTTP 503")
    _assert_no_secret(env, out)
    assert (
        not (env.state / "notify.sqlite3").exists()
        or "dq-test" not in env.dq("notify", "outbox", "--json").stdout
    )  # a test message is never kept


def test_notify_test_of_an_unknown_channel_exits_2_naming_it_and_the_file(env: Env) -> None:
    out = env.dq("notify", "test", "pager", "--suite", str(env.suite))
    assert out.returncode == 2
    assert "no notify channel 'pager'" in out.stderr and "orders.toml" in out.stderr
    assert "configured: broken, oncall" in out.stderr


def test_notify_test_of_a_misconfigured_channel_exits_2_naming_it_and_the_file(
    env: Env,
) -> None:
    out = env.dq("notify", "test", "broken", "--suite", str(env.suite))
    assert out.returncode == 2
    assert "orders.toml:14: notify.channels.broken.record: required field missing" in out.stderr


def test_a_bad_tenant_is_a_usage_error(env: Env) -> None:
    out = env.dq("notify", "test", "oncall", "--suite", str(env.suite), "--tenant", "Not OK")
    assert out.returncode == 2 and "--tenant" in out.stderr


def test_a_failed_alert_survives_the_process_and_replay_delivers_it_once(env: Env) -> None:
    _fail_once_from_another_process(env)

    listed = env.dq("notify", "outbox", "--json")
    [entry] = json.loads(listed.stdout)
    assert (entry["channel"], entry["dedup_key"], entry["attempts"]) == (
        "oncall",
        "dq-orders-event",
        2,
    )
    assert entry["config_source"] == str(env.suite.resolve())
    table = env.dq("notify", "outbox")
    assert "dq: orders failed" in table.stdout and "HTTP 503" in table.stdout

    dry = env.dq("notify", "replay", "--dry-run")
    assert dry.returncode == 0 and "would-send" in dry.stdout
    assert records(env.record) == []

    env.script("fail")  # the sink is still down
    still = env.dq("notify", "replay")
    assert still.returncode == 3
    assert "failed" in still.stdout and "#1 oncall" in still.stdout

    back = env.dq("notify", "replay", "--suite", str(env.suite), "--channel", "oncall")
    assert back.returncode == 0, back.stdout + back.stderr
    assert back.stdout.startswith("delivered")
    [got] = records(env.record)
    assert (got["dedup_key"], got["url"]) == ("dq-orders-event", WEBHOOK)

    empty = env.dq("notify", "replay", "--json")
    assert empty.returncode == 0 and empty.stdout == ""
    assert "the outbox is empty" in env.dq("notify", "outbox").stdout
    _assert_no_secret(env, listed, table, dry, still, back, empty)


def test_replay_keeps_entries_whose_config_file_is_gone(env: Env) -> None:
    _fail_once_from_another_process(env)
    env.suite.rename(env.root / "moved.toml")
    out = env.dq("notify", "replay")
    assert out.returncode == 3
    assert "no longer exists" in out.stdout
    assert len(json.loads(env.dq("notify", "outbox", "--json").stdout)) == 1


def test_replay_with_a_suite_only_touches_that_suites_entries(env: Env) -> None:
    _fail_once_from_another_process(env)
    other = env.root / "other.toml"
    other.write_text("[notify.channels.oncall]\ntype = 'recorder'\nrecord = 'x'\n")
    out = env.dq("notify", "replay", "--suite", str(other))
    assert (out.returncode, out.stdout) == (0, "nothing to replay: the outbox is empty\n")
    assert len(json.loads(env.dq("notify", "outbox", "--json").stdout)) == 1


def test_outbox_drop_removes_an_entry_without_sending_it(env: Env) -> None:
    _fail_once_from_another_process(env)
    out = env.dq("notify", "outbox", "--drop", "1")
    assert out.returncode == 0 and "dropped #1" in out.stderr
    assert "the outbox is empty" in out.stdout
    missing = env.dq("notify", "outbox", "--drop", "7")
    assert missing.returncode == 2 and "no such outbox entry" in missing.stderr
    assert records(env.record) == []


def test_listing_an_empty_outbox_creates_no_state(env: Env) -> None:
    out = env.dq("notify", "outbox", "--json")
    assert (out.returncode, json.loads(out.stdout)) == (0, [])
    assert not env.state.exists()


def test_replay_never_exits_0_in_silence_while_a_live_process_holds_entries(env: Env) -> None:
    _fail_once_from_another_process(env)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        import sqlite3

        with sqlite3.connect(env.state / "notify.sqlite3") as conn:
            conn.execute(
                "UPDATE outbox SET lease_owner = 'x', holder_pid = ?, holder_host = ?, "
                "heartbeat = strftime('%s','now'), state = 'inflight'",
                (holder.pid, __import__("socket").gethostname()),
            )
        out = env.dq("notify", "replay")
        assert out.returncode == 3, out.stdout + out.stderr
        assert f"held by pid {holder.pid}" in out.stdout
        assert "1 entry is held by another live dq process" in out.stderr
        assert records(env.record) == []
    finally:
        holder.kill()
        holder.wait()
    back = env.dq("notify", "replay")  # the holder died: taken over at once
    assert back.returncode == 0 and back.stdout.startswith("delivered"), back.stdout
    assert len(records(env.record)) == 1


def test_a_corrupt_state_file_is_one_line_and_exit_3_then_a_fresh_start(env: Env) -> None:
    env.state.mkdir()
    (env.state / "notify.sqlite3").write_bytes(b"garbage" * 1000)
    for command in (("notify", "outbox"), ("notify", "replay"), ("notify", "incidents")):
        (env.state / "notify.sqlite3").write_bytes(b"garbage" * 1000)
        out = env.dq(*command)
        assert out.returncode == 3, command
        assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
        assert "corrupt" in out.stderr and "notify.sqlite3.corrupt-" in out.stderr
    assert env.dq("notify", "outbox", "--json").stdout.strip() == "[]"
    assert len(list(env.state.glob("notify.sqlite3.corrupt-*"))) == 3


def test_incidents_lists_open_ones(env: Env) -> None:
    empty = env.dq("notify", "incidents")
    assert (empty.returncode, empty.stdout) == (0, "no open incidents\n")
    done = env.python("""
        import dq
        box = dq.Outbox()
        note = dq.Notification(title="dq: orders failed", summary="s", level=dq.Level.ERROR,
                               dedup_key="dq-orders-incident", tenant=dq.TenantId("acme"))
        box.open_incident(note, suite="orders")
        """)
    assert done.returncode == 0, done.stderr
    [incident] = json.loads(env.dq("notify", "incidents", "--json").stdout)
    assert (incident["suite"], incident["tenant"], incident["dedup_key"]) == (
        "orders",
        "acme",
        "dq-orders-incident",
    )
    assert "dq-orders-incident" in env.dq("notify", "incidents").stdout
