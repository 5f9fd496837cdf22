"""The pandera checks and data type dq needs where pandera's built-ins mean something else.

Each function here is a pandera custom check: it receives pandera's ``PolarsData``
(the LazyFrame and the column key) and returns a one-column boolean LazyFrame,
True for the rows that pass. Why each exists is in :mod:`dq_pandera._translate`
and README.md; in short, pandera's ``nullable``/``unique``/``str_matches`` and its
dtype matching count or match differently from dq's pinned semantics.
"""

from __future__ import annotations

from typing import Any

import dq
import pandera.polars as pa
import polars as pl
from pandera.engines import polars_engine

#: dq's aliases for polars type names (rules.md: ``Utf8`` means ``String``).
DTYPE_ALIASES = {"Utf8": "String"}


def full_match_pattern(pattern: str) -> str:
    r"""``\A``/``\z`` rather than ``^``/``$``: an inline ``(?m)`` cannot make them line anchors."""
    return rf"\A(?:{pattern})\z"


def not_null(data: Any) -> pl.LazyFrame:
    """Only null fails: ``Column(nullable=False)`` would fail NaN too."""
    return data.lazyframe.select(pl.col(data.key).is_not_null())


def unique(data: Any) -> pl.LazyFrame:
    """Every row of a duplicate group fails; ``Column(unique=True)`` fails repeated nulls too.

    ``is_duplicated`` treats NaN as equal to NaN, as dq does.
    """
    column = pl.col(data.key)
    return data.lazyframe.select(column.is_duplicated().not_() | column.is_null())


def between(rule: dq.Between) -> Any:
    """``Check.in_range`` with an open side set to -inf/+inf, inclusive.

    in_range fails NaN (polars orders it above +inf, so ``NaN <= max`` is false),
    which one-sided ``greater_than_or_equal_to`` would not. pandera refuses to
    build an empty interval (``min == max`` with an exclusive side, or an
    exclusive ``inf`` bound), which dq allows: every non-null value fails it.
    """
    low = rule.min if rule.min is not None else float("-inf")
    high = rule.max if rule.max is not None else float("inf")
    include_min = rule.min_inclusive or rule.min is None
    include_max = rule.max_inclusive or rule.max is None
    if low < high or (low == high and include_min and include_max):
        return pa.Check.in_range(
            low, high, include_min=include_min, include_max=include_max, name=rule.id
        )
    return pa.Check(_nothing_passes, name=rule.id, ignore_na=True)


def _nothing_passes(data: Any) -> pl.LazyFrame:
    """An empty interval: only nulls "pass", and they are not counted."""
    return data.lazyframe.select(pl.col(data.key).is_null())


def full_match(pattern: str) -> Any:
    """Rust-regex full match (pandera's ``str_matches`` would vet it with Python's ``re``)."""

    def check(data: Any) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).str.contains(pattern))

    return check


def expression_check(expression: pl.Expr, names: dict[str, str]) -> Any:
    """The SQL condition under the data's own column names, as a check on the row column.

    A column check rather than a frame check: pandera then reports the failing
    row numbers as the failure cases (dq's samples for ``expression``) instead of
    JSON-encoding whole rows, which not every column type survives.
    """
    original = [pl.col(safe).alias(name) for safe, name in names.items()]

    def check(data: Any) -> pl.LazyFrame:
        return data.lazyframe.select(original).select(expression.alias("dq_expression"))

    return check


def row_count_check(rule: dq.RowCount) -> Any:
    """A frame check judging the table once (pandera has no row-count built-in)."""

    def check(data: Any) -> bool:
        rows = data.lazyframe.select(pl.len()).collect().item()
        return not (
            (rule.min is not None and rows < rule.min) or (rule.max is not None and rows > rule.max)
        )

    return check


class DqDtype(polars_engine.DataType):  # type: ignore[misc]
    """A pandera data type that matches a column the way dq's ``dtype`` rule does.

    The expected name matches the column's full polars name
    (``Datetime(time_unit='ms', time_zone='UTC')``) or its base type's
    (``Datetime``: any unit and zone; ``List``: any inner type).
    """

    expected: str = ""

    def __init__(self, name: str) -> None:  # pandera's DataTypes are frozen dataclasses
        object.__setattr__(self, "type", pl.Object)
        object.__setattr__(self, "expected", DTYPE_ALIASES.get(name, name))

    def check(self, pandera_dtype: Any, data_container: Any = None) -> bool:
        actual = getattr(pandera_dtype, "type", pandera_dtype)
        return dtype_matches(self.expected, actual)

    def __str__(self) -> str:
        return str(self.expected)

    def __repr__(self) -> str:
        return f"DqDtype({self.expected!r})"


def dtype_matches(expected: str, actual: Any) -> bool:
    """dq's rule: the full polars name or the base type's name (``Utf8`` is ``String``)."""
    expected = DTYPE_ALIASES.get(expected, expected)
    base = actual.base_type() if isinstance(actual, pl.DataType) else actual
    return expected in {str(actual), getattr(base, "__name__", str(base))}
