"""dq-slack: the ``slack`` notifier, posting dq alerts to a Slack incoming webhook.

This module is what the entry points name, so it holds the hook implementations and stays
cheap to import: ``dq plugins list`` never imports it, and ``dq plugins info --check`` does, so
httpx (tens of milliseconds) is imported only when a notifier is built or
:class:`SlackNotifier` / :func:`render_message` are first accessed (PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dq

from dq_slack._config import SlackConfig

if TYPE_CHECKING:
    from dq_slack._blocks import render_message
    from dq_slack._notifier import SlackNotifier

__version__ = "0.3.0"

#: The contract ``dq plugins verify slack`` runs: the same subclass this plugin's own
#: ``test_contract.py`` uses (it reads dq-slack's protocol back). Imported only by verify.
DQ_CONTRACT = "dq_slack._contract:SlackContract"

#: The channel type users write (``type = "slack"``); also the entry-point name.
NOTIFIER_NAME = "slack"

__all__ = [
    "NOTIFIER_NAME",
    "SlackConfig",
    "SlackNotifier",
    "__version__",
    "dq_component_config",
    "dq_notifier",
    "render_message",
]

_LAZY = {"SlackNotifier": "dq_slack._notifier", "render_message": "dq_slack._blocks"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dq_slack' has no attribute {name!r}")


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures a ``type = "slack"`` channel table into."""
    if (kind, name) == ("notifier", NOTIFIER_NAME):
        return SlackConfig
    return None


@dq.hookimpl
def dq_notifier(name: str, config: SlackConfig | None) -> SlackNotifier | None:
    """Build the notifier. No I/O here: the first request is made by the first send."""
    if name != NOTIFIER_NAME:
        return None
    if config is None:  # dq always passes one; only direct Python callers can get here
        raise dq.UsageError(
            "the slack notifier needs a configuration with at least url = the webhook URL "
            "(dq_slack.SlackConfig)"
        )
    from dq_slack._notifier import SlackNotifier

    return SlackNotifier(config)
