"""dq-mage: run a dq suite inside Mage blocks -- transformer, test, condition, sensor.

The entry point names :mod:`dq_mage._hooks` (dq refuses a hook module defining other
``dq_*`` callables, and this package offers ``dq_check``). Nothing here imports mage-ai:
the helpers are called from a block's code with the block's ``kwargs`` and read them as a
mapping, so ``dq plugins info mage --check`` stays fast and the helpers are cheap to import
in every block::

    from dq_mage import dq_check, dq_condition, dq_sensor, dq_transform
"""

from __future__ import annotations

from dq_mage._binding import MageBinding
from dq_mage._blocks import (
    DqConfigError,
    DqGateFailed,
    DqRuntimeError,
    dq_check,
    dq_condition,
    dq_sensor,
    dq_transform,
)
from dq_mage._config import FAIL_ON_VALUES, FailOn, MageConfig
from dq_mage._hooks import BINDING_NAME

__version__ = "0.1.0"

__all__ = [
    "BINDING_NAME",
    "FAIL_ON_VALUES",
    "DqConfigError",
    "DqGateFailed",
    "DqRuntimeError",
    "FailOn",
    "MageBinding",
    "MageConfig",
    "__version__",
    "dq_check",
    "dq_condition",
    "dq_sensor",
    "dq_transform",
]
