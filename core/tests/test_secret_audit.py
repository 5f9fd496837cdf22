"""AuditedSecretBackend: one record per access, through plugins and ``dq.audit``, never the value.

The backend is built the way a suite builds it (SecretResolver over a real Host with the
file-backed store plugin, which also implements ``dq_secret_accessed``), so the records
checked here are the ones an operator's audit plugin would receive.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import dq
import pytest

pytestmark = pytest.mark.anyio

VALUE = "s3cr3t-value-never-logged"


@pytest.fixture
def host(secret_site: Any) -> Any:
    return secret_site.host()


def resolver(host: Any, secret_site: Any, **options: Any) -> dq.SecretResolver:
    config = dq.secrets_config(
        {
            "backends": {
                "file": {"path": str(secret_site.store), "deny": ["tenants/acme/hr"], **options}
            }
        },
        "dq.toml: secrets",
    )
    return dq.SecretResolver(host, config, tenant=dq.TenantId("acme"), actor="cli:alice")


@pytest.fixture
def backend(host: Any, secret_site: Any) -> dq.AuditedSecretBackend:
    return resolver(host, secret_site).backend("file")


@pytest.fixture
def events(secret_site: Any, backend: Any) -> list[dq.SecretAccess]:
    return secret_site.module().EVENTS


def audit_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "dq.audit"]


def assert_no_value_anywhere(events: list[Any], caplog: pytest.LogCaptureFixture) -> None:
    for event in events:
        assert VALUE not in repr(event) and VALUE not in str(dq.unstructure(event))
    for record in caplog.records:
        assert VALUE not in record.getMessage()
        assert VALUE not in repr(record.__dict__)


async def test_a_read_is_recorded_with_both_paths_tenant_actor_and_time(
    backend, events, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="dq.audit")
    await backend.set("db", {"password": dq.SecretValue(VALUE)})
    value = await backend.get("db", field="password")
    assert value.reveal_text() == VALUE
    read = events[-1]
    assert read.operation is dq.SecretOperation.GET and read.outcome == "ok"
    assert (read.backend, read.path, read.effective_path) == ("file", "db", "tenants/acme/db")
    assert read.tenant == dq.TenantId("acme") and read.actor == "cli:alice"
    assert read.field == "password" and read.cached is False
    assert read.at is not None and read.at.tzinfo is not None
    assert abs((datetime.now(UTC) - read.at).total_seconds()) < 600
    line = audit_lines(caplog)[-1]
    assert line.secret_path == "db" and line.secret_effective_path == "tenants/acme/db"
    assert line.secret_outcome == "ok" and line.secret_tenant == "acme"
    assert "get file:db (tenants/acme/db) tenant=acme actor=cli:alice outcome=ok" in line.message
    assert_no_value_anywhere(events, caplog)


async def test_every_operation_is_recorded_once(backend, events, caplog) -> None:
    caplog.set_level(logging.INFO, logger="dq.audit")
    await backend.set("a/b", {"v": dq.SecretValue(VALUE)})
    await backend.get("a/b")
    await backend.list("a")
    await backend.exists("a/b")
    await backend.delete("a/b")
    operations = [e.operation.value for e in events]
    assert operations == ["set", "get", "list", "exists", "delete"]
    assert len(audit_lines(caplog)) == 5
    assert events[2].path == "a" and events[2].effective_path == "tenants/acme/a"
    assert_no_value_anywhere(events, caplog)


async def test_a_cache_hit_is_recorded_as_ok_and_cached(backend, events) -> None:
    await backend.set("db", {"v": dq.SecretValue(VALUE)})
    await backend.get("db")
    await backend.get("db")
    assert [(e.outcome, e.cached) for e in events[1:]] == [("ok", False), ("ok", True)]


@pytest.mark.parametrize(
    ("action", "outcome"),
    [
        (lambda b: b.get("missing"), "not_found"),
        (lambda b: b.get("hr/salaries"), "denied"),
        (lambda b: b.get("../globex/db"), "invalid"),
        (lambda b: b.get("%2e%2e/globex"), "invalid"),
        (lambda b: b.set("x", {"v": dq.SecretValue("1")}, cas=7), "conflict"),
        (lambda b: b.exists("nothing-here"), "not_found"),
    ],
    ids=["not_found", "denied", "traversal", "encoded", "conflict", "exists-false"],
)
async def test_each_failure_has_its_own_outcome(backend, events, action, outcome) -> None:
    try:
        await action(backend)
    except dq.SecretError:
        pass
    assert [e.outcome for e in events] == [outcome]


async def test_a_refused_traversal_is_recorded_without_an_effective_path(backend, events) -> None:
    with pytest.raises(dq.InvalidSecretPath):
        await backend.get("db/../../globex/db")
    (event,) = events
    assert event.path == "db/../../globex/db" and event.effective_path is None
    assert event.tenant == dq.TenantId("acme")


async def test_an_unavailable_backend_is_recorded(host, secret_site, events) -> None:
    down = resolver(host, secret_site, down=True).backend("file")
    with pytest.raises(dq.SecretBackendUnavailable):
        await down.get("db")
    assert events[-1].outcome == "unavailable"


async def test_a_tenantless_access_to_a_scoped_store_is_refused_and_recorded(
    host, secret_site
) -> None:
    config = dq.secrets_config({"backends": {"file": {"path": str(secret_site.store)}}}, "x")
    backend = dq.SecretResolver(host, config).backend("file")
    with pytest.raises(dq.UsageError, match="no tenant is bound"):
        await backend.get("db")
    (event,) = secret_site.module().EVENTS
    assert event.outcome == "invalid" and event.tenant is None


async def test_a_raising_audit_plugin_neither_blocks_the_access_nor_silences_others(
    host, secret_site, caplog
) -> None:
    backend = resolver(host, secret_site).backend("file")
    host.load("secrets", "auditor")  # loaded after the store, so pluggy calls it first
    caplog.set_level(logging.INFO)
    await backend.set("db", {"v": dq.SecretValue(VALUE)})
    assert (await backend.get("db")).reveal_text() == VALUE
    assert len(secret_site.module("dq_raising_auditor").CALLS) == 2
    assert [e.operation.value for e in secret_site.module().EVENTS] == ["set", "get"]
    warnings = [r for r in caplog.records if "raised RuntimeError" in r.getMessage()]
    assert len(warnings) == 2 and "dq-raising-auditor" in warnings[0].getMessage()
    assert_no_value_anywhere(secret_site.module().EVENTS, caplog)


async def test_a_raising_direct_sink_is_logged_and_skipped(secret_site, caplog) -> None:
    store = secret_site.host().component("secrets", "file", {"path": str(secret_site.store)})
    seen: list[dq.SecretAccess] = []

    def broken(_event: dq.SecretAccess) -> None:
        raise OSError("disk full")

    backend = dq.AuditedSecretBackend(store, backend="file", sinks=(broken, seen.append))
    await backend.set("k", {"v": dq.SecretValue("1")})
    assert len(seen) == 1 and seen[0].effective_path is None and seen[0].path == "k"
    assert any("raised OSError" in r.getMessage() for r in caplog.records)


async def test_the_clock_and_tenant_of_a_bare_audit_layer_can_be_pinned(secret_site) -> None:
    store = secret_site.host().component("secrets", "file", {"path": str(secret_site.store)})
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    seen: list[dq.SecretAccess] = []
    backend = dq.AuditedSecretBackend(
        store, backend="file", sinks=(seen.append,), clock=lambda: moment
    )
    with dq.tenant_scope("globex"):
        await backend.exists("k")
    assert seen[0].at == moment and seen[0].tenant == dq.TenantId("globex")


def test_the_outcome_vocabulary_is_published() -> None:
    assert dq.SECRET_OUTCOMES == (
        "ok",
        "not_found",
        "denied",
        "unavailable",
        "invalid",
        "conflict",
        "error",
    )
