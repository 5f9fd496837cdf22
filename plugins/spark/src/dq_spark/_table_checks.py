"""dq-core 1.3's checks as more aggregates of the one Spark action: freshness, statistics,
composite unique and ``between`` on dates and date-times.

``freshness`` is ``max`` (an instant column as ``unix_micros``, so no Python-side time zone
ever touches it); ``mean`` / ``stddev`` / ``quantile`` are ``avg`` / ``stddev_samp`` /
``percentile`` (Spark's exact percentile, linear interpolation between the closest ranks,
the same as ``percentile_cont``) over the finite values, with the value count and the
NaN/±inf count that make the statistic undefined. Composite unique rides the engine's
grouped counts. Verdicts and messages are dq-core's (``dq.freshness_result``,
``dq.statistic_result``); ``schema`` is judged from the DataFrame's schema, no job.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import dq

STATISTICS = frozenset({"mean", "stddev", "quantile"})
NUMERIC = frozenset({"Int8", "Int16", "Int32", "Int64", "Float32", "Float64", "Decimal"})
FLOATS = frozenset({"Float32", "Float64"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def quoted(name: str) -> Any:
    from pyspark.sql import functions as F

    return F.col(f"`{name.replace('`', '``')}`")


def full_dtype_name(spark_type: Any, base: str) -> str:
    """The polars name ``schema`` and ``between`` compare: a Datetime's unit and zone
    (``TimestampType`` holds instants, shown in UTC; ``TimestampNTZType`` wall-clock
    readings), a Decimal's precision and scale."""
    name = type(spark_type).__name__
    if name == "TimestampType":
        return "Datetime(time_unit='us', time_zone='UTC')"
    if name == "TimestampNTZType":
        return "Datetime(time_unit='us', time_zone=None)"
    if name == "DecimalType":
        return f"Decimal(precision={spark_type.precision}, scale={spark_type.scale})"
    return base


def freshness(rule: Any, full: dict[str, str]) -> tuple[list[Any], Any] | str:
    """(aggregates, judge) for ``freshness``, or why the column cannot be judged."""
    from pyspark.sql import functions as F

    name = rule.column
    if name not in full:
        return f"unknown column {name!r} (columns: {', '.join(full) or 'none'})"
    dtype = full[name]
    base = dtype.split("(", 1)[0]
    if base not in ("Date", "Datetime"):
        return f"freshness needs a Date or Datetime column, {name!r} is {dtype}"
    zoned = base == "Datetime" and "time_zone=None" not in dtype
    newest = F.unix_micros(F.max(quoted(name))) if zoned else F.max(quoted(name))

    def judge(values: list[Any], now: datetime) -> dq.RuleResult:
        value = values[0]
        if zoned and value is not None:
            value = _EPOCH + timedelta(microseconds=int(value))
        return dq.freshness_result(rule, value, now)

    return [newest], judge


def statistic(rule: Any, schema: dict[str, str]) -> tuple[list[Any], Any] | str:
    """(aggregates, judge) for ``mean``/``stddev``/``quantile``, or why not."""
    from pyspark.sql import functions as F

    name = rule.column
    if name not in schema:
        return f"unknown column {name!r} (columns: {', '.join(schema) or 'none'})"
    dtype = schema[name]
    if dtype not in NUMERIC:
        return f"{rule.check} needs a numeric column, {name!r} is {dtype}"
    c = quoted(name)
    if dtype in FLOATS:
        bad = F.isnan(c) | (c == F.lit(float("inf"))) | (c == F.lit(float("-inf")))
        non_finite = F.sum(F.when(bad, 1).otherwise(0))
        finite = F.when(~bad, c)  # NaN/inf never reach the statistic: it is undefined anyway
    else:
        non_finite, finite = F.lit(0), c
    if rule.check == "mean":
        value = F.avg(finite)
    elif rule.check == "stddev":
        value = F.stddev_samp(finite)
    else:
        value = F.percentile(finite, float(rule.quantile))

    def judge(values: list[Any], now: datetime) -> dq.RuleResult:
        del now
        count, bad_count, stat = values
        return dq.statistic_result(
            rule, stat, values=int(count or 0), non_finite=int(bad_count or 0)
        )

    return [F.count(c), non_finite, value], judge


def temporal_fails(rule: Any, name: str, dtype: str) -> Any:
    """The failing-row predicate of ``between`` on a Date / Datetime column: bounds are
    cast from their ISO text to the column's type (a naive text is a wall-clock reading, an
    offset makes it an instant), so no Python-side zone conversion is involved."""
    from pyspark.sql import functions as F

    base = dtype.split("(", 1)[0]
    target = "date" if base == "Date" else "timestamp"
    if base == "Datetime" and "time_zone=None" in dtype:
        target = "timestamp_ntz"
    c = quoted(name)
    fails = F.lit(False)
    for bound, inclusive, low in (
        (rule.min, rule.min_inclusive, True),
        (rule.max, rule.max_inclusive, False),
    ):
        if bound is None:
            continue
        lit = F.lit(bound.isoformat()).cast(target)
        if low:
            fails = fails | (c < lit if inclusive else c <= lit)
        else:
            fails = fails | (c > lit if inclusive else c >= lit)
    return c.isNotNull() & fails
