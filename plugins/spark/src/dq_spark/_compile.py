"""Rules -> Spark Column expressions: per rule a "fails" predicate and the judged-row count.

Only planning happens here (no Spark job): unknown columns, wrong types and unsupported
checks are settled from the schema; a regex is compiled by the JVM's own
``java.util.regex.Pattern`` (the dialect ``rlike`` uses) so a bad pattern is an ERROR naming
the rule, not a failed job; an ``expression`` is analysed by Spark (``F.expr``) without a job.
"""

from __future__ import annotations

import math
from datetime import date, time
from typing import Any

import attrs
import dq

SUPPORTED_CHECKS = frozenset(
    {
        "not_null",
        "unique",
        "between",
        "regex",
        "in_set",
        "max_length",
        "min_length",
        "expression",
        "row_count",
        "dtype",
        "column_exists",
        "schema",
        "freshness",
        "mean",
        "stddev",
        "quantile",
    }
)
TABLE_LEVEL = frozenset({"row_count", "dtype", "column_exists", "schema"})
SAMPLED = frozenset({"unique", "between", "regex", "in_set", "max_length", "min_length"})
NUMERIC = frozenset({"Int8", "Int16", "Int32", "Int64", "Float32", "Float64", "Decimal"})
FLOATS = frozenset({"Float32", "Float64"})
TEMPORAL = frozenset({"Date", "Datetime", "Duration"})
_TYPES = {
    "ByteType": "Int8",
    "ShortType": "Int16",
    "IntegerType": "Int32",
    "LongType": "Int64",
    "FloatType": "Float32",
    "DoubleType": "Float64",
    "StringType": "String",
    "BooleanType": "Boolean",
    "DateType": "Date",
    "TimestampType": "Datetime",
    "TimestampNTZType": "Datetime",
    "DecimalType": "Decimal",
    "BinaryType": "Binary",
    "NullType": "Null",
    "DayTimeIntervalType": "Duration",
    "VarcharType": "String",
    "CharType": "String",
}


def dtype_name(spark_type: Any) -> str:
    """Spark type -> dq's (polars) dtype name (``LongType`` -> ``Int64``)."""
    name = type(spark_type).__name__
    return _TYPES.get(name, name.removesuffix("Type"))


@attrs.frozen
class Plan:
    """One rule in Spark terms: ``fails`` (row predicate), ``judged`` (row predicate)."""

    rule: Any
    fails: Any
    judged: Any
    column: str | None = None  # sampled column
    unique: bool = False  # failed count comes from the group counts, not ``fails``
    #: composite unique: the key columns (samples are their repeated combinations)
    key_columns: tuple[str, ...] = ()
    #: table-level rules: their aggregates, and the verdict from the aggregates' values
    aggs: tuple[Any, ...] = ()
    judge: Any = None


def base(rule: Any) -> dict[str, Any]:
    return {
        "rule_id": rule.id,
        "check": rule.check,
        "column": getattr(rule, "column", None),
        "severity": rule.severity,
    }


def error_result(rule: Any, problem: str) -> dq.RuleResult:
    return dq.RuleResult(
        **base(rule), status=dq.RuleStatus.ERROR, message=f"rule {rule.id}: {problem}"
    )


def java_pattern(pattern: str) -> str:
    """dq's full match in Java's dialect: Unicode classes (U), only \\n ends a line (d)."""
    return f"(?Ud)\\A(?:{pattern})\\z"


def compile_rule(
    rule: Any, df: Any, schema: dict[str, str], spark: Any, full: dict[str, str] | None = None
) -> Plan | dq.RuleResult | None:
    """The rule's plan, a settled result, or None for the table-level checks judged from
    the schema and row count. *full*: type names with a Datetime's zone (default *schema*)."""
    from pyspark.sql import functions as F

    from dq_spark import _table_checks

    full = schema if full is None else full
    check = rule.check
    if check not in SUPPORTED_CHECKS:
        return dq.RuleResult(
            **base(rule),
            status=dq.RuleStatus.UNSUPPORTED,
            message=f"rule {rule.id}: the spark engine does not perform {check!r} checks",
        )
    if check in TABLE_LEVEL:
        return None
    if check == "expression":
        return _expression(rule, df)
    if check == "freshness" or check in _table_checks.STATISTICS:
        built = (
            _table_checks.freshness(rule, full)
            if check == "freshness"
            else _table_checks.statistic(rule, schema)
        )
        if isinstance(built, str):
            return error_result(rule, built)
        aggs, judge = built
        return Plan(rule, fails=None, judged=None, aggs=tuple(aggs), judge=judge)
    if check == "unique" and rule.columns:  # never a one-column unique of column None
        for key in rule.columns:
            if key not in schema:
                known = ", ".join(schema) or "none"
                return error_result(rule, f"unknown column {key!r} (columns: {known})")
        # a row whose key columns are all null is not judged; otherwise null equals null
        judged = F.lit(False)
        for key in rule.columns:
            judged = judged | _table_checks.quoted(key).isNotNull()
        return Plan(
            rule, fails=F.lit(False), judged=judged, unique=True, key_columns=tuple(rule.columns)
        )
    name = rule.column
    if name not in schema:
        return error_result(
            rule, f"unknown column {name!r} (columns: {', '.join(schema) or 'none'})"
        )
    dtype = schema[name]
    c = F.col(f"`{name.replace('`', '``')}`")
    if check in ("regex", "max_length", "min_length") and dtype != "String":
        return error_result(rule, f"{check} needs a String column, {name!r} is {dtype}")
    not_null = c.isNotNull()
    if check == "not_null":
        return Plan(rule, fails=c.isNull(), judged=F.lit(True))
    if check == "unique":
        return Plan(rule, fails=F.lit(False), judged=not_null, column=name, unique=True)
    if check == "between":
        if any(isinstance(b, time) for b in (rule.min, rule.max)):
            return dq.RuleResult(
                **base(rule),
                status=dq.RuleStatus.UNSUPPORTED,
                message=f"rule {rule.id}: Spark has no time-of-day type to compare times with",
            )
        # a bound of another kind than the column: the same error on every engine
        if dtype in TEMPORAL or any(isinstance(b, date | time) for b in (rule.min, rule.max)):
            problem = dq.between_bounds_problem(rule, full.get(name, dtype))
            if problem:
                return error_result(rule, problem)
        if dtype in ("Date", "Datetime"):
            fails = _table_checks.temporal_fails(rule, name, full.get(name, dtype))
            return Plan(rule, fails=fails, judged=not_null, column=name)
        if dtype in TEMPORAL:
            return dq.RuleResult(
                **base(rule),
                status=dq.RuleStatus.UNSUPPORTED,
                message=f"rule {rule.id}: between on temporal columns is not supported by spark",
            )
        if dtype not in NUMERIC:
            return error_result(rule, f"between needs a numeric column, {name!r} is {dtype}")
        fails = F.isnan(c) if dtype in FLOATS else F.lit(False)
        if rule.min is not None:
            fails = fails | (c < F.lit(rule.min) if rule.min_inclusive else c <= F.lit(rule.min))
        if rule.max is not None:
            fails = fails | (c > F.lit(rule.max) if rule.max_inclusive else c >= F.lit(rule.max))
        return Plan(rule, fails=not_null & fails, judged=not_null, column=name)
    if check == "regex":
        # The pattern alone first: anchoring can mend a broken one (`a)|(b`) into another
        # regex, which must be an error, not a verdict.
        problem = _bad_pattern(spark, rule.pattern) or _bad_pattern(
            spark, java_pattern(rule.pattern)
        )
        if problem:
            return error_result(rule, f"invalid regex {rule.pattern!r}: {problem}")
        fails = ~c.rlike(java_pattern(rule.pattern))
        return Plan(rule, fails=not_null & fails, judged=not_null, column=name)
    if check == "in_set":
        allowed = _comparable(rule.values, dtype)
        fails = ~c.isin(*allowed) if allowed else F.lit(True)
        return Plan(rule, fails=not_null & fails, judged=not_null, column=name)
    length = F.length(c)
    fails = length > rule.length if check == "max_length" else length < rule.length
    return Plan(rule, fails=not_null & fails, judged=not_null, column=name)


def _comparable(values: tuple[Any, ...], dtype: str) -> list[Any]:
    if dtype in NUMERIC:
        out = [int(v) if isinstance(v, bool) else v for v in values if isinstance(v, int | float)]
        if dtype not in FLOATS:
            out = [v for v in out if not (isinstance(v, float) and math.isnan(v))]
        return [float(v) if dtype in FLOATS else v for v in out]
    if dtype == "Boolean":
        return [v for v in values if isinstance(v, bool)]
    return [v for v in values if isinstance(v, str)]


def _bad_pattern(spark: Any, pattern: str) -> str | None:
    """Why Java rejects *pattern* (or None), asked of the JVM without running a job."""
    jvm = getattr(getattr(spark, "sparkContext", None), "_jvm", None)
    try:
        if jvm is not None:
            jvm.java.util.regex.Pattern.compile(pattern)
        else:  # Spark Connect: no JVM in this process; one tiny query instead
            from pyspark.sql import functions as F

            spark.range(1).select(F.lit("").rlike(pattern)).collect()
    except Exception as exc:  # noqa: BLE001 - py4j wraps PatternSyntaxException
        text = str(exc)
        marker = "PatternSyntaxException:"
        if marker in text:
            text = text.split(marker, 1)[1]
        return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return None


def _expression(rule: Any, df: Any) -> Plan | dq.RuleResult:
    from pyspark.sql import functions as F

    try:
        expr = F.expr(rule.expression)
        field = df.select(expr.alias("dq_x")).schema.fields[0]
    except Exception as exc:  # noqa: BLE001 - ParseException, AnalysisException
        text = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        return error_result(rule, f"invalid expression {rule.expression!r}: {text}")
    if dtype_name(field.dataType) not in ("Boolean", "Null"):
        return error_result(rule, f"expression {rule.expression!r} is not a row-level boolean")
    return Plan(rule, fails=expr == F.lit(False), judged=expr.isNotNull())
