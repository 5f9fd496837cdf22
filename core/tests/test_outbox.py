"""The outbox and cooldown ledger: durable, one entry per event, safe across processes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dq import Level, Notification, RuleFailure, TenantId
from dq.notify._outbox import Outbox
from dq.notify._state import ensure_state_dir, state_dir


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def note(key: str = "dq-abc", tenant: str | None = None) -> Notification:
    return Notification(
        title="dq: orders failed",
        summary="orders: 1 rule failed (1 error) on 5 rows",
        level=Level.ERROR,
        dedup_key=key,
        tenant=TenantId(tenant) if tenant else None,
        fields={"suite": "orders", "rows": "5"},
        failures=(RuleFailure(rule_id="id", check="not_null", failed_count=1, element_count=5),),
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(tmp_path: Path, clock: Clock) -> Outbox:
    return Outbox(tmp_path / "state" / "notify.sqlite3", clock=clock)


def test_an_added_entry_comes_back_whole(outbox: Outbox) -> None:
    original = note(tenant="acme")
    entry_id = outbox.add(
        original, channel="oncall", error="HTTP 503", config_source="/s/orders.toml", attempts=3
    )
    [entry] = outbox.pending()
    assert entry.id == entry_id
    assert entry.notification == original
    assert (entry.channel, entry.tenant, entry.dedup_key) == ("oncall", TenantId("acme"), "dq-abc")
    assert (entry.attempts, entry.last_error, entry.config_source) == (
        3,
        "HTTP 503",
        "/s/orders.toml",
    )


def test_the_same_event_failing_again_updates_its_entry_instead_of_queueing_a_copy(
    outbox: Outbox,
) -> None:
    first = outbox.add(note(), channel="oncall", error="HTTP 503", attempts=2)
    second = outbox.add(note(), channel="oncall", error="timed out", attempts=3)
    assert first == second
    [entry] = outbox.pending()
    assert (entry.attempts, entry.last_error) == (5, "timed out")


def test_entries_are_per_channel_tenant_and_event(outbox: Outbox) -> None:
    outbox.add(note(), channel="oncall", error="e")
    outbox.add(note(), channel="team", error="e")
    outbox.add(note(tenant="acme"), channel="oncall", error="e")
    outbox.add(note("dq-other"), channel="oncall", error="e")
    assert len(outbox.pending()) == 4
    assert [e.channel for e in outbox.pending("team")] == ["team"]


def test_delivered_entries_leave_and_failing_ones_count_attempts(outbox: Outbox) -> None:
    kept = outbox.add(note("dq-1"), channel="oncall", error="e1")
    gone = outbox.add(note("dq-2"), channel="oncall", error="e1")
    outbox.mark_delivered(gone)
    outbox.record_failure(kept, "HTTP 500")
    [entry] = outbox.pending()
    assert (entry.id, entry.attempts, entry.last_error) == (kept, 2, "HTTP 500")


def test_settle_drops_the_waiting_entries_of_an_event_delivered_later(outbox: Outbox) -> None:
    outbox.add(note(), channel="oncall", error="e")
    outbox.add(note(), channel="team", error="e")
    assert outbox.settle("oncall", None, "dq-abc") == 1
    assert [e.channel for e in outbox.pending()] == ["team"]


def test_a_claimed_entry_is_not_claimed_again_until_released_or_its_lease_ends(
    outbox: Outbox, clock: Clock
) -> None:
    outbox.add(note(), channel="oncall", error="e")
    owner, [entry] = outbox.claim(lease_seconds=60)
    assert outbox.claim()[1] == []  # a concurrent replay skips it
    outbox.release(owner)
    owner2, again = outbox.claim(lease_seconds=60)
    assert [e.id for e in again] == [entry.id]
    clock.now += 61  # the replaying process died: the lease runs out
    assert [e.id for e in outbox.claim()[1]] == [entry.id]


def test_claim_filters_by_channel_and_config_source(outbox: Outbox) -> None:
    outbox.add(note("dq-1"), channel="oncall", error="e", config_source="/a.toml")
    outbox.add(note("dq-2"), channel="oncall", error="e", config_source="/b.toml")
    outbox.add(note("dq-3"), channel="team", error="e")
    assert [e.dedup_key for e in outbox.claim(config_source="/b.toml")[1]] == ["dq-2"]
    assert [e.dedup_key for e in outbox.claim("team", config_source=None)[1]] == ["dq-3"]


def test_cooldown_holds_for_its_window_per_channel_and_tenant(outbox: Outbox, clock: Clock) -> None:
    assert outbox.cooling_down("oncall", None, "dq-abc", 3600) is None
    outbox.record_delivery("oncall", None, "dq-abc")
    clock.now += 100
    assert outbox.cooling_down("oncall", None, "dq-abc", 3600) == pytest.approx(100)
    assert outbox.cooling_down("team", None, "dq-abc", 3600) is None
    assert outbox.cooling_down("oncall", TenantId("acme"), "dq-abc", 3600) is None
    assert outbox.cooling_down("oncall", None, "dq-abc", 0) is None  # 0 = off
    clock.now += 3600
    assert outbox.cooling_down("oncall", None, "dq-abc", 3600) is None
    assert outbox.prune_cooldown(3600) == 1


def test_the_outbox_survives_a_new_instance(outbox: Outbox, tmp_path: Path) -> None:
    outbox.add(note(), channel="oncall", error="e")
    assert len(Outbox(outbox.path).pending()) == 1


def test_the_file_is_private_to_its_owner(outbox: Outbox) -> None:
    outbox.add(note(), channel="oncall", error="e")
    assert stat.S_IMODE(outbox.path.stat().st_mode) == 0o600


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "notify.sqlite3"
    writer = textwrap.dedent(f"""
        import sys
        from dq import Level, Notification
        from dq.notify._outbox import Outbox
        box = Outbox({str(path)!r})
        for i in range(40):
            key = f"dq-{{sys.argv[1]}}-{{i}}"
            box.add(Notification(title="t", summary="s", level=Level.ERROR, dedup_key=key),
                    channel="oncall", error="e")
            box.record_delivery("team", None, key)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", writer, str(n)]) for n in range(2)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    assert len(Outbox(path).pending()) == 80


def test_state_dir_follows_dq_state_dir_then_xdg_then_home() -> None:
    assert state_dir({"DQ_STATE_DIR": "/srv/dq"}) == Path("/srv/dq")
    assert state_dir({"XDG_STATE_HOME": "/x", "HOME": "/h"}) == Path("/x/dq")
    assert state_dir({"XDG_STATE_HOME": "rel", "HOME": "/h"}) == Path("/h/.local/state/dq")
    assert state_dir({"HOME": "/h"}) == Path("/h/.local/state/dq")
    assert (
        state_dir({"LOCALAPPDATA": r"C:\Users\me\AppData\Local"}, windows=True)
        == Path(r"C:\Users\me\AppData\Local") / "dq"
    )


def test_the_state_dir_is_created_on_first_write_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "xdg" / "dq"
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("DQ_STATE_DIR", raising=False)
    box = Outbox()
    assert not target.exists()  # building an outbox writes nothing
    box.add(note(), channel="oncall", error="e")
    assert box.path == target / "notify.sqlite3"
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert ensure_state_dir() == target


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_an_existing_state_dir_keeps_its_permissions(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o750)
    shared.chmod(0o750)
    assert ensure_state_dir({"DQ_STATE_DIR": str(shared)}) == shared
    assert stat.S_IMODE(shared.stat().st_mode) == 0o750


def test_recording_a_delivery_drops_the_events_waiting_entries_for_that_channel(
    outbox: Outbox,
) -> None:
    outbox.add(note(), channel="oncall", error="e")
    outbox.add(note(), channel="team", error="e")
    assert outbox.record_delivery("oncall", None, "dq-abc") == 1
    assert [e.channel for e in outbox.pending()] == ["team"]
