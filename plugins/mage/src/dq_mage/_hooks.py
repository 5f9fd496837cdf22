"""The hook implementations behind ``orchestrator:mage`` (the entry point's module).

Only hooks live here: dq refuses a hook module that defines other ``dq_*`` callables, and the
block helpers are called ``dq_check``, ``dq_condition``... It imports no Mage, so
``dq plugins info mage --check`` builds the binding in a millisecond.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dq

from dq_mage._config import MageConfig

if TYPE_CHECKING:
    from dq_mage._binding import MageBinding

#: The component name users type (``orchestrator:mage``); also the entry-point name.
BINDING_NAME = "mage"


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures ``[orchestrator.mage]`` into."""
    if (kind, name) == ("orchestrator", BINDING_NAME):
        return MageConfig
    return None


@dq.hookimpl
def dq_orchestrator_binding(name: str, config: MageConfig | None) -> MageBinding | None:
    """Build the binding; no Mage import and no I/O (runs happen inside a block)."""
    if name != BINDING_NAME:
        return None
    from dq_mage._binding import MageBinding

    return MageBinding(config if config is not None else MageConfig())
