"""dq-airflow: run a dq suite as a native Airflow 3 task.

This module is what the entry points name, so it holds only the hook implementations and
stays cheap to import: ``dq plugins list`` never imports it, and ``dq plugins info --check``
imports it and builds the binding, neither of which may import Airflow (a second or more).
Airflow is imported only when :class:`DqSuiteOperator` is first used, through PEP 562::

    from dq_airflow import DqSuiteOperator   # imports airflow.sdk here, not before
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

import dq

from dq_airflow._config import FAIL_ON_VALUES, AirflowConfig, FailOn

if TYPE_CHECKING:
    from dq_airflow._binding import RESULT_KEY, SUMMARY_KEY, AirflowBinding
    from dq_airflow._operator import DqSuiteOperator

__version__ = "0.1.0"

#: The component name users type (``orchestrator:airflow``); also the entry-point name.
BINDING_NAME = "airflow"

_LAZY: dict[str, str] = {
    "DqSuiteOperator": "dq_airflow._operator",
    "AirflowBinding": "dq_airflow._binding",
    "SUMMARY_KEY": "dq_airflow._binding",
    "RESULT_KEY": "dq_airflow._binding",
}

__all__ = [
    "BINDING_NAME",
    "FAIL_ON_VALUES",
    "AirflowBinding",
    "AirflowConfig",
    "DqSuiteOperator",
    "FailOn",
    "RESULT_KEY",
    "SUMMARY_KEY",
    "__version__",
    "dq_component_config",
    "dq_orchestrator_binding",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dq_airflow' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures ``[orchestrator.airflow]`` into."""
    if (kind, name) == ("orchestrator", BINDING_NAME):
        return AirflowConfig
    return None


@dq.hookimpl
def dq_orchestrator_binding(name: str, config: AirflowConfig | None) -> AirflowBinding | None:
    """Build the binding; no Airflow import and no I/O (runs happen inside a task)."""
    if name != BINDING_NAME:
        return None
    from dq_airflow._binding import AirflowBinding

    return AirflowBinding(config if config is not None else AirflowConfig())
