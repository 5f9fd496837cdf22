"""The hook implementations behind ``orchestrator:prefect`` (the entry point's module).

Only hooks live here: dq refuses a hook module that defines other ``dq_*`` callables. It
imports no Prefect, so ``dq plugins info prefect --check`` builds the binding in a millisecond.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dq

from dq_prefect._config import PrefectConfig

if TYPE_CHECKING:
    from dq_prefect._binding import PrefectBinding

#: The component name users type (``orchestrator:prefect``); also the entry-point name.
BINDING_NAME = "prefect"


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures ``[orchestrator.prefect]`` into."""
    if (kind, name) == ("orchestrator", BINDING_NAME):
        return PrefectConfig
    return None


@dq.hookimpl
def dq_orchestrator_binding(name: str, config: PrefectConfig | None) -> PrefectBinding | None:
    """Build the binding; no Prefect import and no I/O (runs happen inside a task)."""
    if name != BINDING_NAME:
        return None
    from dq_prefect._binding import PrefectBinding

    return PrefectBinding(config if config is not None else PrefectConfig())
