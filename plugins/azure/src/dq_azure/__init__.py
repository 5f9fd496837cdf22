"""dq-azure: a dq secret backend for Azure Key Vault secrets (REST API 7.4, raw httpx).

This module is what the entry points in pyproject.toml name, so it holds only the hook
implementations and stays cheap to import: ``dq plugins list`` never imports it, and
``dq plugins info --check`` imports it and builds a backend (no I/O). httpx and the
implementation are imported only when a backend is built, or when one of the names below is
first used (module ``__getattr__``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dq

from dq_azure._config import AzureKeyVaultConfig
from dq_azure._errors import (
    AzureAuthenticationError,
    AzureConfigurationError,
    AzureRequestError,
    AzureSecretDisabled,
)
from dq_azure._names import decode as name_to_path
from dq_azure._names import encode as path_to_name

if TYPE_CHECKING:
    from dq_azure._backend import AzureKeyVaultBackend, DeletedSecretInfo, SecretVersionInfo

__version__ = "0.1.0"

#: The kind and the component name users type (``type = "azure"``); also the entry-point name.
KIND = "secrets"
NAME = "azure"

_LAZY = {"AzureKeyVaultBackend", "DeletedSecretInfo", "SecretVersionInfo"}

__all__ = [
    "KIND",
    "NAME",
    "AzureAuthenticationError",
    "AzureConfigurationError",
    "AzureKeyVaultBackend",
    "AzureKeyVaultConfig",
    "AzureRequestError",
    "AzureSecretDisabled",
    "DeletedSecretInfo",
    "SecretVersionInfo",
    "__version__",
    "dq_component_config",
    "dq_secret_backend",
    "name_to_path",
    "path_to_name",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from dq_azure import _backend

        return getattr(_backend, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures the user's ``[secrets.backends.NAME]`` into."""
    if (kind, name) == (KIND, NAME):
        return AzureKeyVaultConfig
    return None


@dq.hookimpl
def dq_secret_backend(name: str, config: AzureKeyVaultConfig | None) -> AzureKeyVaultBackend | None:
    """Build the backend. No I/O here: it draws the vault's challenge on first use."""
    if name != NAME:
        return None
    from dq_azure._backend import AzureKeyVaultBackend

    if config is None:  # dq always passes one; only direct Python callers can get here
        config = AzureKeyVaultConfig()
    return AzureKeyVaultBackend(config, name=name)
