"""dq-great-expectations: a dq engine that runs rule sets through Great Expectations.

This module is what the entry points name, so it holds only the hook
implementations and stays cheap to import: ``dq plugins list`` never imports it
and ``dq plugins info --check`` does. great_expectations (seconds to import),
polars and pandas are loaded only inside the engine, on the first ``check``.

The component name is ``gx`` (component names must match ``[a-z][a-z0-9_-]*``, so
``great_expectations`` with its underscore would do, but ``gx`` is what GX users
already type).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dq

from dq_great_expectations._config import GxConfig
from dq_great_expectations._errors import GxEngineError, NotProvidedByGx

if TYPE_CHECKING:
    from dq_great_expectations._engine import GxEngine

__version__ = "0.1.0"

#: The component name users type (``--engine gx``); also the entry-point name.
ENGINE_NAME = "gx"

__all__ = [
    "ENGINE_NAME",
    "GxConfig",
    "GxEngineError",
    "NotProvidedByGx",
    "__version__",
    "dq_component_config",
    "dq_engine",
]


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures the user's ``[engine.gx]`` table into."""
    if (kind, name) == ("engine", ENGINE_NAME):
        return GxConfig
    return None


@dq.hookimpl
def dq_engine(name: str, config: GxConfig | None) -> GxEngine | None:
    """Build the engine; no I/O, and great_expectations is not imported until ``check``."""
    if name != ENGINE_NAME:
        return None
    from dq_great_expectations._engine import GxEngine

    return GxEngine(config if config is not None else GxConfig())
