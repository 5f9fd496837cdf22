"""One pooled ``httpx.AsyncClient`` per event loop, shared by the sends running on it.

Opening a client per send costs a connection (and on https a TLS handshake) per alert: a
fan-out of alerts then spends more in setup than in sending. Sends that overlap on one event
loop lease the same client; the last one to finish closes it, so nothing outlives the loop it
was made on and a notifier built once can be used from many loops (``dispatch_sync`` runs one
per call). Same scheme as dq-slack's notifier.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager

import anyio
import anyio.lowlevel
import httpx

#: Scheduler turns a finished send waits before closing an idle shared client.
_LINGER_CHECKPOINTS = 3


class _Lease:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.users = 0


class ClientPool:
    """Hands out the running loop's shared client; closes it when its last user is done."""

    def __init__(self) -> None:
        self._leases: dict[Hashable, _Lease] = {}
        self._lock = threading.Lock()
        self._ssl: ssl.SSLContext | None = None  # loaded once, on first use (not when built)

    @asynccontextmanager
    async def client(self) -> AsyncIterator[httpx.AsyncClient]:
        client = await self.acquire()
        try:
            yield client
        finally:
            await self.release()

    async def acquire(self) -> httpx.AsyncClient:
        key = _loop_key()
        with self._lock:
            lease = self._leases.get(key)
            if lease is None:
                if self._ssl is None:
                    self._ssl = httpx.create_ssl_context()
                client = httpx.AsyncClient(
                    verify=self._ssl,
                    follow_redirects=False,  # a redirect would re-send the alert elsewhere
                    limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                )
                lease = self._leases[key] = _Lease(client)
            lease.users += 1
            return lease.client

    async def release(self) -> None:
        key = _loop_key()
        with anyio.CancelScope(shield=True):  # a cancelled send still returns its lease
            with self._lock:
                lease = self._leases.get(key)
                if lease is None:
                    return
                lease.users -= 1
                if lease.users > 0:
                    return
            # The end of this send may have woken the next one (a freed limiter slot): let it
            # reach its acquire before deciding the client is unwanted, or a fan-out would
            # close and reopen the pool whenever the count touches zero.
            for _ in range(_LINGER_CHECKPOINTS):
                await anyio.lowlevel.checkpoint()
            with self._lock:
                if lease.users > 0 or self._leases.get(key) is not lease:
                    return
                del self._leases[key]
            await lease.client.aclose()

    def open_clients(self) -> int:
        """How many loops hold a client now (0 once every send has finished)."""
        with self._lock:
            return len(self._leases)


def _loop_key() -> Hashable:
    """Identifies the running event loop, so a client is only used on the loop it was made on."""
    current_token = getattr(anyio.lowlevel, "current_token", None)
    if current_token is not None:  # anyio >= 4.11
        return current_token()
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # trio on an older anyio
        import trio

        return trio.lowlevel.current_trio_token()
