"""dq-discord: the ``discord`` notifier, posting dq alerts as embeds through a Discord channel
webhook ("Execute Webhook").

This module is what the entry points name, so it holds the hook implementations and stays
cheap to import: httpx is imported only when a notifier is built or :class:`DiscordNotifier` /
:func:`render_message` are first accessed (PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dq

from dq_discord._config import DiscordConfig

if TYPE_CHECKING:
    from dq_discord._embeds import render_message
    from dq_discord._notifier import DiscordNotifier

__version__ = "0.2.0"

#: The contract ``dq plugins verify discord`` runs: the same subclass this plugin's own
#: ``test_contract.py`` uses (it reads dq-discord's protocol back). Imported only by verify.
DQ_CONTRACT = "dq_discord._contract:DiscordContract"

#: The channel type users write (``type = "discord"``); also the entry-point name.
NOTIFIER_NAME = "discord"

__all__ = [
    "NOTIFIER_NAME",
    "DiscordConfig",
    "DiscordNotifier",
    "__version__",
    "dq_component_config",
    "dq_notifier",
    "render_message",
]

_LAZY = {"DiscordNotifier": "dq_discord._notifier", "render_message": "dq_discord._embeds"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dq_discord' has no attribute {name!r}")


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures a ``type = "discord"`` channel table into."""
    if (kind, name) == ("notifier", NOTIFIER_NAME):
        return DiscordConfig
    return None


@dq.hookimpl
def dq_notifier(name: str, config: DiscordConfig | None) -> DiscordNotifier | None:
    """Build the notifier. No I/O here: the first request is made by the first send."""
    if name != NOTIFIER_NAME:
        return None
    if config is None:
        raise dq.UsageError(
            "the discord notifier needs a configuration with at least url = the "
            "webhook URL (dq_discord.DiscordConfig)"
        )
    from dq_discord._notifier import DiscordNotifier

    return DiscordNotifier(config)
