"""CachedSecretBackend: a bounded TTL cache of successful reads, shared by every backend.

A suite that renders ten notifications reads the same webhook URL ten times;
a cache keeps that to one round trip to Vault. Three rules keep it honest:

* **A write is never masked.** ``set``/``delete`` through the cache drop every
  cached read of that path at once, and a read that was already in flight when
  the write happened does not put its (possibly older) value back: each path
  has a generation number that a write bumps, and a read stores its result only
  if the generation it started under is still current.
* **Only successes are cached.** Not-found, denied, unavailable and invalid are
  answered by the store every time: caching a denial would outlive a fixed
  policy, caching "unavailable" would prolong an outage.
* **Bounded.** At most ``max_entries`` values, least recently used evicted first;
  values are held only as :class:`dq.SecretValue`, never as ``str``.

The clock is injectable so tests step time instead of sleeping.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from dq.model._secrets import SecretValue
from dq.secrets._audit import current_note

if TYPE_CHECKING:
    from dq.protocols import SecretBackend

_Key = tuple[str, str | None, int | None]


class CachedSecretBackend:
    """Wraps any SecretBackend with a TTL cache of ``get(path, field, version)``.

    ``ttl`` is in seconds (``0`` passes every call through, caching nothing);
    ``clock`` returns monotonic seconds. ``list`` and ``exists`` are not cached:
    they answer "what is there now", which a cache would make stale.
    """

    def __init__(
        self,
        inner: SecretBackend,
        *,
        ttl: float,
        max_entries: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl < 0:
            raise ValueError(f"cache ttl must be >= 0 seconds, got {ttl}")
        if max_entries < 1:
            raise ValueError(f"cache max_entries must be >= 1, got {max_entries}")
        self.inner = inner
        self.ttl = float(ttl)
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[_Key, tuple[float, SecretValue]] = OrderedDict()
        self._generation: dict[str, int] = {}
        self.hits = 0
        self.misses = 0

    def __repr__(self) -> str:
        return (
            f"CachedSecretBackend(ttl={self.ttl}, entries={len(self._entries)}, "
            f"inner={type(self.inner).__name__})"
        )

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every cached value (e.g. after a credential rotation elsewhere)."""
        self._entries.clear()
        for path in list(self._generation):
            self._generation[path] += 1

    def invalidate(self, path: str) -> None:
        """Drop every cached read of *path*, and void reads of it still in flight."""
        self._generation[path] = self._generation.get(path, 0) + 1
        for key in [key for key in self._entries if key[0] == path]:
            del self._entries[key]

    # -- the SecretBackend protocol -----------------------------------------------------

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> SecretValue:
        if self.ttl == 0:
            return await self.inner.get(path, field=field, version=version)
        key: _Key = (path, field, version)
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None:
            expires, value = entry
            if now < expires:
                self._entries.move_to_end(key)
                self.hits += 1
                note = current_note()
                if note is not None:
                    note.cached = True
                return value
            del self._entries[key]
        self.misses += 1
        generation = self._generation.get(path, 0)
        value = await self.inner.get(path, field=field, version=version)
        if not isinstance(value, SecretValue):
            # Keep the backend's contract violation visible rather than caching it.
            raise TypeError(
                f"secret backend returned {type(value).__name__} for {path!r}, not dq.SecretValue"
            )
        if self._generation.get(path, 0) == generation:
            self._entries[key] = (self._clock() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    async def set(
        self, path: str, values: Mapping[str, SecretValue], *, cas: int | None = None
    ) -> int | None:
        # Before and after: a failed write (a CAS conflict) means the secret changed
        # under us, so what we hold is stale either way.
        self.invalidate(path)
        try:
            return await self.inner.set(path, values, cas=cas)
        finally:
            self.invalidate(path)

    async def delete(self, path: str) -> None:
        self.invalidate(path)
        try:
            await self.inner.delete(path)
        finally:
            self.invalidate(path)

    async def list(self, prefix: str = "") -> Sequence[str]:
        return await self.inner.list(prefix)

    async def exists(self, path: str) -> bool:
        return await self.inner.exists(path)

    async def aclose(self) -> None:
        self.clear()
        closer = getattr(self.inner, "aclose", None)
        if closer is not None:
            await closer()
