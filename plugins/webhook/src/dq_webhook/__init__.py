"""dq-webhook: the ``webhook`` notifier (signed JSON to any URL) and :func:`verify` for receivers.

This module is what the entry points name, so it holds the hook implementations and stays
cheap to import: ``dq plugins list`` never imports it, and httpx is imported only when a
notifier is built or :class:`WebhookNotifier` / :func:`render_body` are first accessed (PEP
562). A receiver that only verifies needs :func:`verify` (standard library and dq only).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

import dq

from dq_webhook._config import WebhookConfig
from dq_webhook._signing import WebhookVerificationError, new_secret, sign, verify

if TYPE_CHECKING:
    from dq_webhook._body import render_body
    from dq_webhook._notifier import WebhookNotifier

__version__ = "0.2.0"

#: The channel type users write (``type = "webhook"``); also the entry-point name.
NOTIFIER_NAME = "webhook"
#: The ``schema`` value of every body this version sends.
SCHEMA_ID = "dq.notification/v1"

__all__ = [
    "NOTIFIER_NAME",
    "SCHEMA_ID",
    "WebhookConfig",
    "WebhookNotifier",
    "WebhookVerificationError",
    "__version__",
    "body_schema",
    "dq_component_config",
    "dq_notifier",
    "new_secret",
    "render_body",
    "sign",
    "verify",
]

_LAZY = {"WebhookNotifier": "dq_webhook._notifier", "render_body": "dq_webhook._body"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dq_webhook' has no attribute {name!r}")


def body_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the ``dq.notification/v1`` body, as shipped."""
    text = resources.files("dq_webhook").joinpath("schema/notification-v1.json").read_text()
    return json.loads(text)


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures a ``type = "webhook"`` channel table into."""
    if (kind, name) == ("notifier", NOTIFIER_NAME):
        return WebhookConfig
    return None


@dq.hookimpl
def dq_notifier(name: str, config: WebhookConfig | None) -> WebhookNotifier | None:
    """Build the notifier. No I/O here: the first request is made by the first send."""
    if name != NOTIFIER_NAME:
        return None
    if config is None:  # dq always passes one; only direct Python callers can get here
        raise dq.UsageError(
            "the webhook notifier needs a configuration with url = the endpoint and "
            "secret = the whsec_ signing secret (dq_webhook.WebhookConfig)"
        )
    from dq_webhook._notifier import WebhookNotifier

    return WebhookNotifier(config)
