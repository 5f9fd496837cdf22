"""Kill ``dq run`` and ``dq notify replay`` at 20+ points; after recovery every alert arrived.

The real ``dq`` command runs as a subprocess against a real HTTP sink on 127.0.0.1
(a threaded ``http.server``) through a real notifier plugin that POSTs JSON with
the notification's dedup key and retries 5xx until its deadline. Each scenario is
killed either at a named crash point (``DQ_TEST_CRASH_AT=<label>:<n>``, which ends
the process with ``os._exit(137)`` — no cleanup, like SIGKILL) or by SIGKILL on the
wall clock while the notifier is retrying. Then ``dq notify replay`` runs until it
exits 0, and the invariant is checked per channel and dedup key:

* **at least once**: every trigger (and, after a pass, every resolve) reached the sink;
* **at most once per dedup key**: the sink, like PagerDuty, counts by the key; a key
  may arrive twice only when the kill fell between the send and its settlement (the
  documented unknown-outcome window), never when it fell before the send.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import attrs
import dq
import pytest
from conftest import write_dist_info

ENGINE = """
from pathlib import Path

import attrs
import dq
from dq import hookimpl


@attrs.frozen
class VerdictConfig:
    verdict: str


class Verdict:
    '''Fails every rule while the verdict file says "fail" (the data is broken), else passes.'''

    supported_checks = frozenset(dq.CHECKS)
    streams = False

    def __init__(self, config):
        self.config = config

    def check(self, data, rules):
        bad = Path(self.config.verdict).read_text().strip() == "fail"
        status = dq.RuleStatus.FAILED if bad else dq.RuleStatus.PASSED
        results = tuple(
            dq.RuleResult(rule_id=r.id, check=r.check, column=getattr(r, "column", None),
                          status=status, failed_count=1 if bad else 0, element_count=2)
            for r in rules.rules
        )
        run = dq.RunStatus.FAILED if bad else dq.RunStatus.PASSED
        return dq.CheckResult(status=run, engine="verdict", results=results, row_count=2)

    def profile(self, data):
        raise NotImplementedError

    def learn(self, data):
        raise NotImplementedError


@hookimpl
def dq_component_config(kind, name):
    return VerdictConfig if (kind, name) == ("engine", "verdict") else None


@hookimpl
def dq_engine(name, config):
    return Verdict(config) if name == "verdict" else None
"""

NOTIFIER = """
import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime

import attrs
from dq import Delivery, DeliveryStatus, hookimpl


@attrs.frozen
class SinkConfig:
    url: str
    deadline: float = 1.0


class HttpSink:
    '''POSTs {"dedup": key, "kind": ...}; retries 5xx and refused connections to its deadline.'''

    def __init__(self, config):
        self.config = config

    async def send(self, notification):
        import anyio

        body = json.dumps({"dedup": notification.dedup_key,
                           "kind": notification.kind.value}).encode()
        give_up = time.monotonic() + self.config.deadline
        attempts, error = 0, ""
        while True:
            attempts += 1
            request = urllib.request.Request(self.config.url, data=body, method="POST",
                                             headers={"content-type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status, error = exc.code, f"HTTP {exc.code}"
            except OSError as exc:
                status, error = None, f"{type(exc).__name__}"
            if status is not None and 200 <= status < 300:
                return Delivery(channel="sink", status=DeliveryStatus.DELIVERED,
                                dedup_key=notification.dedup_key, attempts=attempts,
                                response_status=status, finished_at=datetime.now(UTC))
            if time.monotonic() >= give_up:
                return Delivery(channel="sink", status=DeliveryStatus.FAILED,
                                dedup_key=notification.dedup_key, attempts=attempts,
                                response_status=status, error=error)
            await anyio.sleep(0.1)


@hookimpl
def dq_component_config(kind, name):
    return SinkConfig if (kind, name) == ("notifier", "httpsink") else None


@hookimpl
def dq_notifier(name, config):
    return HttpSink(config) if name == "httpsink" else None
"""

CHANNELS = ("alpha", "beta")


class Sink:
    """A local HTTP service that accepts, delays or fails, per scenario, and counts by key."""

    def __init__(self) -> None:
        self.modes: dict[str, str] = {}
        self.hits: Counter[str] = Counter()  # requests per scenario, answered or not
        self.received: list[tuple[str, str, str, str]] = []  # scenario, channel, dedup, kind
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                _, scenario, channel = self.path.split("/")
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                mode = sink.modes.get(scenario, "ok")
                with sink.lock:
                    sink.hits[scenario] += 1
                if mode == "fail":
                    self.send_response(503)
                    self.end_headers()
                    return
                if mode == "delay":
                    time.sleep(1.5)  # far past the kill: a loaded machine's late kill still lands
                with sink.lock:
                    sink.received.append((scenario, channel, body["dedup"], body["kind"]))
                self.send_response(202)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def counts(self, scenario: str) -> Counter[tuple[str, str, str]]:
        with self.lock:
            return Counter((c, d, k) for s, c, d, k in self.received if s == scenario)


@pytest.fixture(scope="module")
def sink() -> Sink:
    server = Sink()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kill-site")
    (root / "dq_kill_verdict.py").write_text(textwrap.dedent(ENGINE))
    (root / "dq_kill_sink.py").write_text(textwrap.dedent(NOTIFIER))
    for dist, group, name, module in (
        ("dq-kill-verdict", "dq.engines", "verdict", "dq_kill_verdict"),
        ("dq-kill-sink", "dq.notifiers", "httpsink", "dq_kill_sink"),
    ):
        write_dist_info(
            root, dist, entry_points={group: {name: module}, "dq.hook_api": {"^1.2": module}}
        )
    return root


@attrs.frozen
class Scenario:
    name: str
    #: "run" (kill the failing run), "replay" (kill a replay of a failed run), "resolve"
    #: (kill the passing run that resolves an incident the failing run opened).
    phase: str
    crash_at: str | None = None  # label:n
    kill_after: float | None = None  # SIGKILL after this many seconds
    mode: str = "ok"  # the sink while the killed process runs
    #: the kill can fall after a send and before its settlement (on this channel or on the
    #: other one, sent concurrently): a second copy of that key is allowed, the service
    #: drops it by the key. A kill before any send allows exactly one copy.
    may_repeat: bool = False


SCENARIOS = [
    Scenario("run-recorded", "run", "dispatch.recorded:1"),
    Scenario("run-sent-1", "run", "dispatch.sent:1", may_repeat=True),
    Scenario("run-sent-2", "run", "dispatch.sent:2", may_repeat=True),
    Scenario("run-settled-1", "run", "dispatch.settled:1", may_repeat=True),
    Scenario("run-settled-2", "run", "dispatch.settled:2", may_repeat=True),
    Scenario("run-failed-sent", "run", "dispatch.sent:1", mode="fail"),
    Scenario("run-failed-settled", "run", "dispatch.settled:2", mode="fail"),
    Scenario("run-retrying-0.1s", "run", kill_after=0.1, mode="fail"),
    Scenario("run-retrying-0.7s", "run", kill_after=0.7, mode="fail"),
    Scenario("run-delayed-0.2s", "run", kill_after=0.2, mode="delay", may_repeat=True),
    Scenario("replay-claimed", "replay", "replay.claimed:1"),
    Scenario("replay-sent-1", "replay", "replay.sent:1", may_repeat=True),
    Scenario("replay-sent-2", "replay", "replay.sent:2", may_repeat=True),
    Scenario("replay-settled-1", "replay", "replay.settled:1", may_repeat=True),
    Scenario("replay-settled-2", "replay", "replay.settled:2", may_repeat=True),
    Scenario("replay-retrying-0.3s", "replay", kill_after=0.3, mode="fail"),
    Scenario("replay-delayed-0.2s", "replay", kill_after=0.2, mode="delay", may_repeat=True),
    Scenario("resolve-recorded", "resolve", "resolve.recorded:1"),
    Scenario("resolve-sent-1", "resolve", "resolve.sent:1", may_repeat=True),
    Scenario("resolve-sent-2", "resolve", "resolve.sent:2", may_repeat=True),
    Scenario("resolve-retrying-0.3s", "resolve", kill_after=0.3, mode="fail"),
]


class Work:
    def __init__(self, root: Path, site: Path, sink: Sink, scenario: Scenario) -> None:
        self.root, self.site, self.sink, self.scenario = root, site, sink, scenario
        root.mkdir()
        (root / "data.csv").write_text("id\n1\n2\n")
        self.verdict = root / "verdict"
        self.verdict.write_text("fail")
        # A scenario killed while its notifier retries gets a deadline it cannot reach before
        # the kill, however late a loaded machine delivers the signal (it was 1 s: a kill 0.7 s
        # into the retries could come after the run had given up and exited).
        deadline = 60.0 if scenario.kill_after is not None else 1.0
        channels = "".join(
            f'\n[notify.channels.{c}]\ntype = "httpsink"\nurl = "{sink.url}/{scenario.name}/{c}"\n'
            f"deadline = {deadline}\n"
            for c in CHANNELS
        )
        (root / "suite.toml").write_text(
            textwrap.dedent(f"""\
            name = "orders"
            source = "data.csv"
            engine = "verdict"
            rules = {{ rules = [{{ id = "id-present", check = "not_null", column = "id" }}] }}

            [engine_config]
            verdict = "{self.verdict}"

            [notify]
            cooldown_seconds = 3600
            """)
            + channels
        )

    def env(self, crash_at: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DQ_")}
        env.update(PYTHONPATH=str(self.site), DQ_STATE_DIR=str(self.root / "state"))
        if crash_at:
            env["DQ_TEST_CRASH_AT"] = crash_at
        return env

    def start(self, *args: str, crash_at: str | None = None) -> subprocess.Popen[str]:
        code = "import sys; from dq.cli import main; sys.exit(main(sys.argv[1:]))"
        return subprocess.Popen(
            [sys.executable, "-c", code, *args],
            cwd=self.root,
            env=self.env(crash_at),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def dq(self, *args: str, crash_at: str | None = None) -> tuple[int, str]:
        proc = self.start(*args, crash_at=crash_at)
        out, err = proc.communicate(timeout=60)
        return proc.returncode, out + err

    def killed(self, *args: str) -> None:
        """Run *args* and kill it the scenario's way; it must really have been killed."""
        s = self.scenario
        if s.crash_at:
            code, out = self.dq(*args, crash_at=s.crash_at)
            assert code == 137, f"{s.name}: never reached {s.crash_at} (exit {code}): {out}"
            return
        before = self.sink.hits[s.name]
        proc = self.start(*args)
        give_up = time.monotonic() + 30
        while self.sink.hits[s.name] == before and time.monotonic() < give_up:
            time.sleep(0.02)  # the clock starts at the first request: inside the retry window
        time.sleep(s.kill_after or 0)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, f"{s.name}: finished before the kill"

    def recover(self) -> None:
        self.sink.modes[self.scenario.name] = "ok"
        for _ in range(4):
            code, out = self.dq("notify", "replay")
            if code == 0:
                return
        raise AssertionError(f"{self.scenario.name}: replay never finished: {out}")


def _seed(work: Work, template: Path) -> None:
    """Start from the state a finished run left in *template* (copied; its entries pointed
    at this scenario's suite file), so each scenario pays for one ``dq run``, not two."""
    state = work.root / "state"
    state.mkdir(mode=0o700)
    for part in template.iterdir():
        shutil.copy2(part, state / part.name)
    with sqlite3.connect(state / "notify.sqlite3") as conn:
        conn.execute("UPDATE outbox SET config_source = ?", (str(work.root / "suite.toml"),))
        conn.execute("UPDATE incidents SET config_source = ?", (str(work.root / "suite.toml"),))


def _template(site: Path, sink: Sink, tmp: Path, phase: str) -> Path:
    """Run the failing suite once: the sink down (replay) or up (resolve)."""
    seed = Scenario(f"seed-{phase}", phase)
    work = Work(tmp / seed.name, site, sink, seed)
    sink.modes[seed.name] = "fail" if phase == "replay" else "ok"
    code, out = work.dq("run", "suite.toml")
    assert code == 1, out
    assert out.count("kept in the outbox" if phase == "replay" else "delivered") == 2, out
    with sqlite3.connect(work.root / "state" / "notify.sqlite3") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return work.root / "state"


def _play(site: Path, sink: Sink, tmp: Path, s: Scenario, templates: dict[str, Path]) -> None:
    work = Work(tmp / s.name, site, sink, s)
    sink.modes[s.name] = s.mode
    if s.phase == "run":
        work.killed("run", "suite.toml")
    elif s.phase == "replay":
        _seed(work, templates["replay"])
        work.killed("notify", "replay")
    else:
        _seed(work, templates["resolve"])
        work.verdict.write_text("pass")
        work.killed("run", "suite.toml")
    work.recover()
    got = sink.counts(s.name)
    # a resolve scenario's triggers went out in its seed run (checked there)
    kinds = ["resolve"] if s.phase == "resolve" else ["trigger"]
    keys = {d for (_, d, _) in got}
    assert len(keys) == 1, f"{s.name}: one incident, one key: {got}"
    [key] = keys
    for channel in CHANNELS:
        for kind in kinds:
            n = got[(channel, key, kind)]
            assert n >= 1, f"{s.name}: {kind} to {channel} lost after recovery: {got}"
            limit = 2 if s.may_repeat else 1
            assert n <= limit, f"{s.name}: {kind} to {channel} arrived {n} times: {got}"
    state = dq.Outbox(work.root / "state" / "notify.sqlite3")
    assert state.pending() == [], f"{s.name}: left in the outbox: {state.pending()}"
    if s.phase == "resolve":
        assert state.incidents() == [], f"{s.name}: the incident is still open"


def test_every_alert_survives_a_kill_at_any_point_and_arrives_once_per_key(
    site: Path, sink: Sink, tmp_path: Path
) -> None:
    assert len(SCENARIOS) >= 20
    with ThreadPoolExecutor(max_workers=2) as pool:
        templates = dict(
            zip(
                ("replay", "resolve"),
                pool.map(lambda p: _template(site, sink, tmp_path, p), ("replay", "resolve")),
                strict=True,
            )
        )
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {
            s.name: pool.submit(_play, site, sink, tmp_path, s, templates) for s in SCENARIOS
        }
    failures = []
    for name, future in futures.items():
        try:
            future.result()
        except AssertionError as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, "\n".join(failures)
