"""Credentials and failures: the JWT bearer flow (cached, refreshed on 401, refused when
forged), the metadata server, 403 vs 404, retries, refused paths never on the wire, tenant
isolation, and no value/token/key in any log, repr or error."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

import anyio
import dq
import pytest
from dq_contract.secrets_cases import unsafe_paths
from dq_gcp import GcpConfig, GcpConfigurationError, GcpSecretsBackend
from dq_gcp.testing import FakeSecretManager, free_port
from hypothesis import HealthCheck, example, given, settings

V = dq.SecretValue
pytestmark = pytest.mark.anyio


async def test_the_token_is_fetched_once_and_refetched_after_a_401(
    gsm: FakeSecretManager, backend: GcpSecretsBackend, folder: str
) -> None:
    before = gsm.token_requests
    for i in range(5):
        await backend.set(f"{folder}/t", {"value": V(f"v{i}")})
    assert gsm.token_requests == before + 1
    with gsm._lock:  # the server revokes every token
        gsm.tokens.clear()
    assert (await backend.get(f"{folder}/t")).reveal_text() == "v4"
    assert gsm.token_requests == before + 2


async def test_a_forged_or_misaddressed_assertion_gets_no_token(
    gsm: FakeSecretManager, make_backend: Any, folder: str
) -> None:
    forged = dict(gsm.keys_json["app"])  # type: ignore[attr-defined]
    forged["private_key"] = gsm.service_account("dq-other")["private_key"]
    for backend in (
        make_backend(credentials_json=V(json.dumps(forged))),
        make_backend(token_uri=f"{gsm.url}/token?aud=elsewhere"),
    ):
        with pytest.raises(dq.SecretAccessDenied, match="refused to issue a token.*invalid_grant"):
            await backend.get(f"{folder}/x")


async def test_the_metadata_server_token_is_used_without_a_key(
    gsm: FakeSecretManager, make_backend: Any, folder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    vm = make_backend("none", metadata_url=gsm.url, credentials_file=None)
    await make_backend().set(f"{folder}/vm", {"value": V("created by an admin")})
    assert await vm.set(f"{folder}/vm", {"value": V("from-vm")}) == 2
    assert (await vm.get(f"{folder}/vm")).reveal_text() == "from-vm"
    with pytest.raises(dq.SecretAccessDenied):  # accessor + adder only: no listing
        await vm.list(folder)


async def test_403_is_denied_even_for_a_missing_secret_and_404_is_missing(
    make_backend: Any, folder: str
) -> None:
    reader, app = make_backend("reader"), make_backend()
    with pytest.raises(dq.SecretAccessDenied, match="PERMISSION_DENIED"):
        await reader.get("dq-contract/never-written")
    with pytest.raises(dq.SecretNotFound) as info:
        await app.get(f"{folder}/never-written")
    assert info.value.reason == "missing"
    await app.set(f"{folder}/r", {"value": V("x")})
    assert (await reader.get(f"{folder}/r")).reveal_text() == "x"
    with pytest.raises(dq.SecretAccessDenied):
        await reader.set(f"{folder}/r", {"value": V("y")})
    assert await reader.exists(f"{folder}/r") is True


async def test_unavailable_is_retried_for_reads_not_for_an_added_version(
    gsm: FakeSecretManager, backend: GcpSecretsBackend, folder: str
) -> None:
    await backend.set(f"{folder}/u", {"value": V("x")})
    gsm.faults += [(503, "UNAVAILABLE"), (429, "RESOURCE_EXHAUSTED")]
    assert (await backend.get(f"{folder}/u")).reveal_text() == "x"
    gsm.faults += [(503, "UNAVAILABLE")]
    with pytest.raises(dq.SecretBackendUnavailable, match="503 UNAVAILABLE after 1 attempt"):
        await backend.set(f"{folder}/u", {"value": V("y")})
    assert [v.number for v in await backend.versions(f"{folder}/u")] == [1]


async def test_a_dead_token_endpoint_or_server_is_unavailable(make_backend: Any) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    for backend in (make_backend(token_uri=dead + "/token"), make_backend(endpoint=dead)):
        with pytest.raises(dq.SecretBackendUnavailable):
            await backend.get("dq-tests/x")


async def test_missing_project_or_a_bad_key_file_is_a_configuration_error(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    bad = tmp_path / "key.json"
    bad.write_text('{"type": "authorized_user"}')
    with pytest.raises(GcpConfigurationError, match="not a service-account JSON key"):
        await GcpSecretsBackend(GcpConfig(credentials_file=str(bad))).get("a/b")
    with pytest.raises(GcpConfigurationError, match="no project"):
        await GcpSecretsBackend(GcpConfig(access_token=V("t"))).get("a/b")
    with pytest.raises(ValueError, match="project must be a project id"):
        GcpConfig(project="Bad_Project")


def operations(backend: GcpSecretsBackend, path: str) -> dict[str, Any]:
    return {
        "get": lambda: backend.get(path),
        "set": lambda: backend.set(path, {"value": V("x")}),
        "set cas": lambda: backend.set(path, {"value": V("x")}, cas=1),
        "delete": lambda: backend.delete(path),
        "exists": lambda: backend.exists(path),
        "list": lambda: backend.list(path),
        "versions": lambda: backend.versions(path),
        "undelete": lambda: backend.undelete(path),
        "destroy": lambda: backend.destroy(path, 1),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(path=unsafe_paths())
@example(path="tenants/acme/../globex/db")
@example(path="a--b/c")
@example(path="a./b")
@example(path="a" * 300)
def test_no_refused_path_ever_reaches_the_server(
    gsm: FakeSecretManager, make_backend: Any, path: str
) -> None:
    backend = make_backend()
    before = gsm.count()

    async def every() -> None:
        for operation, call in operations(backend, path).items():
            with pytest.raises(dq.InvalidSecretPath):
                await call()
            assert gsm.count() == before, f"{operation}({path!r}) reached the server"

    anyio.run(every)


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
    "\u2025/globex/db",
    "\uff0e\uff0e/globex/db",
    "globex\u2215db",
    "db\x00/../../globex/db",
    "--globex--db",
    "x--..--globex--db",
    "db\n",
]


async def test_under_acme_no_spelling_reads_globex(
    gsm: FakeSecretManager, backend: GcpSecretsBackend
) -> None:
    globex = dq.TenantScopedBackend(backend, backend="gcp", tenant=dq.TenantId("globex"))
    acme = dq.TenantScopedBackend(backend, backend="gcp", tenant=dq.TenantId("acme"))
    await globex.set("db", {"value": V("globex-only")})
    start = gsm.count()
    for spelling in SPELLINGS:
        with pytest.raises(dq.InvalidSecretPath):
            await acme.get(spelling)
    for harmless in ("tenants/globex/db", "GLOBEX/db", "globex/db", "db"):
        with pytest.raises(dq.SecretNotFound):
            await acme.get(harmless)
    assert await acme.list("") == []
    paths = [r.path for r in gsm.requests[start:] if "/secrets/" in r.path]
    assert paths and all("/secrets/tenants--acme--" in p for p in paths), paths
    assert (await globex.get("db")).reveal_text() == "globex-only"


async def test_no_value_token_or_private_key_in_logs_reprs_or_errors(
    gsm: FakeSecretManager, make_backend: Any, folder: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"dq-canary-{secrets.token_hex(8)}"
    backend = make_backend()
    errors: list[BaseException] = []
    await backend.set(f"{folder}/leak", {"k": V(canary), "b": V(canary.encode() + b"\xff")})
    for call in (
        lambda: backend.get(f"{folder}/leak"),
        lambda: backend.get(f"{folder}/leak", field="nope"),
        lambda: backend.set(f"{folder}/leak", {"k": V(canary)}, cas=0),
        lambda: backend.set(f"{folder}/leak", {"k": V(canary)}, cas=7),
        lambda: backend.get("dq-forbidden/secret"),
    ):
        try:
            await call()
        except dq.SecretError as exc:
            errors.append(exc)
    assert len(errors) == 5
    token = (await backend._http.tokens.token(backend._http._http())).reveal_text()
    key = gsm.keys_json["app"]  # type: ignore[attr-defined]
    forbidden = [canary, token, key["private_key"].splitlines()[1]]
    texts = [caplog.text, repr(backend), repr(backend.config), repr(backend._http.tokens.key())]
    texts += [f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records]
    for exc in errors:
        chain: BaseException | None = exc
        while chain is not None:
            texts += [str(chain), repr(chain), repr(chain.__dict__)]
            chain = chain.__cause__ or chain.__context__
    assert any("httpx" in r.name for r in caplog.records), "httpx did log"
    for text in texts:
        for secret in forbidden:
            assert secret not in text


def test_dq_builds_the_component_from_a_table_without_io(gsm: FakeSecretManager) -> None:
    before = gsm.count()
    backend = dq.Host(dq.discover()).component(
        "secrets", "gcp", {"project": "my-project-1", "access_token": "tok-canary-123"}
    )
    assert isinstance(backend, GcpSecretsBackend)
    assert isinstance(backend, dq.protocols.SecretBackend)
    assert "tok-canary-123" not in repr(backend) + repr(backend.config)
    assert backend.secret_id("app/db") == "app--db"
    assert gsm.count() == before
