"""Real servers for the end-to-end example: OpenBao (Vault's API) and a Slack-compatible sink.

OpenBao comes from dq-vault's own test helper (``bao server -dev`` on 127.0.0.1, or the
server CI started, named by ``DQ_TEST_VAULT_*``). Slack is played by pytest-httpserver
answering exactly what an incoming webhook answers: ``200`` with the body ``ok``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dq_vault.testing import BaoDevServer
from pytest_httpserver import HTTPServer

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "examples" / "alerting" / "suite.toml"
TENANTS = ("acme", "globex")


@pytest.fixture(scope="session")
def bao() -> Iterator[BaoDevServer]:
    with BaoDevServer() as server:
        yield server


class Slack:
    """The local Slack: one webhook path per tenant, every POST kept for inspection."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        for tenant in TENANTS:
            server.expect_request(self.path(tenant), method="POST").respond_with_data(
                "ok", content_type="text/plain"
            )

    @staticmethod
    def path(tenant: str) -> str:
        return f"/services/T000{tenant.upper()}/B000/{tenant}-webhook-token"

    def url(self, tenant: str) -> str:
        return self.server.url_for(self.path(tenant))

    def messages(self, tenant: str) -> list[dict[str, Any]]:
        return [
            json.loads(request.get_data())
            for request, _response in self.server.log
            if request.path == self.path(tenant)
        ]


@pytest.fixture
def slack(httpserver: HTTPServer) -> Slack:
    return Slack(httpserver)


@pytest.fixture
def vault_env(bao: BaoDevServer, tmp_path: Path) -> dict[str, str]:
    """The environment a user would have: VAULT_ADDR/VAULT_TOKEN, a private state dir.

    Every tenant's webhook secret is removed first, so each test states what exists.
    """
    for tenant in TENANTS:
        bao.api("DELETE", f"secret/metadata/tenants/{tenant}/slack", ok=(200, 204, 404))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DQ_", "VAULT_"))}
    env.update(
        VAULT_ADDR=bao.address,
        VAULT_TOKEN=bao.root_token,
        DQ_STATE_DIR=str(tmp_path / "state"),
    )
    return env


def put_webhook(bao: BaoDevServer, tenant: str, url: str) -> None:
    bao.api("POST", f"secret/data/tenants/{tenant}/slack", {"data": {"webhook_url": url}})


def dq(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The real ``dq`` command of this environment, as a user runs it."""
    command = Path(sys.executable).with_name("dq")
    return subprocess.run(
        [str(command), *args], env=env, capture_output=True, text=True, timeout=120
    )
