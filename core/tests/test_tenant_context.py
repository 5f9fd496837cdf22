"""Where the tenant bound by TenantMiddleware is visible, and where it is not.

The tenant lives in a ContextVar. anyio tasks and ``anyio.to_thread`` workers copy the
context they start from, so they see it; a plain ``threading.Thread`` starts from an empty
context and does not (use ``dq.run_in_tenant``). These tests pin each of those facts through
the middleware, and that concurrent requests for different tenants never see each other's.
"""

from __future__ import annotations

import contextvars
import random
import threading
from typing import Any

import anyio
import dq
import pytest
from dq.tenancy._asgi import TenantMiddleware
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.anyio

tenant_ids = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


class HeaderResolver:
    def resolve(self, facts: dq.RequestFacts) -> dq.TenantId | None:
        values = facts.header_values("x-tenant-id")
        return dq.TenantId(values[0]) if values else None


def scope_for(tenant: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [(b"x-tenant-id", tenant.encode())],
    }


async def run(app: Any, scope: dict[str, Any]) -> int:
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


async def ok(send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


# -- where the tenant is visible ----------------------------------------------------------


async def test_task_group_children_see_the_request_tenant() -> None:
    seen: list[dq.TenantId | None] = []

    async def child() -> None:
        await anyio.sleep(0)
        seen.append(dq.current_tenant())

    async def app(scope: Any, receive: Any, send: Any) -> None:
        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(child)
        await ok(send)

    assert await run(TenantMiddleware(app, HeaderResolver()), scope_for("acme")) == 200
    assert seen == [dq.TenantId("acme")] * 3


async def test_to_thread_workers_see_the_request_tenant() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(await anyio.to_thread.run_sync(dq.current_tenant))
        seen.append(await anyio.to_thread.run_sync(threading.current_thread))
        await ok(send)

    await run(TenantMiddleware(app, HeaderResolver()), scope_for("acme"))
    assert seen[0] == dq.TenantId("acme")
    assert seen[1] is not threading.main_thread()  # it really ran in a worker


async def test_a_plain_thread_does_not_see_the_tenant_but_run_in_tenant_does() -> None:
    plain: list[Any] = []
    wrapped: list[Any] = []
    copied: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        tenant = dq.current_tenant()
        context = contextvars.copy_context()
        threads = [
            threading.Thread(target=lambda: plain.append(dq.current_tenant())),
            threading.Thread(
                target=lambda: wrapped.append(dq.run_in_tenant(tenant, dq.current_tenant))
            ),
            threading.Thread(target=lambda: copied.append(context.run(dq.current_tenant))),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        await ok(send)

    await run(TenantMiddleware(app, HeaderResolver()), scope_for("acme"))
    assert plain == [None]
    assert wrapped == [dq.TenantId("acme")]
    assert copied == [dq.TenantId("acme")]


async def test_a_child_rebinding_the_tenant_does_not_change_the_request_tenant() -> None:
    async def child() -> None:
        with dq.tenant_scope("other"):
            await anyio.sleep(0)

    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(child)
        seen.append(dq.current_tenant())
        await ok(send)

    await run(TenantMiddleware(app, HeaderResolver()), scope_for("acme"))
    assert seen == [dq.TenantId("acme")]


# -- tenant_scope and run_in_tenant on their own -----------------------------------------


def test_scopes_nest_and_unwind_even_on_error() -> None:
    assert dq.current_tenant() is None
    with dq.tenant_scope("acme"):
        with pytest.raises(RuntimeError):
            with dq.tenant_scope("other"):
                assert dq.current_tenant() == dq.TenantId("other")
                raise RuntimeError
        assert dq.current_tenant() == dq.TenantId("acme")
        with dq.tenant_scope(None):
            assert dq.current_tenant() is None
    assert dq.current_tenant() is None


def test_run_in_tenant_binds_only_inside_the_call() -> None:
    assert dq.run_in_tenant("acme", dq.current_tenant) == dq.TenantId("acme")
    assert dq.current_tenant() is None


# -- isolation between concurrent requests ----------------------------------------------


def isolation_app(mismatches: list[tuple[str, Any]]) -> Any:
    """An app that checks, across many switches between tasks, that it sees its own tenant."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        mine = dq.TenantId(dict(scope["headers"])[b"x-tenant-id"].decode())

        async def check(where: str) -> None:
            await anyio.sleep(0)
            if dq.current_tenant() != mine:
                mismatches.append((where, dq.current_tenant()))

        for step in range(3):
            await check(f"request step {step}")
            async with anyio.create_task_group() as group:
                group.start_soon(check, "child")
            worker = await anyio.to_thread.run_sync(dq.current_tenant)
            if worker != mine:
                mismatches.append(("worker", worker))
            if scope["state"]["dq_tenant"] != mine:
                mismatches.append(("state", scope["state"]["dq_tenant"]))
        await ok(send)

    return app


async def test_many_concurrent_requests_each_see_only_their_own_tenant() -> None:
    mismatches: list[tuple[str, Any]] = []
    app = TenantMiddleware(isolation_app(mismatches), HeaderResolver())
    rng = random.Random(7)
    tenants = [f"tenant-{rng.randrange(20)}" for _ in range(300)]
    statuses: list[int] = []

    async def one(tenant: str) -> None:
        statuses.append(await run(app, scope_for(tenant)))

    async with anyio.create_task_group() as group:
        for tenant in tenants:
            group.start_soon(one, tenant)
    assert statuses == [200] * len(tenants)
    assert mismatches == []
    assert dq.current_tenant() is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tenants=st.lists(tenant_ids, min_size=2, max_size=12))
def test_interleaved_requests_never_see_each_others_tenant(tenants: list[str]) -> None:
    mismatches: list[tuple[str, Any]] = []
    app = TenantMiddleware(isolation_app(mismatches), HeaderResolver())

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for tenant in tenants:
                group.start_soon(run, app, scope_for(tenant))

    anyio.run(main)
    assert mismatches == []
