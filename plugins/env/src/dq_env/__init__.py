"""dq-env: a read-only dq secret backend over environment variables.

``${secret:env:db/password}`` reads ``DQ_SECRET_DB__PASSWORD``. This module is what the entry
points in pyproject.toml name: it holds the hook implementations and the public names, and is
cheap to import (no I/O when a backend is built).
"""

from __future__ import annotations

from typing import Any

import dq

from dq_env._backend import READ_ONLY, EnvBackend
from dq_env._codec import VALUE_FIELD, EnvValueError, decode_fields, encode_fields
from dq_env._config import EnvConfig
from dq_env._naming import DEFAULT_PREFIX, path_of, variable_name

__version__ = "0.1.0"

#: The contract ``dq plugins verify env`` runs: dq-env's declared capabilities and the
#: fixtures only it can give (imported by verify and the tests only).
DQ_CONTRACT = "dq_env._contract:EnvContract"

#: The kind and the component name users type (``type = "env"``); also the entry-point name.
KIND = "secrets"
NAME = "env"

__all__ = [
    "DEFAULT_PREFIX",
    "KIND",
    "NAME",
    "READ_ONLY",
    "VALUE_FIELD",
    "EnvBackend",
    "EnvConfig",
    "EnvValueError",
    "__version__",
    "decode_fields",
    "dq_component_config",
    "dq_secret_backend",
    "encode_fields",
    "path_of",
    "variable_name",
]


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures ``[secrets.backends.env]`` into."""
    if (kind, name) == (KIND, NAME):
        return EnvConfig
    return None


@dq.hookimpl
def dq_secret_backend(name: str, config: Any) -> EnvBackend | None:
    """Build the backend over ``os.environ``. No I/O: variables are read on each access."""
    if name != NAME:
        return None
    return EnvBackend(config if config is not None else EnvConfig(), name=name)
