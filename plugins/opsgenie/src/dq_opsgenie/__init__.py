"""dq-opsgenie: the ``opsgenie`` notifier, creating Opsgenie alerts and closing them by alias.

This module is what the entry points name, so it holds the hook implementations and stays
cheap to import: ``dq plugins list`` never imports it, and httpx is imported only when a
notifier is built or :class:`OpsgenieNotifier` / :func:`render_request` are first accessed
(PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dq

from dq_opsgenie._config import OpsgenieConfig

if TYPE_CHECKING:
    from dq_opsgenie._alert import render_request
    from dq_opsgenie._notifier import OpsgenieNotifier

__version__ = "0.2.0"

#: The channel type users write (``type = "opsgenie"``); also the entry-point name.
NOTIFIER_NAME = "opsgenie"

__all__ = [
    "NOTIFIER_NAME",
    "OpsgenieConfig",
    "OpsgenieNotifier",
    "__version__",
    "dq_component_config",
    "dq_notifier",
    "render_request",
]

_LAZY = {"OpsgenieNotifier": "dq_opsgenie._notifier", "render_request": "dq_opsgenie._alert"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dq_opsgenie' has no attribute {name!r}")


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures a ``type = "opsgenie"`` channel table into."""
    if (kind, name) == ("notifier", NOTIFIER_NAME):
        return OpsgenieConfig
    return None


@dq.hookimpl
def dq_notifier(name: str, config: OpsgenieConfig | None) -> OpsgenieNotifier | None:
    """Build the notifier. No I/O here: the first request is made by the first send."""
    if name != NOTIFIER_NAME:
        return None
    if config is None:  # dq always passes one; only direct Python callers can get here
        raise dq.UsageError(
            "the opsgenie notifier needs a configuration with at least api_key = the key of an "
            "Opsgenie API integration (dq_opsgenie.OpsgenieConfig)"
        )
    from dq_opsgenie._notifier import OpsgenieNotifier

    return OpsgenieNotifier(config)
