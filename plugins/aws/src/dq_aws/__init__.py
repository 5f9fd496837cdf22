"""dq-aws: a dq secret backend for AWS Secrets Manager.

This module is what the entry points in pyproject.toml name, so it holds only the hook
implementations and stays cheap to import: ``dq plugins list`` never imports it, and
``dq plugins info --check`` imports it and builds a backend (no I/O). boto3 is imported only
when a backend makes its first call, or when one of the names below is first used (module
``__getattr__``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dq

from dq_aws._config import AwsConfig
from dq_aws._errors import AwsConfigurationError, AwsRequestError

if TYPE_CHECKING:
    from dq_aws._backend import AwsSecretsBackend, AwsSecretVersion

__version__ = "0.1.0"

#: The kind and the component name users type (``type = "aws"``); also the entry-point name.
KIND = "secrets"
NAME = "aws"

_LAZY = {"AwsSecretsBackend", "AwsSecretVersion"}

__all__ = [
    "KIND",
    "NAME",
    "AwsConfig",
    "AwsConfigurationError",
    "AwsRequestError",
    "AwsSecretVersion",
    "AwsSecretsBackend",
    "__version__",
    "dq_component_config",
    "dq_secret_backend",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from dq_aws import _backend

        return getattr(_backend, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures the user's ``[secrets.backends.NAME]`` into."""
    if (kind, name) == (KIND, NAME):
        return AwsConfig
    return None


@dq.hookimpl
def dq_secret_backend(name: str, config: AwsConfig | None) -> AwsSecretsBackend | None:
    """Build the backend. No I/O here: the boto3 client is built on first use."""
    if name != NAME:
        return None
    from dq_aws._backend import AwsSecretsBackend

    return AwsSecretsBackend(config if config is not None else AwsConfig(), name=name)
