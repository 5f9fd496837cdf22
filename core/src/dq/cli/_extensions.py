"""Command groups that plugins add: ``dq dbt ...`` from the ``dq.commands`` entry-point group.

A command plugin's entry point is ``module:register``; ``register(subparsers)`` adds one
argparse parser named like the entry point, whose subcommands set ``handler`` as dq's own
groups do (see ``_check.py``). Discovery, allow/deny and hook-API ranges apply as for every
plugin. A plugin command never shadows a built-in one, and one that fails to load is named
on stderr and left out: a broken plugin must not take ``dq --help`` down with it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dq.model._errors import DqError
from dq.plugins._names import COMMAND_KIND


def _config_option(argv: Sequence[str]) -> str | None:
    tokens = list(argv)
    for i, token in enumerate(tokens):
        if token == "--config" and i + 1 < len(tokens):
            return tokens[i + 1]
        if token.startswith("--config="):
            return token.partition("=")[2]
    return None


def add_plugin_commands(
    groups: argparse._SubParsersAction,  # type: ignore[type-arg]
    argv: Sequence[str],
    *,
    only: str | None,
    builtin: Sequence[str],
) -> None:
    """Let each usable command plugin (or just *only*) register its group on *groups*."""
    from dq.config._files import config_path, read_site
    from dq.plugins._discovery import OK, discover
    from dq.plugins._host import Host
    from dq.plugins._settings import plugin_settings

    try:
        path = config_path(_config_option(argv))
        source = str(path) if path else "settings"
        host = Host(discover(plugin_settings(read_site(path), source=source)))
    except DqError:
        return  # the command itself reports a bad config; help and parse errors go on
    for record in host.inventory.records:
        if record.kind != COMMAND_KIND or record.status != OK:
            continue
        if only is not None and record.name != only:
            continue
        if record.name in builtin:
            print(
                f"dq: warning: command plugin {record.name!r} from {record.distribution} is "
                f"hidden by dq's own '{record.name}' command",
                file=sys.stderr,
            )
            continue
        try:
            host.command(record.name)(groups)
        except DqError as exc:
            print(f"dq: warning: {exc}; 'dq {record.name}' is unavailable", file=sys.stderr)
        except Exception as exc:  # a plugin's bug while registering: name it, carry on
            print(
                f"dq: warning: command plugin {record.name!r} from {record.distribution} "
                f"{record.version} failed to register: {type(exc).__name__}: {exc}",
                file=sys.stderr,
            )
