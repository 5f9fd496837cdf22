"""dq-email: the ``email`` notifier, sending dq alerts over SMTP with TLS always on.

This module is what the entry points name, so it holds the hook implementations and stays
cheap to import: ``dq plugins list`` never imports it, and aiosmtplib is imported only when
a notifier is built or :class:`EmailNotifier` / :func:`render_message` are first accessed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dq

from dq_email._config import EmailConfig

if TYPE_CHECKING:
    from dq_email._message import render as render_message
    from dq_email._notifier import EmailNotifier

__version__ = "0.2.0"

#: The contract ``dq plugins verify email`` runs: the same subclass this plugin's own
#: ``test_contract.py`` uses (it reads dq-email's protocol back). Imported only by verify.
DQ_CONTRACT = "dq_email._contract:EmailContract"

#: The channel type users write (``type = "email"``); also the entry-point name.
NOTIFIER_NAME = "email"

__all__ = [
    "NOTIFIER_NAME",
    "EmailConfig",
    "EmailNotifier",
    "__version__",
    "dq_component_config",
    "dq_notifier",
    "message_id",
    "render_message",
]

_LAZY = {
    "EmailNotifier": ("dq_email._notifier", "EmailNotifier"),
    "render_message": ("dq_email._message", "render"),
    "message_id": ("dq_email._message", "message_id"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'dq_email' has no attribute {name!r}")


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures a ``type = "email"`` channel table into."""
    if (kind, name) == ("notifier", NOTIFIER_NAME):
        return EmailConfig
    return None


@dq.hookimpl
def dq_notifier(name: str, config: EmailConfig | None) -> EmailNotifier | None:
    """Build the notifier. No I/O here: the first connection is made by the first send."""
    if name != NOTIFIER_NAME:
        return None
    if config is None:
        raise dq.UsageError(
            "the email notifier needs a configuration with at least host, sender and "
            "recipients (dq_email.EmailConfig)"
        )
    from dq_email._notifier import EmailNotifier

    return EmailNotifier(config)
