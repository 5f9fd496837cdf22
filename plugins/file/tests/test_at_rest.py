"""What is on disk: nothing plaintext, every byte authenticated, every ciphertext bound to
its store, path (so its tenant), version and key id. A tampered, truncated or swapped file is
FileStoreIntegrityError naming the entry, never a wrong value."""

from __future__ import annotations

import base64
import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import anyio
import dq
import pytest
from dq_file import FileStoreIntegrityError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

V = dq.SecretValue
CANARY = "canary-5f3e9a1c-value"
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def run(call: Any) -> Any:
    return anyio.run(call)


def entry_file(store_dir: Path, backend: Any, path: str) -> Path:
    header = backend.store._header()
    return store_dir / "entries" / f"{header.keys.file_id(path)}.dqs"


def all_bytes(root: Path) -> bytes:
    return b"\n".join(
        p.name.encode() + b"\0" + p.read_bytes() for p in root.rglob("*") if p.is_file()
    )


def test_nothing_plaintext_on_disk_not_values_paths_or_field_names(
    store_dir: Path, make_backend: Any
) -> None:
    backend = make_backend()
    path = "tenants/acme/payroll-db/credentials"
    run(lambda: backend.set(path, {"db-password-field": V(CANARY)}))
    run(lambda: backend.set(path, {"db-password-field": V(CANARY + "-2")}))
    disk = all_bytes(store_dir)
    for needle in (CANARY, "payroll", "acme", "tenants", "credentials", "db-password-field"):
        raw = needle.encode()
        for form in (raw, base64.b64encode(raw), raw.hex().encode()):
            assert form not in disk, f"{needle!r} is visible on disk"
    for file in store_dir.rglob("*"):
        if file.is_file():
            assert file.stat().st_mode & 0o077 == 0, f"{file.name} is readable by others"


def test_each_write_uses_a_fresh_nonce(store_dir: Path, make_backend: Any) -> None:
    backend = make_backend()
    run(lambda: backend.set("a", {"k": V("same")}))
    run(lambda: backend.set("a", {"k": V("same")}))
    versions = json.loads(entry_file(store_dir, backend, "a").read_bytes())["versions"]
    first, second = (base64.b64decode(v["data"]) for v in versions)
    assert first[:12] != second[:12] and first != second


def test_an_entry_copied_over_another_path_fails_and_names_the_entry(
    store_dir: Path, make_backend: Any
) -> None:
    backend = make_backend()
    run(lambda: backend.set("tenants/globex/db", {"k": V("globex-secret")}))
    run(lambda: backend.set("tenants/acme/db", {"k": V("acme-secret")}))
    shutil.copyfile(
        entry_file(store_dir, backend, "tenants/globex/db"),
        entry_file(store_dir, backend, "tenants/acme/db"),
    )
    with pytest.raises(FileStoreIntegrityError) as info:
        run(lambda: backend.get("tenants/acme/db"))
    assert "'tenants/acme/db'" in str(info.value) and "globex-secret" not in str(info.value)
    assert info.value.entry == "tenants/acme/db" and not isinstance(info.value, dq.SecretNotFound)


def test_a_ciphertext_moved_to_another_path_version_or_key_id_does_not_decrypt(
    store_dir: Path, make_backend: Any
) -> None:
    """Even with the metadata MAC forged (an attacker holding the store key but not the
    data key), GCM's associated data refuses a ciphertext outside its path/version/key id."""
    backend = make_backend("k1", "k2")
    run(lambda: backend.set("tenants/globex/db", {"k": V("theirs")}))
    run(lambda: backend.set("tenants/acme/db", {"k": V("ours-1")}))
    run(lambda: backend.set("tenants/acme/db", {"k": V("ours-2")}))
    store = backend.store
    header = store._header()

    def forge(path: str, edit: Any) -> None:
        entry = store._entry(header, path)
        edit(entry)
        store._save(header, entry)

    theirs = store._entry(header, "tenants/globex/db").versions[0].data
    forge("tenants/acme/db", lambda e: setattr(e.versions[0], "data", theirs))
    with pytest.raises(FileStoreIntegrityError, match="version 1 does not decrypt"):
        run(lambda: backend.get("tenants/acme/db", version=1))

    def swap(e: Any) -> None:
        e.versions[0].data, e.versions[1].data = e.versions[1].data, e.versions[0].data

    forge("tenants/acme/db", swap)
    with pytest.raises(FileStoreIntegrityError, match="version 2"):
        run(lambda: backend.get("tenants/acme/db"))
    forge("tenants/globex/db", lambda e: setattr(e.versions[0], "key_id", "k2"))
    with pytest.raises(FileStoreIntegrityError):
        run(lambda: backend.get("tenants/globex/db"))


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["versions"][0].update(state="deleted"),
        lambda d: d["versions"].pop(),
        lambda d: d["versions"][1].update(key_id="k2"),
        lambda d: d.update(id="0" * 64),
        lambda d: d["versions"].reverse(),
    ],
    ids=["flip-state", "drop-version", "relabel-key-id", "change-id", "reorder"],
)
def test_edited_metadata_is_refused(store_dir: Path, make_backend: Any, edit: Any) -> None:
    backend = make_backend()
    run(lambda: backend.set("app/db", {"k": V("one")}))
    run(lambda: backend.set("app/db", {"k": V("two")}))
    file = entry_file(store_dir, backend, "app/db")
    document = json.loads(file.read_bytes())
    edit(document)
    file.write_text(json.dumps(document))
    with pytest.raises(FileStoreIntegrityError, match="'app/db'"):
        run(lambda: backend.get("app/db", version=1))


@SETTINGS
@given(data=st.data())
def test_any_flipped_byte_or_truncation_is_an_error_never_a_wrong_value(
    store_dir: Path, make_backend: Any, data: st.DataObject
) -> None:
    backend = make_backend()
    path = f"t/{uuid.uuid4().hex}"  # the store is shared by the examples: a fresh entry each
    run(lambda: backend.set(path, {"k": V(CANARY)}))
    file = entry_file(store_dir, backend, path)
    raw = bytearray(file.read_bytes())
    if data.draw(st.booleans(), label="truncate"):
        raw = raw[: data.draw(st.integers(0, 10**6), label="keep") % (len(raw) - 1)]
    else:
        at = data.draw(st.integers(0, 10**6), label="at") % len(raw)
        raw[at] ^= data.draw(st.integers(1, 255), label="xor")
    file.write_bytes(bytes(raw))
    try:
        got = run(lambda: backend.get(path)).reveal()
    except FileStoreIntegrityError as exc:
        assert repr(path) in str(exc) and CANARY not in str(exc)
    else:  # a flip in JSON whitespace or an equivalent escape leaves the document intact
        assert got == CANARY.encode()


def test_a_truncated_or_empty_header_is_an_integrity_error(
    store_dir: Path, make_backend: Any
) -> None:
    backend = make_backend()
    run(lambda: backend.set("a", {"k": V("x")}))
    header = store_dir / "store.json"
    header.write_bytes(header.read_bytes()[:40])
    with pytest.raises(FileStoreIntegrityError, match="store.json"):
        run(lambda: make_backend().get("a"))
    header.unlink()
    with pytest.raises(FileStoreIntegrityError, match="missing but entries exist"):
        run(lambda: make_backend().get("a"))


def test_a_different_key_under_the_same_id_is_refused_not_misread(
    store_dir: Path, make_backend: Any, keys: dict[str, bytes]
) -> None:
    from dq_file import FileBackend, Keyring

    run(lambda: make_backend().set("a", {"k": V("x")}))
    impostor = FileBackend.open(str(store_dir), Keyring({"k1": bytes(32)}))
    with pytest.raises(FileStoreIntegrityError, match="does not unwrap"):
        run(lambda: impostor.get("a"))
