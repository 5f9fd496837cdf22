"""The hook implementations behind ``orchestrator:dagster`` (the entry point's module).

Only hooks live here: dq refuses a hook module that defines other ``dq_*`` callables. It
imports no Dagster, so ``dq plugins info dagster --check`` builds the binding in a millisecond.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dq

from dq_dagster._config import DagsterConfig

if TYPE_CHECKING:
    from dq_dagster._binding import DagsterBinding

#: The component name users type (``orchestrator:dagster``); also the entry-point name.
BINDING_NAME = "dagster"


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures ``[orchestrator.dagster]`` into."""
    if (kind, name) == ("orchestrator", BINDING_NAME):
        return DagsterConfig
    return None


@dq.hookimpl
def dq_orchestrator_binding(name: str, config: DagsterConfig | None) -> DagsterBinding | None:
    """Build the binding; no Dagster import and no I/O (runs happen inside a unit)."""
    if name != BINDING_NAME:
        return None
    from dq_dagster._binding import DagsterBinding

    return DagsterBinding(config if config is not None else DagsterConfig())
