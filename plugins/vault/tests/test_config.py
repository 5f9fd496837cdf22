"""Configuration, discovery through dq's host, the bytes codec, and import cost."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import dq
import pytest
from dq_vault import VaultBackend, VaultConfig
from dq_vault._codec import MARKER, decode, encode
from hypothesis import example, given
from hypothesis import strategies as st

V = dq.SecretValue


def build(config: dict[str, Any]) -> Any:
    return dq.Host(dq.discover()).component("secrets", "vault", config)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE", "VAULT_CACERT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_component_is_installed_from_this_distribution_and_loads() -> None:
    host = dq.Host(dq.discover())
    assert host.record_for("secrets", "vault").distribution == "dq-vault"
    host.load("secrets", "vault")


def test_dq_builds_a_backend_from_a_config_table_without_io(clean_env: Any) -> None:
    # Port 9 (discard) has no Vault: building must not connect, only a first operation would.
    backend = build({"address": "http://127.0.0.1:9", "token": "t0ken-canary", "mount": "kv"})
    assert isinstance(backend, VaultBackend)
    assert isinstance(backend, dq.protocols.SecretBackend)
    assert backend.config.mount == "kv" and backend.config.token == V("t0ken-canary")
    assert "t0ken-canary" not in repr(backend) + repr(backend.config)


def test_defaults_come_from_the_vault_cli_environment(clean_env: Any) -> None:
    clean_env.setenv("VAULT_ADDR", "https://vault.example:8200")
    clean_env.setenv("VAULT_TOKEN", "env-token")
    clean_env.setenv("VAULT_NAMESPACE", "team")
    config = VaultConfig()
    assert config.address == "https://vault.example:8200"
    assert config.token == V("env-token") and config.namespace == "team"
    assert (config.mount, config.approle_mount, config.verify) == ("secret", "approle", True)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"address": "127.0.0.1:8200", "token": "t"}, "must start with http"),
        ({"address": "http://u:p@h:1", "token": "t"}, "must not carry credentials"),
        ({"address": "http://h:1", "role_id": "r"}, "needs both `role_id` and `secret_id`"),
        ({"address": "http://h:1", "token": "t", "mount": "a/../b"}, "mount"),
        ({"address": "http://h:1", "token": "t", "namespace": "x//y"}, "namespace"),
        ({"address": "http://h:1", "token": "t", "timeout": 0}, "timeout must be > 0"),
        ({"address": "http://h:1", "token": "t", "retries": -1}, "retries must be >= 0"),
        ({"address": "http://h:1", "token": "t", "verify": "/ca.pem"}, "verify: expected bool"),
        ({"address": "http://h:1", "token": "t", "tokn": "x"}, "tokn: unknown field"),
    ],
)
def test_bad_configuration_is_a_config_error_that_says_what_to_fix(
    clean_env: Any, table: dict[str, Any], message: str
) -> None:
    with pytest.raises(dq.ConfigError, match=message) as info:
        build(table)
    assert "secrets.vault" in str(info.value)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"token": "t"}, "no server address.*VAULT_ADDR"),
        ({"address": "http://127.0.0.1:9"}, "no credentials.*VAULT_TOKEN.*role_id"),
    ],
)
def test_a_missing_address_or_credentials_is_reported_on_first_use_not_at_build(
    clean_env: Any, table: dict[str, Any], message: str
) -> None:
    # Built without error, so `dq plugins info vault --check` works where VAULT_ADDR is unset.
    import anyio
    from dq_vault import VaultConfigurationError

    backend = build(table)
    with pytest.raises(VaultConfigurationError, match=message) as info:
        anyio.run(lambda: backend.get("a/b"))
    assert isinstance(info.value, dq.UsageError)


def test_a_missing_ca_bundle_is_reported_on_first_use(clean_env: Any) -> None:
    import anyio
    from dq_vault import VaultConfigurationError

    backend = build({"address": "https://127.0.0.1:9", "token": "t", "ca_cert": "/nope.pem"})
    with pytest.raises(VaultConfigurationError, match="cannot load the CA bundle.*'/nope.pem'"):
        anyio.run(lambda: backend.get("a/b"))


def test_importing_the_plugin_module_does_not_import_httpx() -> None:
    code = "import sys, dq_vault; assert 'httpx' not in sys.modules, 'httpx imported eagerly'"
    subprocess.run([sys.executable, "-c", code], check=True)


@given(st.binary(max_size=300))
@example(b"")
@example(MARKER.encode())
@example(MARKER.encode() + b"AAAA")
@example(b"\xed\xa0\x80")  # a UTF-8-encoded surrogate: invalid UTF-8
def test_every_byte_string_round_trips_through_the_kv_string_encoding(value: bytes) -> None:
    stored = encode(value)
    assert isinstance(stored, str)
    assert decode(stored) == value


@given(st.text().filter(lambda t: not t.startswith(MARKER)))
def test_text_is_stored_verbatim_unless_it_starts_with_the_marker(text: str) -> None:
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates are not text a SecretValue can hold
        return
    assert encode(raw) == text
