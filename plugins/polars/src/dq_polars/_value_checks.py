"""One compiler per value check: (rule, column expression, dtype) -> failure mask.

``between``, ``regex``, ``in_set``, ``max_length``, ``min_length`` and ``reference``
each judge a row by its own value alone, so each compiles to a boolean row expression
that is True exactly on the failing rows and never null: a null value never fails
(these checks ignore nulls, docs/rules.md). A rule that cannot apply to the column's
dtype raises :class:`RuleProblem`, decided before any data is read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dq
import polars as pl

from dq_polars._plan import RuleProblem
from dq_polars._regex import full_match_pattern, validate_regex
from dq_polars._table_checks import TableRuleProblem, temporal_bounds


def _is_string(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def _string(expr: pl.Expr, dtype: pl.DataType, rule: dq.Rule) -> pl.Expr:
    """The column as String, or a RuleProblem for a column that holds no text."""
    if not _is_string(dtype):
        column = getattr(rule, "column", None)
        raise RuleProblem(f"{rule.check} needs a String column, but {column!r} is {dtype}")
    return expr if dtype == pl.String else expr.cast(pl.String)


def _between(rule: dq.Between, x: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    low, high = rule.min, rule.max
    numeric_bounds = all(isinstance(b, int | float) for b in (low, high) if b is not None)
    if not (dtype.is_numeric() and numeric_bounds):
        try:
            low, high = temporal_bounds(rule, dtype)
        except TableRuleProblem as problem:
            raise RuleProblem(str(problem)) from None
    outside = pl.lit(False)
    if low is not None:
        outside = outside | ((x < low) if rule.min_inclusive else (x <= low))
    if high is not None:
        outside = outside | ((x > high) if rule.max_inclusive else (x >= high))
    if dtype.is_float():
        # polars orders NaN above +inf, so `NaN >= min` is true: exclude it explicitly.
        outside = outside | x.is_nan()
    return outside.fill_null(False)


def _regex(rule: dq.Regex, x: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    problem = validate_regex(rule.pattern)
    if problem:
        raise RuleProblem(problem)
    text = _string(x, dtype, rule)
    return text.str.contains(full_match_pattern(rule.pattern)).not_().fill_null(False)


def _length(rule: dq.MaxLength | dq.MinLength, x: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    chars = _string(x, dtype, rule).str.len_chars()
    bad = chars > rule.length if rule.check == "max_length" else chars < rule.length
    return bad.fill_null(False)


def _in_set(rule: dq.InSet, x: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Membership with the values typed like the column.

    Polars 2 refuses ``is_in`` across types, so values are converted here; a
    value that cannot equal any value of the column (2.5 in an integer column,
    300 in a UInt8 one) is dropped, and a list of the wrong kind for the column
    (numbers for a String column) is a RuleProblem, as it is surely a mistake.
    """
    values = list(rule.values)
    if _is_string(dtype):
        _require(rule, dtype, values, lambda v: isinstance(v, str), "strings")
        members = pl.Series(values, dtype=pl.String)
        x = x if dtype == pl.String else x.cast(pl.String)
    elif dtype == pl.Boolean:
        _require(rule, dtype, values, lambda v: isinstance(v, bool), "booleans")
        members = pl.Series(values, dtype=pl.Boolean)
    elif dtype.is_integer() or dtype.is_float():
        _require(
            rule,
            dtype,
            values,
            lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            "numbers",
        )
        if dtype.is_integer():
            values = [int(v) for v in values if isinstance(v, int) or float(v).is_integer()]
        members = pl.Series(values, dtype=pl.Float64 if dtype.is_float() else pl.Int128)
        members = members.cast(dtype, strict=False).drop_nulls()
    else:
        raise RuleProblem(
            f"in_set needs a String, Boolean or numeric column, but {rule.column!r} is {dtype}"
        )
    return x.is_in(members.implode()).not_().fill_null(False)


def _require(
    rule: dq.InSet,
    dtype: pl.DataType,
    values: Sequence[object],
    ok: Callable[[object], bool],
    kind: str,
) -> None:
    wrong = [v for v in values if not ok(v)]
    if wrong:
        shown = ", ".join(repr(v) for v in wrong[:5])
        raise RuleProblem(
            f"in_set values must be {kind} for column {rule.column!r} ({dtype}); got {shown}"
        )


def _reference(rule: dq.Reference, x: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Membership in the reference dataset's column (see dq_polars._reference)."""
    from dq_polars._reference import ReferenceProblem, reference_mask

    try:
        return reference_mask(rule, x, dtype)
    except ReferenceProblem as problem:
        raise RuleProblem(str(problem)) from None


#: The mask compiler of each value check, by check name.
VALUE_COMPILERS: dict[str, Callable[..., pl.Expr]] = {
    "between": _between,
    "regex": _regex,
    "in_set": _in_set,
    "max_length": _length,
    "min_length": _length,
    "reference": _reference,
}
