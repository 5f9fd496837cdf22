"""dq-spark: a dq engine that checks a whole rule set in Spark, where the data lives.

Public names: :class:`SparkEngine`, :class:`SparkConfig` and the two source errors. The
module is the ``dq.engines`` entry point (``spark``); importing it does not import pyspark.
"""

from __future__ import annotations

from typing import Any

import dq

from dq_spark._config import SparkConfig
from dq_spark._engine import SparkEngine
from dq_spark._session import SparkSourceError, SparkSourceNotFound

__all__ = ["SparkConfig", "SparkEngine", "SparkSourceError", "SparkSourceNotFound"]


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    if (kind, name) == ("engine", "spark"):
        return SparkConfig
    return None


@dq.hookimpl
def dq_engine(name: str, config: Any) -> SparkEngine | None:
    if name != "spark":
        return None
    return SparkEngine(config)
