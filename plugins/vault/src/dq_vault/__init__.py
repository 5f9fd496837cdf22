"""dq-vault: a dq secret backend for HashiCorp Vault and OpenBao (KV version 2).

This module is what the entry points in pyproject.toml name, so it holds only the hook
implementations and stays cheap to import: ``dq plugins list`` never imports it, and
``dq plugins info --check`` imports it and builds a backend (no I/O). httpx and the
implementation are imported only when a backend is built, or when one of the names below is
first used (module ``__getattr__``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dq

from dq_vault._config import VaultConfig
from dq_vault._errors import VaultConfigurationError, VaultRequestError

if TYPE_CHECKING:
    from dq_vault._backend import SecretMetadata, SecretVersionInfo, VaultBackend

__version__ = "0.1.0"

#: The kind and the component name users type (``type = "vault"``); also the entry-point name.
KIND = "secrets"
NAME = "vault"

_LAZY = {"VaultBackend", "SecretMetadata", "SecretVersionInfo"}

__all__ = [
    "KIND",
    "NAME",
    "SecretMetadata",
    "SecretVersionInfo",
    "VaultBackend",
    "VaultConfig",
    "VaultConfigurationError",
    "VaultRequestError",
    "__version__",
    "dq_component_config",
    "dq_secret_backend",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from dq_vault import _backend

        return getattr(_backend, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures the user's ``[secrets.backends.vault]`` into."""
    if (kind, name) == (KIND, NAME):
        return VaultConfig
    return None


@dq.hookimpl
def dq_secret_backend(name: str, config: VaultConfig | None) -> VaultBackend | None:
    """Build the backend. No I/O here: it connects (and logs in) on first use."""
    if name != NAME:
        return None
    from dq_vault._backend import VaultBackend

    if config is None:  # dq always passes one; only direct Python callers can get here
        config = VaultConfig()  # from VAULT_ADDR / VAULT_TOKEN, or a clear error naming them
    return VaultBackend(config, name=name)
