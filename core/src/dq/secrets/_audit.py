"""AuditedSecretBackend: one :class:`dq.SecretAccess` per operation, never the value.

Every access, including a refused path, a denial and a cache hit, is reported
twice: to the ``dq_secret_accessed`` hook of every loaded plugin and of every
audit sink installed in the ``dq.audit`` entry-point group, and to the stdlib
logger ``dq.audit`` as one line with structured ``extra`` fields, so an operator
gets an audit trail with no plugin at all. A sink that raises is logged and
skipped: auditing must not block or undo the access it records.

The wrappers below it (tenant scope, cache) know things the audit record needs
— the effective path, the tenant, whether the value came from the cache — but
the :class:`dq.protocols.SecretBackend` protocol has no room to return them. So
this layer opens an :class:`AccessNote` in a ContextVar for the duration of
each call, and the layers below fill it in (:func:`current_note`). A ContextVar
rather than an attribute because one wrapped backend serves concurrent tasks.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from dq.model._errors import UsageError
from dq.model._secrets import (
    InvalidSecretPath,
    SecretAccess,
    SecretAccessDenied,
    SecretBackendUnavailable,
    SecretConflict,
    SecretNotFound,
    SecretOperation,
    SecretValue,
)
from dq.model._tenants import TenantId
from dq.runtime._bounded import BoundExceeded, call_bounded
from dq.tenancy._context import current_tenant

if TYPE_CHECKING:
    from dq.plugins._host import Host
    from dq.protocols import SecretBackend

audit_log = logging.getLogger("dq.audit")
_log = logging.getLogger(__name__)

T = TypeVar("T")

AuditSink = Callable[[SecretAccess], None]


@attrs.define
class AccessNote:
    """What the layers below the audit learn about one access (mutable, one per call)."""

    effective_path: str | None = None
    tenant: TenantId | None = None
    tenant_known: bool = False
    cached: bool = False


_NOTE: contextvars.ContextVar[AccessNote | None] = contextvars.ContextVar(
    "dq_secret_access_note", default=None
)


def current_note() -> AccessNote | None:
    """The note of the audited access in progress, or ``None`` outside one."""
    return _NOTE.get()


@contextmanager
def _open_note() -> Iterator[AccessNote]:
    note = AccessNote()
    token = _NOTE.set(note)
    try:
        yield note
    finally:
        _NOTE.reset(token)


def outcome_of(exc: BaseException | None) -> str:
    """Map an error to the outcome vocabulary in :data:`dq.model._secrets.SECRET_OUTCOMES`."""
    if exc is None:
        return "ok"
    if isinstance(exc, SecretNotFound):
        return "not_found"
    if isinstance(exc, SecretAccessDenied):
        return "denied"
    if isinstance(exc, SecretBackendUnavailable):
        return "unavailable"
    if isinstance(exc, SecretConflict):
        return "conflict"
    if isinstance(exc, (InvalidSecretPath, UsageError, TypeError, ValueError)):
        return "invalid"
    return "error"


#: How long one audit sink may take per event before the access goes on without it.
AUDIT_SINK_SECONDS = 2.0


def host_sink(host: Host) -> AuditSink:
    """Broadcast to ``dq_secret_accessed`` on every plugin loaded into *host*, each alone.

    The first event loads the host's audit sinks (``dq.audit``; :meth:`Host.audit_sinks`),
    so an audit-only plugin is called although no component of it is used, and a
    process that never touches a secret never imports one. pluggy stops a hook call
    at the first raising implementation; calling each one separately means a broken
    sink neither blocks the access nor silences the sinks after it.
    """

    def emit(event: SecretAccess) -> None:
        try:
            host.audit_sinks()
        except Exception as exc:  # loading sinks must never block the access either
            _log.warning("could not load the audit sinks: %s", type(exc).__name__)
        caller = host.pm.hook.dq_secret_accessed
        for impl in caller.get_hookimpls():
            kwargs = {"event": event} if "event" in impl.argnames else {}
            try:  # bounded: a slow sink must not hold up every secret access
                call_bounded(
                    lambda impl=impl, kwargs=kwargs: impl.function(**kwargs),
                    seconds=AUDIT_SINK_SECONDS,
                    what=f"audit sink {impl.plugin_name}",
                )
            except BoundExceeded:
                _log.warning(
                    "audit sink %s took longer than %g s in dq_secret_accessed; the access "
                    "went on without waiting for it",
                    impl.plugin_name,
                    AUDIT_SINK_SECONDS,
                )
            except Exception as exc:  # an audit sink must never block the access
                _log.warning(
                    "audit sink %s raised %s in dq_secret_accessed; the access was not blocked",
                    impl.plugin_name,
                    type(exc).__name__,
                )

    return emit


def log_access(event: SecretAccess) -> None:
    """One ``dq.audit`` line per access; the fields also go in ``extra`` for JSON formatters."""
    if not audit_log.isEnabledFor(logging.INFO):
        return
    extra = {
        "secret_backend": event.backend,
        "secret_path": event.path,
        "secret_effective_path": event.effective_path,
        "secret_field": event.field,
        "secret_version": event.version,
        "secret_operation": event.operation.value,
        "secret_outcome": event.outcome,
        "secret_tenant": str(event.tenant) if event.tenant is not None else None,
        "secret_actor": event.actor,
        "secret_cached": event.cached,
        "secret_at": event.at.isoformat() if event.at else None,
    }
    audit_log.info(
        "secret %s %s:%s (%s) tenant=%s actor=%s outcome=%s%s",
        event.operation.value,
        event.backend,
        event.path,
        event.effective_path or event.path,
        event.tenant or "-",
        event.actor or "-",
        event.outcome,
        " cached" if event.cached else "",
        extra=extra,
    )


class AuditedSecretBackend:
    """Wraps any SecretBackend; records every operation through *sinks* and ``dq.audit``.

    *tenant* fixes the tenant recorded when no tenant-scoping layer below reports
    one; ``None`` means the tenant bound when the access happens
    (:func:`dq.current_tenant`). *clock* returns the timestamp (tests pin it).
    """

    def __init__(
        self,
        inner: SecretBackend,
        *,
        backend: str,
        sinks: Sequence[AuditSink] = (),
        actor: str | None = None,
        tenant: TenantId | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.inner = inner
        self.backend = backend
        self.sinks = tuple(sinks)
        self.actor = actor
        self.tenant = tenant
        self._clock = clock

    def __repr__(self) -> str:
        return f"AuditedSecretBackend({self.backend!r}, inner={type(self.inner).__name__})"

    async def _audited(
        self,
        operation: SecretOperation,
        path: str,
        call: Callable[[], Any],
        *,
        field: str | None = None,
        version: int | None = None,
        found: Callable[[Any], bool] | None = None,
    ) -> Any:
        with _open_note() as note:
            error: BaseException | None = None
            try:
                result = await call()
            except BaseException as exc:  # recorded, then re-raised unchanged
                error = exc
                raise
            finally:
                outcome = outcome_of(error)
                if error is None and found is not None and not found(result):
                    outcome = "not_found"
                self._emit(operation, path, note, outcome, field, version)
        return result

    def _emit(
        self,
        operation: SecretOperation,
        path: str,
        note: AccessNote,
        outcome: str,
        field: str | None,
        version: int | None,
    ) -> None:
        tenant = note.tenant if note.tenant_known else (self.tenant or current_tenant())
        try:
            event = SecretAccess(
                backend=self.backend,
                path=path if isinstance(path, str) else repr(path),
                operation=operation,
                outcome=outcome,
                tenant=tenant,
                actor=self.actor,
                at=self._clock(),
                effective_path=note.effective_path,
                field=field,
                version=version,
                cached=note.cached,
            )
            log_access(event)
        except Exception as exc:  # building or logging the record must not break the access
            _log.warning("could not record a secret access: %s", type(exc).__name__)
            return
        for sink in self.sinks:
            try:
                sink(event)
            except Exception as exc:
                _log.warning(
                    "audit sink %r raised %s; the access was not blocked",
                    getattr(sink, "__qualname__", sink),
                    type(exc).__name__,
                )

    # -- the SecretBackend protocol -----------------------------------------------------

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> SecretValue:
        result: SecretValue = await self._audited(
            SecretOperation.GET,
            path,
            lambda: self.inner.get(path, field=field, version=version),
            field=field,
            version=version,
        )
        return result

    async def set(
        self, path: str, values: Mapping[str, SecretValue], *, cas: int | None = None
    ) -> int | None:
        result: int | None = await self._audited(
            SecretOperation.SET, path, lambda: self.inner.set(path, values, cas=cas)
        )
        return result

    async def delete(self, path: str) -> None:
        await self._audited(SecretOperation.DELETE, path, lambda: self.inner.delete(path))

    async def list(self, prefix: str = "") -> Sequence[str]:
        result: Sequence[str] = await self._audited(
            SecretOperation.LIST, prefix, lambda: self.inner.list(prefix)
        )
        return result

    async def exists(self, path: str) -> bool:
        """``exists`` answering false is audited as ``not_found``: probing for names is
        what an auditor looks for, and "ok" would hide it."""
        result: bool = await self._audited(
            SecretOperation.EXISTS, path, lambda: self.inner.exists(path), found=bool
        )
        return result

    async def aclose(self) -> None:
        closer = getattr(self.inner, "aclose", None)
        if closer is not None:
            await closer()
