"""Errors dq-file raises besides dq's five secret-error categories.

Both are :class:`dq.SecretError`, so a caller catching every secret error sees them, and
neither is :class:`dq.SecretNotFound`: a store that fails its integrity check, or a backend
whose keys are misconfigured, must stop the run, never let a resolver fall through to another
backend and quietly use a different secret. Messages name the entry (the path the caller
asked for, and the file), never a value or key material.
"""

from __future__ import annotations

import dq


class FileStoreIntegrityError(dq.SecretError):
    """An entry or the store header failed authentication: it was tampered with, truncated,
    swapped with another entry's file, or a key under a known id is not the key that wrote it.

    ``entry`` is the secret path when the caller named one (else ``None``); ``file`` the
    entry's file name inside the store. Neither is secret.
    """

    def __init__(self, message: str, *, entry: str | None = None, file: str | None = None) -> None:
        self.entry = entry
        self.file = file
        super().__init__(message)


class FileStoreConfigurationError(dq.SecretError, dq.UsageError):
    """The backend's configuration cannot work: no store directory or key given, a key file
    that is missing, malformed or readable by others, or an unknown key id. The user must
    change the configuration (exit code 2)."""
