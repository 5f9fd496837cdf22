"""dq-file: a dq secret backend keeping secrets AES-256-GCM-encrypted in a local directory.

This module is what the entry points in pyproject.toml name, so it holds only the hook
implementations and stays cheap to import: ``dq plugins list`` never imports it, and
``dq plugins info --check`` imports it and builds a backend (no I/O). ``cryptography`` and the
implementation are imported only when a backend is built, or when one of the names below is
first used (module ``__getattr__``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dq

from dq_file._config import FileStoreConfig, KeySpec
from dq_file._errors import FileStoreConfigurationError, FileStoreIntegrityError

if TYPE_CHECKING:
    from dq_file._backend import FileBackend
    from dq_file._fs import FileSystem
    from dq_file._keys import Keyring
    from dq_file._reports import ReencryptReport, RotationReport, SecretMetadata, VersionInfo

__version__ = "0.1.0"

#: The kind and the component name users type (``type = "file"``); also the entry-point name.
KIND = "secrets"
NAME = "file"

_LAZY = {
    "FileBackend": "dq_file._backend",
    "FileSystem": "dq_file._fs",
    "Keyring": "dq_file._keys",
    "ReencryptReport": "dq_file._reports",
    "RotationReport": "dq_file._reports",
    "SecretMetadata": "dq_file._reports",
    "VersionInfo": "dq_file._reports",
}

__all__ = [
    "KIND",
    "NAME",
    "FileBackend",
    "FileStoreConfig",
    "FileStoreConfigurationError",
    "FileStoreIntegrityError",
    "FileSystem",
    "KeySpec",
    "Keyring",
    "ReencryptReport",
    "RotationReport",
    "SecretMetadata",
    "VersionInfo",
    "__version__",
    "dq_component_config",
    "dq_secret_backend",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        import importlib

        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures the user's ``[secrets.backends.file]`` into."""
    if (kind, name) == (KIND, NAME):
        return FileStoreConfig
    return None


@dq.hookimpl
def dq_secret_backend(name: str, config: FileStoreConfig | None) -> FileBackend | None:
    """Build the backend. No I/O here: key files and the store are read on first use."""
    if name != NAME:
        return None
    from dq_file._backend import FileBackend

    if config is None:  # dq always passes one; only direct Python callers can get here
        config = FileStoreConfig()  # from DQ_FILE_STORE / DQ_FILE_KEY_FILE, checked on use
    return FileBackend(config, name=name)
