"""SecretBackendContract: the tests every dq secret backend must pass (docs/contracts/secrets.md).

Use it from a plugin's test suite::

    import pytest
    from dq_contract.secrets import SecretBackendContract, SecretsCapabilities
    from my_plugin import VaultBackend

    class TestVaultBackend(SecretBackendContract):
        capabilities = SecretsCapabilities()  # the default: writes, versions, denies, can be down

        @pytest.fixture
        def secret_backend(self, vault_server):
            return VaultBackend(url=vault_server.url, token="root")

        @pytest.fixture                      # can_deny: a path the backend is denied
        def denied_path(self):
            return "forbidden/secret"

        @pytest.fixture                      # external: the backend pointed at a dead server
        def unavailable_backend(self):
            return VaultBackend(url="http://127.0.0.1:9", token="root")

        @pytest.fixture                      # proves validation precedes I/O
        def io_calls(self, vault_server):
            return lambda: len(vault_server.requests)

Tests are coroutines run by anyio's pytest plugin (``anyio_backend`` is ``"asyncio"``;
override it to add trio). Every test writes under a fresh random folder (fixture
``secret_namespace``, below ``secret_root``), so a shared server needs no cleanup between tests.
``capabilities`` (:class:`SecretsCapabilities`) says what the store can do; for what it cannot
(write, keep versions, deny, be down) the contract runs the case proving the opposite instead,
so a declared backend's run skips nothing, and each fixture its capabilities need is required.
A subclass that declares nothing is held to a full store, and an optional fixture it does not
provide makes the tests that need it *skip* with the reason (what ``dq plugins verify`` does).
"""

from __future__ import annotations

import base64
import logging
import secrets as _random
import uuid
from collections.abc import Callable
from typing import Any, ClassVar, NoReturn

import dq
import dq.protocols
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dq_contract.secrets_capabilities import CapabilityCases, SecretsCapabilities, select_cases
from dq_contract.secrets_cases import FIELD_NAME, assert_only, unsafe_paths, value

__all__ = ["SecretBackendContract", "SecretsCapabilities"]

KIND = "secrets"

#: Sized so the whole contract stays well under 30 s per backend on two cores.
PROPERTY_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.differing_executors,
    ],
)
SMALL_PROPERTY_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=50)


class SecretBackendContract(CapabilityCases):
    """Subclass in a test module, provide a fixture ``secret_backend``, declare capabilities."""

    dq_contract_name: ClassVar[str] = "SecretBackendContract"
    pytestmark = [pytest.mark.dq_contract(KIND), pytest.mark.anyio]
    #: What the store can do; ``None`` (undeclared) means a full store whose optional
    #: fixtures may be missing (their tests skip). Declare it: see SecretsCapabilities.
    capabilities: ClassVar[SecretsCapabilities | None] = None
    #: False for stores whose delete is immediate and forgetful (then a deleted secret may
    #: be reported with reason "missing" rather than "deleted").
    soft_delete: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        select_cases(cls, cls.capabilities, SecretBackendContract)

    def missing(self, fixture: str, why: str) -> NoReturn:
        """A fixture the capabilities need is absent: fail if declared, else skip (0.2)."""
        if self.capabilities is None:
            pytest.skip(f"no {fixture} fixture: {why}")
        pytest.fail(f"no {fixture} fixture: {why} (required by the declared {self.capabilities})")

    # -- fixtures the author may override -------------------------------------------------

    @pytest.fixture
    def anyio_backend(self) -> str:
        return "asyncio"

    @pytest.fixture
    def secret_root(self) -> str:
        """Folder every contract path lives under: override if the backend is scoped."""
        return "dq-contract"

    @pytest.fixture
    def secret_namespace(self, secret_root: str) -> str:
        return f"{secret_root}/{uuid.uuid4().hex}"

    @pytest.fixture
    def secret_writer(self, secret_backend: Any) -> Any:
        """What puts secrets in the store for the read cases: the backend itself, unless the
        store is read-only; then an object with async ``set(path, values)`` and
        ``delete(path)`` writing it as its owner would (export a variable, unset it)."""
        if self.capabilities is not None and not self.capabilities.writable:
            self.missing("secret_writer", "a read-only store needs one to be read back")
        return secret_backend

    @pytest.fixture
    def denied_path(self) -> str:
        self.missing("denied_path", "provide a path the backend is configured to deny")

    @pytest.fixture
    def unavailable_backend(self) -> Any:
        self.missing("unavailable_backend", "provide the backend pointed at a dead server")

    @pytest.fixture
    def io_calls(self) -> Callable[[], int] | None:
        """A zero-argument callable counting storage/network operations so far, or None."""
        return None

    @pytest.fixture
    def required_io_calls(self, io_calls: Callable[[], int] | None) -> Callable[[], int]:
        """Skip or fail (before hypothesis starts) the tests that need an I/O counter, if none."""
        if io_calls is None:
            self.missing("io_calls", "cannot prove validation happens before I/O")
        return io_calls

    # -- helpers --------------------------------------------------------------------------

    async def versioned_set(
        self, backend: Any, path: str, data: dict[str, bytes], **kw: Any
    ) -> int:
        version = await backend.set(path, {k: value(v) for k, v in data.items()}, **kw)
        if version is None and self.capabilities is None:
            pytest.skip("the backend does not version secrets (set returned None)")
        assert version is not None, (
            "set returned None, but the store is declared versioned: declare "
            "SecretsCapabilities(versioned=False)"
        )
        assert isinstance(version, int) and not isinstance(version, bool), repr(version)
        return version

    # -- shape and round trips ------------------------------------------------------------

    def test_satisfies_the_secret_backend_protocol(self, secret_backend: Any) -> None:
        assert isinstance(secret_backend, dq.protocols.SecretBackend), "missing protocol members"

    async def test_get_returns_a_secret_value_never_str_or_bytes(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str
    ) -> None:
        path = f"{secret_namespace}/typed"
        await secret_writer.set(path, {"token": value(b"s3cr3t")})
        got = await secret_backend.get(path, field="token")
        assert type(got) is dq.SecretValue, f"get returned {type(got).__name__}"
        assert got.reveal() == b"s3cr3t"
        assert await self.read(secret_backend, path) == b"s3cr3t", "field=None: the only field"

    @PROPERTY_SETTINGS
    @given(fields=st.dictionaries(FIELD_NAME, st.binary(max_size=200), min_size=1, max_size=4))
    @example(fields={"v": b""})
    @example(fields={"v": b"\x00\xff\r\n\x80 \xc3("})
    async def test_set_then_get_round_trips_any_bytes_in_any_field(
        self,
        secret_backend: Any,
        secret_writer: Any,
        secret_namespace: str,
        fields: dict[str, bytes],
    ) -> None:
        path = f"{secret_namespace}/{uuid.uuid4().hex}"
        await secret_writer.set(path, {k: value(v) for k, v in fields.items()})
        for name, data in fields.items():
            assert await self.read(secret_backend, path, field=name) == data, name

    # -- versions and check-and-set -------------------------------------------------------

    async def test_each_set_makes_a_higher_version_and_old_versions_stay_readable(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str
    ) -> None:
        path = f"{secret_namespace}/rotated"
        first = await self.versioned_set(secret_writer, path, {"k": b"one"})
        second = await self.versioned_set(secret_writer, path, {"k": b"two"})
        assert second > first
        assert await self.read(secret_backend, path, field="k") == b"two"
        assert await self.read(secret_backend, path, field="k", version=first) == b"one"
        assert await self.read(secret_backend, path, field="k", version=second) == b"two"

    async def test_cas_zero_writes_only_when_absent(
        self, secret_backend: Any, secret_namespace: str
    ) -> None:
        path = f"{secret_namespace}/created-once"
        await self.versioned_set(secret_backend, path, {"k": b"first"}, cas=0)
        with pytest.raises(dq.SecretConflict) as info:
            await secret_backend.set(path, {"k": value(b"second")}, cas=0)
        assert_only(info.value, dq.SecretConflict)
        assert await self.read(secret_backend, path, field="k") == b"first"

    async def test_cas_with_a_stale_version_is_a_conflict_and_writes_nothing(
        self, secret_backend: Any, secret_namespace: str
    ) -> None:
        path = f"{secret_namespace}/raced"
        first = await self.versioned_set(secret_backend, path, {"k": b"a"})
        second = await self.versioned_set(secret_backend, path, {"k": b"b"}, cas=first)
        with pytest.raises(dq.SecretConflict) as info:
            await secret_backend.set(path, {"k": value(b"lost")}, cas=first)
        assert_only(info.value, dq.SecretConflict)
        assert await self.read(secret_backend, path, field="k") == b"b"
        third = await self.versioned_set(secret_backend, path, {"k": b"c"}, cas=second)
        assert third > second

    # -- not found, delete, exists, list --------------------------------------------------

    async def test_get_missing_is_not_found_with_reason_missing(
        self, secret_backend: Any, secret_namespace: str
    ) -> None:
        with pytest.raises(dq.SecretNotFound) as info:
            await secret_backend.get(f"{secret_namespace}/never-written")
        assert_only(info.value, dq.SecretNotFound)
        assert info.value.reason == "missing"

    async def test_missing_field_or_version_is_not_found(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str
    ) -> None:
        path = f"{secret_namespace}/partial"
        version = await secret_writer.set(path, {"k": value(b"x")})
        with pytest.raises(dq.SecretNotFound) as info:
            await secret_backend.get(path, field="absent")
        assert_only(info.value, dq.SecretNotFound)
        if version is not None:
            with pytest.raises(dq.SecretNotFound) as info:
                await secret_backend.get(path, field="k", version=version + 100)
            assert_only(info.value, dq.SecretNotFound)

    async def test_delete_then_get_is_not_found_because_deleted(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str
    ) -> None:
        path = f"{secret_namespace}/deleted"
        await secret_writer.set(path, {"k": value(b"x")})
        await secret_writer.delete(path)
        with pytest.raises(dq.SecretNotFound) as info:
            await secret_backend.get(path, field="k")
        assert_only(info.value, dq.SecretNotFound)
        allowed = {"deleted", "destroyed"} | (set() if self.soft_delete else {"missing"})
        assert info.value.reason in allowed, f"reason {info.value.reason!r} not in {allowed}"

    async def test_exists_is_true_only_for_a_live_secret(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str
    ) -> None:
        path = f"{secret_namespace}/present"
        assert await secret_backend.exists(path) is False
        await secret_writer.set(path, {"k": value(b"x")})
        assert await secret_backend.exists(path) is True
        assert await secret_backend.exists(f"{secret_namespace}/pres") is False
        await secret_writer.delete(path)
        assert await secret_backend.exists(path) is False

    async def test_list_returns_direct_children_with_folders_ending_in_slash(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str
    ) -> None:
        for path in ("app/one", "app/two", "app/db/three", "other/four"):
            await secret_writer.set(f"{secret_namespace}/{path}", {"k": value(b"x")})
        listed = await secret_backend.list(f"{secret_namespace}/app")
        assert all(isinstance(name, str) for name in listed)
        assert sorted(listed) == ["db/", "one", "two"]
        assert sorted(await secret_backend.list(f"{secret_namespace}/app/")) == sorted(listed)
        assert sorted(await secret_backend.list(secret_namespace)) == ["app/", "other/"]
        assert list(await secret_backend.list(f"{secret_namespace}/empty")) == []

    # -- paths ----------------------------------------------------------------------------

    async def every_operation_rejects(self, backend: Any, path: str) -> None:
        calls = {
            "get": lambda: backend.get(path),
            "set": lambda: backend.set(path, {"k": value(b"x")}),
            "delete": lambda: backend.delete(path),
            "exists": lambda: backend.exists(path),
            "list": lambda: backend.list(path),
        }
        for operation, call in calls.items():
            with pytest.raises(dq.InvalidSecretPath) as info:
                await call()
            assert_only(info.value, dq.InvalidSecretPath)
            assert info.value, f"{operation}({path!r}): empty message"

    @PROPERTY_SETTINGS
    @given(path=unsafe_paths())
    @example(path="a/../b")
    @example(path="a/%2e%2e/b")
    @example(path="a//b")
    @example(path="/etc/passwd")
    @example(path="a\\..\\b")
    @example(path="a/b\x00c")
    @example(path="a/b\nc")
    async def test_unsafe_paths_are_rejected_by_every_operation(
        self, secret_backend: Any, path: str
    ) -> None:
        await self.every_operation_rejects(secret_backend, path)

    @SMALL_PROPERTY_SETTINGS
    @given(path=unsafe_paths())
    @example(path="a/../b")
    @example(path="/a")
    async def test_unsafe_paths_are_rejected_before_any_io(
        self, secret_backend: Any, required_io_calls: Callable[[], int], path: str
    ) -> None:
        io_calls = required_io_calls
        before = io_calls()
        await self.every_operation_rejects(secret_backend, path)
        assert io_calls() == before, f"{path!r} caused I/O before it was rejected"

    async def test_traversal_never_reaches_a_sibling_secret(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str
    ) -> None:
        await secret_writer.set(f"{secret_namespace}/globex/key", {"k": value(b"theirs")})
        for path in ("acme/../globex/key", "acme/%2e%2e/globex/key", "acme/./../globex/key"):
            with pytest.raises(dq.InvalidSecretPath):
                await secret_backend.get(f"{secret_namespace}/{path}", field="k")

    # -- denied and unavailable never look like not-found ---------------------------------

    async def test_denied_path_is_access_denied_never_not_found(
        self, secret_backend: Any, denied_path: str
    ) -> None:
        for name, call in (
            ("get", lambda: secret_backend.get(denied_path)),
            ("exists", lambda: secret_backend.exists(denied_path)),
        ):
            try:
                result = await call()
            except Exception as exc:  # noqa: BLE001 - the category is what is under test
                assert not isinstance(exc, dq.SecretNotFound), (
                    f"{name}: denial reported as not-found lets a caller fall through"
                )
                assert_only(exc, dq.SecretAccessDenied)
            else:
                pytest.fail(f"{name}({denied_path!r}) returned {type(result).__name__}")

    async def test_unavailable_backend_is_unavailable_never_not_found(
        self, unavailable_backend: Any, secret_namespace: str
    ) -> None:
        path = f"{secret_namespace}/any"
        for call in (
            lambda: unavailable_backend.get(path),
            lambda: unavailable_backend.exists(path),
        ):
            with pytest.raises(dq.SecretBackendUnavailable) as info:
                await call()
            assert_only(info.value, dq.SecretBackendUnavailable)

    # -- values never show ----------------------------------------------------------------

    async def test_secret_value_repr_and_str_never_show_the_value(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str
    ) -> None:
        canary = f"dq-canary-{_random.token_hex(12)}"
        path = f"{secret_namespace}/masked"
        await secret_writer.set(path, {"k": value(canary)})
        got = await secret_backend.get(path, field="k")
        assert isinstance(got, dq.SecretValue), f"get returned {type(got).__name__}"
        for shown in (repr(got), str(got), f"{got}", f"{got!r}", format(got)):
            assert canary not in shown, "a SecretValue showed its value"
        assert got.reveal_text() == canary

    async def test_values_never_appear_in_logs_output_or_errors(
        self,
        secret_backend: Any,
        secret_writer: Any,
        secret_namespace: str,
        caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        canary = f"dq-canary-{_random.token_hex(12)}"
        raw = canary.encode()
        forms = {canary, base64.b64encode(raw).decode(), raw.hex()}
        path = f"{secret_namespace}/leaky"
        errors: list[BaseException] = []

        async def attempt(call: Callable[[], Any]) -> None:
            try:
                await call()
            except dq.SecretError as exc:
                errors.append(exc)

        caplog.set_level(logging.DEBUG)
        version = await secret_writer.set(path, {"k": value(canary), "other": value(raw)})
        await attempt(lambda: secret_backend.get(path, field="k"))
        await attempt(lambda: secret_backend.get(path, field="missing"))
        await attempt(lambda: secret_backend.get(path))
        await attempt(lambda: secret_backend.set(path, {"k": value(canary)}, cas=0))
        if version is not None:
            await attempt(lambda: secret_backend.set(path, {"k": value(raw)}, cas=version + 7))
            await attempt(lambda: secret_backend.get(path, field="k", version=version + 7))
        await attempt(lambda: secret_backend.list(secret_namespace))
        await attempt(lambda: secret_backend.exists(path))
        await attempt(lambda: secret_backend.delete(path))
        await attempt(lambda: secret_backend.get(path, field="k"))
        assert errors, "no operation above raised: the error paths went unexercised"

        texts = [caplog.text, *capsys.readouterr()]
        texts += [f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records]
        for exc in errors:
            chain: BaseException | None = exc
            while chain is not None:
                texts += [
                    str(chain),
                    repr(chain),
                    repr(chain.args),
                    repr(getattr(chain, "__dict__", {})),
                ]
                chain = chain.__cause__ or chain.__context__
        for text in texts:
            for form in forms:
                assert form not in text, f"the secret value leaked: ...{text[:200]}..."
