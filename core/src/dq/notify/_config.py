"""The ``[notify]`` table: channels, their notifier, levels and resolves, and per-tenant overrides.

Routing rule, in one place: a tenant's table ``[notify.tenants.T.channels.NAME]``
*replaces* the root entry of the same name for that tenant (whole table, no merge:
a merged table would silently send tenant T's alert with half of the root's
credentials). Lookup is tenant config → root config → disabled, and tenant X's
config is never read for tenant Y. Structuring reports every fault at its path at
once, like dq's converter does for rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from dq.model._errors import ConfigError
from dq.model._notifications import Level
from dq.model._results import RunStatus
from dq.model._tenants import TenantId

DEFAULT_COOLDOWN_SECONDS = 3600.0
_CHANNEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
_CHANNEL_KEYS = frozenset({"type", "levels", "enabled", "resolve"})
_NOTIFY_KEYS = ("on", "cooldown_seconds", "channels", "tenants")


def _option_keys(options: Mapping[str, Any]) -> str:
    """Show option names, never values: a literal webhook URL may sit in a config file."""
    return "{" + ", ".join(f"{key!r}: ..." for key in sorted(options)) + "}"


@attrs.frozen(kw_only=True)
class ChannelConfig:
    """One channel: which notifier builds it, which levels it takes, and the notifier's options.

    ``options`` is everything in the table except ``type``/``levels``/``enabled``;
    it is handed to the notifier's own config class after secret references are
    resolved. Its repr shows only the option names.
    """

    name: str
    type: str
    levels: tuple[Level, ...] | None = None
    enabled: bool = True
    #: Whether the channel gets a RESOLVE when a failing suite passes again (``resolve = false``
    #: opts out: say, a chat channel that only wants to hear about failures).
    resolve: bool = True
    options: dict[str, Any] = attrs.field(factory=dict, repr=_option_keys)

    def accepts(self, level: Level) -> bool:
        return self.enabled and (self.levels is None or level in self.levels)


@attrs.frozen(kw_only=True)
class Route:
    """A channel chosen for a notification, and whose table configured it (None: the root)."""

    name: str
    config: ChannelConfig
    configured_by: TenantId | None = None


@attrs.frozen(kw_only=True)
class NotifyConfig:
    """The ``[notify]`` table of a suite or dq.toml, structured and checked."""

    on: tuple[RunStatus, ...] = (RunStatus.FAILED, RunStatus.ERROR)
    cooldown_seconds: float = DEFAULT_COOLDOWN_SECONDS
    channels: dict[str, ChannelConfig] = attrs.field(factory=dict)
    tenants: dict[TenantId, dict[str, ChannelConfig]] = attrs.field(factory=dict)

    @classmethod
    def from_table(cls, table: Any, *, source: str = "<config>") -> NotifyConfig:
        """Structure a raw ``[notify]`` table; every fault is reported at its path at once."""
        return _structure_notify(table, source)

    def channel(self, name: str, tenant: TenantId | None = None) -> ChannelConfig | None:
        """Channel *name* as *tenant* sees it: the tenant's entry, else the root's, else None."""
        if tenant is not None and name in self.tenants.get(tenant, {}):
            return self.tenants[tenant][name]
        return self.channels.get(name)

    def channel_names(self, tenant: TenantId | None = None) -> list[str]:
        names = set(self.channels)
        if tenant is not None:
            names |= set(self.tenants.get(tenant, {}))
        return sorted(names)

    def routes(self, tenant: TenantId | None, level: Level) -> list[Route]:
        """The enabled channels taking *level* for *tenant*, in name order."""
        found = []
        own = self.tenants.get(tenant, {}) if tenant is not None else {}
        for name in self.channel_names(tenant):
            mine = name in own
            config = own[name] if mine else self.channels[name]
            if config.accepts(level):
                found.append(
                    Route(name=name, config=config, configured_by=tenant if mine else None)
                )
        return found


def _choices(enum_cls: type) -> str:
    return ", ".join(repr(member.value) for member in enum_cls)  # type: ignore[attr-defined]


def _enum_list(value: Any, enum_cls: Any, path: str, problems: list[str]) -> tuple[Any, ...]:
    """Members named in a list, once each, in the enum's own order (so configs compare equal)."""
    if not isinstance(value, list):
        problems.append(f"{path}: expected a list of {_choices(enum_cls)}")
        return ()
    members = set()
    for index, item in enumerate(value):
        try:
            members.add(enum_cls(item))
        except ValueError:
            shown = repr(item) if isinstance(item, str) else type(item).__name__
            problems.append(f"{path}[{index}]: unknown value {shown}; one of {_choices(enum_cls)}")
    return tuple(member for member in enum_cls if member in members)


def _structure_channel(name: str, table: Any, path: str, problems: list[str]) -> ChannelConfig:
    if not isinstance(table, Mapping):
        problems.append(f"{path}: expected a table (the channel's config)")
        return ChannelConfig(name=name, type=name, enabled=False)
    kind = table.get("type", name)
    if not isinstance(kind, str) or not kind:
        problems.append(f"{path}.type: expected the notifier's name as a string")
        kind = name
    levels = None
    if "levels" in table:
        levels = _enum_list(table["levels"], Level, f"{path}.levels", problems)
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append(f"{path}.enabled: expected true or false")
        enabled = False
    resolve = table.get("resolve", True)
    if not isinstance(resolve, bool):
        problems.append(f"{path}.resolve: expected true or false")
        resolve = True
    options = {key: value for key, value in table.items() if key not in _CHANNEL_KEYS}
    return ChannelConfig(
        name=name, type=kind, levels=levels, enabled=enabled, resolve=resolve, options=options
    )


def _structure_channels(table: Any, path: str, problems: list[str]) -> dict[str, ChannelConfig]:
    if not isinstance(table, Mapping):
        problems.append(f"{path}: expected a table of channel name -> channel config")
        return {}
    channels = {}
    for name, entry in table.items():
        if not isinstance(name, str) or _CHANNEL_NAME.fullmatch(name) is None:
            problems.append(
                f"{path}[{name!r}]: channel names are 1-63 letters, digits, '-' and '_'"
            )
            continue
        channels[name] = _structure_channel(name, entry, f"{path}.{name}", problems)
    return channels


def _structure_notify(table: Any, source: str) -> NotifyConfig:
    if table is None:
        return NotifyConfig()
    if not isinstance(table, Mapping):
        raise ConfigError(source, ["notify: expected a table"])
    problems: list[str] = []
    unknown = sorted(set(table) - set(_NOTIFY_KEYS))
    if unknown:
        problems.append(
            f"notify: unknown field {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(_NOTIFY_KEYS)}; channel settings go under notify.channels.NAME)"
        )
    on: tuple[RunStatus, ...] = (RunStatus.FAILED, RunStatus.ERROR)
    if "on" in table:
        on = _enum_list(table["on"], RunStatus, "notify.on", problems)
    cooldown = table.get("cooldown_seconds", DEFAULT_COOLDOWN_SECONDS)
    if isinstance(cooldown, bool) or not isinstance(cooldown, (int, float)) or cooldown < 0:
        problems.append("notify.cooldown_seconds: expected a number of seconds >= 0 (0 = off)")
        cooldown = DEFAULT_COOLDOWN_SECONDS
    channels = _structure_channels(table.get("channels", {}), "notify.channels", problems)
    tenants: dict[TenantId, dict[str, ChannelConfig]] = {}
    raw_tenants = table.get("tenants", {})
    if not isinstance(raw_tenants, Mapping):
        problems.append("notify.tenants: expected a table of tenant id -> {channels = ...}")
        raw_tenants = {}
    for key, entry in raw_tenants.items():
        path = f"notify.tenants.{key}"
        try:
            tenant = TenantId(key)
        except ValueError as exc:
            problems.append(f"notify.tenants[{str(key)[:40]!r}]: {exc}")
            continue
        if not isinstance(entry, Mapping) or set(entry) - {"channels"}:
            problems.append(f"{path}: expected only a 'channels' table")
            continue
        tenants[tenant] = _structure_channels(
            entry.get("channels", {}), f"{path}.channels", problems
        )
    if problems:
        raise ConfigError(source, problems)
    return NotifyConfig(on=on, cooldown_seconds=float(cooldown), channels=channels, tenants=tenants)
