"""``dq plugins verify email`` runs dq-email's own contract subclass (``DQ_CONTRACT``) and
passes it, from the command line, as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys

from dq_email._contract import CONTRACT_CONFIG


def sets(values: dict[str, object]) -> list[str]:
    """``--set KEY=VALUE`` pairs; non-text values as JSON (verify parses them back)."""
    out: list[str] = []
    for key, value in values.items():
        out += ["--set", f"{key}={value if isinstance(value, str) else json.dumps(value)}"]
    return out


def test_verify_runs_the_plugins_contract_subclass_and_passes() -> None:
    command = [
        sys.executable,
        "-m",
        "dq",
        "plugins",
        "verify",
        "email",
        "--json",
        "--set",
        "host={smtp_sink.host}",
        "--set",
        "port={smtp_sink.port}",
        "--set",
        "ca_file={smtp_sink.ca_file}",
        "--set",
        "username={smtp_sink.username}",
        "--set",
        "password={smtp_sink.password}",
        *sets(CONTRACT_CONFIG),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    contracts = json.loads(run.stdout)["contracts"]
    [(name, outcome)] = contracts.items()
    assert name == "SmtpNotifierContract"
    assert outcome["failed"] == []
    assert len(outcome["passed"]) >= 10
