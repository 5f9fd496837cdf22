"""Errors dq-aws raises besides dq's five secret-error categories.

Both are :class:`dq.SecretError` (a caller catching every secret error sees them) and neither
is :class:`dq.SecretNotFound`: a misconfigured backend must stop the run, never let a
resolver fall through to another backend and quietly use a different secret.
"""

from __future__ import annotations

import dq


class AwsConfigurationError(dq.SecretError, dq.UsageError):
    """No region, no credentials, or an unknown profile: the user must change the config."""


class AwsRequestError(dq.SecretError):
    """AWS refused the request as malformed or not allowed in the secret's state
    (``ValidationException``, ``InvalidParameterException``, ``InvalidRequestException``,
    ``LimitExceededException`` …). ``code`` is AWS's error code; the message is AWS's, which
    names the secret but never holds its value."""

    def __init__(self, message: str, *, code: str) -> None:
        self.code = code
        super().__init__(message)
