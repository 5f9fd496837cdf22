"""``dq plugins verify env`` runs dq-env's own contract subclass (``DQ_CONTRACT``) against the
backend it builds over the real process environment, and passes it with nothing skipped."""

from __future__ import annotations

import json
import subprocess
import sys


def test_verify_runs_the_plugins_contract_subclass_and_passes_skipping_nothing() -> None:
    command = [sys.executable, "-m", "dq", "plugins", "verify", "env", "--json"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    [(name, outcome)] = json.loads(run.stdout)["contracts"].items()
    assert name == "SecretBackendContract"
    assert outcome["failed"] == []
    assert not outcome.get("skipped")
    assert len(outcome["passed"]) >= 15
