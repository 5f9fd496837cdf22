"""ONE local Spark session for the whole test session (it takes ~17 s to start)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.pop("DQ_CONFIG", None)
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
#: Small data, two shared cores: one partition, no console progress, no UI.
TEST_CONF = {
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "1",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.extraJavaOptions": "-XX:+UseSerialGC",
}


@pytest.fixture(scope="session")
def spark_config() -> object:
    from dq_spark import SparkConfig

    return SparkConfig(master="local[1]", conf=TEST_CONF)


@pytest.fixture(scope="session")
def spark(spark_config: object) -> Iterator[object]:
    from dq_spark import SparkEngine

    session = SparkEngine(spark_config).session()  # type: ignore[arg-type]
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
