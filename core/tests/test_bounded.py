"""Bounds that hold even for blocking plugin code: imports under --check, audit sinks,
and the primitives themselves (sends: test_delivery's blocking-notifier test)."""

from __future__ import annotations

import json
import logging
import sys
import textwrap
import time
from pathlib import Path

import anyio
import dq
import pytest
from conftest import write_dist_info
from dq.cli import main
from dq.runtime._bounded import BoundExceeded, PluginAborted, await_bounded, call_bounded

# -- the primitives ---------------------------------------------------------------------------


def test_call_bounded_returns_the_value_and_raises_the_error() -> None:
    assert call_bounded(lambda: 42, seconds=5, what="x") == 42
    with pytest.raises(ValueError, match="bad"):
        call_bounded(lambda: (_ for _ in ()).throw(ValueError("bad")), seconds=5, what="x")


def test_call_bounded_gives_up_on_blocking_code_at_its_bound() -> None:
    started = time.monotonic()
    with pytest.raises(BoundExceeded, match="sleeper did not return within 0.2 s"):
        call_bounded(lambda: time.sleep(5), seconds=0.2, what="sleeper")
    assert time.monotonic() - started < 2


def test_a_keyboard_interrupt_from_plugin_code_is_an_ordinary_error() -> None:
    def interrupt() -> None:
        raise KeyboardInterrupt("from the plugin")

    with pytest.raises(PluginAborted, match="KeyboardInterrupt: from the plugin"):
        call_bounded(interrupt, seconds=5, what="x")


def test_await_bounded_releases_the_caller_when_the_callee_blocks_its_loop() -> None:
    async def blocks() -> None:
        time.sleep(5)

    async def main_() -> float:
        started = time.monotonic()
        with pytest.raises(BoundExceeded):
            await await_bounded(blocks, seconds=0.2, what="send")
        return time.monotonic() - started

    assert anyio.run(main_) < 2


def test_await_bounded_keeps_the_callees_own_timeout_errors() -> None:
    async def times_out() -> None:
        raise TimeoutError("the service timed out")

    async def main_() -> None:
        with pytest.raises(TimeoutError, match="the service timed out") as err:
            await await_bounded(times_out, seconds=5, what="send")
        assert not isinstance(err.value, BoundExceeded)

    anyio.run(main_)


# -- imports under --check ----------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.chdir(tmp_path)
    for var in ("DQ_CONFIG", "DQ_STRICT", "DQ_PLUGINS_DENY", "DQ_PLUGINS_ALLOW"):
        monkeypatch.delenv(var, raising=False)
    return folder


def install(site: Path, monkeypatch: pytest.MonkeyPatch, dist: str, module: str, source: str):
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    monkeypatch.delitem(sys.modules, module, raising=False)
    write_dist_info(
        site, dist, "1.0.0", {"dq.engines": {dist[3:]: module}, "dq.hook_api": {"^1.0": module}}
    )


def checked(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, dict]]:
    code = main(["plugins", "list", "--kind", "engine", "--check", "--json"])
    out, _ = capsys.readouterr()
    return code, {p["name"]: p for p in json.loads(out)["plugins"]}


def test_a_plugin_hanging_in_its_import_is_reported_broken_within_the_bound(
    site, monkeypatch, capsys
) -> None:
    install(site, monkeypatch, "dq-sleepy", "dq_sleepy_engine", "import time\ntime.sleep(60)\n")
    monkeypatch.setenv("DQ_PLUGINS_ALLOW", "sleepy")  # only the plugin under test is imported
    monkeypatch.setenv("DQ_PLUGIN_IMPORT_TIMEOUT", "2")
    started = time.monotonic()
    code, plugins = checked(capsys)
    assert time.monotonic() - started < 30
    reason = plugins["sleepy"]["check"]["reason"]
    assert plugins["sleepy"]["check"]["status"] == "broken" and "hung" in reason
    assert "dq-sleepy 1.0.0" in reason and code == 0  # broken is a finding; --strict fails it


def test_a_plugin_raising_keyboard_interrupt_at_import_does_not_abort_the_check(
    site, monkeypatch, capsys
) -> None:
    install(site, monkeypatch, "dq-ctrlc", "dq_ctrlc_engine", "raise KeyboardInterrupt\n")
    install(site, monkeypatch, "dq-exits", "dq_exits_engine", "raise SystemExit(3)\n")
    monkeypatch.setenv("DQ_PLUGINS_ALLOW", "ctrlc,exits")
    code, plugins = checked(capsys)
    assert code == 0  # the command went on past both; --strict would exit 1
    assert "KeyboardInterrupt" in plugins["ctrlc"]["check"]["reason"]
    assert plugins["exits"]["check"]["status"] == "broken"


# -- audit sinks ----------------------------------------------------------------------------


class SlowSink:
    def __init__(self) -> None:
        self.calls = 0

    @dq.hookimpl
    def dq_secret_accessed(self, event: object) -> None:
        self.calls += 1
        time.sleep(5)


def test_a_slow_audit_sink_does_not_hold_up_the_access(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from dq.plugins._discovery import discover
    from dq.plugins._host import Host
    from dq.secrets import _audit

    monkeypatch.setattr(_audit, "AUDIT_SINK_SECONDS", 0.2)
    host = Host(discover(distributions=[]))
    sink = SlowSink()
    host.pm.register(sink, name="dq-slow-sink:slow")
    emit = _audit.host_sink(host)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        emit(object())
    assert time.monotonic() - started < 2 and sink.calls == 1
    assert "took longer than 0.2 s" in caplog.text and "dq-slow-sink:slow" in caplog.text


def test_a_factory_that_hangs_under_check_is_reported_broken(site, monkeypatch, capsys) -> None:
    source = """
import time
import dq

@dq.hookimpl
def dq_engine(name, config):
    time.sleep(60)
"""
    install(site, monkeypatch, "dq-slowbuild", "dq_slowbuild_engine", source)
    monkeypatch.setenv("DQ_PLUGINS_ALLOW", "slowbuild")
    monkeypatch.setenv("DQ_PLUGIN_IMPORT_TIMEOUT", "2")
    started = time.monotonic()
    _, plugins = checked(capsys)
    assert time.monotonic() - started < 30
    check = plugins["slowbuild"]["check"]
    assert check["status"] == "broken" and "hung: dq_engine(name='slowbuild')" in check["reason"]


def test_an_abandoned_send_never_keeps_the_process_alive(tmp_path: Path) -> None:
    """The worker of a send cut off at its bound is a daemon: the process exits at once."""
    import subprocess

    script = tmp_path / "stuck.py"
    script.write_text(
        "import anyio, time\n"
        "from dq.runtime._bounded import BoundExceeded, await_bounded\n"
        "async def stuck():\n    time.sleep(3600)\n"
        "async def main():\n"
        "    try:\n        await await_bounded(stuck, seconds=0.2, what='send')\n"
        "    except BoundExceeded:\n        print('cut off')\n"
        "anyio.run(main)\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "cut off" and time.monotonic() - started < 30


def test_a_factory_that_hangs_in_normal_use_is_cut_off_naming_its_distribution(
    site, monkeypatch
) -> None:
    source = """
import time
import dq

@dq.hookimpl
def dq_engine(name, config):
    time.sleep(60)
"""
    install(site, monkeypatch, "dq-stuck", "dq_stuck_engine", source)
    monkeypatch.setenv("DQ_PLUGIN_CALL_TIMEOUT", "1")
    from dq.plugins._discovery import discover
    from dq.plugins._host import Host

    started = time.monotonic()
    with pytest.raises(dq.PluginError, match=r"engine 'stuck' from dq-stuck 1.0.0 hung"):
        Host(discover()).component("engine", "stuck")
    assert time.monotonic() - started < 30


def test_await_bounded_runs_even_when_the_caller_context_names_its_async_library() -> None:
    """httpx/anyio set sniffio's context variable; the copy handed to the worker must not make
    anyio.run there believe a loop is already running ("Already running asyncio")."""
    sniffio = pytest.importorskip("sniffio")  # the core env has none; plugin envs do

    async def answer() -> int:
        return 42

    async def main_() -> int:
        sniffio.current_async_library_cvar.set("asyncio")
        return await await_bounded(answer, seconds=5, what="send")

    assert anyio.run(main_) == 42
