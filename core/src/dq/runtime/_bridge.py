"""Calling dq's async code (notifiers, secret backends) from synchronous callers.

``dq run``, ``dq.run_suite`` and orchestrator tasks are synchronous; sending and
resolving are async (anyio). One bridge serves them all, so every sync entry point
behaves the same inside a running event loop (a notebook cell, an async web
handler, an async orchestrator flow) as outside one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio


def run_sync(fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """Run an async function from sync code, even in a thread with a running event loop.

    ``anyio.run`` refuses to start inside a running loop (a Jupyter cell, an async
    web handler calling sync code), so there the call runs on a fresh loop in a
    worker thread, with the caller's context (tenant, ...) copied over.
    """
    import asyncio
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return anyio.run(fn, *args)
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dq-sync") as pool:
        return pool.submit(context.run, anyio.run, fn, *args).result()
