"""Key rotation (new writes use the new key, old entries still read), re-encryption (every
version moved, atomically per entry, with counts), and value rotation (a reader during
repeated ``set`` sees only whole old or new values; old versions stay readable)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import anyio
import dq
import pytest
from dq_file import FileStoreConfigurationError, ReencryptReport

V = dq.SecretValue


def run(call: Any) -> Any:
    return anyio.run(call)


def key_ids(backend: Any, path: str) -> list[str]:
    return [v.key_id for v in run(lambda: backend.versions(path)).versions]


def test_after_rotation_new_writes_use_the_new_key_and_old_entries_still_read(
    make_backend: Any,
) -> None:
    backend = make_backend("k1", "k2")
    run(lambda: backend.set("app/db", {"pw": V("one")}))
    report = run(lambda: backend.rotate_key("k2"))
    assert (report.previous_key_id, report.current_key_id) == ("k1", "k2")
    run(lambda: backend.set("app/db", {"pw": V("two")}))
    assert key_ids(backend, "app/db") == ["k1", "k2"]
    assert run(lambda: backend.get("app/db", version=1)).reveal() == b"one"
    assert run(lambda: backend.get("app/db")).reveal() == b"two"
    # Another process with the same keyring agrees: the current key is recorded in the store.
    other = make_backend("k1", "k2")
    run(lambda: other.set("app/other", {"pw": V("x")}))
    assert key_ids(other, "app/other") == ["k2"]


def test_a_process_without_the_new_key_is_denied_writes_and_new_versions_but_reads_old(
    make_backend: Any,
) -> None:
    admin, old = make_backend("k1", "k2"), make_backend("k1")
    run(lambda: admin.set("a", {"k": V("v1")}))
    run(lambda: admin.rotate_key("k2"))
    run(lambda: admin.set("a", {"k": V("v2")}))
    assert run(lambda: old.get("a", version=1)).reveal() == b"v1"
    for call in (lambda: old.get("a"), lambda: old.exists("a"),
                 lambda: old.set("b", {"k": V("x")})):  # fmt: skip
        with pytest.raises(dq.SecretAccessDenied, match="'k2'"):
            run(call)


def test_reencrypt_moves_every_version_then_the_old_key_can_be_retired(
    make_backend: Any,
) -> None:
    backend = make_backend("k1", "k2")
    for path in ("a", "b/c", "b/d"):
        run(lambda p=path: backend.set(p, {"k": V(f"{p}-1")}))
        run(lambda p=path: backend.set(p, {"k": V(f"{p}-2")}))
    run(lambda: backend.delete("b/d"))
    run(lambda: backend.destroy("b/c", [1]))
    run(lambda: backend.rotate_key("k2"))
    report: ReencryptReport = run(backend.reencrypt)
    assert (report.entries, report.entries_rewritten, report.versions_reencrypted) == (3, 3, 5)
    assert (report.versions_unreadable, report.key_ids_in_use) == (0, ("k2",))
    assert "5 versions re-encrypted under key 'k2'" in report.summary()
    assert run(backend.reencrypt).versions_already_current == 5  # idempotent
    retired = make_backend("k2")  # k1 gone from the keyring: everything still reads
    assert run(lambda: retired.get("a", version=1)).reveal() == b"a-1"
    assert run(lambda: retired.get("b/c")).reveal() == b"b/c-2"
    assert run(lambda: retired.get("b/d", version=1)).reveal() == b"b/d-1"
    with pytest.raises(dq.SecretNotFound) as info:
        run(lambda: retired.get("b/d"))
    assert info.value.reason == "deleted"


def test_reencrypt_reports_versions_under_keys_it_lacks_and_leaves_them(
    make_backend: Any,
) -> None:
    admin = make_backend("k1", "admin")
    run(lambda: admin.rotate_key("admin"))
    run(lambda: admin.set("secret", {"k": V("x")}))
    run(lambda: admin.rotate_key("k1"))
    run(lambda: admin.set("plain", {"k": V("y")}))
    report = run(make_backend("k1").reencrypt)
    assert (report.versions_unreadable, report.unreadable_entries) == (1, ("secret",))
    assert not report.complete and set(report.key_ids_in_use) == {"admin", "k1"}
    assert run(lambda: admin.get("secret")).reveal() == b"x"


def test_rotating_to_a_key_not_in_the_keyring_is_a_configuration_error(
    make_backend: Any,
) -> None:
    backend = make_backend("k1")
    with pytest.raises(FileStoreConfigurationError, match="'k9'.*not in the keyring"):
        run(lambda: backend.rotate_key("k9"))
    with pytest.raises(FileStoreConfigurationError, match="not a key id"):
        run(lambda: backend.rotate_key("../k"))


def test_rotation_on_an_empty_store_creates_it_under_that_key(make_backend: Any) -> None:
    backend = make_backend("k1", "k2")
    assert run(lambda: backend.rotate_key("k2")).previous_key_id is None
    run(lambda: backend.set("a", {"k": V("x")}))
    assert key_ids(backend, "a") == ["k2"]


def test_readers_during_repeated_rotation_see_only_whole_old_or_new_values(
    make_backend: Any,
) -> None:
    """Two threads read the secret as fast as they can while the main thread writes 40 new
    versions (rotating the key halfway): every read is one of the values written, never a
    missing secret, an integrity error or a mix; and every old version stays readable."""
    writer, reader = make_backend("k1", "k2"), make_backend("k1", "k2")
    values = [f"value-{n:03d}-" + "x" * (n * 37 % 500) for n in range(41)]
    run(lambda: writer.set("rotating/db", {"pw": V(values[0]), "user": V("app")}))
    stop, seen, failures = threading.Event(), [], []

    def read_loop() -> None:
        async def loop() -> None:
            while not stop.is_set():
                try:
                    got = (await reader.get("rotating/db", field="pw")).reveal_text()
                except Exception as exc:  # noqa: BLE001 - any error is a failure here
                    failures.append(type(exc).__name__)
                else:
                    seen.append(got)

        anyio.run(loop)

    threads = [threading.Thread(target=read_loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for n in range(1, 41):
            if n == 20:
                run(lambda: writer.rotate_key("k2"))
            run(lambda n=n: writer.set("rotating/db", {"pw": V(values[n]), "user": V("app")}))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert seen and set(seen) <= set(values), "a reader saw a value that was never written"
    assert len(set(seen)) > 1, "the readers never overlapped a write"
    for n in (1, 20, 40):
        assert (
            run(lambda n=n: reader.get("rotating/db", field="pw", version=n + 1)).reveal_text()
            == values[n]
        )


def test_versions_undelete_and_destroy(make_backend: Any, store_dir: Path) -> None:
    backend = make_backend()
    for text in ("one", "two", "three"):
        run(lambda t=text: backend.set("v", {"k": V(t)}))
    run(lambda: backend.delete("v"))
    meta = run(lambda: backend.versions("v"))
    assert (meta.current_version, [v.live for v in meta.versions]) == (3, [True, True, False])
    assert meta.versions[2].deletion_time is not None and not meta.versions[2].destroyed
    run(lambda: backend.undelete("v", [3]))
    assert run(lambda: backend.get("v")).reveal() == b"three"
    run(lambda: backend.destroy("v", [2]))
    with pytest.raises(dq.SecretNotFound, match="destroyed") as info:
        run(lambda: backend.get("v", version=2))
    assert info.value.reason == "destroyed"
    run(lambda: backend.undelete("v", [2]))  # a destroyed version stays destroyed
    assert run(lambda: backend.versions("v")).versions[1].destroyed
    (entry,) = store_dir.glob("entries/*.dqs")
    assert json.loads(entry.read_bytes())["versions"][1]["data"] is None  # ciphertext erased
    run(lambda: backend.delete("never-written"))  # as Vault: deleting nothing succeeds
    with pytest.raises(dq.UsageError, match="positive integers"):
        run(lambda: backend.destroy("v", []))
