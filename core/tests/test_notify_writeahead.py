"""Write-ahead, leases, corruption and incidents: the outbox's promises one by one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import dq
import pytest
from dq import DeliveryStatus, Level, Notification, NotificationKind, TenantId
from dq.notify._config import NotifyConfig
from dq.notify._delivery import Dispatcher
from dq.notify._outbox import Outbox
from dq.plugins._discovery import discover
from dq.plugins._host import Host
from notify_plugin import install, records, scripter


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def note(
    key: str = "dq-incident", kind: NotificationKind = NotificationKind.TRIGGER
) -> Notification:
    return Notification(
        title="dq: orders failed", summary="s", level=Level.ERROR, dedup_key=key, kind=kind
    )


@pytest.fixture
def host(make_dist: Any, monkeypatch: pytest.MonkeyPatch) -> Host:
    return Host(discover(distributions=[install(make_dist, monkeypatch)]))


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "state" / "notify.sqlite3")


def channels(tmp_path: Path, *names: str, **extra: Any) -> dict[str, Any]:
    return {
        "channels": {
            n: {
                "type": "recorder",
                "record": str(tmp_path / "got.jsonl"),
                "script": str(tmp_path / f"{n}.script"),
                "label": n,
                **extra.get(n, {}),
            }
            for n in names
        }
    }


def dispatcher(host: Host, table: dict[str, Any], outbox: Outbox) -> Dispatcher:
    return Dispatcher(host, NotifyConfig.from_table(table), outbox, config_source="s.toml")


# -- write-ahead -------------------------------------------------------------------------------


def test_the_notification_is_in_the_outbox_before_the_first_attempt(
    host: Host, outbox: Outbox, tmp_path: Path
) -> None:
    seen: list[list[str]] = []

    class Peek(Dispatcher):
        async def _deliver(self, channel: str, config: Any, notification: Any) -> Any:
            seen.append([e.state for e in outbox.pending(channel)])
            return await super()._deliver(channel, config, notification)

    config = NotifyConfig.from_table(channels(tmp_path, "oncall"))
    Peek(host, config, outbox, config_source="s.toml").dispatch_sync(note())
    assert seen == [["in-flight"]]  # written ahead, held by this process
    assert outbox.pending() == []  # delivered: settled


def test_every_channel_is_written_ahead_in_one_go_before_any_send(
    host: Host, outbox: Outbox, tmp_path: Path
) -> None:
    seen: list[int] = []

    class Peek(Dispatcher):
        async def _deliver(self, channel: str, config: Any, notification: Any) -> Any:
            seen.append(len(outbox.pending()))
            return await super()._deliver(channel, config, notification)

    config = NotifyConfig.from_table(channels(tmp_path, "a", "b", "c"))
    Peek(host, config, outbox, config_source="s.toml", max_concurrency=1).dispatch_sync(note())
    assert seen[0] == 3


def test_a_process_killed_mid_send_leaves_an_entry_replay_takes_over_at_once(
    host: Host, outbox: Outbox, tmp_path: Path
) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)  # this process has exited: its leases are dead
    outbox.begin(note(), channels=["oncall"], owner="gone", config_source="s.toml")
    with __import__("sqlite3").connect(outbox.path) as conn:
        conn.execute("UPDATE outbox SET holder_pid = ?", (pid,))
    [entry] = outbox.pending()
    assert entry.state == "in-flight" and entry.holder is not None and not entry.holder.alive
    [delivery] = dispatcher(host, channels(tmp_path, "oncall"), outbox).replay_sync()
    assert delivery.status is DeliveryStatus.DELIVERED
    assert outbox.pending() == []


def test_a_live_holders_lease_is_reported_and_a_silent_one_taken_over(tmp_path: Path) -> None:
    clock = Clock()
    box = Outbox(tmp_path / "notify.sqlite3", clock=clock)
    box.begin(note(), channels=["oncall"], owner="me", config_source="s.toml")
    [held] = box.held()
    assert held.holder is not None and held.holder.pid == os.getpid()
    assert box.claim()[1] == []  # alive and beating: not taken
    clock.now += 31  # no heartbeat for longer than the stale timeout
    assert box.held() == []
    assert [e.channel for e in box.claim()[1]] == ["oncall"]


def test_a_heartbeat_keeps_a_slow_send_from_being_taken_over(tmp_path: Path) -> None:
    clock = Clock()
    box = Outbox(tmp_path / "notify.sqlite3", clock=clock)
    box.begin(note(), channels=["oncall"], owner="me")
    clock.now += 25
    box.heartbeat("me")
    clock.now += 25
    assert box.claim()[1] == []


def test_a_1_1_outbox_file_is_migrated_in_place(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "notify.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, "
            "tenant TEXT NOT NULL DEFAULT '', dedup_key TEXT NOT NULL, config_source TEXT NOT "
            "NULL DEFAULT '', notification TEXT NOT NULL, attempts INTEGER NOT NULL, "
            "last_error TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL, "
            "lease_owner TEXT, lease_until REAL, "
            "UNIQUE (channel, tenant, dedup_key, config_source));"
        )
    box = Outbox(path)
    box.add(note(), channel="oncall", error="HTTP 503")
    [entry] = box.pending()
    assert (entry.state, entry.notification.kind) == ("pending", NotificationKind.TRIGGER)


# -- corruption ---------------------------------------------------------------------------------


def test_a_corrupt_state_file_is_moved_aside_with_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notify.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(dq.OutboxCorrupt) as info:
        Outbox(path).pending()
    moved = info.value.moved_to
    assert moved is not None and moved.name.startswith("notify.sqlite3.corrupt-")
    assert moved.read_bytes().startswith(b"this is not a database")
    assert "moved it aside" in str(info.value) and "\n" not in str(info.value)
    assert Outbox(path).pending() == []  # a fresh file from then on


def test_a_run_over_a_corrupt_file_still_keeps_the_alert_and_says_so(
    host: Host, tmp_path: Path
) -> None:
    path = tmp_path / "state" / "notify.sqlite3"
    path.parent.mkdir()
    path.write_bytes(b"\x00garbage" * 500)
    scripter(tmp_path / "oncall.script")("fail")
    box = Outbox(path)
    [failed] = dispatcher(host, channels(tmp_path, "oncall"), box).dispatch_sync(note())
    assert failed.status is DeliveryStatus.FAILED
    assert "moved it aside" in failed.error and "NOT kept" not in failed.error
    assert [e.channel for e in box.pending()] == ["oncall"]


def test_an_unwritable_outbox_fails_the_run_loudly_instead_of_claiming_the_alert_was_kept(
    host: Host, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")  # a file where the state directory should be
    box = Outbox(blocker / "notify.sqlite3")
    scripter(tmp_path / "oncall.script")("fail")
    [failed] = dispatcher(host, channels(tmp_path, "oncall"), box).dispatch_sync(note())
    assert "NOT kept in the outbox" in failed.error
    from dq.notify._delivery import lost_alerts

    with pytest.raises(dq.NotificationLost, match="nothing will replay it"):
        lost_alerts([failed])


# -- incidents ----------------------------------------------------------------------------------


def test_a_pass_resolves_exactly_the_channels_that_were_triggered_once(
    host: Host, outbox: Outbox, tmp_path: Path
) -> None:
    table = channels(tmp_path, "oncall", "team", "quiet", quiet={"resolve": False})
    d = dispatcher(host, table, outbox)
    scripter(tmp_path / "team.script")("fail", "fail")  # team never gets the trigger
    d.dispatch_sync(note(), incident="orders")
    [incident] = outbox.incidents()
    assert (incident.suite, incident.channels) == ("orders", ("oncall", "quiet"))
    resolved = d.resolve_sync(note(kind=NotificationKind.RESOLVE))
    assert [(x.channel, x.status) for x in resolved] == [("oncall", DeliveryStatus.DELIVERED)]
    assert outbox.incidents() == [] and outbox.pending() == []  # team's stale trigger dropped
    assert d.resolve_sync(note(kind=NotificationKind.RESOLVE)) == []  # exactly once
    got = [(r["label"], r["dedup_key"]) for r in records(tmp_path / "got.jsonl")]
    assert got.count(("oncall", "dq-incident")) == 2  # one trigger, one resolve


def test_nothing_is_resolved_that_was_never_triggered(
    host: Host, outbox: Outbox, tmp_path: Path
) -> None:
    d = dispatcher(host, channels(tmp_path, "oncall"), outbox)
    assert d.resolve_sync(note(kind=NotificationKind.RESOLVE)) == []
    d.dispatch_sync(note())  # no incident opened (not a suite run)
    assert d.resolve_sync(note(kind=NotificationKind.RESOLVE)) == []


def test_a_failed_resolve_waits_in_the_outbox_and_replay_sends_it(
    host: Host, outbox: Outbox, tmp_path: Path
) -> None:
    d = dispatcher(host, channels(tmp_path, "oncall"), outbox)
    d.dispatch_sync(note(), incident="orders")
    scripter(tmp_path / "oncall.script")("fail")
    [failed] = d.resolve_sync(note(kind=NotificationKind.RESOLVE))
    assert failed.status is DeliveryStatus.FAILED
    [entry] = outbox.pending()
    assert entry.notification.kind is NotificationKind.RESOLVE
    [done] = d.replay_sync()
    assert done.status is DeliveryStatus.DELIVERED and outbox.pending() == []


def test_the_same_failure_after_a_resolve_is_a_new_incident_that_pages_again(
    host: Host, outbox: Outbox, tmp_path: Path
) -> None:
    d = dispatcher(host, channels(tmp_path, "oncall"), outbox)
    d.dispatch_sync(note(), incident="orders")
    assert d.dispatch_sync(note(), incident="orders")[0].status is DeliveryStatus.SUPPRESSED
    d.resolve_sync(note(kind=NotificationKind.RESOLVE))
    assert d.dispatch_sync(note(), incident="orders")[0].status is DeliveryStatus.DELIVERED


def test_another_rule_breaking_in_an_open_incident_is_news_under_the_same_key(
    host: Host, outbox: Outbox, tmp_path: Path
) -> None:
    d = dispatcher(host, channels(tmp_path, "oncall"), outbox)
    first = note()
    other = Notification(
        title=first.title,
        summary="s",
        level=Level.ERROR,
        dedup_key=first.dedup_key,
        failures=(dq.RuleFailure(rule_id="email", check="not_null"),),
    )
    d.dispatch_sync(first, incident="orders")
    assert d.dispatch_sync(other, incident="orders")[0].status is DeliveryStatus.DELIVERED
    [incident] = outbox.incidents()
    assert incident.runs == 2


def test_resolve_false_is_validated() -> None:
    with pytest.raises(dq.ConfigError, match="notify.channels.x.resolve: expected true or false"):
        NotifyConfig.from_table({"channels": {"x": {"resolve": "no"}}})
    assert (
        NotifyConfig.from_table({"channels": {"x": {"resolve": False}}}).channels["x"].resolve
        is False
    )


def test_incidents_are_per_tenant(host: Host, outbox: Outbox, tmp_path: Path) -> None:
    d = dispatcher(host, channels(tmp_path, "oncall"), outbox)
    acme = Notification(
        title="t", summary="s", level=Level.ERROR, dedup_key="dq-k", tenant=TenantId("acme")
    )
    d.dispatch_sync(acme, incident="orders")
    assert d.resolve_sync(note("dq-k", NotificationKind.RESOLVE)) == []  # no tenant: not acme's
    assert [str(i.tenant) for i in outbox.incidents()] == ["acme"]
