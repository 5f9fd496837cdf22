"""Secrets Manager semantics through dq-aws: fields and binary secrets as other tools write
them, version stages, dq's version tokens, rotation under concurrent readers, check-and-set
races, delete/restore and listing."""

from __future__ import annotations

import json
from typing import Any

import anyio
import dq
import pytest
from dq_aws import AwsSecretsBackend
from dq_aws._names import version_token

pytestmark = pytest.mark.anyio
V = dq.SecretValue


async def test_fields_are_a_json_secret_string_other_tools_read(
    backend: AwsSecretsBackend, admin: Any, folder: str
) -> None:
    await backend.set(f"{folder}/db", {"username": V("app"), "password": V("pässword")})
    raw = admin.get_secret_value(SecretId=f"{folder}/db")
    assert json.loads(raw["SecretString"]) == {"username": "app", "password": "pässword"}
    assert (await backend.get(f"{folder}/db", field="password")).reveal_text() == "pässword"


async def test_non_utf8_bytes_use_the_base64_marker_and_round_trip(
    backend: AwsSecretsBackend, admin: Any, folder: str
) -> None:
    await backend.set(f"{folder}/k", {"key": V(b"\xff\x00\x80"), "text": V("dq-base64:x")})
    stored = json.loads(admin.get_secret_value(SecretId=f"{folder}/k")["SecretString"])
    assert stored["key"].startswith("dq-base64:") and stored["text"].startswith("dq-base64:")
    assert (await backend.get(f"{folder}/k", field="key")).reveal() == b"\xff\x00\x80"
    assert (await backend.get(f"{folder}/k", field="text")).reveal() == b"dq-base64:x"


async def test_a_binary_field_alone_is_written_as_secret_binary(
    backend: AwsSecretsBackend, admin: Any, folder: str
) -> None:
    blob = bytes(range(256))
    await backend.set(f"{folder}/keystore", {"binary": V(blob)})
    raw = admin.get_secret_value(SecretId=f"{folder}/keystore")
    assert raw["SecretBinary"] == blob and "SecretString" not in raw
    assert (await backend.get(f"{folder}/keystore")).reveal() == blob


async def test_secrets_other_tools_wrote_read_as_one_field_or_json_fields(
    backend: AwsSecretsBackend, admin: Any, folder: str
) -> None:
    admin.create_secret(Name=f"{folder}/cert", SecretBinary=b"\x30\x82\x01")
    admin.create_secret(Name=f"{folder}/plain", SecretString="hunter2")
    admin.create_secret(Name=f"{folder}/rds", SecretString='{"host":"db","port":5432}')
    assert (await backend.get(f"{folder}/cert")).reveal() == b"\x30\x82\x01"
    assert (await backend.get(f"{folder}/cert", field="binary")).reveal() == b"\x30\x82\x01"
    assert (await backend.get(f"{folder}/plain")).reveal_text() == "hunter2"
    assert (await backend.get(f"{folder}/plain", field="value")).reveal_text() == "hunter2"
    assert (await backend.get(f"{folder}/rds", field="port")).reveal_text() == "5432"
    with pytest.raises(dq.SecretNotFound, match="has 2 fields .'host', 'port'.") as info:
        await backend.get(f"{folder}/rds")
    assert info.value.reason == "field"


async def test_versions_are_dq_tokens_and_stages_move_on_each_set(
    backend: AwsSecretsBackend, admin: Any, folder: str
) -> None:
    path = f"{folder}/rotated"
    assert await backend.set(path, {"k": V("one")}) == 1
    assert await backend.set(path, {"k": V("two")}) == 2
    assert await backend.set(path, {"k": V("three")}) == 3
    versions = {v.number: v for v in await backend.versions(path)}
    assert versions[3].stages == ("AWSCURRENT",) and versions[3].version_id == version_token(3)
    assert versions[2].stages == ("AWSPREVIOUS",)
    assert (await backend.get_staged(path, stage="AWSPREVIOUS")).reveal_text() == "two"
    assert (await backend.get_staged(path, stage="AWSCURRENT")).reveal_text() == "three"
    by_id = await backend.get_staged(path, version_id=version_token(1))
    assert by_id.reveal_text() == "one"
    assert (await backend.get(path, version=1)).reveal_text() == "one"
    described = admin.describe_secret(SecretId=path)["VersionIdsToStages"]
    assert described[version_token(3)] == ["AWSCURRENT"]


async def test_a_version_another_tool_wrote_is_read_by_stage_and_dq_numbers_continue(
    backend: AwsSecretsBackend, admin: Any, folder: str
) -> None:
    path = f"{folder}/mixed"
    await backend.set(path, {"k": V("dq-1")})
    foreign = admin.put_secret_value(SecretId=path, SecretString='{"k":"console"}')["VersionId"]
    assert (await backend.get(path, field="k")).reveal_text() == "console"
    assert (await backend.get_staged(path, version_id=foreign)).reveal_text() == "console"
    with pytest.raises(dq.SecretConflict, match="a version dq did not write"):
        await backend.set(path, {"k": V("x")}, cas=1)
    assert await backend.set(path, {"k": V("dq-2")}) == 2
    assert (await backend.get_staged(path, stage="AWSPREVIOUS")).reveal_text() == "console"


async def test_a_resent_write_with_the_same_token_is_not_a_second_version(
    backend: AwsSecretsBackend, admin: Any, folder: str
) -> None:
    """What botocore does when a PutSecretValue times out: the same call, same token."""
    path = f"{folder}/idempotent"
    await backend.set(path, {"k": V("a")})
    body = {"SecretId": path, "ClientRequestToken": version_token(2), "SecretString": '{"k":"b"}'}
    admin.put_secret_value(**body)
    admin.put_secret_value(**body)  # the retry
    assert [v.number for v in await backend.versions(path)] == [1, 2]
    with pytest.raises(admin.exceptions.ResourceExistsException):
        admin.put_secret_value(**{**body, "SecretString": '{"k":"other"}'})


async def test_concurrent_cas_writers_of_one_version_exactly_one_wins(
    backend: AwsSecretsBackend, folder: str
) -> None:
    path = f"{folder}/raced"
    first = await backend.set(path, {"k": V("base")})
    outcomes: list[str] = []

    async def writer(i: int) -> None:
        try:
            await backend.set(path, {"k": V(f"w{i}")}, cas=first)
            outcomes.append(f"w{i}")
        except dq.SecretConflict:
            outcomes.append("conflict")

    async with anyio.create_task_group() as group:
        for i in range(6):
            group.start_soon(writer, i)
    winners = [o for o in outcomes if o != "conflict"]
    assert len(winners) == 1, outcomes
    assert (await backend.get(path)).reveal_text() == winners[0]
    assert [v.number for v in await backend.versions(path)] == [1, 2]


async def test_concurrent_writers_without_cas_all_land_as_distinct_versions(
    backend: AwsSecretsBackend, folder: str
) -> None:
    path = f"{folder}/busy"
    numbers: list[int] = []

    async def writer(i: int) -> None:
        numbers.append(await backend.set(path, {"k": V(f"w{i}")}))

    async with anyio.create_task_group() as group:
        for i in range(4):
            group.start_soon(writer, i)
    assert sorted(numbers) == [1, 2, 3, 4]


async def test_readers_during_rotation_see_only_whole_old_or_new_values(
    backend: AwsSecretsBackend, folder: str
) -> None:
    """Each version is one GetSecretValue: fields of one read always belong together, the
    value never goes missing, and the previous version stays readable by stage and number."""
    path = f"{folder}/rotating"
    written = {f"user-{i}:pass-{i}" for i in range(12)}
    await backend.set(path, {"user": V("user-0"), "pass": V("pass-0")})
    cached = dq.CachedSecretBackend(backend, ttl=0.05)
    seen: set[str] = set()
    done = anyio.Event()

    async def reader() -> None:
        while not done.is_set():
            value = await backend.get_staged(path, stage="AWSCURRENT", field="user")
            previous = await cached.get(path, field="pass")
            assert previous.reveal_text() in {w.split(":")[1] for w in written}
            seen.add(value.reveal_text())

    async def rotate() -> None:
        for i in range(1, 12):
            version = await backend.set(path, {"user": V(f"user-{i}"), "pass": V(f"pass-{i}")})
            assert (await backend.get(path, field="user", version=version - 1)).reveal_text() == (
                f"user-{i - 1}"
            )
            old = await backend.get_staged(path, stage="AWSPREVIOUS", field="pass")
            assert old.reveal_text() == f"pass-{i - 1}"
        done.set()

    async with anyio.create_task_group() as group:
        group.start_soon(reader)
        group.start_soon(reader)
        group.start_soon(rotate)
    assert seen <= {w.split(":")[0] for w in written} and len(seen) > 1
    await anyio.sleep(0.06)
    assert (await cached.get(path, field="pass")).reveal_text() == "pass-11", "TTL passed"


async def test_delete_is_restorable_and_a_write_restores_a_deleted_secret(
    backend: AwsSecretsBackend, folder: str
) -> None:
    path = f"{folder}/gone"
    await backend.set(path, {"k": V("v1")})
    await backend.delete(path)
    await backend.delete(path)  # already scheduled: still fine
    with pytest.raises(dq.SecretNotFound, match="scheduled for deletion") as info:
        await backend.get(path)
    assert info.value.reason == "deleted"
    assert await backend.list(folder) == []
    await backend.restore(path)
    assert (await backend.get(path)).reveal_text() == "v1"
    await backend.delete(path)
    assert await backend.set(path, {"k": V("v2")}) == 2
    assert (await backend.get(path)).reveal_text() == "v2"
    await backend.delete(f"{folder}/never-existed")


async def test_list_compares_names_exactly_whatever_the_filter_matched(
    backend: AwsSecretsBackend, admin: Any, folder: str
) -> None:
    await backend.set(f"{folder}/app/one", {"k": V("x")})
    admin.create_secret(Name=f"{folder}/APP/two", SecretString="x")
    admin.create_secret(Name=f"{folder}/application", SecretString="x")
    assert await backend.list(f"{folder}/app") == ["one"]
    assert await backend.list(folder) == ["APP/", "app/", "application"]


async def test_a_name_prefix_keeps_dq_secrets_in_one_folder(
    make_backend: Any, admin: Any, folder: str
) -> None:
    scoped = make_backend(name_prefix=f"{folder}/dq")
    await scoped.set("db", {"k": V("x")})
    assert admin.describe_secret(SecretId=f"{folder}/dq/db")["Name"] == f"{folder}/dq/db"
    assert await scoped.list("") == ["db"]
    assert scoped.secret_name("a/b") == f"{folder}/dq/a/b"


async def test_bad_arguments_are_usage_errors_without_a_request(
    backend: AwsSecretsBackend, moto: Any, folder: str
) -> None:
    before = moto.count()
    for call in (
        lambda: backend.set(f"{folder}/x", {"k": V("x")}, cas=-1),
        lambda: backend.set(f"{folder}/x", {}),
        lambda: backend.get(f"{folder}/x", version=0),
        lambda: backend.get_staged(f"{folder}/x"),
        lambda: backend.get_staged(f"{folder}/x", stage="AWSCURRENT", version_id="v"),
    ):
        with pytest.raises(dq.UsageError):
            await call()
    with pytest.raises(TypeError, match="must be a dq.SecretValue, not str"):
        await backend.set(f"{folder}/x", {"k": "plain"})  # type: ignore[dict-item]
    assert moto.count() == before
