"""Which plugins the user lets dq use: allow/deny lists, collision choices, strictness.

Settings come from the ``[plugins]`` table of the dq config file and from
environment variables, and are applied *before* any plugin is imported, the way
pytest's ``-p no:NAME`` is. Environment variables win where they overlap because
they are the knob a CI job or an operator turns without editing files:

``DQ_PLUGINS_DENY``    comma-separated names never to load (added to the file's list)
``DQ_PLUGINS_ALLOW``   comma-separated names; if set, nothing else loads (replaces the file's)
``DQ_PLUGINS_PREFER``  ``component=distribution`` pairs that settle name collisions
``DQ_STRICT``          ``1``/``true``: every plugin problem is a failure (exit 1)

A name matches a component (``slack``), a kind-qualified component
(``notifier:slack``) or a distribution (``dq-slack``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from dq.model._errors import ConfigError, UsageError
from dq.plugins._names import normalize_dist_name

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A plugin setting that cannot be understood; the message names the setting."""


def _split_names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_bool(text: str, *, setting: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{setting}: expected 1/0, true/false, yes/no or on/off, got {text!r}")


def parse_prefer(text: str, *, setting: str) -> dict[str, str]:
    prefer: dict[str, str] = {}
    for pair in _split_names(text):
        component, sep, dist = pair.partition("=")
        if not sep or not component.strip() or not dist.strip():
            raise SettingsError(f"{setting}: expected component=distribution pairs, got {pair!r}")
        prefer[component.strip()] = normalize_dist_name(dist.strip())
    return prefer


class PluginSettings:
    """The resolved selection rules; built by :func:`load_settings`."""

    __slots__ = ("allow", "deny", "prefer", "strict")

    def __init__(
        self,
        *,
        allow: Iterable[str] | None = None,
        deny: Iterable[str] = (),
        prefer: Mapping[str, str] | None = None,
        strict: bool = False,
    ) -> None:
        self.allow = None if allow is None else tuple(allow)
        self.deny = tuple(deny)
        self.prefer = {k: normalize_dist_name(v) for k, v in (prefer or {}).items()}
        self.strict = strict

    @staticmethod
    def _matches(pattern: str, kind: str, name: str, distribution: str) -> bool:
        pattern = pattern.strip()
        return (
            pattern == name
            or pattern == f"{kind}:{name}"
            or normalize_dist_name(pattern) == distribution
        )

    def denied_by(self, kind: str, name: str, distribution: str) -> str | None:
        """Why this component is switched off by the user, or None if it is not."""
        for pattern in self.deny:
            if self._matches(pattern, kind, name, distribution):
                return f"denied by the deny list entry {pattern!r}"
        if self.allow is not None and not any(
            self._matches(p, kind, name, distribution) for p in self.allow
        ):
            return "not in the allow list"
        return None

    def unmatched(self, components: Iterable[tuple[str, str, str]]) -> list[str]:
        """Allow/deny/prefer entries that match no installed component: likely typos."""
        seen = list(components)
        problems: list[str] = []
        for label, patterns in (("deny", self.deny), ("allow", self.allow or ())):
            for pattern in patterns:
                if not any(self._matches(pattern, k, n, d) for k, n, d in seen):
                    problems.append(
                        f"the {label} list names {pattern!r}, which matches no installed plugin"
                    )
        for component, dist in self.prefer.items():
            if not any(component in (n, f"{k}:{n}") and d == dist for k, n, d in seen):
                problems.append(
                    f"prefer {component}={dist} matches no installed plugin "
                    f"(no distribution {dist!r} provides {component!r})"
                )
        return problems


def load_settings(
    config: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    strict: bool | None = None,
) -> PluginSettings:
    """Merge the config file's ``[plugins]`` table with the environment.

    *config* is the already-parsed ``[plugins]`` table (or None). *strict*, when
    given, is the command line's ``--strict`` and wins over both.
    """
    env = os.environ if environ is None else environ
    table = dict(config or {})
    unknown = set(table) - {"allow", "deny", "prefer", "strict"}
    if unknown:
        raise SettingsError(
            f"plugins.{sorted(unknown)[0]}: unknown setting; "
            "the [plugins] table takes allow, deny, prefer and strict"
        )

    def names(key: str) -> list[str] | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SettingsError(f"plugins.{key}: expected a list of strings")
        return list(value)

    deny = names("deny") or []
    allow = names("allow")
    prefer_cfg = table.get("prefer", {})
    if not isinstance(prefer_cfg, Mapping) or not all(
        isinstance(v, str) for v in prefer_cfg.values()
    ):
        raise SettingsError('plugins.prefer: expected a table of component = "distribution"')
    prefer = dict(prefer_cfg)
    strict_cfg = table.get("strict", False)
    if not isinstance(strict_cfg, bool):
        raise SettingsError("plugins.strict: expected true or false")

    if "DQ_PLUGINS_DENY" in env:
        deny += _split_names(env["DQ_PLUGINS_DENY"])
    if env.get("DQ_PLUGINS_ALLOW", "").strip():  # empty means "not set", not "allow nothing"
        allow = _split_names(env["DQ_PLUGINS_ALLOW"])
    if "DQ_PLUGINS_PREFER" in env:
        prefer.update(parse_prefer(env["DQ_PLUGINS_PREFER"], setting="DQ_PLUGINS_PREFER"))
    effective_strict = strict_cfg
    if "DQ_STRICT" in env:
        effective_strict = parse_bool(env["DQ_STRICT"], setting="DQ_STRICT")
    if strict is not None:
        effective_strict = strict or effective_strict
    return PluginSettings(allow=allow, deny=deny, prefer=prefer, strict=effective_strict)


def plugin_settings(
    config: Mapping[str, Any],
    *,
    source: str,
    strict: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> PluginSettings:
    table = config.get("plugins")
    if table is not None and not isinstance(table, Mapping):
        raise ConfigError(source, ["plugins: expected a table"])
    try:
        return load_settings(table, environ, strict=strict)
    except SettingsError as exc:
        if str(exc).startswith("DQ_"):  # an environment variable, not the file
            raise UsageError(f"environment: {exc}") from None
        raise ConfigError(source, [str(exc)]) from None
