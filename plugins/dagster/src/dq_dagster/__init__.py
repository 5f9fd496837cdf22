"""dq-dagster: run a dq suite as a blocking Dagster asset check, or from an op.

The entry point names :mod:`dq_dagster._hooks` (dq refuses a hook module defining other
``dq_*`` callables, and this package offers ``dq_asset_check``). Importing the package stays
cheap: ``dq plugins info --check`` imports it and builds the binding, neither of which may
import Dagster (about a second). Dagster is imported only when a Dagster-facing name is first
used, through PEP 562::

    from dq_dagster import dq_asset_check, DqResource   # imports dagster here, not before
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from dq_dagster._config import FAIL_ON_VALUES, DagsterConfig, FailOn
from dq_dagster._hooks import BINDING_NAME

if TYPE_CHECKING:
    from dq_dagster._binding import DagsterBinding
    from dq_dagster._checks import dq_asset_check, dq_asset_checks
    from dq_dagster._context import TENANT_TAG
    from dq_dagster._resource import DqResource

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "DagsterBinding": "dq_dagster._binding",
    "DqResource": "dq_dagster._resource",
    "TENANT_TAG": "dq_dagster._context",
    "dq_asset_check": "dq_dagster._checks",
    "dq_asset_checks": "dq_dagster._checks",
}

__all__ = [
    "BINDING_NAME",
    "FAIL_ON_VALUES",
    "TENANT_TAG",
    "DagsterBinding",
    "DagsterConfig",
    "DqResource",
    "FailOn",
    "__version__",
    "dq_asset_check",
    "dq_asset_checks",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dq_dagster' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
