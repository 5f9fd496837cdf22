"""dq-polars: the default dq engine, checking a whole rule set in one polars query.

This module is what the entry points name, so it holds only the hook
implementations and stays cheap to import: ``dq plugins list`` never imports it
and ``dq plugins info --check`` does, so polars (tens of milliseconds to import)
is loaded only inside :func:`dq_engine`, when an engine is actually built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dq

from dq_polars._config import PolarsConfig

if TYPE_CHECKING:
    from dq_polars._engine import PolarsEngine

__version__ = "0.1.0"

#: The component name users type (``--engine polars``); also the entry-point name.
ENGINE_NAME = "polars"

__all__ = ["ENGINE_NAME", "PolarsConfig", "__version__", "dq_component_config", "dq_engine"]


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures the user's ``[engine.polars]`` table into."""
    if (kind, name) == ("engine", ENGINE_NAME):
        return PolarsConfig
    return None


@dq.hookimpl
def dq_engine(name: str, config: PolarsConfig | None) -> PolarsEngine | None:
    """Build the engine; no I/O and no data is touched until ``check`` is called."""
    if name != ENGINE_NAME:
        return None
    from dq_polars._engine import PolarsEngine

    return PolarsEngine(config if config is not None else PolarsConfig())
