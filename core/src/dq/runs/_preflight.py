"""What a suite run checks before it reads a byte of data.

A mistake in the ``[notify]`` table or a notifier type nobody installed used to surface
only after the scan — on a 20-minute check, twenty minutes late, and after the data had
been read for nothing. Everything here is known from the config and the installed plugins'
metadata alone (no plugin is imported), so it runs first and fails in one round, naming
each key: ``suite.toml:14: notify.channels.oncall.type: unknown notifier 'slakc' — did you
mean 'slack'? (installed: slack, email)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dq.model._errors import ConfigError
from dq.model._jobs import Suite


def check_notify(table: Mapping[str, Any], *, host: Any, source: str, notify: bool = True) -> None:
    """The ``[notify]`` table is well formed and, when notifications will be sent, every
    channel's ``type`` is an installed, enabled notifier."""
    from dq.notify._config import NotifyConfig

    config = NotifyConfig.from_table(table, source=source)
    if not notify:
        return
    known = sorted(
        {r.name for r in host.inventory.records if r.kind == "notifier" and r.status == "ok"}
    )
    problems = []
    channels = [(f"notify.channels.{name}", c) for name, c in config.channels.items()]
    for tenant, own in config.tenants.items():
        channels += [(f"notify.tenants.{tenant}.channels.{name}", c) for name, c in own.items()]
    for where, channel in channels:
        if channel.enabled and host.inventory.usable("notifier", channel.type) is None:
            problems.append(f"{where}.type: {_unknown_notifier(host, channel.type, known)}")
    if problems:
        raise ConfigError(source, problems)


def _unknown_notifier(host: Any, name: str, known: list[str]) -> str:
    """Why *name* cannot be used: disabled or broken (say which), or not installed."""
    from dq.config._problems import unknown

    others = host.inventory.find(name, "notifier")
    if others:
        why = "; ".join(f"{r.distribution}: {r.status}: {r.reason}" for r in others)
        return f"notifier {name!r} cannot be used ({why})"
    if not known:
        return f"unknown notifier {name!r} (no notifier plugin is installed; see 'dq plugins list')"
    return unknown("notifier", name, known, label="installed")


def check_source(suite: Suite, *, source: str) -> None:
    """A file source's declared ``format`` is one dq reads."""
    from dq.checks._data import FORMATS
    from dq.config._problems import unknown

    declared = suite.source.format
    choices = sorted(set(FORMATS.values()))
    if suite.source.type == "file" and declared is not None and declared.lower() not in choices:
        raise ConfigError(source, [f"source.format: {unknown('data format', declared, choices)}"])


def preflight(
    suite: Suite,
    *,
    host: Any,
    notify_table: Mapping[str, Any],
    notify_source: str,
    where: str,
    notify: bool,
) -> None:
    """Every check above, in the order a person reads the suite."""
    check_source(suite, source=where)
    if notify_table:
        check_notify(notify_table, host=host, source=notify_source, notify=notify)
