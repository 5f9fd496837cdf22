"""dq-gcp: a dq secret backend for Google Secret Manager (REST API v1).

This module is what the entry points in pyproject.toml name, so it holds only the hook
implementations and stays cheap to import: ``dq plugins list`` never imports it, and
``dq plugins info --check`` imports it and builds a backend (no I/O). httpx, cryptography and
the implementation are imported when a backend is built, or when one of the names below is
first used (module ``__getattr__``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import dq

from dq_gcp._config import GcpConfig
from dq_gcp._errors import GcpConfigurationError, GcpRequestError

if TYPE_CHECKING:
    from dq_gcp._backend import GcpSecretsBackend
    from dq_gcp._versions import GcpSecretVersion

__version__ = "0.1.0"

#: The kind and the component name users type (``type = "gcp"``); also the entry-point name.
KIND = "secrets"
NAME = "gcp"

#: name -> the module that defines it, imported on first use
_LAZY = {"GcpSecretsBackend": "dq_gcp._backend", "GcpSecretVersion": "dq_gcp._versions"}

__all__ = [
    "KIND",
    "NAME",
    "GcpConfig",
    "GcpConfigurationError",
    "GcpRequestError",
    "GcpSecretVersion",
    "GcpSecretsBackend",
    "__version__",
    "dq_component_config",
    "dq_secret_backend",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures the user's ``[secrets.backends.NAME]`` into."""
    if (kind, name) == (KIND, NAME):
        return GcpConfig
    return None


@dq.hookimpl
def dq_secret_backend(name: str, config: GcpConfig | None) -> GcpSecretsBackend | None:
    """Build the backend. No I/O here: the key is read and a token fetched on first use."""
    if name != NAME:
        return None
    from dq_gcp._backend import GcpSecretsBackend

    return GcpSecretsBackend(config if config is not None else GcpConfig(), name=name)
