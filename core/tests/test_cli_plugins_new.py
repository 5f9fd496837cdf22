"""``dq plugins new KIND NAME``: the plugin template rendered by copier, and what to run next.

Rendering needs copier (the repository's dev group has it; the core tox env does not): those
tests skip without it. Input errors and a missing copier are checked everywhere.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "plugin-template"

needs_copier = pytest.mark.skipif(
    importlib.util.find_spec("copier") is None,
    reason="copier is not installed (it is in the repository's dev group, not the core env)",
)


def dq(cwd: Path, *args: str, pythonpath: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DQ_")}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-c", "from dq.cli import run; run()", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=300,
    )


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


@needs_copier
def test_new_renders_the_template_and_prints_the_next_three_commands(tmp_path: Path) -> None:
    dest = tmp_path / "out" / "dq-acme"
    result = dq(tmp_path, "plugins", "new", "notifier", "acme", "--dest", str(dest),
                "--template", str(TEMPLATE))
    assert result.returncode == 0, result.stdout + result.stderr
    pyproject = (dest / "pyproject.toml").read_text()
    assert 'name = "dq-acme"' in pyproject
    assert (dest / "src" / "dq_acme" / "_notifier.py").is_file()
    assert "kind: notifier" in (dest / ".copier-answers.yml").read_text()
    steps = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]
    assert steps == [
        f"pip install -e '{dest}[test]'",
        f"python -m pytest {dest}/tests",
        "dq plugins verify acme --set url={http_sink.url}",
    ], result.stdout


@needs_copier
def test_the_template_is_found_from_a_checkout_and_dest_defaults_to_dq_name(
        tmp_path: Path) -> None:
    # cwd inside the checkout: plugin-template/ is found above it; dest is relative to cwd
    work = REPO / "plugin-template"
    dest = tmp_path / "dq-vaultish"
    result = dq(work, "plugins", "new", "secrets", "vaultish", "--dest", str(dest))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (dest / "src" / "dq_vaultish" / "_secrets.py").is_file()
    assert "dq plugins verify vaultish --set root={tmp_path}" in result.stdout


def test_a_bad_name_is_one_line_saying_what_names_look_like(tmp_path: Path) -> None:
    result = dq(tmp_path, "plugins", "new", "notifier", "Acme Hook")
    assert result.returncode == 2
    assert "must match ^[a-z][a-z0-9_-]{0,63}$" in _one_line(result.stderr)
    assert not (tmp_path / "dq-Acme Hook").exists()


def test_an_unknown_kind_is_refused_by_the_parser(tmp_path: Path) -> None:
    result = dq(tmp_path, "plugins", "new", "audit", "splunk")
    assert result.returncode == 2 and "invalid choice: 'audit'" in result.stderr


def test_a_non_empty_destination_is_never_overwritten(tmp_path: Path) -> None:
    dest = tmp_path / "dq-acme"
    dest.mkdir()
    (dest / "mine.txt").write_text("keep me")
    result = dq(tmp_path, "plugins", "new", "notifier", "acme", "--template", str(TEMPLATE))
    assert result.returncode == 2
    assert "already exists and is not empty" in _one_line(result.stderr)
    assert (dest / "mine.txt").read_text() == "keep me"


def test_without_copier_the_error_says_pip_install_copier(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    (shadow / "copier").mkdir(parents=True)
    (shadow / "copier" / "__init__.py").write_text("raise ImportError('no copier here')\n")
    result = dq(tmp_path, "plugins", "new", "engine", "fast", "--template", str(TEMPLATE),
                pythonpath=str(shadow))
    assert result.returncode == 2
    assert "needs copier: pip install copier" in _one_line(result.stderr)
    assert not (tmp_path / "dq-fast").exists()
