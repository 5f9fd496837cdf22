"""Errors dq-vault raises besides dq's five secret-error categories.

Both are :class:`dq.SecretError` (so a caller catching every secret error sees them) and
neither is :class:`dq.SecretNotFound`: a misconfigured backend must stop the run, never let a
resolver fall through to another backend and quietly use a different secret.
"""

from __future__ import annotations

import dq


class VaultConfigurationError(dq.SecretError, dq.UsageError):
    """The server answered, but not as a KV v2 mount would: an unknown namespace, a mount
    that does not exist or is not KV version 2. The user must change the configuration."""


class VaultRequestError(dq.SecretError):
    """Vault refused the request as malformed (HTTP 400 other than a check-and-set conflict).

    ``errors`` holds Vault's own ``errors`` list (bounded), which the message also shows.
    """

    def __init__(self, message: str, *, errors: tuple[str, ...] = ()) -> None:
        self.errors = errors
        super().__init__(message)
