"""Secret Manager semantics through dq-gcp: CRC32C both ways, payload shapes, disabled and
destroyed versions with their reasons, check-and-set through the secret's etag, rotation
under concurrent readers, and the path ↔ id rule."""

from __future__ import annotations

import base64
import json
from typing import Any

import anyio
import dq
import pytest
from dq_gcp import GcpRequestError, GcpSecretsBackend
from dq_gcp._codec import crc32c, decode, encode
from dq_gcp._names import path_of, secret_id
from dq_gcp.testing import FakeSecretManager
from hypothesis import given
from hypothesis import strategies as st

V = dq.SecretValue
anyio_mark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", 0x00000000),
        (b"123456789", 0xE3069283),  # the CRC-32C check value
        (b"\x00" * 32, 0x8A9136AA),  # RFC 3720 B.4
        (b"\xff" * 32, 0x62A8AB43),
        (bytes(range(32)), 0x46DD794E),
    ],
)
def test_crc32c_matches_the_castagnoli_reference_vectors(data: bytes, expected: int) -> None:
    assert crc32c(data) == expected


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.binary(max_size=64), min_size=1))
def test_payload_codec_round_trips_every_field_mapping(fields: dict[str, bytes]) -> None:
    assert decode(encode(fields)) == fields


def test_a_single_value_is_stored_raw_so_gcloud_reads_it() -> None:
    assert encode({"value": b"-----BEGIN KEY-----\n"}) == b"-----BEGIN KEY-----\n"
    assert decode(b"hunter2") == {"value": b"hunter2"}
    assert decode(encode({"value": b'{"a":"b"}'})) == {"value": b'{"a":"b"}'}


SEGMENT = st.from_regex(r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,6}[A-Za-z0-9_])?", fullmatch=True).filter(
    lambda s: "--" not in s
)


@given(st.lists(SEGMENT, min_size=1, max_size=5), st.lists(SEGMENT, min_size=1, max_size=5))
def test_the_path_to_id_rule_is_invertible_and_collision_free(a: list[str], b: list[str]) -> None:
    pa, pb = "/".join(a), "/".join(b)
    assert path_of(secret_id("", pa)) == pa
    assert (secret_id("", pa) == secret_id("", pb)) == (pa == pb)


@pytest.mark.parametrize("path", ["a--b", "a-/b", "a/-b", "a.b/c", "a@b", "a+b", "a=b", "-a"])
def test_paths_no_id_can_hold_are_refused(path: str) -> None:
    with pytest.raises(dq.InvalidSecretPath, match="cannot be a Google Secret Manager id"):
        secret_id("", path)


@anyio_mark
async def test_writes_send_the_crc32c_and_reads_verify_it(
    gsm: FakeSecretManager, backend: GcpSecretsBackend, folder: str
) -> None:
    path = f"{folder}/checked"
    await backend.set(path, {"value": V(b"\x00\xffpayload")})
    stored = gsm.secrets[secret_id("", path)].versions[-1]
    assert stored.client_crc and stored.crc == crc32c(b"\x00\xffpayload")
    gsm.corrupt_crc = True
    try:
        with pytest.raises(GcpRequestError, match="CRC32C does not match") as info:
            await backend.get(path)
        assert info.value.status == "DATA_LOSS"
    finally:
        gsm.corrupt_crc = False
    assert (await backend.get(path)).reveal() == b"\x00\xffpayload"


@anyio_mark
async def test_a_wrong_checksum_on_add_is_refused_by_the_server(
    gsm: FakeSecretManager, make_backend: Any, folder: str
) -> None:
    backend = make_backend()
    await backend.set(f"{folder}/x", {"value": V("a")})
    http = backend._http._http()
    token = await backend._http.tokens.token(http)
    reply = await http.post(
        f"{gsm.url}/v1/projects/{gsm.project}/secrets/{secret_id('', folder + '/x')}:addVersion",
        json={"payload": {"data": base64.b64encode(b"b").decode(), "dataCrc32c": "1"}},
        headers={"Authorization": f"Bearer {token.reveal_text()}"},
    )
    assert reply.status_code == 400 and "Checksum mismatch" in reply.text


@anyio_mark
async def test_disabled_and_destroyed_versions_are_not_found_with_their_reason(
    backend: GcpSecretsBackend, folder: str
) -> None:
    path = f"{folder}/states"
    await backend.set(path, {"value": V("one")})
    await backend.set(path, {"value": V("two")})
    await backend.delete(path)
    with pytest.raises(dq.SecretNotFound, match="disabled") as info:
        await backend.get(path)
    assert info.value.reason == "deleted"
    assert (await backend.get(path, version=1)).reveal_text() == "one"
    await backend.undelete(path)
    assert (await backend.get(path)).reveal_text() == "two"
    await backend.destroy(path, 1)
    with pytest.raises(dq.SecretNotFound, match="destroyed") as info:
        await backend.get(path, version=1)
    assert info.value.reason == "destroyed"
    states = [(v.number, v.state) for v in await backend.versions(path)]
    assert states == [(1, "DESTROYED"), (2, "ENABLED")]
    assert await backend.set(path, {"value": V("three")}) == 3


@anyio_mark
async def test_concurrent_cas_writers_exactly_one_wins(
    backend: GcpSecretsBackend, folder: str
) -> None:
    path = f"{folder}/raced"
    first = await backend.set(path, {"value": V("base")})
    outcomes: list[str] = []

    async def writer(i: int) -> None:
        try:
            await backend.set(path, {"value": V(f"w{i}")}, cas=first)
            outcomes.append(f"w{i}")
        except dq.SecretConflict:
            outcomes.append("conflict")

    async with anyio.create_task_group() as group:
        for i in range(6):
            group.start_soon(writer, i)
    winners = [o for o in outcomes if o != "conflict"]
    assert len(winners) == 1, outcomes
    assert [v.number for v in await backend.versions(path)] == [1, 2]


@anyio_mark
async def test_a_writer_arriving_after_a_racers_claim_conflicts_until_the_claim_expires(
    backend: GcpSecretsBackend, folder: str, gsm: Any
) -> None:
    """The interleaving the etag alone misses: a racer has patched (claimed version 2) but
    not yet added it, and this writer reads the secret only then (fresh etag, latest 1)."""
    import time

    path = f"{folder}/claimed"
    first = await backend.set(path, {"value": V("base")})
    [secret] = [s for name, s in gsm.secrets.items() if name.endswith("claimed")]
    secret.annotations = {"dq-cas-version": f"{first + 1}@{time.time():.3f}"}
    with pytest.raises(dq.SecretConflict, match="another writer claimed version 2"):
        await backend.set(path, {"value": V("late")}, cas=first)
    secret.annotations = {"dq-cas-version": f"{first + 1}@{time.time() - 61:.3f}"}  # died
    assert await backend.set(path, {"value": V("after")}, cas=first) == first + 1


@anyio_mark
async def test_readers_during_rotation_see_only_whole_old_or_new_values(
    backend: GcpSecretsBackend, folder: str
) -> None:
    path = f"{folder}/rotating"
    written = {json.dumps({"user": f"u{i}", "pass": f"p{i}"}) for i in range(10)}
    await backend.set(path, {"user": V("u0"), "pass": V("p0")})
    done = anyio.Event()
    seen: set[str] = set()

    async def reader() -> None:
        while not done.is_set():
            fields = decode(await backend._access(secret_id("", path), "latest", path))
            pair = {k: v.decode() for k, v in fields.items()}
            assert json.dumps({"user": pair["user"], "pass": pair["pass"]}) in written
            seen.add(pair["user"])

    async def rotate() -> None:
        for i in range(1, 10):
            version = await backend.set(path, {"user": V(f"u{i}"), "pass": V(f"p{i}")})
            assert (await backend.get(path, field="pass", version=version - 1)).reveal_text() == (
                f"p{i - 1}"
            )
        done.set()

    async with anyio.create_task_group() as group:
        group.start_soon(reader)
        group.start_soon(reader)
        group.start_soon(rotate)
    assert len(seen) > 1


@anyio_mark
async def test_list_maps_ids_back_to_paths_and_skips_foreign_ids(
    backend: GcpSecretsBackend, gsm: FakeSecretManager, folder: str
) -> None:
    for path in ("app/one", "app/db/two", "top"):
        await backend.set(f"{folder}/{path}", {"value": V("x")})
    base = secret_id("", folder)
    gsm.secrets[f"{base}--app---odd"] = gsm.secrets[f"{base}--top"]  # no dq path maps here
    assert await backend.list(folder) == ["app/", "top"]
    assert await backend.list(f"{folder}/app/") == ["db/", "one"]


@anyio_mark
async def test_a_name_prefix_keeps_dq_secrets_in_one_folder(
    make_backend: Any, folder: str, gsm: FakeSecretManager
) -> None:
    scoped = make_backend(name_prefix=f"{folder}/dq")
    await scoped.set("db", {"value": V("x")})
    assert secret_id("", f"{folder}/dq/db") in gsm.secrets
    assert await scoped.list("") == ["db"]
