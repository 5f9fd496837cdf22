"""The tenant of the work in progress, carried in a ContextVar.

A ContextVar (not a thread-local, not a global) because dq serves many tenants
from one process: each ASGI request, anyio task and ``anyio.to_thread`` worker
sees the tenant bound where it was started, and nothing else. Plain
``threading.Thread`` and ``executor.submit`` do *not* copy contexts; wrap such
work in ``contextvars.copy_context().run`` (``run_in_tenant`` does).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from dq.model._tenants import TenantId

_CURRENT: contextvars.ContextVar[TenantId | None] = contextvars.ContextVar(
    "dq_current_tenant", default=None
)

P = ParamSpec("P")
R = TypeVar("R")


def current_tenant() -> TenantId | None:
    """The tenant bound to the running request or task, or ``None`` outside any tenant."""
    return _CURRENT.get()


@contextmanager
def tenant_scope(tenant: TenantId | str | None) -> Iterator[TenantId | None]:
    """Bind *tenant* for the duration of a ``with`` block (``None`` binds "no tenant").

    Scopes nest and unwind exactly: leaving the block restores what was bound
    before, even when the block raises.
    """
    value = TenantId(tenant) if isinstance(tenant, str) else tenant
    token = _CURRENT.set(value)
    try:
        yield value
    finally:
        _CURRENT.reset(token)


def run_in_tenant(
    tenant: TenantId | str | None, fn: Callable[P, R], /, *a: P.args, **k: P.kwargs
) -> R:
    """Call *fn* in a copy of the current context with *tenant* bound (for plain threads)."""

    def bound() -> R:
        with tenant_scope(tenant):
            return fn(*a, **k)

    return contextvars.copy_context().run(bound)
