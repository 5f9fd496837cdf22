"""dq-prefect: run a dq suite as a Prefect 3 task with table and Markdown artifacts.

The entry point names :mod:`dq_prefect._hooks` (dq refuses a hook module defining other
``dq_*`` callables). Importing the package stays cheap: ``dq plugins info --check`` imports
it and builds the binding, neither of which may import Prefect (one to two seconds). Prefect
is imported only when a Prefect-facing name is first used, through PEP 562::

    from dq_prefect import run_dq_suite   # imports prefect here, not before
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from dq_prefect._config import FAIL_ON_VALUES, FailOn, PrefectConfig
from dq_prefect._hooks import BINDING_NAME

if TYPE_CHECKING:
    from dq_prefect._binding import PrefectBinding
    from dq_prefect._context import TENANT_PARAMETER
    from dq_prefect._task import (
        DqConfigError,
        DqGateFailed,
        DqRunError,
        dq_suite_flow,
        retry_unless_config_error,
        run_dq_suite,
        run_facts,
        validate,
    )

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "PrefectBinding": "dq_prefect._binding",
    "TENANT_PARAMETER": "dq_prefect._context",
    **{
        name: "dq_prefect._task"
        for name in (
            "DqConfigError",
            "DqGateFailed",
            "DqRunError",
            "dq_suite_flow",
            "retry_unless_config_error",
            "run_dq_suite",
            "run_facts",
            "validate",
        )
    },
}

__all__ = [
    "BINDING_NAME",
    "FAIL_ON_VALUES",
    "TENANT_PARAMETER",
    "DqConfigError",
    "DqGateFailed",
    "DqRunError",
    "FailOn",
    "PrefectBinding",
    "PrefectConfig",
    "__version__",
    "dq_suite_flow",
    "retry_unless_config_error",
    "run_dq_suite",
    "run_facts",
    "validate",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dq_prefect' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
