"""``dq plugins`` against real plugin distributions installed into a throwaway venv.

The venv holds dq-core (built from this checkout) and the plugin zoo: a good
plugin, one whose import raises, one whose hook raises, one with a misspelt
hook, one needing hook API 2, two claiming the same engine name, and one the
tests disable. Every command runs the real ``dq`` executable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_zoo import write_zoo

CORE = Path(__file__).resolve().parents[1]


def _uv() -> str:
    from uv import find_uv_bin

    return find_uv_bin()


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("zoo")
    env_dir = root / "venv"
    subprocess.run([_uv(), "venv", "--quiet", "--python", sys.executable, str(env_dir)], check=True)
    projects = write_zoo(root / "src")
    subprocess.run(
        [
            _uv(),
            "pip",
            "install",
            "--quiet",
            "--python",
            str(env_dir / "bin" / "python"),
            str(CORE),
            *map(str, projects),
        ],
        check=True,
    )
    return env_dir


class Dq:
    def __init__(self, venv: Path, marker: Path, cwd: Path) -> None:
        self.venv, self.marker, self.cwd = venv, marker, cwd

    def __call__(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("DQ_")}
        environ.update(DQ_TEST_IMPORT_MARKER=str(self.marker), **env)
        return subprocess.run(
            [str(self.venv / "bin" / "dq"), *args],
            capture_output=True,
            text=True,
            env=environ,
            cwd=self.cwd,
            timeout=120,
        )

    def imported(self) -> list[str]:
        return self.marker.read_text().split() if self.marker.exists() else []


@pytest.fixture
def dq(venv: Path, tmp_path: Path) -> Dq:
    return Dq(venv, tmp_path / "imports.txt", tmp_path)


def listing(dq: Dq, *args: str, **env: str) -> dict[str, dict]:
    result = dq("plugins", "list", "--json", *args, **env)
    assert result.returncode in (0, 1), result.stderr
    return {f"{p['name']}@{p['distribution']}": p for p in json.loads(result.stdout)["plugins"]}


def test_listing_reports_every_plugin_and_imports_none(dq: Dq) -> None:
    plugins = listing(dq, DQ_PLUGINS_DENY="sleepy")
    status = {key: (p["status"], p["kind"]) for key, p in plugins.items()}
    assert status == {
        "good@dq-good": ("ok", "engine"),
        "typo@dq-typo": ("ok", "engine"),  # only importing can reveal the misspelt hook
        "csv@dq-csv-a": ("ok", "engine"),
        "csv@dq-csv-b": ("disabled", "engine"),
        "explodes@dq-explodes": ("ok", "notifier"),
        "hookraise@dq-hookraise": ("ok", "secrets"),
        "future@dq-future": ("incompatible", "tenant"),
        "sleepy@dq-sleepy": ("disabled", "orchestrator"),
    }
    assert "needs hook API ^2.0" in plugins["future@dq-future"]["reason"]
    assert "shadowed" in plugins["csv@dq-csv-b"]["reason"]
    assert "deny" in plugins["sleepy@dq-sleepy"]["reason"]
    assert dq.imported() == []


def test_table_shows_the_documented_columns(dq: Dq) -> None:
    result = dq("plugins", "list")
    assert result.returncode == 0
    header = result.stdout.splitlines()[0].split()
    assert header == ["name", "kind", "distribution", "version", "hook", "API", "status", "reason"]
    assert "dq-explodes" in result.stdout and dq.imported() == []


def test_kind_filter(dq: Dq) -> None:
    assert set(listing(dq, "--kind", "notifiers")) == {"explodes@dq-explodes"}


def test_strict_turns_problems_into_exit_1_and_names_them(dq: Dq) -> None:
    result = dq("--strict", "plugins", "list")
    assert result.returncode == 1
    assert "strict mode" in result.stderr
    result = dq("plugins", "list", "--json", DQ_STRICT="1")
    assert result.returncode == 1
    findings = json.loads(result.stdout)["findings"]
    assert any("dq-future" in f and "incompatible" in f for f in findings)
    assert any("dq-csv-b" in f and "shadowed" in f for f in findings)


def test_strict_passes_once_every_problem_is_settled_or_switched_off(dq: Dq) -> None:
    result = dq(
        "--strict",
        "plugins",
        "list",
        DQ_PLUGINS_DENY="future,typo,explodes,hookraise",
        DQ_PLUGINS_PREFER="csv=dq-csv-b",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    plugins = listing(dq, DQ_PLUGINS_PREFER="csv=dq-csv-b")
    assert plugins["csv@dq-csv-b"]["status"] == "ok"
    assert plugins["csv@dq-csv-a"]["status"] == "disabled"


def test_a_deny_entry_naming_nothing_is_a_strict_failure(dq: Dq) -> None:
    result = dq(
        "--strict",
        "plugins",
        "list",
        DQ_PLUGINS_DENY="future,typo,explodes,hookraise,slak",
        DQ_PLUGINS_PREFER="csv=dq-csv-b",
    )
    assert result.returncode == 1
    assert "'slak', which matches no installed plugin" in result.stderr


def test_config_file_selects_plugins_too(dq: Dq) -> None:
    (dq.cwd / "dq.toml").write_text('[plugins]\nallow = ["good"]\n')
    plugins = listing(dq)
    assert [k for k, p in plugins.items() if p["status"] == "ok"] == ["good@dq-good"]
    (dq.cwd / "dq.toml").write_text('[plugins]\nalow = ["good"]\n')
    result = dq("plugins", "list")
    assert result.returncode == 2
    assert "plugins.alow: unknown setting" in result.stderr


def test_info_check_imports_and_validates_a_good_plugin(dq: Dq) -> None:
    result = dq("plugins", "info", "good", "--check")
    assert result.returncode == 0, result.stderr
    assert "check         ok" in result.stdout
    assert "import time" in result.stdout
    assert "sample_size" in result.stdout  # its config fields
    assert "built dq_good.GoodEngine" in result.stdout
    assert dq.imported() == ["dq_good"]


def test_info_without_check_reads_metadata_only(dq: Dq) -> None:
    result = dq("plugins", "info", "explodes")
    assert result.returncode == 0
    assert "dq-explodes 0.1.0" in result.stdout and "throwaway explodes plugin" in result.stdout
    assert dq.imported() == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("explodes", "failed to import 'dq_explodes': RuntimeError: cannot find libfoo.so"),
        ("hookraise", "raised in hook dq_secret_backend: ValueError: backend misconfigured"),
        ("typo", "has invalid hook implementations"),
    ],
)
def test_info_check_reports_a_broken_plugin_with_its_distribution_and_exit_1(
    dq: Dq, name: str, reason: str
) -> None:
    result = dq("plugins", "info", name, "--check", "--json")
    assert result.returncode == 1
    (plugin,) = json.loads(result.stdout)["plugins"]
    assert plugin["check"]["status"] == "broken"
    assert reason in plugin["check"]["reason"]
    assert f"dq-{name}" in plugin["check"]["reason"]
    assert "Traceback" not in result.stderr


def test_list_check_imports_everything_usable_and_survives_the_broken_ones(dq: Dq) -> None:
    result = dq("plugins", "list", "--check", "--json")
    assert result.returncode == 0  # not strict: problems are reported, not fatal
    plugins = {f"{p['name']}@{p['distribution']}": p for p in json.loads(result.stdout)["plugins"]}
    assert plugins["good@dq-good"]["status"] == "ok"
    for key in ("explodes@dq-explodes", "hookraise@dq-hookraise", "typo@dq-typo"):
        assert plugins[key]["status"] == "broken", key
    assert "dq_future" not in dq.imported()  # incompatible: never imported
    assert dq("--strict", "plugins", "list", "--check").returncode == 1


def test_info_on_an_incompatible_plugin_never_imports_it(dq: Dq) -> None:
    result = dq("plugins", "info", "future", "--check")
    assert result.returncode == 1
    assert "not imported: incompatible" in result.stdout
    assert dq.imported() == []


def test_info_by_distribution_name_and_unknown_names(dq: Dq) -> None:
    assert "name          csv" in dq("plugins", "info", "dq-csv-b").stdout
    result = dq("plugins", "info", "nope")
    assert result.returncode == 2
    assert "no plugin called 'nope'" in result.stderr and "good" in result.stderr


def test_version_names_the_hook_api(dq: Dq) -> None:
    result = dq("--version")
    assert result.returncode == 0
    assert "hook API 1.3.0" in result.stdout


def test_usage_errors_exit_2(dq: Dq) -> None:
    assert dq("plugins", "list", "--kind", "widgets").returncode == 2
    assert dq("frobnicate").returncode == 2
    assert dq("--config", "missing.toml", "plugins", "list").returncode == 2


def test_info_check_on_a_collision_passes_when_the_winner_works(dq: Dq) -> None:
    result = dq("plugins", "info", "csv", "--check", "--json")
    assert result.returncode == 0, result.stdout
    winner, loser = json.loads(result.stdout)["plugins"]
    assert (winner["distribution"], winner["check"]["status"]) == ("dq-csv-a", "ok")
    assert loser["check"]["status"] == "disabled"
    assert dq("--strict", "plugins", "info", "csv").returncode == 1  # unsettled collision


def test_a_bad_environment_variable_is_blamed_on_the_environment(dq: Dq) -> None:
    (dq.cwd / "dq.toml").write_text("[plugins]\n")
    result = dq("plugins", "list", DQ_STRICT="nah")
    assert result.returncode == 2
    assert "environment: DQ_STRICT" in result.stderr and "dq.toml" not in result.stderr
