"""`dq secrets` on the env backend: masked output, one-line errors, the exit codes documented."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def run(tmp_path: Path):
    canary = f"dq-canary-{secrets.token_hex(8)}"
    (tmp_path / "dq.toml").write_text("[secrets.backends.env]\ntenant_scoped = false\n")
    env = {**os.environ, "DQ_SECRET_WAREHOUSE": f'{{"user": "app", "password": "{canary}"}}'}

    def call(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "dq", "secrets", *args],
            cwd=tmp_path, env=env, input=stdin, capture_output=True, text=True, timeout=60,
        )
        assert canary not in done.stdout + done.stderr, "the value leaked to the terminal"
        assert "Traceback" not in done.stderr
        return done

    call.canary = canary  # type: ignore[attr-defined]
    return call


def test_get_is_masked_and_reveal_shows_the_field(run) -> None:
    done = run("get", "${secret:env:warehouse#password}")
    assert done.returncode == 0 and "***" in done.stdout
    listed = run("list", "env:")
    assert listed.returncode == 0 and "warehouse" in listed.stdout


def test_set_is_denied_in_one_line_saying_what_to_do(run) -> None:
    done = run("set", "${secret:env:warehouse#password}", "--value-stdin", stdin="new")
    assert done.returncode == 3
    assert done.stderr.strip().count("\n") == 0
    assert "read-only: set the variable in the process environment" in done.stderr


def test_a_path_the_rule_refuses_is_a_usage_error_naming_the_rule(run) -> None:
    done = run("get", "${secret:env:Warehouse}")
    assert done.returncode == 2
    assert "lowercase letters, digits and single '-'" in done.stderr
