"""dq-pandera: a dq engine that checks rule sets with pandera's polars backend.

This module is what the entry points name, so it holds only the hook
implementations and stays cheap to import: ``dq plugins info --check`` imports it,
and pandera (with pydantic and typeguard behind it) costs far more than the
module itself. pandera and polars are imported only inside :func:`dq_engine`,
when an engine is actually built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dq

from dq_pandera._config import PanderaConfig
from dq_pandera._errors import NotProvidedByPandera, PanderaEngineError

if TYPE_CHECKING:
    from dq_pandera._engine import PanderaEngine

__version__ = "0.1.0"

#: The component name users type (``--engine pandera``); also the entry-point name.
ENGINE_NAME = "pandera"

__all__ = [
    "ENGINE_NAME",
    "NotProvidedByPandera",
    "PanderaConfig",
    "PanderaEngineError",
    "__version__",
    "dq_component_config",
    "dq_engine",
]


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures the user's ``[engine.pandera]`` table into."""
    if (kind, name) == ("engine", ENGINE_NAME):
        return PanderaConfig
    return None


@dq.hookimpl
def dq_engine(name: str, config: PanderaConfig | None) -> PanderaEngine | None:
    """Build the engine; pandera is imported here, and no data is touched until ``check``."""
    if name != ENGINE_NAME:
        return None
    from dq_pandera._engine import PanderaEngine

    return PanderaEngine(config if config is not None else PanderaConfig())
