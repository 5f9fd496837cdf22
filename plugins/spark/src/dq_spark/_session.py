"""Getting a Spark session and turning what the engine is handed into a Spark DataFrame.

Handed: a Spark ``DataFrame`` (from a binding, used as is); a ``dq.SourceRef`` of type
``spark`` (``table`` -> ``spark.table``, ``path`` -> ``spark.read.format(format)``); or a
polars frame (copied into Spark with an explicit schema — for the engine contract and small
data; real data should stay in Spark). Spark only plans here: no job runs.
"""

from __future__ import annotations

import threading
from typing import Any

import dq

from dq_spark._config import SparkConfig

#: The row-order column added to polars frames (samples keep the frame's order).
ROW_COLUMN = "__dq_row"
_LOCK = threading.Lock()


class SparkSourceError(dq.DqError):
    """Spark could not start, reach the cluster, or read the source (exit 3)."""


class SparkSourceNotFound(dq.UsageError):
    """The table or path does not exist (exit 2)."""


def session(config: SparkConfig) -> Any:
    """The configured session, created once per process (``getOrCreate``)."""
    from pyspark.sql import SparkSession

    with _LOCK:
        if config.remote is None and config.master is None:
            active = SparkSession.getActiveSession()
            if active is not None:
                return active
        builder = SparkSession.builder.appName(config.app_name)
        if config.remote is not None:
            builder = builder.remote(config.remote)
        else:
            builder = builder.master(config.master or "local[2]")
            builder = builder.config("spark.ui.enabled", "false")
        for key, value in config.conf.items():
            builder = builder.config(key, value)
        try:
            return builder.getOrCreate()
        except Exception as exc:  # noqa: BLE001 - py4j, Connect and JVM start errors alike
            where = config.remote or config.master or "local[2]"
            raise SparkSourceError(
                f"cannot start a Spark session ({where}): {_first(exc)}"
            ) from None


def _first(exc: BaseException) -> str:
    return (str(exc).strip() or type(exc).__name__).splitlines()[0]


def is_spark_frame(data: Any) -> bool:
    module = type(data).__module__
    return module.startswith("pyspark.sql") and type(data).__name__ == "DataFrame"


def to_spark(data: Any, config: SparkConfig) -> tuple[Any, str | None, str]:
    """(Spark DataFrame, row-order column or None, label) for what the engine was handed."""
    if is_spark_frame(data):
        return data, None, "Spark DataFrame"
    if type(data).__module__.startswith("polars") and type(data).__name__ in (
        "DataFrame",
        "LazyFrame",
    ):
        frame = data.collect() if type(data).__name__ == "LazyFrame" else data
        return _from_polars(session(config), frame), ROW_COLUMN, "polars frame"
    table, path = getattr(data, "table", None), getattr(data, "path", None)
    if table is None and path is None:
        raise dq.UsageError(
            f"the spark engine reads Spark tables and paths, Spark DataFrames and polars "
            f"frames, not {type(data).__name__}"
        )
    label = getattr(data, "label", None) or (f"table {table}" if table else str(path))
    spark = session(config)
    try:
        if table is not None:
            df = spark.table(table)
        else:
            reader = spark.read.format(getattr(data, "format", None) or "parquet")
            for key, value in (getattr(data, "options", None) or {}).items():
                reader = reader.option(key, str(value))
            df = reader.load(path)
        df.schema  # noqa: B018 - resolves the table/path now, so a missing one fails here
    except Exception as exc:  # noqa: BLE001 - AnalysisException and friends
        text = _first(exc)
        if "NOT_FOUND" in text or "not found" in text.lower() or "does not exist" in text:
            raise SparkSourceNotFound(f"source {label}: {text}") from None
        raise SparkSourceError(f"source {label}: cannot read it: {text}") from None
    return df, None, label


def _spark_type(dtype: Any) -> Any:
    import polars as pl
    from pyspark.sql import types as T

    simple = {
        pl.Int8: T.ByteType(),
        pl.Int16: T.ShortType(),
        pl.Int32: T.IntegerType(),
        pl.Int64: T.LongType(),
        pl.UInt8: T.ShortType(),
        pl.UInt16: T.IntegerType(),
        pl.UInt32: T.LongType(),
        pl.Float32: T.FloatType(),
        pl.Float64: T.DoubleType(),
        pl.String: T.StringType(),
        pl.Boolean: T.BooleanType(),
        pl.Date: T.DateType(),
        pl.Null: T.NullType(),
        pl.Binary: T.BinaryType(),
    }
    if isinstance(dtype, pl.Datetime):
        return T.TimestampType() if dtype.time_zone else T.TimestampNTZType()
    for key, value in simple.items():
        if dtype == key:
            return value
    return T.StringType()


def _from_polars(spark: Any, frame: Any) -> Any:
    import polars as pl
    from pyspark.sql import types as T

    schema = T.StructType(
        [T.StructField(ROW_COLUMN, T.LongType(), False)]
        + [T.StructField(n, _spark_type(t), True) for n, t in frame.schema.items()]
    )
    convertible = {
        n: (pl.String if _spark_type(t) == T.StringType() and t != pl.String else t)
        for n, t in frame.schema.items()
    }
    frame = frame.cast(convertible)  # type: ignore[arg-type]
    rows = [(i, *row) for i, row in enumerate(frame.iter_rows())]
    return spark.createDataFrame(rows, schema=schema, verifySchema=False)
