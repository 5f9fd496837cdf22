"""Operator policy: what dq.toml locks and a suite file cannot loosen.

The trust model (docs/configuration.md, "Operator policy"): the operator writes dq.toml;
suite and rules authors may be less trusted. Without a ``[policy]`` table a suite may
configure anything, as before. With one, every suite is checked before anything runs:

    [policy]
    tenant_scoping = "required"       # suites may not turn tenant scoping off, change the
                                      # tenant prefix, or redefine dq.toml's backends
    secret_backends = ["vault"]       # backend types a suite's [secrets] may use
    notifier_types = ["slack", "pagerduty"]   # notifier types a suite's [notify] may use
    engines = ["polars"]              # engines a suite may name
    data_locations = ["/data", "/srv/exports"]  # folders a suite's file source may read

A suite that breaks a lock gets one config error naming the suite's key and the lock
(exit 2); nothing is read, resolved or sent first.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from dq.model._errors import ConfigError

_KEYS = ("tenant_scoping", "secret_backends", "notifier_types", "engines", "data_locations")


@attrs.frozen(kw_only=True)
class Policy:
    """dq.toml's ``[policy]``; ``None`` for a list means "not locked"."""

    tenant_scoping: str = "suite"  # "suite": the suite may choose; "required": locked on
    secret_backends: tuple[str, ...] | None = None
    notifier_types: tuple[str, ...] | None = None
    engines: tuple[str, ...] | None = None
    data_locations: tuple[str, ...] | None = None
    source: str = "dq.toml"

    @property
    def empty(self) -> bool:
        return self == Policy(source=self.source)


def policy_from(site: Mapping[str, Any], source: str) -> Policy:
    """Read and validate ``[policy]`` from the dq.toml table *site*."""
    table = site.get("policy")
    if table is None:
        return Policy(source=source)
    if not isinstance(table, Mapping):
        raise ConfigError(source, ["policy: expected a table"])
    problems = [
        f"policy.{key}: unknown setting; [policy] takes {', '.join(_KEYS)}"
        for key in table
        if key not in _KEYS
    ]
    scoping = table.get("tenant_scoping", "suite")
    if scoping not in ("suite", "required"):
        problems.append('policy.tenant_scoping: expected "required" or "suite"')
    lists: dict[str, tuple[str, ...] | None] = {}
    for key in _KEYS[1:]:
        value = table.get(key)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)
        ):
            problems.append(f"policy.{key}: expected a list of names")
            value = None
        lists[key] = tuple(value) if value is not None else None
    if problems:
        raise ConfigError(source, problems)
    return Policy(tenant_scoping=scoping, source=source, **lists)  # type: ignore[arg-type]


def policy_problems(
    policy: Policy,
    *,
    site: Mapping[str, Any],
    suite_secrets: Mapping[str, Any] | None,
    suite_notify: Mapping[str, Any] | None,
    engine: str | None,
    data_path: str | None,
    base: Path | None = None,
) -> list[str]:
    """Every way the suite's own tables break *policy*, as ``key: why`` lines."""
    if policy.empty:
        return []
    lock = f"locked by {policy.source} [policy]"
    problems = _secrets_problems(policy, site, suite_secrets or {}, lock)
    problems += _notify_problems(policy, suite_notify or {}, lock)
    if policy.engines is not None and engine is not None and engine not in policy.engines:
        problems.append(
            f"engine: {engine!r} is not allowed ({lock} engines = {list(policy.engines)})"
        )
    if policy.data_locations is not None and data_path is not None:
        problems += _location_problems(policy.data_locations, data_path, base, lock)
    return problems


def enforce(policy: Policy, where: str, **suite_parts: Any) -> None:
    """Raise one config error naming *where* and every broken lock."""
    problems = policy_problems(policy, **suite_parts)
    if problems:
        raise ConfigError(where, problems)


def _secrets_problems(
    policy: Policy, site: Mapping[str, Any], table: Mapping[str, Any], lock: str
) -> list[str]:
    problems: list[str] = []
    backends = table.get("backends") if isinstance(table, Mapping) else None
    backends = backends if isinstance(backends, Mapping) else {}
    site_secrets = site.get("secrets") if isinstance(site.get("secrets"), Mapping) else {}
    site_backends = site_secrets.get("backends") if isinstance(site_secrets, Mapping) else {}
    site_backends = site_backends if isinstance(site_backends, Mapping) else {}
    if policy.tenant_scoping == "required":
        if "tenant_prefix" in table:
            problems.append(f'secrets.tenant_prefix: {lock} tenant_scoping = "required"')
        for name, options in backends.items():
            if name in site_backends:
                problems.append(
                    f"secrets.backends.{name}: defined by {policy.source}; a suite may not "
                    f'redefine it ({lock} tenant_scoping = "required")'
                )
            elif isinstance(options, Mapping) and options.get("tenant_scoped") is False:
                problems.append(
                    f"secrets.backends.{name}.tenant_scoped: may not be false "
                    f'({lock} tenant_scoping = "required")'
                )
    if policy.secret_backends is not None:
        for name, options in backends.items():
            kind = options.get("type", name) if isinstance(options, Mapping) else name
            if kind not in policy.secret_backends:
                problems.append(
                    f"secrets.backends.{name}: backend type {kind!r} is not allowed "
                    f"({lock} secret_backends = {list(policy.secret_backends)})"
                )
    return problems


def _channels(table: Mapping[str, Any]) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    channels = table.get("channels")
    if isinstance(channels, Mapping):
        found += [(f"notify.channels.{n}", (n, o)) for n, o in channels.items()]
    tenants = table.get("tenants")
    if isinstance(tenants, Mapping):
        for tenant, sub in tenants.items():
            inner = sub.get("channels") if isinstance(sub, Mapping) else None
            if isinstance(inner, Mapping):
                found += [
                    (f"notify.tenants.{tenant}.channels.{n}", (n, o)) for n, o in inner.items()
                ]
    return found


def _notify_problems(policy: Policy, table: Mapping[str, Any], lock: str) -> list[str]:
    if policy.notifier_types is None or not isinstance(table, Mapping):
        return []
    problems = []
    for where, (name, options) in _channels(table):
        kind = options.get("type", name) if isinstance(options, Mapping) else name
        if kind not in policy.notifier_types:
            problems.append(
                f"{where}: notifier type {kind!r} is not allowed "
                f"({lock} notifier_types = {list(policy.notifier_types)})"
            )
    return problems


def _location_problems(
    allowed: tuple[str, ...], data_path: str, base: Path | None, lock: str
) -> list[str]:
    """The file source, resolved (``..`` and symlinks followed), must sit under an allowed
    folder; a glob is judged by the folder before its first wildcard."""
    text = data_path
    for i, char in enumerate(text):
        if char in "*?[":
            text = text[:i]
            break
    candidate = Path(os.path.expanduser(text or "."))
    if not candidate.is_absolute():
        candidate = (base or Path.cwd()) / candidate
    resolved = Path(os.path.realpath(candidate))
    for folder in allowed:
        root = Path(os.path.realpath(os.path.expanduser(folder)))
        if resolved == root or root in resolved.parents:
            return []
    return [f"source.path: {data_path!r} is outside the allowed data locations ({lock})"]
