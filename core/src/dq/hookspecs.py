"""The hook specifications: the whole contract between dq and its plugins.

A plugin is a module (named by an entry point) that defines functions marked
with :data:`hookimpl` whose names match the hooks below. dq imports that module
only when one of its components is used, registers it with a pluggy
``PluginManager``, and calls the hooks. Every hook is keyword-called, so an
implementation may accept any subset of the arguments, in any order.

Five families, one per plugin kind, each with a *factory* hook: dq asks the
plugin for a component by name and config and gets back an object satisfying
the kind's protocol (see :mod:`dq.protocols`). Factories are ``firstresult``:
a module that offers several components (``header`` and ``jwt`` resolvers, say)
answers for its own names and returns ``None`` for others. A factory is called
on the providing module only (never on another distribution that happens to be
loaded), so a name collision can never hand the user a component from the
wrong distribution. ``@hookimpl(specname="dq_engine")`` lets a function carry a
name of the author's choosing; a marked function whose name is not a hook, or a
``dq_*`` function that is not a hook, makes the plugin broken (``check_pending``).

Rules for every hook, checked by the contract tests:

* Factories do no I/O. Connect lazily, on first use; ``dq plugins info
  --check`` constructs components to validate them and must not touch a network.
* Never log, print or put into an exception a secret value, token or webhook URL.
* Raise :class:`dq.DqError` subclasses for problems the user can fix; anything
  else is reported as a bug in the plugin's distribution, and the host goes on.

Changing anything here changes :data:`dq.HOOK_API_VERSION`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from dq.model._secrets import SecretAccess
    from dq.protocols import Engine, Notifier, OrchestratorBinding, SecretBackend, TenantResolver

PROJECT_NAME = "dq"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: Mark a plugin function as the implementation of the hook of the same name.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# -- every kind --------------------------------------------------------------------------


@hookspec(firstresult=True)
def dq_component_config(kind: str, name: str) -> type | None:
    """Return the attrs class that holds the configuration of component *name*.

    Receives the *kind* (``"engine"``, ``"notifier"``, ``"secrets"``, ``"tenant"``,
    ``"orchestrator"``) and the component *name*. Return ``None`` for a name this
    module does not provide, or when the component takes no configuration.

    dq structures the user's config table into this class with its shared
    converter before calling the factory, so the user sees errors at exact paths
    (``notify.slack.timeout: expected float``) and the plugin receives typed,
    validated values. Mark secret fields with ``metadata={"secret": True}`` (and
    type them :class:`dq.SecretValue`): ``dq plugins info`` shows them as secret.

    Must not import heavy libraries or do I/O: ``dq plugins info`` calls it.
    """


# -- engines -----------------------------------------------------------------------------


@hookspec(firstresult=True)
def dq_engine(name: str, config: Any) -> Engine | None:
    """Build the engine called *name*, or return ``None`` if this module has no such engine.

    *config* is an instance of the class returned by :func:`dq_component_config`,
    or ``None`` when there is none. The returned object satisfies
    :class:`dq.protocols.Engine`: it checks, profiles and learns from polars data
    following the pinned rule semantics (docs/configuration.md), and declares the checks
    it supports. It must report a check it cannot perform as ``unsupported``;
    silently passing it is a contract violation.
    """


# -- notifiers ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def dq_notifier(name: str, config: Any) -> Notifier | None:
    """Build the notifier called *name* (a channel type such as ``slack``), or ``None``.

    The returned object satisfies :class:`dq.protocols.Notifier`: an async
    ``send(notification) -> Delivery`` that honours the service's wire contract and
    limits (truncating, never rejected for length), retries only 429 / 5xx /
    timeouts up to a deadline, never retries other 4xx, and carries the
    notification's ``dedup_key`` into the service's own dedup field. It must never
    log or return the webhook URL or token, including inside ``Delivery.error``.
    """


# -- secret backends ---------------------------------------------------------------------


@hookspec(firstresult=True)
def dq_secret_backend(name: str, config: Any) -> SecretBackend | None:
    """Build the secret backend called *name* (``vault``, ``env`` ...), or ``None``.

    The returned object satisfies :class:`dq.protocols.SecretBackend`. It
    validates every path before any I/O (rejecting ``..``, ``%2e%2e``, ``//``,
    absolute paths and control characters), raises distinct errors for not-found,
    access denied and backend unavailable, and returns values only as
    :class:`dq.SecretValue`. Access denied must never be turned into "not found":
    callers would fall through to another backend.
    """


@hookspec
def dq_secret_accessed(event: SecretAccess) -> None:
    """Observe a secret access (audit). Called on every loaded plugin that implements it,
    and on every audit sink (entry-point group ``dq.audit``), loaded for this hook alone.

    Receives a :class:`dq.SecretAccess` naming backend, path, operation, outcome,
    tenant and actor, and never the value. Must not raise: an audit sink that
    fails is reported, but does not undo or block the access that happened.
    """


# -- tenant resolvers --------------------------------------------------------------------


@hookspec(firstresult=True)
def dq_tenant_resolver(name: str, config: Any) -> TenantResolver | None:
    """Build the tenant resolver called *name* (``header``, ``jwt`` ...), or ``None``.

    The returned object satisfies :class:`dq.protocols.TenantResolver`:
    ``resolve(facts) -> TenantId | None`` given a :class:`dq.RequestFacts`,
    raising :class:`dq.TenantRejected` for a request that must be refused
    (forged, ambiguous, expired). It must never crash on arbitrary input and never
    return an invalid id; JWT verification takes the algorithm from the configured
    key, never from the token.
    """


# -- orchestrator bindings ---------------------------------------------------------------


@hookspec(firstresult=True)
def dq_orchestrator_binding(name: str, config: Any) -> OrchestratorBinding | None:
    """Build the orchestrator binding called *name* (``airflow``, ``dagster`` ...), or ``None``.

    The returned object satisfies :class:`dq.protocols.OrchestratorBinding`: it
    maps the orchestrator's run context into a :class:`dq.RunContext`, runs a
    suite as a native unit of the orchestrator, publishes the result in the
    orchestrator's own form (XCom, asset check, artifact ...) and fails the unit
    per the suite's quality gate. It must not import the orchestrator at module
    import time if that can be avoided: ``dq plugins info --check`` imports it.
    """
