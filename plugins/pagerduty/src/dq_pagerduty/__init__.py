"""dq-pagerduty: the ``pagerduty`` notifier, opening and resolving PagerDuty incidents.

This module is what the entry points name, so it holds the hook implementations and stays
cheap to import: ``dq plugins list`` never imports it, and httpx is imported only when a
notifier is built or :class:`PagerDutyNotifier` / :func:`render_event` are first accessed
(PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dq

from dq_pagerduty._config import PagerDutyConfig

if TYPE_CHECKING:
    from dq_pagerduty._event import render_event
    from dq_pagerduty._notifier import PagerDutyNotifier

__version__ = "0.2.0"

#: The channel type users write (``type = "pagerduty"``); also the entry-point name.
NOTIFIER_NAME = "pagerduty"

__all__ = [
    "NOTIFIER_NAME",
    "PagerDutyConfig",
    "PagerDutyNotifier",
    "__version__",
    "dq_component_config",
    "dq_notifier",
    "render_event",
]

_LAZY = {"PagerDutyNotifier": "dq_pagerduty._notifier", "render_event": "dq_pagerduty._event"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dq_pagerduty' has no attribute {name!r}")


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures a ``type = "pagerduty"`` channel table into."""
    if (kind, name) == ("notifier", NOTIFIER_NAME):
        return PagerDutyConfig
    return None


@dq.hookimpl
def dq_notifier(name: str, config: PagerDutyConfig | None) -> PagerDutyNotifier | None:
    """Build the notifier. No I/O here: the first request is made by the first send."""
    if name != NOTIFIER_NAME:
        return None
    if config is None:  # dq always passes one; only direct Python callers can get here
        raise dq.UsageError(
            "the pagerduty notifier needs a configuration with at least routing_key = the "
            "Events API v2 integration key (dq_pagerduty.PagerDutyConfig)"
        )
    from dq_pagerduty._notifier import PagerDutyNotifier

    return PagerDutyNotifier(config)
