"""Reads, fields, listing and refusals of the env backend over an injected environment."""

from __future__ import annotations

import json
import os

import dq
import dq.protocols
import pytest
from dq_env import READ_ONLY, EnvBackend, EnvConfig, EnvValueError

from conftest import DECOYS, RecordingEnviron

pytestmark = pytest.mark.anyio


def backend(environ: RecordingEnviron, prefix: str = "DQ_SECRET_") -> EnvBackend:
    return EnvBackend(EnvConfig(prefix=prefix), environ=environ)


async def test_a_plain_variable_is_the_single_field_value(environ: RecordingEnviron) -> None:
    environ["DQ_SECRET_DB__PASSWORD"] = "hunter2"
    b = backend(environ)
    got = await b.get("db/password")
    assert type(got) is dq.SecretValue and got.reveal() == b"hunter2"
    assert (await b.get("db/password", field="value")).reveal() == b"hunter2"
    with pytest.raises(dq.SecretNotFound) as info:
        await b.get("db/password", field="user")
    assert info.value.reason == "field"


async def test_a_json_object_gives_fields_and_non_strings_read_as_json(
    environ: RecordingEnviron,
) -> None:
    environ["DQ_SECRET_WAREHOUSE"] = json.dumps(
        {"user": "app", "port": 5432, "tls": True, "opts": {"a": [1, None]}}
    )
    b = backend(environ)
    assert (await b.get("warehouse", field="user")).reveal() == b"app"
    assert (await b.get("warehouse", field="port")).reveal() == b"5432"
    assert (await b.get("warehouse", field="tls")).reveal() == b"true"
    assert (await b.get("warehouse", field="opts")).reveal() == b'{"a":[1,null]}'
    with pytest.raises(dq.SecretNotFound, match="has 4 fields") as info:
        await b.get("warehouse")
    assert info.value.reason == "field"


@pytest.mark.parametrize("text", ["[1, 2]", "42", '"quoted"', "{not json", "  {broken", ""])
async def test_text_that_is_not_a_json_object_is_the_value_field_unchanged(
    environ: RecordingEnviron, text: str
) -> None:
    environ["DQ_SECRET_RAW"] = text
    assert (await backend(environ).get("raw")).reveal() == text.encode()


async def test_an_empty_json_object_has_no_fields(environ: RecordingEnviron) -> None:
    environ["DQ_SECRET_EMPTY"] = "{}"
    with pytest.raises(dq.SecretNotFound, match="0 fields"):
        await backend(environ).get("empty")


async def test_bytes_that_are_not_utf8_read_back_exactly(environ: RecordingEnviron) -> None:
    raw = b"\xff\x80 k\xc3("
    environ["DQ_SECRET_BIN"] = raw.decode("utf-8", "surrogateescape")  # as os.environ does
    environ["DQ_SECRET_BIN_JSON"] = json.dumps({"k": raw.decode("utf-8", "surrogateescape")})
    b = backend(environ)
    assert (await b.get("bin")).reveal() == raw
    assert (await b.get("bin-json", field="k")).reveal() == raw


async def test_a_lone_surrogate_is_an_error_naming_the_field_never_a_guess(
    environ: RecordingEnviron,
) -> None:
    environ["DQ_SECRET_ODD"] = '{"k": "\\ud800", "ok": "fine"}'
    with pytest.raises(EnvValueError, match=r"DQ_SECRET_ODD: field\(s\) 'k'") as info:
        await backend(environ).get("odd", field="ok")
    assert isinstance(info.value, dq.SecretError)
    assert not isinstance(info.value, dq.SecretNotFound | dq.SecretAccessDenied)


async def test_missing_is_not_found_naming_the_variable_to_export(
    environ: RecordingEnviron,
) -> None:
    with pytest.raises(dq.SecretNotFound, match="variable DQ_SECRET_DB__PASSWORD is not set"):
        await backend(environ).get("db/password")


async def test_only_version_one_exists(environ: RecordingEnviron) -> None:
    environ["DQ_SECRET_K"] = "v"
    b = backend(environ)
    assert (await b.get("k", version=1)).reveal() == b"v"
    for version in (2, 0, -1):
        with pytest.raises(dq.SecretNotFound, match="not versioned") as info:
            await b.get("k", version=version)
        assert info.value.reason == "missing"


@pytest.mark.parametrize("operation", ["set", "delete"])
async def test_writes_are_denied_saying_where_to_set_the_variable(
    environ: RecordingEnviron, operation: str
) -> None:
    environ["DQ_SECRET_K"] = "kept"
    b = backend(environ)
    call = (
        b.set("k", {"v": dq.SecretValue(b"new")}) if operation == "set" else b.delete("k")
    )
    with pytest.raises(dq.SecretAccessDenied, match=READ_ONLY):
        await call
    assert environ.data["DQ_SECRET_K"] == "kept"


@pytest.mark.parametrize("operation", ["get", "set", "delete", "exists", "list"])
async def test_refused_paths_never_touch_the_environment(
    environ: RecordingEnviron, operation: str
) -> None:
    b = backend(environ)
    for path in ("a_b", "A", "a/../b", "a--b"):
        calls = {
            "get": lambda: b.get(path),
            "set": lambda: b.set(path, {"v": dq.SecretValue(b"x")}),
            "delete": lambda: b.delete(path),
            "exists": lambda: b.exists(path),
            "list": lambda: b.list(path),
        }
        with pytest.raises(dq.InvalidSecretPath):
            await calls[operation]()
    assert environ.io() == 0


async def test_exists_is_a_real_bool_within_the_prefix(environ: RecordingEnviron) -> None:
    environ["DQ_SECRET_DB__PASSWORD"] = "x"
    b = backend(environ)
    assert await b.exists("db/password") is True
    assert await b.exists("db") is False
    assert await b.exists("db/pass") is False
    assert environ.reads == ["DQ_SECRET_DB__PASSWORD", "DQ_SECRET_DB", "DQ_SECRET_DB__PASS"]


async def test_list_shows_direct_children_and_never_a_decoy(environ: RecordingEnviron) -> None:
    for name in ("DB__PASSWORD", "DB__REPLICA__PASSWORD", "DB", "API_KEY", "TENANTS__ACME__X"):
        environ[f"DQ_SECRET_{name}"] = "x"
    b = backend(environ)
    assert await b.list() == ["api-key", "db", "db/", "tenants/"]
    assert await b.list("db") == ["password", "replica/"]
    assert await b.list("db/") == ["password", "replica/"]
    assert await b.list("db/replica") == ["password"]
    assert await b.list("nothing") == []
    assert environ.reads == [], "listing read a value"


async def test_no_decoy_is_ever_read_or_listed(environ: RecordingEnviron) -> None:
    b = backend(environ)
    assert await b.list() == []
    for path in ("db/password", "db", "path", "home"):
        assert await b.exists(path) is False
        with pytest.raises(dq.SecretNotFound):
            await b.get(path)
    assert all(name.startswith("DQ_SECRET_") for name in environ.reads), environ.reads
    assert not set(environ.reads) & set(DECOYS)


async def test_a_custom_prefix_is_the_whole_world(environ: RecordingEnviron) -> None:
    environ["CI_DB"] = "ci"
    environ["DQ_SECRET_DB"] = "default-prefix"
    b = backend(environ, prefix="CI_")
    assert (await b.get("db")).reveal() == b"ci"
    assert await b.list() == ["db"]


async def test_the_default_mapping_is_the_live_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    b = EnvBackend()
    assert await b.exists("dq-env-test/live") is False
    monkeypatch.setenv("DQ_SECRET_DQ_ENV_TEST__LIVE", "exported later")
    assert (await b.get("dq-env-test/live")).reveal_text() == "exported later"
    assert "dq-env-test/" in await b.list()
    assert os.environ["DQ_SECRET_DQ_ENV_TEST__LIVE"] == "exported later"


def test_repr_shows_the_prefix_not_the_environment(environ: RecordingEnviron) -> None:
    environ["DQ_SECRET_K"] = "do-not-show"
    b = backend(environ)
    assert repr(b) == "EnvBackend('env', prefix='DQ_SECRET_')"
    assert isinstance(b, dq.protocols.SecretBackend)
