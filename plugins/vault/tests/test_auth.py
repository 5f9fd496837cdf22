"""Tokens, policies, namespaces and AppRole against the real OpenBao dev server, and the rule
that no token, secret id or value ever shows in a log, repr or error."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import dq
import pytest
from dq_vault import VaultBackend, VaultConfig, VaultConfigurationError
from dq_vault.testing import BaoDevServer, CountingTransport

pytestmark = pytest.mark.anyio

V = dq.SecretValue


def texts_of(exc: BaseException) -> list[str]:
    """Everything an exception (and its chain) can show: str, repr, args, attributes."""
    out: list[str] = []
    chain: BaseException | None = exc
    while chain is not None:
        out += [str(chain), repr(chain), repr(chain.args), repr(getattr(chain, "__dict__", {}))]
        chain = chain.__cause__ or chain.__context__
    return out


# -- policy-limited tokens: 403 is denied, never not-found -----------------------------------


async def test_a_policy_limited_token_is_denied_on_a_forbidden_path_for_every_operation(
    make_backend: Any, limited_token: str, forbidden_path: str
) -> None:
    backend = make_backend(token=V(limited_token))
    calls = {
        "get": lambda: backend.get(forbidden_path),
        "exists": lambda: backend.exists(forbidden_path),
        "set": lambda: backend.set(forbidden_path, {"k": V("x")}),
        "delete": lambda: backend.delete(forbidden_path),
        "list": lambda: backend.list("dq-forbidden"),
        "versions": lambda: backend.versions(forbidden_path),
    }
    for operation, call in calls.items():
        with pytest.raises(dq.SecretAccessDenied) as info:
            await call()
        assert not isinstance(info.value, dq.SecretNotFound), operation
        message = str(info.value)
        assert "denied" in message and "dq-forbidden" in message, message
        assert limited_token not in " ".join(texts_of(info.value)), operation


async def test_a_bad_token_is_denied_and_never_shown(make_backend: Any, folder: str) -> None:
    canary = f"s.dq-canary-{uuid.uuid4().hex}"
    backend = make_backend(token=V(canary))
    with pytest.raises(dq.SecretAccessDenied) as info:
        await backend.get(f"{folder}/x")
    assert "permission denied" in str(info.value)
    assert all(canary not in text for text in texts_of(info.value))


# -- namespaces -----------------------------------------------------------------------------


async def test_the_namespace_header_is_sent_and_scopes_every_request(
    make_backend: Any, bao: BaoDevServer, folder: str
) -> None:
    namespace = f"team{uuid.uuid4().hex[:8]}"
    bao.create_namespace(namespace)
    scoped = make_backend(namespace=namespace)
    await scoped.set(f"{folder}/ns", {"k": V("inside")})
    inside = bao.api("GET", f"secret/data/{folder}/ns", namespace=namespace)
    assert inside["data"]["data"] == {"k": "inside"}
    assert bao.api("GET", f"secret/data/{folder}/ns", ok=(404,)) == {"errors": []}
    with pytest.raises(dq.SecretNotFound):  # the root namespace does not have it
        await make_backend().get(f"{folder}/ns")
    assert (await scoped.get(f"{folder}/ns")).reveal() == b"inside"


async def test_an_unknown_namespace_is_a_configuration_error_naming_it(
    make_backend: Any, folder: str
) -> None:
    backend = make_backend(namespace="no-such-team")
    for call in (lambda: backend.get(f"{folder}/x"), lambda: backend.list(folder)):
        with pytest.raises(VaultConfigurationError) as info:
            await call()
        assert not isinstance(info.value, dq.SecretNotFound)
        assert "namespace 'no-such-team' does not exist" in str(info.value)
        assert "VAULT_NAMESPACE" in str(info.value)


async def test_an_unknown_mount_is_a_configuration_error_naming_it(
    make_backend: Any, folder: str
) -> None:
    with pytest.raises(VaultConfigurationError, match="no KV version 2 .* mounted at 'nokv'"):
        await make_backend(mount="nokv").get(f"{folder}/x")


async def test_a_kv2_mount_under_a_nested_path_works(
    make_backend: Any, bao: BaoDevServer, folder: str
) -> None:
    mount = f"dq{uuid.uuid4().hex[:8]}/kv"
    bao.enable_kv2(mount)
    backend = make_backend(mount=mount)
    await backend.set(f"{folder}/m", {"k": V("mounted")})
    assert bao.api("GET", f"{mount}/data/{folder}/m")["data"]["data"] == {"k": "mounted"}


# -- AppRole --------------------------------------------------------------------------------


@pytest.fixture
def approle(bao: BaoDevServer) -> Any:
    def make(*, token_ttl: str = "1h", policies: tuple[str, ...] = ("dq-limited",)) -> Any:
        role = f"dq-{uuid.uuid4().hex[:10]}"
        return bao.create_approle(role, list(policies), token_ttl=token_ttl)

    return make


async def test_approle_login_then_reads_and_writes_with_the_roles_policy(
    make_backend: Any, approle: Any, transport: CountingTransport, folder: str, forbidden_path: str
) -> None:
    role_id, secret_id = approle()
    backend = make_backend(token=None, role_id=role_id, secret_id=V(secret_id))
    await backend.set(f"{folder}/a", {"k": V("by approle")})
    assert (await backend.get(f"{folder}/a")).reveal() == b"by approle"
    assert transport.count("/auth/approle/login") == 1  # one login serves many requests
    with pytest.raises(dq.SecretAccessDenied):
        await backend.get(forbidden_path)


async def test_approle_logs_in_again_when_its_token_is_revoked(
    make_backend: Any, approle: Any, bao: BaoDevServer, transport: CountingTransport, folder: str
) -> None:
    role_id, secret_id = approle()
    backend = make_backend(token=None, role_id=role_id, secret_id=V(secret_id))
    await backend.set(f"{folder}/r", {"k": V("x")})
    token = backend._http._login_token
    assert token is not None
    bao.api("POST", "auth/token/revoke", {"token": token.reveal_text()})
    assert (await backend.get(f"{folder}/r")).reveal() == b"x"  # 403 -> login -> retry once
    assert transport.count("/auth/approle/login") == 2


async def test_approle_logs_in_again_before_the_token_lease_runs_out(
    make_backend: Any, approle: Any, transport: CountingTransport, folder: str
) -> None:
    role_id, secret_id = approle(token_ttl="1s")
    backend = make_backend(token=None, role_id=role_id, secret_id=V(secret_id))
    await backend.set(f"{folder}/t", {"k": V("x")})
    # lease 1 s: renewed at 0.8 s, so a later request logs in again without a 403 first
    await __import__("anyio").sleep(1.1)
    assert (await backend.get(f"{folder}/t")).reveal() == b"x"
    assert transport.count("/auth/approle/login") == 2
    assert transport.count(f"/secret/data/{folder}/t") == 2  # no request was refused and redone


async def test_a_wrong_secret_id_is_access_denied_and_never_shown(
    make_backend: Any, approle: Any
) -> None:
    role_id, _secret_id = approle()
    canary = f"dq-canary-{uuid.uuid4()}"
    backend = make_backend(token=None, role_id=role_id, secret_id=V(canary))
    with pytest.raises(dq.SecretAccessDenied, match="AppRole login .* refused") as info:
        await backend.get("dq-tests/x")
    assert all(canary not in text for text in texts_of(info.value))


async def test_approle_on_a_missing_auth_mount_is_denied_with_a_hint_at_the_mount(
    make_backend: Any,
) -> None:
    # Vault cannot tell an unauthenticated caller that a mount is missing: it answers 403.
    backend = make_backend(token=None, role_id="r", secret_id=V("s"), approle_mount="nope")
    with pytest.raises(dq.SecretAccessDenied, match="approle_mount 'nope'"):
        await backend.get("dq-tests/x")


# -- nothing secret is ever shown -----------------------------------------------------------


async def test_token_secret_id_and_values_never_reach_logs_reprs_or_errors(
    bao: BaoDevServer,
    approle: Any,
    limited_token: str,
    folder: str,
    forbidden_path: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    role_id, secret_id = approle()
    value = f"dq-canary-{uuid.uuid4().hex}"
    by_token = VaultBackend(VaultConfig(address=bao.address, token=V(limited_token)))
    by_role = VaultBackend(
        VaultConfig(address=bao.address, role_id=role_id, secret_id=V(secret_id))
    )
    errors: list[BaseException] = []
    for backend in (by_token, by_role):
        await backend.set(f"{folder}/leak", {"k": V(value), "j": V(value)})
        await backend.get(f"{folder}/leak", field="k")
        for call in (
            lambda b=backend: b.get(forbidden_path),
            lambda b=backend: b.get(f"{folder}/leak"),
            lambda b=backend: b.get(f"{folder}/leak", field="zz"),
            lambda b=backend: b.set(f"{folder}/leak", {"k": V(value)}, cas=0),
            lambda b=backend: b.get(f"{folder}/../x"),
        ):
            try:
                await call()
            except Exception as exc:  # noqa: BLE001 - every error is inspected below
                errors.append(exc)
    assert len(errors) == 10
    texts = [caplog.text, repr(by_token), repr(by_role), repr(by_token.config)]
    texts += [repr(by_role.config), repr(bao)]
    texts += [f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records]
    for exc in errors:
        texts += texts_of(exc)
    for secret in (limited_token, secret_id, value, bao.root_token):
        assert not any(secret in text for text in texts), "a secret leaked"
    assert any("dq_vault" in r.name for r in caplog.records), "debug logging was not exercised"
