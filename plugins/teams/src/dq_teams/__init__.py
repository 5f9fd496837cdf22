"""dq-teams: the ``teams`` notifier, posting dq alerts as Adaptive Cards to a Teams Workflows
webhook.

This module is what the entry points name, so it holds the hook implementations and stays
cheap to import: httpx is imported only when a notifier is built or :class:`TeamsNotifier` /
:func:`render_message` are first accessed (PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dq

from dq_teams._config import TeamsConfig

if TYPE_CHECKING:
    from dq_teams._card import render_message
    from dq_teams._notifier import TeamsNotifier

__version__ = "0.2.0"

#: The contract ``dq plugins verify teams`` runs: the same subclass this plugin's own
#: ``test_contract.py`` uses (it reads dq-teams's protocol back). Imported only by verify.
DQ_CONTRACT = "dq_teams._contract:TeamsContract"

#: The channel type users write (``type = "teams"``); also the entry-point name.
NOTIFIER_NAME = "teams"

__all__ = [
    "NOTIFIER_NAME",
    "TeamsConfig",
    "TeamsNotifier",
    "__version__",
    "dq_component_config",
    "dq_notifier",
    "render_message",
]

_LAZY = {"TeamsNotifier": "dq_teams._notifier", "render_message": "dq_teams._card"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dq_teams' has no attribute {name!r}")


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures a ``type = "teams"`` channel table into."""
    if (kind, name) == ("notifier", NOTIFIER_NAME):
        return TeamsConfig
    return None


@dq.hookimpl
def dq_notifier(name: str, config: TeamsConfig | None) -> TeamsNotifier | None:
    """Build the notifier. No I/O here: the first request is made by the first send."""
    if name != NOTIFIER_NAME:
        return None
    if config is None:
        raise dq.UsageError(
            "the teams notifier needs a configuration with at least url = the Workflows "
            "webhook URL (dq_teams.TeamsConfig)"
        )
    from dq_teams._notifier import TeamsNotifier

    return TeamsNotifier(config)
