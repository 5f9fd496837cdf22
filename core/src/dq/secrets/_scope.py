"""TenantScopedBackend: each tenant sees only its own folder of a shared secret store.

Under tenant ``acme``, ``db`` is read from ``tenants/acme/db``. The path is
validated with :func:`dq.validate_secret_path` *before* the prefix is added,
and the tenant id is a DNS label, so no spelling of a path (``..``, ``%2e%2e``,
``/abs``, ``tenants/globex/db``, unicode look-alikes, control characters) can
leave ``tenants/acme/``: a hostile path is either refused or lands inside it.
(``tenants/globex/db`` under acme reads ``tenants/acme/tenants/globex/db``:
harmless, acme's own folder.)

Without a tenant a scoped backend fails closed: guessing "no prefix" would hand
the whole store, every tenant's folder included, to whoever runs without one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from dq.model._errors import UsageError
from dq.model._secrets import SecretValue, validate_secret_path, validate_secret_prefix
from dq.model._tenants import TenantId
from dq.secrets._audit import current_note
from dq.secrets._config import DEFAULT_TENANT_PREFIX
from dq.tenancy._context import current_tenant

if TYPE_CHECKING:
    from dq.protocols import SecretBackend


class TenantScopedBackend:
    """Wraps any SecretBackend so every path is validated, then placed under the tenant.

    *tenant* pins the tenant; ``None`` means the tenant bound when each access
    happens (:func:`dq.current_tenant`), so one wrapped backend can serve a
    multi-tenant server. With ``scoped=False`` (a store every tenant shares, such
    as a site-wide Slack token) paths are validated but not prefixed.
    """

    def __init__(
        self,
        inner: SecretBackend,
        *,
        backend: str = "secrets",
        tenant: TenantId | None = None,
        prefix: str = DEFAULT_TENANT_PREFIX,
        scoped: bool = True,
    ) -> None:
        if scoped and prefix.split("/").count("{tenant}") != 1:
            raise UsageError(
                f"secret backend {backend!r}: tenant prefix {prefix!r} must contain "
                "'{tenant}' once as a whole segment"
            )
        self.inner = inner
        self.backend = backend
        self.tenant = tenant
        self.prefix = prefix
        self.scoped = scoped

    def __repr__(self) -> str:
        return (
            f"TenantScopedBackend({self.backend!r}, tenant={self.tenant}, scoped={self.scoped}, "
            f"inner={type(self.inner).__name__})"
        )

    def _tenant(self) -> TenantId | None:
        tenant = self.tenant if self.tenant is not None else current_tenant()
        note = current_note()
        if note is not None:
            note.tenant, note.tenant_known = tenant, True
        return tenant

    def _folder(self) -> str:
        """The tenant's folder (``tenants/acme``), or ``""`` for a shared store."""
        tenant = self._tenant()
        if not self.scoped:
            return ""
        if tenant is None:
            raise UsageError(
                f"secret backend {self.backend!r} is tenant-scoped but no tenant is bound; "
                "run under a tenant (--tenant, DQ_TENANT, dq.tenant_scope) or set "
                f"tenant_scoped = false in [secrets.backends.{self.backend}] if the store "
                "is shared by every tenant"
            )
        if not isinstance(tenant, TenantId):  # a str slipped in: validate it as a tenant id
            tenant = TenantId(str(tenant))
        return self.prefix.replace("{tenant}", tenant.value)

    def effective_path(self, path: str) -> str:
        """Where *path* lives in the store for the current tenant (validated first)."""
        validate_secret_path(path)
        folder = self._folder()
        effective = f"{folder}/{path}" if folder else path
        note = current_note()
        if note is not None:
            note.effective_path = effective
        return effective

    def _effective_prefix(self, prefix: str) -> str:
        trimmed = validate_secret_prefix(prefix)
        folder = self._folder()
        effective = "/".join(part for part in (folder, trimmed) if part)
        note = current_note()
        if note is not None:
            note.effective_path = effective
        return effective

    # -- the SecretBackend protocol -----------------------------------------------------

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> SecretValue:
        return await self.inner.get(self.effective_path(path), field=field, version=version)

    async def set(
        self, path: str, values: Mapping[str, SecretValue], *, cas: int | None = None
    ) -> int | None:
        return await self.inner.set(self.effective_path(path), values, cas=cas)

    async def delete(self, path: str) -> None:
        await self.inner.delete(self.effective_path(path))

    async def list(self, prefix: str = "") -> Sequence[str]:
        """Children of *prefix* inside the tenant's folder; names are relative to the
        folder already (``list`` returns direct children), so nothing is stripped twice."""
        effective = self._effective_prefix(prefix)
        children = await self.inner.list(effective)
        return [_relative(child, effective) for child in children]

    async def exists(self, path: str) -> bool:
        return await self.inner.exists(self.effective_path(path))

    async def aclose(self) -> None:
        closer = getattr(self.inner, "aclose", None)
        if closer is not None:
            await closer()


def _relative(child: str, effective_prefix: str) -> str:
    """Backends return direct children by name; a backend that returns full paths
    instead gets the tenant's folder stripped, so no caller ever sees it."""
    start = f"{effective_prefix}/" if effective_prefix else ""
    return child[len(start) :] if start and child.startswith(start) else child
