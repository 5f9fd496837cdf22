"""Paths: every refused spelling is refused before a request leaves the process (the moto
server's own request log proves it), and tenant scoping keeps acme out of globex's secrets
whatever the spelling."""

from __future__ import annotations

from typing import Any

import anyio
import dq
import pytest
from dq_aws import AwsSecretsBackend
from dq_aws.testing import MotoServer
from dq_contract.secrets_cases import unsafe_paths
from hypothesis import HealthCheck, example, given, settings

V = dq.SecretValue


def operations(backend: AwsSecretsBackend, path: str) -> dict[str, Any]:
    return {
        "get": lambda: backend.get(path),
        "get@2": lambda: backend.get(path, version=2),
        "get_staged": lambda: backend.get_staged(path, stage="AWSPREVIOUS"),
        "set": lambda: backend.set(path, {"k": V("x")}),
        "set cas": lambda: backend.set(path, {"k": V("x")}, cas=0),
        "delete": lambda: backend.delete(path),
        "restore": lambda: backend.restore(path),
        "exists": lambda: backend.exists(path),
        "list": lambda: backend.list(path),
        "versions": lambda: backend.versions(path),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(path=unsafe_paths())
@example(path="tenants/acme/../globex/db")
@example(path="a/%2e%2e/b")
@example(path="a/b\x00")
@example(path="a" * 600)
def test_no_refused_path_ever_reaches_the_server(
    moto: MotoServer, make_backend: Any, path: str
) -> None:
    backend = make_backend()
    before = moto.count()

    async def every() -> None:
        for operation, call in operations(backend, path).items():
            with pytest.raises(dq.InvalidSecretPath):
                await call()
            assert moto.count() == before, f"{operation}({path!r}) reached the server"

    anyio.run(every)


def test_a_name_longer_than_aws_allows_is_refused_before_any_request(
    moto: MotoServer, make_backend: Any
) -> None:
    backend = make_backend(name_prefix="dq-tests/" + "p" * 100)
    before = moto.count()
    with pytest.raises(dq.InvalidSecretPath, match="AWS Secrets Manager allows 512"):
        anyio.run(backend.get, "x" * 420)
    assert moto.count() == before


SPELLINGS = [
    "../globex/db",
    "%2e%2e/globex/db",
    "%2E%2E/globex/db",
    "..%2fglobex/db",
    "./../globex/db",
    "db/../../globex/db",
    "/tenants/globex/db",
    "//globex/db",
    "db\\..\\..\\globex\\db",
    "\u2025/globex/db",  # two-dot leader
    "\uff0e\uff0e/globex/db",  # fullwidth full stops
    "globex\u2215db",  # division slash
    "..\u2044globex",  # fraction slash
    "db\x00/../../globex/db",
    "db\n",
]


@pytest.mark.anyio
async def test_under_acme_no_spelling_reads_globex(
    moto: MotoServer, make_backend: Any, admin: Any
) -> None:
    backend = make_backend()
    globex = dq.TenantScopedBackend(backend, backend="aws", tenant=dq.TenantId("globex"))
    acme = dq.TenantScopedBackend(backend, backend="aws", tenant=dq.TenantId("acme"))
    await globex.set("db", {"password": V("globex-only")})
    admin.create_secret(Name="tenants/ACME/db", SecretString='{"password":"case-twin"}')
    start = len(moto.requests)
    for spelling in SPELLINGS:
        with pytest.raises(dq.InvalidSecretPath):
            await acme.get(spelling)
    for harmless in ("tenants/globex/db", "GLOBEX/db", "globex/db", "db"):
        with pytest.raises(dq.SecretNotFound):
            await acme.get(harmless)  # lands inside tenants/acme/: nothing there
    assert await acme.list("") == []
    assert await acme.exists("db") is False
    named = [r.secret_id for r in moto.requests[start:] if r.secret_id]
    assert named and all(n.startswith("tenants/acme/") for n in named), named
    assert (await globex.get("db")).reveal_text() == "globex-only"
