"""dq-truthound: a dq engine that runs truthound's validators with dq's semantics.

This module is what the entry points name, so it holds only the hook
implementations and stays cheap to import: ``dq plugins list`` never imports it
and ``dq plugins info --check`` does. truthound and polars are imported only when
an engine actually checks data (inside :mod:`dq_truthound._engine`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dq

from dq_truthound._config import TruthoundConfig
from dq_truthound._errors import NotSupportedByTruthound, TruthoundEngineError

if TYPE_CHECKING:
    from dq_truthound._engine import TruthoundEngine

__version__ = "0.1.0"

#: The component name users type (``--engine truthound``); also the entry-point name.
ENGINE_NAME = "truthound"

__all__ = [
    "ENGINE_NAME",
    "NotSupportedByTruthound",
    "TruthoundConfig",
    "TruthoundEngineError",
    "__version__",
    "dq_component_config",
    "dq_engine",
]


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures the user's ``[engine.truthound]`` table into."""
    if (kind, name) == ("engine", ENGINE_NAME):
        return TruthoundConfig
    return None


@dq.hookimpl
def dq_engine(name: str, config: TruthoundConfig | None) -> TruthoundEngine | None:
    """Build the engine; no I/O, no truthound import, no data touched until ``check``."""
    if name != ENGINE_NAME:
        return None
    from dq_truthound._engine import TruthoundEngine

    return TruthoundEngine(config if config is not None else TruthoundConfig())
