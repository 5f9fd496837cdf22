"""Errors dq-gcp raises besides dq's five secret-error categories.

Both are :class:`dq.SecretError` and neither is :class:`dq.SecretNotFound`: a misconfigured
backend must stop the run, never let a resolver fall through to another backend.
"""

from __future__ import annotations

import dq


class GcpConfigurationError(dq.SecretError, dq.UsageError):
    """No project, an unreadable or malformed key, a refused token request: fix the config."""


class GcpRequestError(dq.SecretError):
    """Secret Manager refused the request (``INVALID_ARGUMENT``, ``FAILED_PRECONDITION`` other
    than a disabled/destroyed version or a lost check-and-set, a checksum mismatch). ``status``
    is Google's canonical code; the message is Google's, which never holds a value."""

    def __init__(self, message: str, *, status: str) -> None:
        self.status = status
        super().__init__(message)
