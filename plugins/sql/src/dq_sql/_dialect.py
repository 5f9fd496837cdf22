"""What differs between DuckDB and PostgreSQL: quoting, literals, regex, lengths, NaN, types.

Identifiers and literals are rendered by sqlglot for the target dialect, so a column named
``order"id`` or a value with quotes is always data, never SQL. Regex is the one place where
the dialects really differ from dq's (Rust) dialect; see :mod:`dq_sql._regex`.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from dq_sql import _regex

#: PostgreSQL type OIDs (pg_type.dat) -> dq (polars) dtype names.
_PG_TYPES = {
    16: "Boolean",
    20: "Int64",
    21: "Int16",
    23: "Int32",
    700: "Float32",
    701: "Float64",
    1700: "Decimal",
    25: "String",
    1043: "String",
    1042: "String",
    19: "String",
    1082: "Date",
    1083: "Time",
    1114: "Datetime",
    1184: "Datetime",
    1186: "Duration",
    17: "Binary",
}
#: DuckDB type names -> dq (polars) dtype names.
_DUCK_TYPES = {
    "BOOLEAN": "Boolean",
    "TINYINT": "Int8",
    "SMALLINT": "Int16",
    "INTEGER": "Int32",
    "BIGINT": "Int64",
    "HUGEINT": "Int128",
    "UTINYINT": "UInt8",
    "USMALLINT": "UInt16",
    "UINTEGER": "UInt32",
    "UBIGINT": "UInt64",
    "FLOAT": "Float32",
    "DOUBLE": "Float64",
    "VARCHAR": "String",
    "DATE": "Date",
    "TIME": "Time",
    "TIME_NS": "Time",  # a polars Time column loaded into DuckDB
    "TIMESTAMP": "Datetime",
    "TIMESTAMP WITH TIME ZONE": "Datetime",
    "TIMESTAMP_NS": "Datetime",
    "TIMESTAMP_MS": "Datetime",
    "TIMESTAMP_S": "Datetime",
    "INTERVAL": "Duration",
    "BLOB": "Binary",
    '"NULL"': "Null",
}
NUMERIC = frozenset(
    {
        "Int8",
        "Int16",
        "Int32",
        "Int64",
        "Int128",
        "UInt8",
        "UInt16",
        "UInt32",
        "UInt64",
        "Float32",
        "Float64",
        "Decimal",
    }
)
FLOATS = frozenset({"Float32", "Float64"})
TEMPORAL = frozenset({"Date", "Time", "Datetime", "Duration"})


@attrs.frozen
class Dialect:
    """One SQL dialect: its sqlglot name and the few functions dq's checks need."""

    name: str

    def ident(self, name: str) -> str:
        from sqlglot import exp

        return exp.to_identifier(name, quoted=True).sql(dialect=self.name)

    def table_name(self, dotted: str) -> str:
        """``schema.table`` -> quoted parts; each part is a name, never SQL."""
        return ".".join(self.ident(part) for part in dotted.split("."))

    def literal(self, value: Any) -> str:
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, float) and not math.isfinite(value):
            word = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
            return f"CAST('{word}' AS DOUBLE PRECISION)"
        if isinstance(value, int | float):
            return repr(value) if isinstance(value, int) else repr(float(value))
        from sqlglot import exp

        return exp.Literal.string(str(value)).sql(dialect=self.name)

    def length(self, column: str) -> str:
        """Characters (code points), never bytes."""
        return f"length({column})" if self.name == "duckdb" else f"char_length({column})"

    def is_nan(self, column: str) -> str:
        if self.name == "duckdb":
            return f"isnan({column})"
        return f"({column} = CAST('NaN' AS DOUBLE PRECISION))"

    def regex_full_match(self, column: str, pattern: str) -> tuple[str, str | None]:
        """SQL true when *column* fully matches *pattern*, and why it is approximate (or None)."""
        if self.name == "duckdb":
            translated, reason = _regex.for_re2(pattern)
            return f"regexp_full_match({column}, {self.literal(translated)})", reason
        translated, reason = _regex.for_postgres(pattern)
        return f"({column} ~ {self.literal(translated)})", reason

    def full_dtype_name(self, native: Any) -> str:
        """The polars name with a ``Datetime``'s unit and zone, as ``schema`` and ``between``
        compare them: a zoned timestamp holds instants (shown in UTC), a plain one wall-clock
        readings. Other types are their base name (:meth:`dtype_name`)."""
        base = self.dtype_name(native)
        if base != "Datetime":
            return base
        if self.name == "duckdb":
            text = str(native).upper()
            zoned = "TIME ZONE" in text
            unit = {"TIMESTAMP_NS": "ns", "TIMESTAMP_MS": "ms"}.get(text, "us")
        else:
            zoned, unit = int(native) == 1184, "us"
        zone = "'UTC'" if zoned else "None"
        return f"Datetime(time_unit='{unit}', time_zone={zone})"

    def typed_literal(self, value: Any, dtype: str) -> str:
        """A date, date-time or time bound as a typed SQL literal for a *dtype* column."""
        text = self.literal(value.isoformat())
        if dtype == "Date":
            return f"CAST({text} AS DATE)"
        if dtype == "Time":  # DuckDB: a polars Time arrives as TIME_NS, which TIME won't meet
            return f"CAST({text} AS {'TIME_NS' if self.name == 'duckdb' else 'TIME'})"
        zoned = getattr(value, "tzinfo", None) is not None
        return f"CAST({text} AS {'TIMESTAMPTZ' if zoned else 'TIMESTAMP'})"

    def temporal_column(self, column: str, dtype: str) -> str:
        """*column* as compared with :meth:`typed_literal` (DuckDB: any TIME as TIME_NS)."""
        if dtype == "Time" and self.name == "duckdb":
            return f"CAST({column} AS TIME_NS)"
        return column

    def not_finite(self, column: str) -> str:
        """True for NaN and ±inf of a float column."""
        if self.name == "duckdb":
            return f"(NOT isfinite({column}))"
        words = ("NaN", "Infinity", "-Infinity")
        return f"({column} IN ({', '.join(f'CAST({w!r} AS DOUBLE PRECISION)' for w in words)}))"

    def quantile(self, column: str, q: float) -> str:
        """The *q* quantile with linear interpolation (``percentile_cont``)."""
        if self.name == "duckdb":
            return f"quantile_cont({column}, {float(q)!r})"
        return f"percentile_cont({float(q)!r}) WITHIN GROUP (ORDER BY {column})"

    def utc_naive(self, column: str) -> str:
        """A zoned timestamp as the naive UTC reading (no tz-database needed in Python)."""
        return f"({column} AT TIME ZONE 'UTC')"

    def dtype_name(self, native: Any) -> str:
        if self.name == "duckdb":
            text = str(native).upper()
            if text.startswith("DECIMAL"):
                return "Decimal"
            return _DUCK_TYPES.get(text, text.title())
        return _PG_TYPES.get(int(native), f"unknown type oid {native}")


DUCKDB = Dialect("duckdb")
POSTGRES = Dialect("postgres")
