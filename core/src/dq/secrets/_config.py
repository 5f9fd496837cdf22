"""The ``[secrets]`` table: which secret backends exist, how they are scoped and cached.

One table shape for a suite file and for ``dq.toml``::

    [secrets]
    cache_ttl = 300                 # seconds; 0 disables the cache
    cache_size = 1024               # most values kept at once (least recently used go first)
    tenant_prefix = "tenants/{tenant}"
    [secrets.backends.vault]        # the NAME used in ${secret:NAME:...}
    type = "vault"                  # component name of the backend plugin (default: NAME)
    tenant_scoped = true            # false: a shared store, paths are not prefixed
    address = "http://127.0.0.1:8200"   # everything else is the backend's own config
    [secrets.chains]
    ci = ["env", "vault"]           # ${secret:ci:PATH}: env first; not-found falls through

The backend's own keys are kept apart from dq's (``type``, ``tenant_scoped``) and
handed to the plugin's config class untouched, so the plugin's strict converter
reports its own mistakes at its own paths.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from dq.config._converter import structure
from dq.model._errors import ConfigError
from dq.model._secrets import InvalidSecretPath, validate_secret_path

#: A backend name is what ``${secret:NAME:...}`` can spell.
BACKEND_NAME_RE = re.compile(r"[a-z][a-z0-9_-]*")
#: dq's own keys in a ``[secrets.backends.NAME]`` table; every other key is the backend's.
_DQ_BACKEND_KEYS = ("type", "tenant_scoped")

DEFAULT_CACHE_TTL = 300.0
DEFAULT_CACHE_SIZE = 1024
DEFAULT_TENANT_PREFIX = "tenants/{tenant}"


@attrs.frozen(kw_only=True)
class SecretBackendConfig:
    """One ``[secrets.backends.NAME]`` table: the plugin to build and its own options."""

    type: str
    tenant_scoped: bool = True
    options: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class SecretsConfig:
    """The whole ``[secrets]`` table, validated. ``source`` names the file for errors."""

    cache_ttl: float = DEFAULT_CACHE_TTL
    cache_size: int = DEFAULT_CACHE_SIZE
    tenant_prefix: str = DEFAULT_TENANT_PREFIX
    backends: dict[str, SecretBackendConfig] = attrs.field(factory=dict)
    #: chain name -> backend names tried in order (only not-found falls through)
    chains: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    source: str = "<config>"


@attrs.frozen(kw_only=True)
class _RawSecrets:
    """The table as written; backends stay raw so dq's keys and the plugin's can be split."""

    cache_ttl: float = DEFAULT_CACHE_TTL
    cache_size: int = DEFAULT_CACHE_SIZE
    tenant_prefix: str = DEFAULT_TENANT_PREFIX
    backends: dict[str, Any] = attrs.field(factory=dict)
    chains: dict[str, list[str]] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class _RawBackendKeys:
    type: str | None = None
    tenant_scoped: bool = True


def secrets_config(raw: Mapping[str, Any] | None, source: str) -> SecretsConfig:
    """Validate a ``[secrets]`` table (the table itself, not the whole file).

    Raises :class:`dq.ConfigError` listing every problem at its path inside the
    table (``backends.vault.tenant_scoped: expected bool``), so one round of edits
    fixes them all.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError(source, [f"expected a table, got {type(raw).__name__}"])
    backends_raw = raw.get("backends")
    if backends_raw is not None and not isinstance(backends_raw, Mapping):
        raise ConfigError(
            source,
            [
                f"backends: expected a table of [secrets.backends.NAME] tables, got "
                f"{type(backends_raw).__name__}"
            ],
        )
    table = structure(dict(raw), _RawSecrets, source=source)
    problems: list[str] = []
    if table.cache_ttl < 0:
        problems.append(
            f"cache_ttl: must be >= 0 seconds (0 disables the cache), got {table.cache_ttl}"
        )
    if table.cache_size < 1:
        problems.append(f"cache_size: must be >= 1, got {table.cache_size}")
    problems += _prefix_problems(table.tenant_prefix)
    backends: dict[str, SecretBackendConfig] = {}
    for name, options in table.backends.items():
        where = f"backends.{name}"
        if BACKEND_NAME_RE.fullmatch(name) is None:
            problems.append(
                f"{where}: backend names are lowercase letters, digits, '_' and '-', starting "
                "with a letter (the name is spelt in ${secret:NAME:PATH})"
            )
            continue
        if not isinstance(options, Mapping):
            problems.append(f"{where}: expected a table, got {type(options).__name__}")
            continue
        ours = {key: options[key] for key in _DQ_BACKEND_KEYS if key in options}
        try:
            keys = structure(ours, _RawBackendKeys, source=source)
        except ConfigError as exc:
            problems += [f"{where}.{problem}" for problem in exc.problems]
            continue
        if keys.type is not None and BACKEND_NAME_RE.fullmatch(keys.type) is None:
            problems.append(f"{where}.type: {keys.type!r} is not a component name")
            continue
        backends[name] = SecretBackendConfig(
            type=keys.type or name,
            tenant_scoped=keys.tenant_scoped,
            options={key: value for key, value in options.items() if key not in _DQ_BACKEND_KEYS},
        )
    chains = _chains(table.chains, backends, problems)
    if problems:
        raise ConfigError(source, problems)
    return SecretsConfig(
        cache_ttl=table.cache_ttl,
        cache_size=table.cache_size,
        tenant_prefix=table.tenant_prefix,
        backends=backends,
        chains=chains,
        source=source,
    )


def _chains(
    raw: Mapping[str, list[str]], backends: Mapping[str, Any], problems: list[str]
) -> dict[str, tuple[str, ...]]:
    """Validate ``[secrets.chains]``: each a new name over two or more configured backends."""
    chains: dict[str, tuple[str, ...]] = {}
    for name, members in raw.items():
        where = f"chains.{name}"
        if BACKEND_NAME_RE.fullmatch(name) is None:
            problems.append(f"{where}: chain names are spelt like backend names")
        elif name in backends:
            problems.append(f"{where}: {name!r} is already a backend; give the chain its own name")
        elif len(members) < 2 or len(set(members)) != len(members):
            problems.append(f"{where}: list two or more different backends, in the order to try")
        elif unknown := [m for m in members if m not in backends]:
            problems.append(
                f"{where}: {', '.join(map(repr, unknown))} {'is' if len(unknown) == 1 else 'are'}"
                " not a configured backend (chains list [secrets.backends.NAME] names)"
            )
        else:
            chains[name] = tuple(members)
    return chains


def _prefix_problems(prefix: str) -> list[str]:
    """The prefix must place each tenant in its own folder: ``{tenant}`` exactly once,
    as a whole segment, and a safe path around it, or tenants could share a folder."""
    segments = prefix.split("/")
    if segments.count("{tenant}") != 1 or prefix.count("{tenant}") != 1:
        return [
            f"tenant_prefix: {prefix!r} must contain '{{tenant}}' exactly once, as a whole "
            "path segment (e.g. 'tenants/{tenant}')"
        ]
    try:
        validate_secret_path(prefix.replace("{tenant}", "t"))
    except InvalidSecretPath as exc:
        return [f"tenant_prefix: {exc}"]
    return []


def merge_secrets_tables(
    base: Mapping[str, Any] | None, override: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Lay a suite's ``[secrets]`` over ``dq.toml``'s: top-level keys from the suite win,
    and a backend the suite names replaces the site's table of that name whole (merging
    key by key could pair one file's address with the other's credentials)."""
    if not isinstance(base, Mapping) or not isinstance(override, Mapping):
        # Not both tables: nothing to merge; secrets_config reports what is wrong.
        return override if override is not None else base  # type: ignore[return-value]
    merged: dict[str, Any] = {**base, **override}
    for key in ("backends", "chains"):
        site, suite = base.get(key), override.get(key)
        if isinstance(site, Mapping) and isinstance(suite, Mapping):
            merged[key] = {**site, **suite}
    return merged
