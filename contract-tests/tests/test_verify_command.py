"""``dq plugins verify``: the engine contract run against installed plugins, from the CLI.

The plugins are real distribution metadata on a temporary path entry, and ``dq`` runs
as a subprocess with that entry on ``PYTHONPATH``: what a user gets after ``pip install``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

GOOD = """
import dq
from dq_contract.trivial import TrivialEngine

@dq.hookimpl
def dq_engine(name, config):
    return TrivialEngine() if name == "trivial" else None
"""

BROKEN = """
import attrs
import dq
from dq_contract.trivial import TrivialEngine


class NullBlind(TrivialEngine):
    '''Passes nulls to not_null: the classic bug the contract must catch.'''

    def check(self, data, rules):
        result = super().check(data, rules)
        fixed = tuple(
            attrs.evolve(r, failed_count=0, status=dq.RuleStatus.PASSED, samples=())
            if r.check == "not_null" else r
            for r in result.results
        )
        return attrs.evolve(result, results=fixed, status=dq.run_status(fixed, rules.gate))


@dq.hookimpl
def dq_engine(name, config):
    return NullBlind() if name == "nullblind" else None
"""


TENANT = """
import dq
from dq_contract.reference_tenant import HeaderTenantResolver

@dq.hookimpl
def dq_tenant_resolver(name, config):
    return HeaderTenantResolver() if name == "by-header" else None
"""


def _dist(
    site: Path, dist: str, component: str, module: str, source: str, group: str = "dq.engines"
) -> None:
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{dist.replace('-', '_')}-1.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0.0\n\n")
    (info / "entry_points.txt").write_text(
        f"[{group}]\n{component} = {module}\n\n[dq.hook_api]\n^1.0 = {module}\n"
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    _dist(site, "dq-trivial", "trivial", "dq_verify_trivial", GOOD)
    _dist(site, "dq-nullblind", "nullblind", "dq_verify_nullblind", BROKEN)
    _dist(site, "dq-by-header", "by-header", "dq_verify_tenant", TENANT, group="dq.tenants")
    return site


def dq(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DQ_")}
    env["PYTHONPATH"] = str(site) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-c", "from dq.cli import run; run()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=site,
        timeout=300,
    )


def test_a_conforming_engine_passes_and_the_summary_says_so(site: Path, tmp_path: Path) -> None:
    report = tmp_path / "conformance.json"
    result = dq(site, "plugins", "verify", "trivial", "--report", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "engine 'trivial' from dq-trivial 1.0.0" in result.stdout
    assert "EngineContract:" in result.stdout and " 0 failed" in result.stdout
    data = json.loads(report.read_text())
    assert data["contracts"]["EngineContract"]["failed"] == []
    assert len(data["contracts"]["EngineContract"]["passed"]) > 10


def test_a_broken_engine_fails_verify_naming_the_failed_checks(site: Path) -> None:
    result = dq(site, "plugins", "verify", "nullblind", "--json")
    assert result.returncode == 1
    outcome = json.loads(result.stdout)["contracts"]["EngineContract"]
    failed = outcome["failed"]
    assert any("null" in name for name in failed), failed
    # each failure carries its one-line reason in the JSON too
    assert set(outcome["reasons"]) == set(failed) and all(outcome["reasons"].values())


def test_verify_of_an_unknown_plugin_is_a_usage_error(site: Path) -> None:
    result = dq(site, "plugins", "verify", "nope")
    assert result.returncode == 2 and "no usable plugin called 'nope'" in result.stderr


def test_bad_set_syntax_is_a_usage_error(site: Path) -> None:
    result = dq(site, "plugins", "verify", "trivial", "--set", "novalue")
    assert result.returncode == 2 and "--set expects KEY=VALUE" in result.stderr


def test_verify_picks_the_contract_of_the_plugins_kind(site: Path) -> None:
    result = dq(site, "plugins", "verify", "by-header")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tenant 'by-header' from dq-by-header 1.0.0" in result.stdout
    assert "TenantResolverContract:" in result.stdout and " 0 failed" in result.stdout


DECLARED = """
import dq
from dq_contract.engine import EngineContract
from dq_contract.trivial import TrivialEngine

#: verify runs this subclass instead of the bare engine contract
DQ_CONTRACT = "dq_verify_declared:DeclaredContract"


class DeclaredContract(EngineContract):
    def test_the_plugins_own_reading_of_its_protocol(self, engine):
        assert isinstance(engine, TrivialEngine)


@dq.hookimpl
def dq_engine(name, config):
    return TrivialEngine() if name == "declared" else None
"""


def test_verify_runs_the_contract_subclass_a_plugin_declares(site: Path) -> None:
    _dist(site, "dq-declared", "declared", "dq_verify_declared", DECLARED)
    result = dq(site, "plugins", "verify", "declared", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    passed = json.loads(result.stdout)["contracts"]["EngineContract"]["passed"]
    assert any("the_plugins_own_reading_of_its_protocol" in name for name in passed), passed


def test_a_malformed_declared_contract_is_a_usage_error(site: Path) -> None:
    source = GOOD.replace("trivial\" else", "odd\" else") + '\nDQ_CONTRACT = "no-colon"\n'
    _dist(site, "dq-odd", "odd", "dq_verify_odd", source)
    result = dq(site, "plugins", "verify", "odd")
    assert result.returncode == 2
    assert "DQ_CONTRACT must be 'module:Class', not 'no-colon'" in result.stderr


# -- verify explains: the component is built before the suite, failures carry their reason ----

CONFIGURED = """
import attrs
import dq
from dq_contract.reference_notifier import WebhookNotifier


@attrs.frozen
class Config:
    url: dq.SecretValue
    timeout: float = 0.5


@dq.hookimpl
def dq_component_config(kind, name):
    return Config if (kind, name) == ("notifier", "hook") else None


@dq.hookimpl
def dq_notifier(name, config):
    if name != "hook":
        return None
    return WebhookNotifier(config.url, timeout=config.timeout, deadline=1.5, backoff=0.01)
"""

EXPLODES = """
import dq


@dq.hookimpl
def dq_engine(name, config):
    if name == "explodes":
        raise RuntimeError("cannot start: the licence file is missing")
    return None
"""


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{text}"
    assert "Traceback" not in text
    return lines[0]


def test_a_notifier_without_its_url_says_config_needs_url_and_exits_2(site: Path) -> None:
    _dist(site, "dq-hook", "hook", "dq_verify_hook", CONFIGURED, group="dq.notifiers")
    result = dq(site, "plugins", "verify", "hook")
    assert result.returncode == 2, result.stdout + result.stderr
    line = _one_line(result.stderr)
    assert "notifier 'hook' from dq-hook: config needs url" in line
    assert "--set url={http_sink.url}" in line  # what to do next
    assert result.stdout == ""  # no suite ran, so no summary


def test_an_invalid_config_value_is_one_line_naming_the_field(site: Path) -> None:
    _dist(site, "dq-hook", "hook", "dq_verify_hook", CONFIGURED, group="dq.notifiers")
    result = dq(site, "plugins", "verify", "hook", "--set", "url={http_sink.url}",
                "--set", "timeout=soon")
    assert result.returncode == 2, result.stdout + result.stderr
    line = _one_line(result.stderr)
    assert "notifier 'hook' from dq-hook: config timeout:" in line and "float" in line


def test_an_unknown_config_field_is_one_line_naming_it(site: Path) -> None:
    _dist(site, "dq-hook", "hook", "dq_verify_hook", CONFIGURED, group="dq.notifiers")
    result = dq(site, "plugins", "verify", "hook", "--set", "url={http_sink.url}",
                "--set", "colour=red")
    assert result.returncode == 2
    assert "colour" in _one_line(result.stderr)


def test_a_factory_that_raises_is_one_line_naming_the_distribution(site: Path) -> None:
    _dist(site, "dq-explodes", "explodes", "dq_verify_explodes", EXPLODES)
    result = dq(site, "plugins", "verify", "explodes")
    assert result.returncode == 2, result.stdout + result.stderr
    line = _one_line(result.stderr)
    assert "engine 'explodes' from dq-explodes cannot be built for the contract" in line
    assert "the licence file is missing" in line


def test_a_placeholder_config_is_built_and_then_verified_against_the_real_sink(
        site: Path) -> None:
    _dist(site, "dq-hook", "hook", "dq_verify_hook", CONFIGURED, group="dq.notifiers")
    result = dq(site, "plugins", "verify", "hook", "--set", "url={http_sink.url}", "--json")
    report = json.loads(result.stdout)["contracts"]["NotifierContract"]
    assert len(report["passed"]) > 5, result.stdout + result.stderr
    assert set(report["reasons"]) == set(report["failed"])


def test_each_failed_test_is_shown_with_its_one_line_reason(site: Path) -> None:
    result = dq(site, "plugins", "verify", "nullblind")
    assert result.returncode == 1
    failed = [line.strip() for line in result.stdout.splitlines()
              if line.strip().startswith("FAILED ")]
    assert failed, result.stdout
    for line in failed:
        name, sep, reason = line.removeprefix("FAILED ").partition(": ")
        assert sep and reason.strip(), f"no reason shown for {name}"
    # the reason is the assertion's own words: what the engine said against what docs pin
    assert any("docs/rules.md says" in line for line in failed), failed



# -- verify resolves names as info does, uses fast timings, shows progress, lists fixtures ----


def test_verify_accepts_the_distribution_name_as_info_does(site: Path) -> None:
    result = dq(site, "plugins", "verify", "dq-by-header")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tenant 'by-header' from dq-by-header 1.0.0" in result.stdout
    # the spelling the index normalises to works too
    assert dq(site, "plugins", "verify", "DQ_By.Header").returncode == 0


SLOW = """
import attrs
import dq
from dq_contract.reference_notifier import WebhookNotifier

DQ_CONTRACT = "dq_verify_slow:QuickContract"


@attrs.frozen
class Config:
    url: dq.SecretValue
    timeout: float = 30.0
    deadline: float = 120.0
    backoff: float = 20.0


@dq.hookimpl
def dq_component_config(kind, name):
    return Config if (kind, name) == ("notifier", "slow") else None


@dq.hookimpl
def dq_notifier(name, config):
    if name != "slow":
        return None
    return WebhookNotifier(
        config.url, timeout=config.timeout, deadline=config.deadline, backoff=config.backoff
    )
"""

QUICK_CONTRACT = """
from dq_contract.notifier import NotifierContract


class QuickContract(NotifierContract):
    timeout_seconds = 0.5
    deadline_seconds = 3.0
"""


def test_production_timings_are_replaced_by_the_contracts_fast_ones(site: Path) -> None:
    # defaults of 30 s / 120 s / 20 s would fail the timeout and deadline tests (and take
    # minutes); verify configures the contract's declared 0.5 s / 3 s and a short backoff
    _dist(site, "dq-slow", "slow", "dq_verify_slow", SLOW + QUICK_CONTRACT,
          group="dq.notifiers")
    started = time.monotonic()
    result = dq(site, "plugins", "verify", "slow", "--set", "url={http_sink.url}")
    took = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert "NotifierContract:" in result.stdout and " 0 failed" in result.stdout
    assert "fast contract timings used for timeout, deadline, backoff" in result.stdout
    assert took < 120, f"verify took {took:.0f} s"


def test_a_timing_the_user_sets_is_kept(site: Path) -> None:
    _dist(site, "dq-slow", "slow", "dq_verify_slow", SLOW + QUICK_CONTRACT,
          group="dq.notifiers")
    result = dq(site, "plugins", "verify", "slow", "--set", "url={http_sink.url}",
                "--set", "timeout=0.4", "--json")
    report = json.loads(result.stdout)
    assert report["fast_defaults"] == ["deadline", "backoff"], report


def test_progress_is_quiet_when_piped(site: Path) -> None:
    result = dq(site, "plugins", "verify", "by-header")
    assert result.returncode == 0
    assert "contract tests:" not in result.stderr and result.stderr == ""


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_counts_tests_done_of_total_on_a_terminal(site: Path) -> None:
    import pty

    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DQ_")}
    env["PYTHONPATH"] = str(site) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from dq.cli import run; run()", "plugins", "verify",
         "by-header"],
        stdout=subprocess.PIPE, stderr=secondary, env=env, cwd=site, text=True,
    )
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    stdout, _ = proc.communicate(timeout=300)
    os.close(primary)
    assert proc.returncode == 0, stdout
    counts = re.findall(rb"contract tests: (\d+)/(\d+) done", seen)
    assert counts, seen
    total = int(counts[-1][1])
    assert total > 3 and int(counts[-1][0]) == total
    assert b"contract tests: 0/" in seen  # shown before the first test finishes


SECRETS = """
import dq
from dq_contract.reference_secrets import MemorySecretBackend

@dq.hookimpl
def dq_secret_backend(name, config):
    return MemorySecretBackend() if name == "memory" else None
"""


def test_fixtures_only_a_test_file_can_give_are_listed_with_how_to_provide_them(
        site: Path) -> None:
    _dist(site, "dq-memory", "memory", "dq_verify_memory", SECRETS, group="dq.secrets")
    result = dq(site, "plugins", "verify", "memory")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "only a test module can give these fixtures" in result.stdout
    assert "SecretBackendContract" in result.stdout
    for fixture in ("denied_path", "unavailable_backend", "io_calls"):
        assert f"    {fixture}: " in result.stdout, result.stdout
    report = json.loads(dq(site, "plugins", "verify", "memory", "--json").stdout)
    assert set(report["test_file_fixtures"]) == {"denied_path", "unavailable_backend",
                                                 "io_calls"}
