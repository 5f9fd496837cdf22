"""Keys and configuration: key files (raw or base64, owner-only), keys from a SecretValue,
the config table dq structures, building through dq's host without I/O, errors that say what
to do, and no key material or value in any repr, error or log."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path
from typing import Any

import anyio
import dq
import pytest
from conftest import write_key
from dq_file import (
    FileBackend,
    FileStoreConfig,
    FileStoreConfigurationError,
    Keyring,
    KeySpec,
)
from dq_file._keys import parse_key, read_key_file

V = dq.SecretValue


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("DQ_FILE_STORE", "DQ_FILE_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def build(table: dict[str, Any]) -> Any:
    return dq.Host(dq.discover()).component("secrets", "file", table)


def test_the_component_is_installed_from_this_distribution_and_loads() -> None:
    host = dq.Host(dq.discover())
    assert host.record_for("secrets", "file").distribution == "dq-file"
    host.load("secrets", "file")


def test_dq_builds_a_backend_from_a_table_without_io(tmp_path: Path, clean_env: Any) -> None:
    store = tmp_path / "store"
    store.mkdir()
    backend = build({"path": str(store), "key_file": str(tmp_path / "no.key"), "key_id": "k1"})
    assert isinstance(backend, FileBackend) and isinstance(backend, dq.protocols.SecretBackend)
    assert list(store.iterdir()) == []
    with pytest.raises(FileStoreConfigurationError, match="no.key' does not exist.*init-key"):
        anyio.run(lambda: backend.get("a"))


def test_an_empty_table_builds_and_first_use_names_what_is_missing(clean_env: Any) -> None:
    backend = build({})
    with pytest.raises(FileStoreConfigurationError, match="DQ_FILE_STORE"):
        anyio.run(lambda: backend.get("a"))


def test_defaults_come_from_the_environment(clean_env: Any, tmp_path: Path) -> None:
    clean_env.setenv("DQ_FILE_STORE", str(tmp_path))
    clean_env.setenv("DQ_FILE_KEY_FILE", "/etc/dq/file.key")
    config = FileStoreConfig()
    assert config.path == str(tmp_path)
    assert [(s.id, s.file) for s in config.key_specs()] == [("default", "/etc/dq/file.key")]


def test_a_keyring_table_with_a_key_from_another_secret(
    store_dir: Path, key_files: dict[str, str], keys: dict[str, bytes], clean_env: Any
) -> None:
    value = V(base64.b64encode(keys["k2"]))  # what ${secret:vault:dq/file-key} resolves to
    backend = build(
        {
            "path": str(store_dir),
            "keys": [{"id": "k1", "file": key_files["k1"]}, {"id": "k2", "value": value}],
        }  # fmt: skip
    )
    anyio.run(lambda: backend.set("a", {"k": V("x")}))
    anyio.run(lambda: backend.rotate_key("k2"))
    anyio.run(lambda: backend.set("a", {"k": V("y")}))
    assert [v.key_id for v in anyio.run(lambda: backend.versions("a")).versions] == ["k1", "k2"]
    assert "k2" in repr(backend.store.keyring) and base64.b64encode(keys["k2"]).decode() not in (
        repr(backend) + repr(backend.config) + repr(backend.store.keyring)
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"key_file": "/k", "key": "secret-canary"}, "not both"),
        ({"keys": [{"id": "a"}]}, "exactly one of `file` or `value`"),
        ({"keys": [{"id": "a", "file": "/x"}, {"id": "a", "file": "/y"}]}, "given twice"),
        ({"key_id": "bad id"}, "not a key id"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_tables_are_config_errors_at_build(table: dict[str, Any], message: str,
                                               clean_env: Any) -> None:  # fmt: skip
    with pytest.raises(dq.ConfigError) as info:
        build(table)
    assert message in str(info.value) and "secret-canary" not in str(info.value)


def test_key_files_raw_or_base64_or_urlsafe_with_a_newline(tmp_path: Path) -> None:
    key = os.urandom(32)
    for name, content in {
        "raw": key,
        "b64": base64.b64encode(key) + b"\n",
        "url": base64.urlsafe_b64encode(key),
    }.items():
        file = tmp_path / name
        file.write_bytes(content)
        file.chmod(0o600)
        assert read_key_file(str(file)) == key, name


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o700 | 0o010])
def test_a_key_file_others_can_use_is_refused_with_the_fix(tmp_path: Path, mode: int) -> None:
    file = tmp_path / "k.key"
    key = write_key(file, mode=mode)
    with pytest.raises(FileStoreConfigurationError, match=r"group or others.*chmod 600") as info:
        read_key_file(str(file))
    text = str(info.value)
    assert base64.b64encode(key).decode() not in text and key.hex() not in text


def test_wrong_length_symlinks_and_directories_are_refused_without_showing_content(
    tmp_path: Path,
) -> None:
    short = tmp_path / "short.key"
    short.write_bytes(b"not-a-key-canary\n")
    short.chmod(0o600)
    with pytest.raises(FileStoreConfigurationError, match="not a 256-bit key") as info:
        read_key_file(str(short))
    assert "canary" not in str(info.value)
    link = tmp_path / "link.key"
    link.symlink_to(short)
    with pytest.raises(FileStoreConfigurationError, match="symlinks are refused"):
        read_key_file(str(link))
    folder = tmp_path / "dir.key"
    folder.mkdir(mode=0o700)
    with pytest.raises(FileStoreConfigurationError, match="not a regular file"):
        read_key_file(str(folder))
    with pytest.raises(FileStoreConfigurationError):
        parse_key(b"A" * 43, "key 'x'")


def test_a_keyspec_value_is_masked(clean_env: Any) -> None:
    spec = KeySpec(id="k", value=V("c2VjcmV0LWNhbmFyeQ=="))
    assert "c2VjcmV0" not in repr(spec)
    assert "c2VjcmV0" not in repr(dq.unstructure(spec))


def test_the_store_directory_is_never_created_and_its_absence_is_unavailable(
    tmp_path: Path, keys: dict[str, bytes]
) -> None:
    backend = FileBackend.open(str(tmp_path / "unmounted"), Keyring({"k1": keys["k1"]}))
    for call in (
        lambda: backend.set("a", {"k": V("x")}),
        lambda: backend.get("a"),
        lambda: backend.list(""),
        lambda: backend.exists("a"),
        lambda: backend.delete("a"),
        lambda: backend.rotate_key("k1"),
    ):
        with pytest.raises(dq.SecretBackendUnavailable, match="unmounted volume"):
            anyio.run(call)
    assert not (tmp_path / "unmounted").exists()


def test_no_value_or_key_reaches_a_log_or_error_across_every_operation(
    make_backend: Any, keys: dict[str, bytes], caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    canary = "dq-canary-8c1d0e77"
    admin, reader = make_backend("k1", "k2"), make_backend("k1")
    errors: list[BaseException] = []

    async def scenario() -> None:
        await admin.set("s", {"k": V(canary)})
        await admin.rotate_key("k2")
        await admin.set("s", {"k": V(canary + "2")})
        for call in (
            lambda: reader.get("s"),
            lambda: reader.set("s", {"k": V(canary)}, cas=0),
            lambda: reader.exists("s"),
            lambda: admin.set("s", {"k": V(canary)}, cas=1),
            lambda: admin.get("s", field="nope"),
            lambda: reader.rotate_key("k2"),
        ):
            try:
                await call()
            except dq.SecretError as exc:
                errors.append(exc)
        await admin.reencrypt()

    anyio.run(scenario)
    assert len(errors) == 6
    texts = [caplog.text, *capsys.readouterr()] + [repr(admin), repr(admin.store.keyring)]
    texts += [f"{e} {e!r} {e.__dict__!r}" for e in errors]
    forms = [canary, base64.b64encode(canary.encode()).decode()]
    forms += [base64.b64encode(k).decode() for k in keys.values()] + [
        k.hex() for k in keys.values()
    ]
    for text in texts:
        for form in forms:
            assert form not in text
