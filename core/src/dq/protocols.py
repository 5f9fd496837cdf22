"""What the objects returned by the factory hooks must look like.

These are structural (``typing.Protocol``): a plugin does not inherit from them,
it just has the methods. ``dq plugins info --check`` and the contract tests
check conformance with ``isinstance`` (runtime-checkable: method presence) and
then behaviourally.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from dq.model._jobs import RunContext, Suite
    from dq.model._notifications import Delivery, Notification
    from dq.model._results import CheckResult, Profile
    from dq.model._rules import RuleSet
    from dq.model._secrets import SecretValue
    from dq.model._tenants import RequestFacts, TenantId


@runtime_checkable
class Engine(Protocol):
    """Checks, profiles and learns from polars data (``DataFrame`` or ``LazyFrame``)."""

    #: Check names (``"regex"``, ...) this engine can evaluate; others are reported unsupported.
    supported_checks: frozenset[str]
    #: True if it validates a LazyFrame without collecting it whole into memory.
    streams: bool

    def check(self, data: Any, rules: RuleSet) -> CheckResult: ...

    def profile(self, data: Any) -> Profile: ...

    def learn(self, data: Any) -> RuleSet: ...

    # Optional, not part of the isinstance check (an engine without it reads polars only):
    #   accepts: frozenset[str]  -- the inputs ``data`` may be: "polars" (DataFrame/LazyFrame),
    #   "sql" and/or "spark" (a dq.SourceRef it opens itself). See docs/data-sources.md.


#: What an engine reads when it does not say (``Engine.accepts`` is optional).
DEFAULT_ENGINE_ACCEPTS: frozenset[str] = frozenset({"polars"})


def engine_accepts(engine: Any) -> frozenset[str]:
    """The inputs *engine* declares it reads (``accepts``), else polars frames only."""
    accepts = getattr(engine, "accepts", None)
    if accepts is None:
        return DEFAULT_ENGINE_ACCEPTS
    return frozenset(str(kind) for kind in accepts)


@runtime_checkable
class Notifier(Protocol):
    async def send(self, notification: Notification) -> Delivery: ...


@runtime_checkable
class SecretBackend(Protocol):
    """A secret store. Every path goes through ``dq.validate_secret_path`` before any I/O.

    ``get`` without ``field`` returns the only field of a one-field secret; ``set``
    returns the new version (``None`` for a store without versions), and ``cas=0``
    writes only if absent, ``cas=n`` only over version ``n`` (else ``SecretConflict``);
    ``delete`` is a soft delete where the service has one; ``list`` returns the direct
    children of a prefix, folders ending in ``/``. Errors: ``SecretNotFound`` (with a
    ``reason``), ``SecretAccessDenied``, ``SecretBackendUnavailable``, ``InvalidSecretPath``.
    """

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> SecretValue: ...

    async def set(
        self, path: str, values: Mapping[str, SecretValue], *, cas: int | None = None
    ) -> int | None: ...

    async def delete(self, path: str) -> None: ...

    async def list(self, prefix: str = "") -> Sequence[str]: ...

    async def exists(self, path: str) -> bool: ...


@runtime_checkable
class TenantResolver(Protocol):
    def resolve(self, facts: RequestFacts) -> TenantId | None: ...


@runtime_checkable
class OrchestratorBinding(Protocol):
    def context(self, native: Any) -> RunContext: ...

    def run(self, suite: Suite, context: RunContext) -> CheckResult: ...


#: kind -> the protocol its factory's result must satisfy.
KIND_PROTOCOLS: dict[str, type] = {
    "engine": Engine,
    "notifier": Notifier,
    "secrets": SecretBackend,
    "tenant": TenantResolver,
    "orchestrator": OrchestratorBinding,
}
#: kind -> the name of its factory hook. The ``audit`` kind is absent on purpose: an audit
#: sink builds nothing, dq calls its :data:`AUDIT_HOOK` on every secret access (decision 0017).
KIND_FACTORIES: dict[str, str] = {
    "engine": "dq_engine",
    "notifier": "dq_notifier",
    "secrets": "dq_secret_backend",
    "tenant": "dq_tenant_resolver",
    "orchestrator": "dq_orchestrator_binding",
}
#: The hook an audit sink (entry-point group ``dq.audit``) must implement to be loadable.
AUDIT_HOOK = "dq_secret_accessed"
