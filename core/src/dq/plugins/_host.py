"""Loading plugins on use, validating them, and calling their hooks in isolation.

Discovery (:mod:`dq.plugins._discovery`) decides from metadata which component may be
used; this module imports exactly the module that provides it, registers it with
pluggy, and turns every way a plugin can misbehave (import error, misspelt or
mis-typed hooks, a hook that raises, a factory that returns the wrong thing)
into a :class:`dq.PluginError` naming the distribution at fault. The host never
crashes because of a plugin.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import attrs
import pluggy

from dq import hookspecs
from dq.config._converter import structure
from dq.model._errors import ConfigError, DqError, PluginError, PluginNotFound, UsageError
from dq.plugins._discovery import OK, Inventory, PluginRecord
from dq.plugins._names import AUDIT_KIND, COMMAND_KIND
from dq.protocols import AUDIT_HOOK, KIND_FACTORIES, KIND_PROTOCOLS
from dq.runtime._bounded import BoundExceeded, PluginAborted, call_bounded, factory_bound

_log = logging.getLogger(__name__)

_HOOK_NAMES = frozenset(
    name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("dq_")
)


@attrs.frozen
class LoadedPlugin:
    """A registered plugin object and what loading it cost."""

    record: PluginRecord
    plugin: object
    import_seconds: float
    hooks: tuple[str, ...]


@attrs.frozen
class ConfigField:
    name: str
    type: str
    default: str | None
    secret: bool


def _type_name(tp: Any) -> str:
    if tp is None:
        return "any"
    if isinstance(tp, str):
        return tp
    return (
        getattr(tp, "__name__", None)
        if not getattr(tp, "__args__", None)
        else str(tp).replace("typing.", "")
    )  # type: ignore[return-value]


def config_fields(cls: type) -> list[ConfigField]:
    """Describe an attrs config class for ``dq plugins info``."""
    from dq.model._secrets import SecretValue

    fields = []
    for field in attrs.fields(cls):
        if field.default is attrs.NOTHING:
            default = None
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            default = "(computed)"
        else:
            default = repr(field.default)
        secret = bool(field.metadata.get("secret")) or field.type in (SecretValue, "SecretValue")
        fields.append(ConfigField(field.name, _type_name(field.type), default, secret))
    return fields


def protocol_members(protocol: type) -> list[str]:
    """Public methods and attributes a protocol requires (``typing`` keeps these private)."""
    names = set(getattr(protocol, "__annotations__", {}))
    names.update(name for name in vars(protocol) if not name.startswith("_"))
    return sorted(names)


class Host:
    """The plugin manager of one dq process, built over a discovery inventory."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self._loaded: dict[tuple[str, str], LoadedPlugin] = {}
        self._by_target: dict[str, LoadedPlugin] = {}
        #: The audit sinks, once loaded (None until the first secret access asks).
        self._audit_sinks: tuple[LoadedPlugin, ...] | None = None
        self._audit_lock = threading.Lock()

    # -- loading ----------------------------------------------------------------------

    def record_for(self, kind: str, name: str) -> PluginRecord:
        record = self.inventory.usable(kind, name)
        if record is not None:
            return record
        others = self.inventory.find(name, kind)
        if others:
            why = "; ".join(f"{r.distribution}: {r.status}: {r.reason}" for r in others)
            raise PluginNotFound(f"{kind} {name!r} cannot be used ({why})")
        known = sorted(
            {r.name for r in self.inventory.records if r.kind == kind and r.status == OK}
        )
        hint = (
            f"installed {kind}s: {', '.join(known)}" if known else f"no {kind} plugin is installed"
        )
        raise PluginNotFound(
            f"no {kind} called {name!r} is installed ({hint}); see 'dq plugins list'"
        )

    def load(self, kind: str, name: str, *, bound: float | None = None) -> LoadedPlugin:
        """Import and register the module providing ``kind:name``, once per process.

        With *bound* (seconds; ``--check`` passes one) the import runs in a worker thread
        and a plugin hanging or raising ``KeyboardInterrupt``/``SystemExit`` in its import
        is reported as broken instead of stopping the command."""
        key = (kind, name)
        if key in self._loaded:
            return self._loaded[key]
        record = self.record_for(kind, name)
        if kind == COMMAND_KIND:
            loaded = self._import_command(record)
            self._loaded[key] = loaded
            return loaded
        if record.value in self._by_target:  # one module serving several components
            loaded = attrs.evolve(self._by_target[record.value], record=record)
        else:
            loaded = self._import(record, bound)
            self._by_target[record.value] = loaded
        if kind == AUDIT_KIND:
            if AUDIT_HOOK not in loaded.hooks:
                raise self._fault(record, f"implements no {AUDIT_HOOK} hook, so it cannot audit")
        elif KIND_FACTORIES[kind] not in loaded.hooks:
            raise self._fault(
                record, f"implements no {KIND_FACTORIES[kind]} hook, so it cannot build a {kind}"
            )
        self._loaded[key] = loaded
        return loaded

    def audit_sinks(self) -> tuple[LoadedPlugin, ...]:
        """Load every usable audit sink (entry-point group ``dq.audit``), once per host.

        Called on the first secret access rather than when the host is made, so that
        listing and start-up stay metadata-only. A sink that cannot be loaded is logged
        once, naming its distribution, and left out for the life of this host: an audit
        sink must never block the access it would have recorded. ``dq plugins list
        --check`` (with ``--strict`` in CI) is where a broken sink fails loudly.
        """
        with self._audit_lock:  # one wrapped backend may serve several threads
            if self._audit_sinks is None:
                loaded: list[LoadedPlugin] = []
                for record in self.inventory.records:
                    if record.kind != AUDIT_KIND or record.status != OK:
                        continue
                    try:
                        loaded.append(self.load(AUDIT_KIND, record.name))
                    except DqError as exc:
                        _log.warning(
                            "%s; secret accesses are not sent to it (accesses are not blocked); "
                            "see 'dq plugins info %s --check'",
                            exc,
                            record.name,
                        )
                self._audit_sinks = tuple(loaded)
            return self._audit_sinks

    def _not_a_component(self, kind: str, name: str) -> None:
        if kind == COMMAND_KIND:
            raise UsageError(
                f"command {name!r} is not a component: it adds 'dq {name} ...' to the dq command"
            )
        if kind == AUDIT_KIND:
            raise UsageError(
                f"audit sink {name!r} is not a component: dq builds nothing from it and calls "
                f"its {AUDIT_HOOK} hook on every secret access; it takes no configuration"
            )

    def _fault(self, record: PluginRecord, problem: str) -> PluginError:
        return PluginError(
            f"{record.kind} {record.name!r} from {record.distribution} {record.version} {problem}",
            distribution=record.distribution,
            component=record.name,
        )

    def _import(self, record: PluginRecord, bound: float | None = None) -> LoadedPlugin:
        module_name, _, attr = record.value.partition(":")
        started = time.perf_counter()

        def resolve() -> object:
            target: object = importlib.import_module(module_name.strip())
            for part in filter(None, attr.strip().split(".")):
                target = getattr(target, part)
            return target

        try:
            target = call_bounded(resolve, seconds=bound, what=f"importing {record.value!r}")
        except BoundExceeded as exc:
            raise self._fault(
                record, f"hung: {exc}; it is left out (raise DQ_PLUGIN_IMPORT_TIMEOUT if slow)"
            ) from None
        except (Exception, SystemExit) as exc:  # a plugin must never take the host down
            raise self._fault(
                record, f"failed to import {record.value!r}: {type(exc).__name__}: {exc}"
            ) from exc
        elapsed = time.perf_counter() - started

        stray = sorted(
            name
            for name in dir(target)
            if name.startswith("dq_")
            and name not in _HOOK_NAMES
            and callable(getattr(target, name))
            and not hasattr(getattr(target, name), f"{hookspecs.PROJECT_NAME}_impl")
        )
        try:
            self.pm.register(target, name=f"{record.distribution}:{record.value}")
            self.pm.check_pending()
        except (pluggy.PluginValidationError, ValueError) as exc:
            self._unregister(target)
            raise self._fault(record, f"has invalid hook implementations: {exc}") from exc
        if stray:
            self._unregister(target)
            raise self._fault(
                record,
                f"defines {', '.join(stray)}, which {'is' if len(stray) == 1 else 'are'} not a "
                f"dq hook; the hooks are: {', '.join(sorted(_HOOK_NAMES))}",
            )
        hooks = tuple(sorted(caller.name for caller in self.pm.get_hookcallers(target) or ()))
        return LoadedPlugin(record, target, elapsed, hooks)

    def command(self, name: str) -> Any:
        """The ``register(subparsers)`` function of command plugin *name* (``dq NAME ...``)."""
        return self.load(COMMAND_KIND, name).plugin

    def _import_command(self, record: PluginRecord) -> LoadedPlugin:
        """Commands are plain functions, not hook modules: import, check, never register."""
        module_name, _, attr = record.value.partition(":")
        if not attr.strip():
            raise self._fault(
                record, f"entry point {record.value!r} names no function; use 'module:register'"
            )
        started = time.perf_counter()
        try:
            target: object = importlib.import_module(module_name.strip())
            for part in attr.strip().split("."):
                target = getattr(target, part)
        except (Exception, SystemExit) as exc:  # a plugin must never take the host down
            raise self._fault(
                record, f"failed to import {record.value!r}: {type(exc).__name__}: {exc}"
            ) from exc
        if not callable(target):
            raise self._fault(record, f"{record.value!r} is not callable")
        return LoadedPlugin(record, target, time.perf_counter() - started, ())

    def _unregister(self, target: object) -> None:
        if self.pm.is_registered(target):
            self.pm.unregister(target)

    # -- calling ----------------------------------------------------------------------

    def call(self, loaded: LoadedPlugin, hook: str, **kwargs: Any) -> Any:
        """Call *hook* on this plugin only; a raise becomes a PluginError naming it."""
        others = [p for p in self.pm.get_plugins() if p is not loaded.plugin]
        caller = self.pm.subset_hook_caller(hook, remove_plugins=others)
        try:
            return caller(**kwargs)
        except DqError:
            raise
        except Exception as exc:
            raise self._fault(
                loaded.record, f"raised in hook {hook}: {type(exc).__name__}: {exc}"
            ) from exc

    def config_class(self, kind: str, name: str) -> type | None:
        self._not_a_component(kind, name)
        loaded = self.load(kind, name)
        cls = self.call(loaded, "dq_component_config", kind=kind, name=name)
        if cls is not None and not attrs.has(cls):
            raise self._fault(
                loaded.record, f"returned {cls!r} from dq_component_config; expected an attrs class"
            )
        return cls

    def component(
        self,
        kind: str,
        name: str,
        config: Mapping[str, Any] | None = None,
        *,
        bound: float | None = None,
    ) -> Any:
        """Build component ``kind:name`` from a raw config table.

        The factory runs in a worker thread within *bound* seconds (default
        ``DQ_PLUGIN_CALL_TIMEOUT``, 60): factories do no I/O, so one that has not
        returned by then is reported as hung, naming its distribution."""
        self._not_a_component(kind, name)
        loaded = self.load(kind, name)
        cls = self.config_class(kind, name)
        if cls is not None:
            typed = structure(dict(config or {}), cls, source=f"{kind}.{name}")
        elif config:
            raise ConfigError(
                f"{kind}.{name}",
                [
                    f"{key}: unknown field ({kind} {name!r} takes no configuration)"
                    for key in sorted(config)
                ],
            )
        else:
            typed = None
        try:
            built = call_bounded(
                lambda: self.call(loaded, KIND_FACTORIES[kind], name=name, config=typed),
                seconds=bound if bound is not None else factory_bound(),
                what=f"{KIND_FACTORIES[kind]}(name={name!r})",
            )
        except BoundExceeded as exc:
            raise self._fault(loaded.record, f"hung: {exc}") from None
        except PluginAborted as exc:
            raise self._fault(loaded.record, f"aborted in its factory: {exc}") from None
        if built is None:
            raise self._fault(
                loaded.record, f"returned None from {KIND_FACTORIES[kind]}(name={name!r})"
            )
        protocol = KIND_PROTOCOLS[kind]
        if not isinstance(built, protocol):
            missing = [attr for attr in protocol_members(protocol) if not hasattr(built, attr)]
            detail = f" (missing: {', '.join(sorted(missing))})" if missing else ""
            raise self._fault(
                loaded.record,
                f"built {type(built).__name__}, which does not satisfy the "
                f"{protocol.__name__} protocol{detail}",
            )
        return built


def default_host() -> Host:
    """A host over the installed plugins, honouring dq.toml and DQ_PLUGINS_* like the CLI."""
    from dq.config._files import site_config

    return host_for(*site_config())


def host_for(site: dict[str, Any], source: str) -> Host:
    from dq.plugins._discovery import discover
    from dq.plugins._settings import plugin_settings

    return Host(discover(plugin_settings(site, source=source)))
