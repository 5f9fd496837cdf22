"""CachedSecretBackend: fewer reads, never a stale value after a write, never a cached error.

Time is a stepped fake clock (no sleeping); the store is the real file-backed plugin,
whose I/O log shows which reads reached storage.
"""

from __future__ import annotations

from typing import Any

import anyio
import dq
import pytest

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(secret_site: Any) -> Any:
    return secret_site.host().component("secrets", "file", {"path": str(secret_site.store)})


@pytest.fixture
def reads(secret_site: Any, store: Any) -> Any:
    io = secret_site.module().IO
    return lambda: sum(1 for op, _ in io if op == "get")


def cached(store: Any, clock: Clock, ttl: float = 60, **kw: Any) -> dq.CachedSecretBackend:
    return dq.CachedSecretBackend(store, ttl=ttl, clock=clock, **kw)


async def test_a_repeated_read_within_the_ttl_is_served_from_the_cache(store, clock, reads) -> None:
    await store.set("db", {"pw": dq.SecretValue("one")})
    cache = cached(store, clock)
    assert (await cache.get("db", field="pw")).reveal() == b"one"
    clock.now += 59.9
    assert (await cache.get("db", field="pw")).reveal() == b"one"
    assert reads() == 1 and cache.hits == 1


async def test_an_expired_entry_is_read_again(store, clock, reads) -> None:
    await store.set("db", {"pw": dq.SecretValue("one")})
    cache = cached(store, clock)
    await cache.get("db", field="pw")
    await store.set("db", {"pw": dq.SecretValue("two")})  # changed behind the cache's back
    clock.now += 60
    assert (await cache.get("db", field="pw")).reveal() == b"two"
    assert reads() == 2


async def test_a_write_through_the_cache_is_seen_by_the_next_read_at_once(store, clock) -> None:
    cache = cached(store, clock, ttl=3600)
    await cache.set("db", {"pw": dq.SecretValue("one")})
    assert (await cache.get("db", field="pw")).reveal() == b"one"
    await cache.set("db", {"pw": dq.SecretValue("two")})
    assert (await cache.get("db", field="pw")).reveal() == b"two"


async def test_a_delete_through_the_cache_is_seen_at_once(store, clock) -> None:
    cache = cached(store, clock, ttl=3600)
    await cache.set("db", {"pw": dq.SecretValue("one")})
    await cache.get("db", field="pw")
    await cache.delete("db")
    with pytest.raises(dq.SecretNotFound) as info:
        await cache.get("db", field="pw")
    assert info.value.reason == "deleted"


async def test_a_conflicting_write_still_drops_the_cached_value(store, clock) -> None:
    cache = cached(store, clock, ttl=3600)
    await cache.set("db", {"pw": dq.SecretValue("one")})
    await cache.get("db", field="pw")
    await store.set("db", {"pw": dq.SecretValue("two")})  # someone else wrote version 2
    with pytest.raises(dq.SecretConflict):
        await cache.set("db", {"pw": dq.SecretValue("mine")}, cas=1)
    assert (await cache.get("db", field="pw")).reveal() == b"two"


async def test_a_read_in_flight_during_a_write_does_not_cache_the_old_value(
    secret_site, clock
) -> None:
    """The race a TTL would otherwise mask: read starts, write lands, read returns old."""
    started, release = anyio.Event(), anyio.Event()
    store = secret_site.host().component("secrets", "file", {"path": str(secret_site.store)})
    await store.set("db", {"pw": dq.SecretValue("old")})

    class SlowReads:  # holds the first read open until the test has written
        async def get(self, path: str, **kw: Any) -> dq.SecretValue:
            value = await store.get(path, **kw)
            started.set()
            await release.wait()
            return value

        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

    cache = cached(SlowReads(), clock, ttl=3600)
    async with anyio.create_task_group() as tg:
        tg.start_soon(cache.get, "db")
        await started.wait()
        await store.set("db", {"pw": dq.SecretValue("new")})
        cache.invalidate("db")  # what a write through the cache does
        release.set()
    release.set()
    assert len(cache) == 0
    assert (await store.get("db")).reveal() == b"new"


async def test_errors_are_never_cached(secret_site, clock, reads) -> None:
    host = secret_site.host()
    store = host.component("secrets", "file", {"path": str(secret_site.store), "deny": ["hr"]})
    cache = cached(store, clock)
    for _ in range(2):
        with pytest.raises(dq.SecretNotFound):
            await cache.get("missing")
    with pytest.raises(dq.SecretAccessDenied):
        await cache.get("hr/salaries")
    assert reads() == 2  # both not-found reads reached storage; denials stop before I/O
    await store.set("missing", {"v": dq.SecretValue("now here")})
    assert (await cache.get("missing")).reveal() == b"now here"
    assert len(cache) == 1


async def test_unavailable_is_not_cached(secret_site, clock) -> None:
    path = str(secret_site.store)
    host = secret_site.host()
    down = cached(host.component("secrets", "file", {"path": path, "down": True}), clock)
    with pytest.raises(dq.SecretBackendUnavailable):
        await down.get("db")
    assert len(down) == 0


async def test_field_and_version_are_part_of_the_key(store, clock) -> None:
    await store.set("db", {"user": dq.SecretValue("u1"), "pw": dq.SecretValue("p1")})
    await store.set("db", {"user": dq.SecretValue("u2"), "pw": dq.SecretValue("p2")})
    cache = cached(store, clock)
    assert (await cache.get("db", field="user")).reveal() == b"u2"
    assert (await cache.get("db", field="pw")).reveal() == b"p2"
    assert (await cache.get("db", field="pw", version=1)).reveal() == b"p1"
    assert len(cache) == 3


async def test_the_cache_is_bounded_and_evicts_the_least_recently_used(store, clock, reads) -> None:
    for name in "abc":
        await store.set(name, {"v": dq.SecretValue(name)})
    cache = cached(store, clock, max_entries=2)
    await cache.get("a")
    await cache.get("b")
    await cache.get("a")  # a is now the most recent
    await cache.get("c")  # evicts b
    assert len(cache) == 2
    before = reads()
    await cache.get("a")
    assert reads() == before
    await cache.get("b")
    assert reads() == before + 1


async def test_ttl_zero_passes_every_read_through(store, clock, reads) -> None:
    await store.set("db", {"v": dq.SecretValue("x")})
    cache = cached(store, clock, ttl=0)
    await cache.get("db")
    await cache.get("db")
    assert reads() == 2 and len(cache) == 0


async def test_values_are_kept_only_as_secret_values(store, clock) -> None:
    await store.set("db", {"v": dq.SecretValue("hunter2-cached")})
    cache = cached(store, clock)
    await cache.get("db")
    assert "hunter2" not in repr(cache)
    assert all(isinstance(value, dq.SecretValue) for _, value in cache._entries.values())


def test_bad_settings_are_refused_with_the_value(store) -> None:
    with pytest.raises(ValueError, match="ttl must be >= 0"):
        dq.CachedSecretBackend(store, ttl=-1)
    with pytest.raises(ValueError, match="max_entries must be >= 1"):
        dq.CachedSecretBackend(store, ttl=1, max_entries=0)
