"""What a secret store can do, declared by its contract subclass, and the cases that prove it.

A store that cannot write, keep versions, deny or be down used to *skip* the contract's cases
for those things, so its conformance report said "not proven" where the truth was "not
possible". Declaring the capabilities turns each such skip into the case that proves the
opposite: a read-only store must refuse every write, an unversioned store must refuse other
versions and check-and-set, a store without access control must answer every path with its
own secret or nothing, and an in-process store must touch no file, socket or process. Each of
those cases can fail, so a store that declares what it lacks (or lacks what it declares)
fails the contract.

:class:`CapabilityCases` is mixed into :class:`dq_contract.secrets.SecretBackendContract`;
which of its cases a subclass runs is decided when the subclass is defined
(:func:`select_cases`), so a declared backend's run has no skipped test at all.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import dq
import pytest
from hypothesis import HealthCheck, given, settings

from dq_contract.secrets_cases import NEAR_MISS_BASE, assert_only, near_misses, value

__all__ = ["CapabilityCases", "SecretsCapabilities", "external_io", "select_cases"]


@attrs.frozen(kw_only=True)
class SecretsCapabilities:
    """What the store behind a secret backend can do. Every field defaults to ``True``.

    Set on the contract subclass: ``capabilities = SecretsCapabilities(writable=False)``.
    """

    #: ``set``/``delete`` change the store. ``False``: both refuse with
    #: :class:`dq.SecretAccessDenied` saying "read-only", and the subclass provides a
    #: ``secret_writer`` fixture that writes the store the way its owner would.
    writable: bool = True
    #: ``set`` returns a new version, ``get(version=n)`` reads it, ``cas`` is check-and-set.
    #: ``False``: ``set`` returns ``None``, other versions are not found, ``cas`` is refused.
    versioned: bool = True
    #: Some path can be refused by access control (the ``denied_path`` fixture names one).
    #: ``False``: no read is ever denied and no path reaches another path's secret.
    can_deny: bool = True
    #: The store lives outside the process (a server, a file, a volume) and can be down (the
    #: ``unavailable_backend`` fixture). ``False``: no operation touches a file, socket or
    #: process, so there is nothing to be unavailable.
    external: bool = True


#: Contract case -> whether it applies to a store with these capabilities. Cases not listed
#: apply to every store.
APPLIES: dict[str, Callable[[SecretsCapabilities], bool]] = {
    "test_each_set_makes_a_higher_version_and_old_versions_stay_readable": (lambda c: c.versioned),
    "test_cas_zero_writes_only_when_absent": lambda c: c.versioned and c.writable,
    "test_cas_with_a_stale_version_is_a_conflict_and_writes_nothing": (
        lambda c: c.versioned and c.writable
    ),
    "test_unversioned_store_has_only_the_current_value": lambda c: not c.versioned,
    "test_check_and_set_is_refused_where_it_cannot_be_honoured": (
        lambda c: not (c.versioned and c.writable)
    ),
    "test_read_only_store_refuses_every_write_and_changes_nothing": lambda c: not c.writable,
    "test_denied_path_is_access_denied_never_not_found": lambda c: c.can_deny,
    "test_without_access_control_a_path_reads_its_own_secret_or_nothing": (
        lambda c: not c.can_deny
    ),
    "test_unavailable_backend_is_unavailable_never_not_found": lambda c: c.external,
    "test_in_process_store_touches_no_file_socket_or_process": lambda c: not c.external,
}


def select_cases(cls: type, declared: SecretsCapabilities | None, base: type) -> None:
    """Give *cls* exactly the capability cases that apply; hide the others (no skip).

    Undeclared (``None``) keeps the 0.2 behaviour: every case of a full store, and a missing
    optional fixture skips with its reason (``dq plugins verify`` relies on that).
    """
    for name, applies in APPLIES.items():
        keep = applies(declared if declared is not None else SecretsCapabilities())
        if keep and getattr(cls, name, None) is None:
            setattr(cls, name, getattr(base, name))
        elif not keep:
            setattr(cls, name, None)  # pytest collects nothing from a None attribute


# -- watching for I/O an in-process store must never do ------------------------------------

#: Audit events (PEP 578) that mean a file, socket, subprocess or network client was used.
IO_EVENTS = frozenset(
    {
        "open",
        "os.listdir",
        "os.scandir",
        "os.mkdir",
        "os.remove",
        "os.rename",
        "os.rmdir",
        "os.truncate",
        "os.system",
        "os.fork",
        "os.startfile",
        "glob.glob",
        "sqlite3.connect",
    }
)
IO_EVENT_PREFIXES = (
    "socket.",
    "subprocess.",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "http.client.",
    "urllib.",
    "ftplib.",
    "smtplib.",
    "shutil.",
)
_RECORDERS: list[list[str]] = []
_HOOKED = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _RECORDERS and (event in IO_EVENTS or event.startswith(IO_EVENT_PREFIXES)):
        # The event and, for a file, its path: never other arguments (a send's data may be
        # the secret itself).
        shown = f"{event} {args[0]!r}" if event == "open" and args else event
        for recorder in _RECORDERS:
            recorder.append(shown)


@contextlib.contextmanager
def external_io() -> Iterator[list[str]]:
    """Record every file, socket, subprocess or network-client event inside the block.

    Uses one interpreter audit hook (installed on first use; hooks cannot be removed, so it
    costs a list check per event when nothing is watched). Events from other threads count
    too: an in-process store has no business starting a thread that does I/O either.
    """
    global _HOOKED
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED = True
    seen: list[str] = []
    _RECORDERS.append(seen)
    try:
        yield seen
    finally:
        _RECORDERS.remove(seen)


NEAR_MISS_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.differing_executors,
    ],
)


class CapabilityCases:
    """The cases that prove what a store declared it *cannot* do (see the module docstring).

    Each takes ``secret_writer`` where it needs a secret in the store: for a writable store
    that is the backend itself, for a read-only one the owner's way of writing it.
    """

    capabilities: Any = None

    @staticmethod
    async def read(backend: Any, path: str, **kw: Any) -> bytes:
        got = await backend.get(path, **kw)
        assert isinstance(got, dq.SecretValue), f"get returned {type(got).__name__}"
        return got.reveal()

    async def test_read_only_store_refuses_every_write_and_changes_nothing(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str
    ) -> None:
        path, fresh = f"{secret_namespace}/kept", f"{secret_namespace}/never-written"
        await secret_writer.set(path, {"k": value(b"original")})
        for name, call in (
            ("set over a secret", lambda: secret_backend.set(path, {"k": value(b"changed")})),
            ("set a new secret", lambda: secret_backend.set(fresh, {"k": value(b"new")})),
            ("set with cas=0", lambda: secret_backend.set(fresh, {"k": value(b"new")}, cas=0)),
            ("delete", lambda: secret_backend.delete(path)),
        ):
            with pytest.raises(dq.SecretAccessDenied) as info:
                await call()
            assert_only(info.value, dq.SecretAccessDenied)
            assert "read-only" in str(info.value).lower(), (
                f"{name}: the refusal must say the store is read-only (so nobody goes looking "
                f"for a missing permission): {info.value}"
            )
        assert await self.read(secret_backend, path, field="k") == b"original"
        assert await secret_backend.exists(path) is True, "a refused delete deleted"
        assert await secret_backend.exists(fresh) is False, "a refused set wrote"

    async def test_unversioned_store_has_only_the_current_value(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str
    ) -> None:
        path = f"{secret_namespace}/current"
        first = await secret_writer.set(path, {"k": value(b"one")})
        second = await secret_writer.set(path, {"k": value(b"two")})
        if self.capabilities.writable:
            assert first is None and second is None, (
                f"declared versioned=False, but set returned {first!r} then {second!r}: "
                "declare SecretsCapabilities(versioned=True)"
            )
        assert await self.read(secret_backend, path, field="k") == b"two", "a stale value"
        for version in (2, 9137):
            with pytest.raises(dq.SecretNotFound) as info:
                await secret_backend.get(path, field="k", version=version)
            assert_only(info.value, dq.SecretNotFound)
            message = str(info.value)
            assert "version" in message.lower() and str(version) in message, (
                f"get(version={version}) must say the store has no such version: {message!r}"
            )

    async def test_check_and_set_is_refused_where_it_cannot_be_honoured(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str
    ) -> None:
        expected = dq.SecretConflict if self.capabilities.writable else dq.SecretAccessDenied
        path = f"{secret_namespace}/guarded"
        await secret_writer.set(path, {"k": value(b"first")})
        for cas in (0, 9137):
            with pytest.raises(expected) as info:
                await secret_backend.set(path, {"k": value(b"second")}, cas=cas)
            assert_only(info.value, expected)
        assert await self.read(secret_backend, path, field="k") == b"first", "cas was ignored"

    @NEAR_MISS_SETTINGS
    @given(variant=near_misses())
    async def test_without_access_control_a_path_reads_its_own_secret_or_nothing(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str, variant: str
    ) -> None:
        original = f"{secret_namespace}/{NEAR_MISS_BASE}"
        await secret_writer.set(original, {"k": value(b"the-original")})
        assert await self.read(secret_backend, original, field="k") == b"the-original"
        path = f"{secret_namespace}/{variant}"
        for name, call in (
            ("get", lambda: secret_backend.get(path, field="k")),
            ("exists", lambda: secret_backend.exists(path)),
        ):
            try:
                result = await call()
            except (dq.InvalidSecretPath, dq.SecretNotFound) as exc:
                assert not isinstance(exc, dq.SecretAccessDenied), f"{name}: denied"
                continue
            except dq.SecretAccessDenied as exc:
                pytest.fail(
                    f"{name}({variant!r}): denied by a store declared can_deny=False: {exc}"
                )
            assert result is False, (
                f"{name}({variant!r}) reached the secret at {NEAR_MISS_BASE!r}: two paths name "
                "one secret, so a path check on one does not protect the other"
            )

    async def test_in_process_store_touches_no_file_socket_or_process(
        self, secret_backend: Any, secret_writer: Any, secret_namespace: str
    ) -> None:
        path = f"{secret_namespace}/local"
        await secret_writer.set(path, {"k": value(b"x")})  # the owner's write: not watched
        outcomes: list[str] = []

        async def attempt(name: str, call: Callable[[], Any]) -> None:
            try:
                await call()
            except dq.SecretError as exc:
                assert not isinstance(exc, dq.SecretBackendUnavailable), (
                    f"{name}: an in-process store reported itself unavailable: {exc}"
                )
                outcomes.append(f"{name}: {type(exc).__name__}")
            else:
                outcomes.append(f"{name}: ok")

        with external_io() as events:
            await attempt("get", lambda: secret_backend.get(path, field="k"))
            await attempt("get missing", lambda: secret_backend.get(f"{secret_namespace}/none"))
            await attempt("exists", lambda: secret_backend.exists(path))
            await attempt("list", lambda: secret_backend.list(secret_namespace))
            await attempt("set", lambda: secret_backend.set(path, {"k": value(b"y")}))
            await attempt("delete", lambda: secret_backend.delete(path))
        assert outcomes[0] == "get: ok", outcomes
        assert not events, (
            f"a store declared external=False did I/O: {events[:5]} (declare external=True "
            "and provide unavailable_backend)"
        )
