"""dq-kestra: run a dq suite as a Kestra Python script task.

This module is what the entry points name: it holds only the hook implementations and
stays cheap to import (``dq plugins info --check`` imports it). The rest loads on first
use (PEP 562)::

    from dq_kestra import KestraBinding, generate_flow
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

import dq

from dq_kestra._config import FAIL_ON_VALUES, FailOn, KestraConfig

if TYPE_CHECKING:
    from dq_kestra._binding import KestraBinding
    from dq_kestra._flow import FlowOptions, generate_flow, render_flow
    from dq_kestra._wire import KESTRA_LINE, frame, native, parse, read_logs, read_metrics, read_outputs

__version__ = "0.1.0"

#: The component name users type (``orchestrator:kestra``); also the entry-point name.
BINDING_NAME = "kestra"

_LAZY: dict[str, str] = {
    "KestraBinding": "dq_kestra._binding",
    "FlowOptions": "dq_kestra._flow",
    "generate_flow": "dq_kestra._flow",
    "render_flow": "dq_kestra._flow",
    "KESTRA_LINE": "dq_kestra._wire",
    "frame": "dq_kestra._wire",
    "native": "dq_kestra._wire",
    "parse": "dq_kestra._wire",
    "read_outputs": "dq_kestra._wire",
    "read_metrics": "dq_kestra._wire",
    "read_logs": "dq_kestra._wire",
}

__all__ = [
    "BINDING_NAME",
    "FAIL_ON_VALUES",
    "FailOn",
    "FlowOptions",
    "KESTRA_LINE",
    "KestraBinding",
    "KestraConfig",
    "__version__",
    "dq_component_config",
    "dq_orchestrator_binding",
    "frame",
    "generate_flow",
    "native",
    "parse",
    "read_logs",
    "read_metrics",
    "read_outputs",
    "render_flow",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dq_kestra' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures ``[orchestrator.kestra]`` into."""
    if (kind, name) == ("orchestrator", BINDING_NAME):
        return KestraConfig
    return None


@dq.hookimpl
def dq_orchestrator_binding(name: str, config: KestraConfig | None) -> KestraBinding | None:
    """Build the binding; no I/O (the run happens inside a Kestra task)."""
    if name != BINDING_NAME:
        return None
    from dq_kestra._binding import KestraBinding

    return KestraBinding(config if config is not None else KestraConfig())
