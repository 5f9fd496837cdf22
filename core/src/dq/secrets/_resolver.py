"""SecretResolver: ``${secret:NAME:PATH#FIELD@VERSION}`` in any config value, at run time.

Config files hold references, never values; the resolver turns them into
:class:`dq.SecretValue` at the moment a component is built, so a secret is in
memory only where it is used and never in a file, a log or a repr.

Each named backend is built once from its ``[secrets.backends.NAME]`` table and
wrapped as audit → tenant scope → cache → the plugin's backend: the audit is
outermost so that refused paths and tenant-less accesses are recorded too
(traversal attempts are what an auditor most wants to see); the cache sits
below the scope so its keys are effective paths, and one tenant can never be
served another tenant's cached value.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dq.model._errors import ConfigError, DqError, PluginError, UsageError
from dq.model._secrets import (
    _REF_RE,
    REF_MARKER,
    SecretError,
    SecretNotFound,
    SecretRef,
    SecretValue,
    has_secret_references,
)
from dq.model._tenants import TenantId
from dq.secrets._audit import AuditedSecretBackend, host_sink
from dq.secrets._cache import CachedSecretBackend
from dq.secrets._config import SecretsConfig
from dq.secrets._scope import TenantScopedBackend

if TYPE_CHECKING:
    from dq.plugins._host import Host
    from dq.protocols import SecretBackend

_ANY_REF_RE = re.compile(r"\$\{secret:[^}]*\}?")


class SecretResolver:
    """Resolves secret references against the backends of one ``[secrets]`` table.

    *tenant* pins the tenant every tenant-scoped path is placed under; ``None``
    means the tenant bound when each access happens (:func:`dq.current_tenant`).
    *actor* is who the audit records as reading (``"airflow:run-42"``, ``"cli:alice"``).
    """

    def __init__(
        self,
        host: Host,
        config: SecretsConfig,
        *,
        tenant: TenantId | None = None,
        actor: str | None = None,
    ) -> None:
        self.host = host
        self.config = config
        self.tenant = TenantId(tenant) if isinstance(tenant, str) else tenant
        self.actor = actor
        self._backends: dict[str, AuditedSecretBackend] = {}
        self._raw: list[Any] = []

    def __repr__(self) -> str:
        return (
            f"SecretResolver(backends={sorted(self.config.backends)}, tenant={self.tenant}, "
            f"actor={self.actor!r})"
        )

    # -- backends -----------------------------------------------------------------------

    def backend(self, name: str) -> AuditedSecretBackend:
        """The wrapped backend called *name*, built on first use and kept.

        Sync callers only for backends whose own options hold no ``${secret:...}``
        reference; :meth:`abackend` resolves those first (a dq-file key kept in Vault).
        """
        built = self._backends.get(name)
        if built is not None:
            return built
        settings = self._settings(name)
        if has_secret_references(settings.options):
            raise UsageError(
                f"secret backend {name!r} has ${{secret:...}} references in its options; "
                "build it with 'await resolver.abackend(name)'"
            )
        return self._build(name, settings, settings.options)

    async def abackend(self, name: str) -> AuditedSecretBackend:
        """:meth:`backend`, resolving references in the backend's own options first
        (through the other backends: a reference back to itself is a config error)."""
        built = self._backends.get(name)
        if built is not None:
            return built
        settings = self._settings(name)
        options = settings.options
        if has_secret_references(options):
            stack = _RESOLVING.get()
            if name in stack:
                raise ConfigError(
                    self.config.source,
                    [
                        f"backends.{name}: its options refer back to it through "
                        f"{' -> '.join((*stack, name))}; read its key from another backend"
                    ],
                )
            token = _RESOLVING.set((*stack, name))
            try:
                options = await self._walk(options, f"backends.{name}", {})
            finally:
                _RESOLVING.reset(token)
        return self._build(name, settings, options)

    def _settings(self, name: str) -> Any:
        settings = self.config.backends.get(name)
        if settings is None and name in self.config.chains:
            raise UsageError(
                f"{name!r} is a chain of secret backends ({', '.join(self.config.chains[name])}): "
                "it can only be read; write, list or delete through one of its backends"
            )
        if settings is None:
            configured = ", ".join(sorted(self.config.backends)) or "none"
            raise ConfigError(
                self.config.source,
                [
                    f"backends.{name}: no secret backend named {name!r} is configured "
                    f"(configured: {configured}); add a [secrets.backends.{name}] table"
                ],
            )
        return settings

    def _build(self, name: str, settings: Any, options: Any) -> AuditedSecretBackend:
        raw = self.host.component("secrets", settings.type, options)
        self._raw.append(raw)
        layer: Any = _Guard(raw, backend=name, host=self.host, component=settings.type)
        if self.config.cache_ttl > 0:
            layer = CachedSecretBackend(
                layer, ttl=self.config.cache_ttl, max_entries=self.config.cache_size
            )
        layer = TenantScopedBackend(
            layer,
            backend=name,
            tenant=self.tenant,
            prefix=self.config.tenant_prefix,
            scoped=settings.tenant_scoped,
        )
        built = AuditedSecretBackend(
            layer,
            backend=name,
            sinks=(host_sink(self.host),),
            actor=self.actor,
            tenant=self.tenant,
        )
        self._backends[name] = built
        return built

    async def store_backend(self, name: str) -> Any:
        """Backend *name*'s own object, unwrapped: no tenant scope, cache or audit layer.

        For store-wide administration that is not part of the secrets protocol (key
        rotation in a store that holds its own keys). Closed with the others by aclose.
        """
        settings = self._settings(name)
        options = settings.options
        if has_secret_references(options):
            options = await self._walk(options, f"backends.{name}", {})
        raw = self.host.component("secrets", settings.type, options)
        self._raw.append(raw)
        return raw

    async def aclose(self) -> None:
        """Close every backend built that has ``aclose`` (HTTP clients, connection pools)."""
        raws, self._raw, self._backends = self._raw, [], {}
        for raw in raws:
            closer = getattr(raw, "aclose", None)
            if closer is not None:
                await closer()

    # -- resolving ----------------------------------------------------------------------

    async def get(self, ref: SecretRef | str) -> SecretValue:
        """Read one reference. A denial is raised as :class:`dq.SecretAccessDenied` and
        never answered from anywhere else: falling through would turn a refused
        secret into a silently substituted one."""
        if isinstance(ref, str):
            try:
                ref = SecretRef.parse(ref)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        chain = self.config.chains.get(ref.backend)
        if chain is None:
            backend = await self.abackend(ref.backend)
            return await backend.get(ref.path, field=ref.field, version=ref.version)
        return await self._get_from_chain(ref, chain)

    async def _get_from_chain(self, ref: SecretRef, chain: tuple[str, ...]) -> SecretValue:
        """Try each backend in order. Only not-found moves on: a denial or an outage stops
        the chain (naming the backend that answered), or a refused secret would be
        silently replaced by another store's copy."""
        for name in chain:
            try:
                backend = await self.abackend(name)
                return await backend.get(ref.path, field=ref.field, version=ref.version)
            except SecretNotFound:
                continue
            except SecretError as exc:
                note = f"chain {ref.backend!r} stopped at backend {name!r}: "
                try:
                    raise type(exc)(note + str(exc)) from exc
                except TypeError:  # a subclass with its own constructor: keep it whole
                    raise exc from None
        raise SecretNotFound(
            f"{ref.backend}:{ref.path}: not found in any backend of chain {ref.backend!r} "
            f"(tried {', '.join(chain)})"
        )

    async def resolve_tree(self, value: Any, *, where: str = "") -> Any:
        """Return *value* with every secret reference in its strings resolved.

        Walks mappings, lists and tuples. A string that is exactly one reference
        becomes that :class:`dq.SecretValue`; a string with references inside other
        text becomes a SecretValue of the whole interpolated text (so
        ``"https://${secret:vault:host}/hook"`` never exists as a plain str); other
        values are returned as they are. *where* names the root in error messages
        (``notify.channels.oncall.url``). The input is not modified.
        """
        memo: dict[SecretRef, SecretValue] = {}
        return await self._walk(value, where, memo)

    def resolve_tree_sync(self, value: Any, *, where: str = "") -> Any:
        """:meth:`resolve_tree` for synchronous callers, in or outside a running loop."""
        from dq.runtime._bridge import run_sync

        return run_sync(_call_resolve, self, value, where)

    async def _walk(self, value: Any, where: str, memo: dict[SecretRef, SecretValue]) -> Any:
        if isinstance(value, str):
            return await self._resolve_string(value, where, memo) if REF_MARKER in value else value
        if isinstance(value, Mapping):
            return {
                key: await self._walk(item, _join(where, str(key)), memo)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            items = [
                await self._walk(item, f"{where}[{index}]", memo)
                for index, item in enumerate(value)
            ]
            return items if isinstance(value, list) else tuple(items)
        return value

    async def _resolve_string(
        self, text: str, where: str, memo: dict[SecretRef, SecretValue]
    ) -> SecretValue:
        refs = list(_REF_RE.finditer(text))
        spans = {match.span() for match in refs}
        for candidate in _ANY_REF_RE.finditer(text):
            if candidate.span() not in spans:
                raise ConfigError(
                    self.config.source,
                    [
                        f"{where or '<value>'}: {_shown(candidate.group())} is not a valid secret "
                        "reference; write ${secret:BACKEND:PATH#FIELD@VERSION} (BACKEND in "
                        "lowercase, '#FIELD' and '@VERSION' optional)"
                    ],
                )
        if len(refs) == 1 and refs[0].span() == (0, len(text)):
            return await self._fetch(SecretRef.parse(text), where, memo)
        pieces: list[bytes] = []
        position = 0
        for match in refs:
            ref = SecretRef.parse(match.group())
            pieces.append(text[position : match.start()].encode())
            pieces.append((await self._fetch(ref, where, memo)).reveal())
            position = match.end()
        pieces.append(text[position:].encode())
        return SecretValue(b"".join(pieces))

    async def _fetch(
        self, ref: SecretRef, where: str, memo: dict[SecretRef, SecretValue]
    ) -> SecretValue:
        if ref in memo:
            return memo[ref]
        try:
            value = await self.get(ref)
        except SecretError as exc:
            raise _located(exc, where, ref) from exc
        memo[ref] = value
        return value


#: The backends whose own options are being resolved, innermost last (a cycle guard that
#: follows each task, so concurrent reads never see each other's resolution).
_RESOLVING: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "dq_secret_backend_resolving", default=()
)


async def _call_resolve(resolver: SecretResolver, value: Any, where: str) -> Any:
    return await resolver.resolve_tree(value, where=where)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _shown(text: str) -> str:
    """A malformed reference, quoted and bounded (it is a reference, not a value)."""
    escaped = text.encode("unicode_escape").decode("ascii")
    return repr(escaped if len(escaped) <= 80 else escaped[:77] + "...")


def _located(exc: SecretError, where: str, ref: SecretRef) -> SecretError:
    """The same error class (callers and exit codes depend on it), with the config path."""
    message = f"{where or '<value>'}: {ref}: {exc}"
    try:
        if isinstance(exc, SecretNotFound):
            located: SecretError = type(exc)(message, reason=exc.reason)
        else:
            located = type(exc)(message)
    except TypeError:  # a subclass with its own constructor: keep it as it is
        return exc
    return located


class _Guard:
    """Innermost layer: a backend that raises something other than a dq error has
    broken its contract; report it as a :class:`dq.PluginError` naming the
    distribution, with the exception type only (its message may hold anything)."""

    def __init__(self, inner: SecretBackend, *, backend: str, host: Host, component: str) -> None:
        self.inner = inner
        self.backend = backend
        self.host = host
        self.component = component

    def __repr__(self) -> str:
        return f"_Guard({self.backend!r}, inner={type(self.inner).__name__})"

    def _fault(self, operation: str, exc: Exception) -> PluginError:
        record = self.host.record_for("secrets", self.component)
        return PluginError(
            f"secret backend {self.backend!r} ({record.kind} {record.name!r} from "
            f"{record.distribution} {record.version}) raised {type(exc).__name__} in {operation}; "
            "report this to the plugin's authors",
            distribution=record.distribution,
            component=record.name,
        )

    async def _call(self, operation: str, call: Any) -> Any:
        try:
            return await call()
        except DqError:
            raise
        except Exception as exc:
            raise self._fault(operation, exc) from exc

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> SecretValue:
        value = await self._call("get", lambda: self.inner.get(path, field=field, version=version))
        if not isinstance(value, SecretValue):
            raise self._fault("get", TypeError(f"returned {type(value).__name__}"))
        return value

    async def set(
        self, path: str, values: Mapping[str, SecretValue], *, cas: int | None = None
    ) -> int | None:
        result: int | None = await self._call("set", lambda: self.inner.set(path, values, cas=cas))
        return result

    async def delete(self, path: str) -> None:
        await self._call("delete", lambda: self.inner.delete(path))

    async def list(self, prefix: str = "") -> Sequence[str]:
        result: Sequence[str] = await self._call("list", lambda: self.inner.list(prefix))
        return list(result)

    async def exists(self, path: str) -> bool:
        return bool(await self._call("exists", lambda: self.inner.exists(path)))
