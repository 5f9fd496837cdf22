"""Translate a dq RuleSet into pandera objects, deciding from the schema what it can.

Every data rule becomes one :class:`pandera.polars.Check` on one
:class:`pandera.polars.Column` of one ``DataFrameSchema`` (``row_count`` checks sit
in a second, frame-level schema), validated with ``lazy=True`` so pandera collects
every failure. Each check is addressed by ``(column, check_number)``, the pair
pandera reports a failure under, so a failure maps back to exactly one rule even
when several rules share a column. ``dtype`` and ``column_exists`` get one small
schema each, validated schema-only.

Where pandera's built-in has dq's semantics it is used as is (``in_range``,
``isin``, ``str_length``); where it does not, the adapter corrects it (README.md
lists the measured differences):

* ``not_null``: ``Column(nullable=False)`` counts NaN as null; dq does not, so it
  is a custom check ``is_not_null``.
* ``unique``: ``Column(unique=True)`` counts two nulls as duplicates; dq never
  does, so it is a custom check ``~is_duplicated() | is_null()``.
* ``between``: ``Check.greater_than_or_equal_to`` lets NaN pass (polars orders
  NaN above +inf); ``Check.in_range`` with an open side set to +-inf fails NaN
  as dq requires, so ``between`` is an ``in_range`` (or, for an empty interval
  that pandera refuses to build, a check no non-null value passes).
* ``regex``: ``Check.str_matches`` anchors only the start, and it (like
  ``str_contains``) first compiles the pattern with Python's ``re``, which rejects
  valid Rust syntax (``\\p{Lu}``, ``\\z``); so it is a custom check running
  polars' ``str.contains`` on the pattern wrapped in ``\\A(?:...)\\z``.
* ``expression``: a custom check evaluating the polars-SQL condition (null
  results pass and are not counted), hung on a row-number column so pandera's
  failure cases are the failing rows' numbers.
* ``dtype``: pandera's own dtype matching fixes default parameters
  (``Datetime`` means ``us``, ``Decimal`` means ``(28, 0)``) and crashes on a bare
  ``Enum``; a small pandera ``DataType`` applies dq's name matching instead.

Columns are renamed to positional names (``c0``, ``c1`` ...) before pandera sees
them: pandera selects a column with ``pl.col(name)``, which reads ``^...$`` as a
regex. A Categorical/Enum column gets a String twin for the text checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import dq
import pandera.polars as pa
import polars as pl

from dq_pandera._checks import (
    DqDtype,
    between,
    expression_check,
    full_match,
    full_match_pattern,
    not_null,
    row_count_check,
    unique,
)

VALUE_CHECKS = frozenset({"between", "regex", "in_set", "max_length", "min_length"})
SUPPORTED_CHECKS = frozenset(
    VALUE_CHECKS | {"not_null", "unique", "expression", "row_count", "dtype", "column_exists"}
)

SampleKind = Literal["value", "none"]
#: The row-number column expression checks hang on, so their failure cases are row numbers.
ROW = "row"


class RuleProblem(Exception):
    """A rule that cannot be evaluated on this data; becomes an ERROR result."""


@dataclass(frozen=True, slots=True)
class Target:
    """A rule's pandera check: how its elements are counted and what samples show."""

    index: int
    rule: dq.Rule
    #: The rule's element_count, an aggregate over the caller's frame (original names).
    elements: pl.Expr
    samples: SampleKind


@dataclass(slots=True)
class Translation:
    """The rule set as pandera sees it, plus what was decided without pandera's data pass."""

    frame: pl.DataFrame
    decided: dict[int, dq.RuleResult] = field(default_factory=dict)
    columns: dict[str, list[Any]] = field(default_factory=dict)
    frame_checks: list[Any] = field(default_factory=list)
    #: ``(validated column name or None for frame checks, check_number) -> Target``.
    targets: dict[tuple[str | None, int], Target] = field(default_factory=dict)
    #: Table-level rules (``dtype``, ``column_exists``) and their schema-only schemas.
    structure: list[tuple[int, Any]] = field(default_factory=list)

    def schemas(self) -> list[pa.DataFrameSchema]:
        """One schema for every column rule, one for the ``row_count`` frame checks.

        ``nullable=True`` and ``dtype=None`` matter: pandera's defaults would add
        a NaN-counting not-null check and a dtype check to every column. The frame
        checks get a schema of their own because pandera 0.35 cannot report a
        failing boolean frame check next to failing column checks (its failure-case
        table mixes Boolean and String and ``pl.concat`` raises).
        """
        columns = {
            name: pa.Column(dtype=None, checks=checks, nullable=True, required=True)
            for name, checks in self.columns.items()
        }
        schemas = [pa.DataFrameSchema(columns, strict=False)] if columns else []
        if self.frame_checks:
            schemas.append(pa.DataFrameSchema(checks=self.frame_checks, strict=False))
        return schemas

    def add(self, column: str | None, check: Any, target: Target) -> None:
        checks = self.frame_checks if column is None else self.columns.setdefault(column, [])
        self.targets[(column, len(checks))] = target
        checks.append(check)


def error_result(rule: dq.Rule, problem: str) -> dq.RuleResult:
    """An ERROR result whose message names the rule, so a user finds it in the file."""
    message = f"rule {rule.id!r} ({rule.check}): {problem}"
    return dq.make_result(rule, dq.RuleStatus.ERROR, message)


def polars_message(text: str) -> str:
    """Polars' error on one line, without the query plan it appends."""
    lines: list[str] = []
    for line in text.strip().splitlines():
        if line.startswith(("This error occurred", "Resolved plan", "Hint:")):
            break
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines) or text.strip()


# -- translation --------------------------------------------------------------------------


def _is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def _validate_regex(pattern: str) -> None:
    for candidate in (pattern, full_match_pattern(pattern)):
        try:
            pl.select(pl.lit("", dtype=pl.String).str.contains(candidate))
        except pl.exceptions.PolarsError as exc:
            raise RuleProblem(f"invalid regex {pattern!r}: {polars_message(str(exc))}") from exc


def _in_set_values(rule: dq.InSet, dtype: pl.DataType) -> list[Any]:
    """The listed values typed like the column; a list of the wrong kind is a mistake.

    A number that no value of the column can equal (2.5 in an integer column,
    300 in a UInt8 one) is dropped rather than failing the cast.
    """
    values = list(rule.values)
    if _is_text(dtype):
        kind, ok = "strings", lambda v: isinstance(v, str)
    elif dtype == pl.Boolean:
        kind, ok = "booleans", lambda v: isinstance(v, bool)
    elif dtype.is_integer() or dtype.is_float():
        kind, ok = "numbers", lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    else:
        raise RuleProblem(
            f"in_set needs a String, Boolean or numeric column, but {rule.column!r} is {dtype}"
        )
    wrong = [v for v in values if not ok(v)]
    if wrong:
        shown = ", ".join(repr(v) for v in wrong[:5])
        raise RuleProblem(
            f"in_set values must be {kind} for column {rule.column!r} ({dtype}); got {shown}"
        )
    if dtype.is_integer():
        ints = [int(v) for v in values if isinstance(v, int) or float(v).is_integer()]
        return pl.Series(ints, dtype=pl.Int128).cast(dtype, strict=False).drop_nulls().to_list()
    if dtype.is_float():
        return pl.Series(values, dtype=pl.Float64).cast(dtype).to_list()
    return values


def _missing(name: str, schema: pl.Schema) -> str:
    names = list(schema)
    shown = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
    return f"column {name!r} not found; the data has {shown or 'no columns'}"


def translate(rules: dq.RuleSet, data: pl.DataFrame) -> Translation:
    """Turn every rule into a decided result, a pandera check, or a structure schema."""
    schema = data.schema
    safe = {name: f"c{i}" for i, name in enumerate(schema)}
    frame = data.rename(safe)
    derived: dict[str, pl.Expr] = {}
    plan = Translation(frame=frame)
    for index, rule in enumerate(rules.rules):
        try:
            _translate_one(plan, index, rule, schema, safe, derived, data)
        except RuleProblem as problem:
            plan.decided[index] = error_result(rule, str(problem))
        except Exception as exc:  # noqa: BLE001 - pandera refused to build the check
            fault = f"pandera cannot express it: {type(exc).__name__}: {exc}"
            plan.decided[index] = error_result(rule, fault)
    if derived:
        plan.frame = frame.with_columns(**derived)
    return plan


def _translate_one(
    plan: Translation,
    index: int,
    rule: dq.Rule,
    schema: pl.Schema,
    safe: dict[str, str],
    derived: dict[str, pl.Expr],
    data: pl.DataFrame,
) -> None:
    check = rule.check
    if check not in SUPPORTED_CHECKS:
        message = f"rule {rule.id!r}: dq-pandera cannot evaluate check {check!r}"
        plan.decided[index] = dq.make_result(rule, dq.RuleStatus.UNSUPPORTED, message)
        return
    beyond = _beyond_translation(rule, schema)
    if beyond is not None:
        status, why = beyond
        plan.decided[index] = dq.make_result(rule, status, f"rule {rule.id!r} {why}")
        return
    if check == "row_count":
        target = Target(index, rule, pl.lit(1), "none")
        plan.add(None, pa.Check(row_count_check(rule), name=rule.id), target)  # type: ignore[arg-type]
        return
    if check == "expression":
        expr = _probe_expression(rule, data)  # type: ignore[arg-type]
        back = {v: k for k, v in safe.items()}
        pandera_check = pa.Check(expression_check(expr, back), name=rule.id, ignore_na=True)
        # SQL CHECK semantics: a null result is neither counted nor failed.
        count = expr.is_not_null().sum()
        derived.setdefault(ROW, pl.int_range(pl.len(), dtype=pl.Int64))
        plan.add(ROW, pandera_check, Target(index, rule, count, "value"))
        return
    name: str = rule.column  # type: ignore[union-attr]
    if check == "column_exists":
        # Under its positional name: pandera would read a ``^...$`` name as a regex and
        # find column "a" for "^a$". A missing column maps to a name no column has.
        present = pa.Column(nullable=True, required=True)
        plan.structure.append((index, pa.DataFrameSchema({safe.get(name, "absent"): present})))
        return
    if name not in schema:
        raise RuleProblem(_missing(name, schema))
    dtype = schema[name]
    column = safe[name]
    if check == "dtype":
        expected = DqDtype(rule.dtype)  # type: ignore[union-attr]
        typed = pa.Column(expected, nullable=True)  # type: ignore[arg-type]
        plan.structure.append((index, pa.DataFrameSchema({column: typed})))
        return
    non_null = _nth(list(schema).index(name)).count()
    if check == "not_null":
        plan.add(
            column,
            pa.Check(not_null, name=rule.id, ignore_na=False),
            Target(index, rule, pl.len(), "none"),
        )
    elif check == "unique":
        plan.add(
            column,
            pa.Check(unique, name=rule.id, ignore_na=False),
            Target(index, rule, non_null, "value"),
        )
    elif check == "between":
        if not dtype.is_numeric():
            raise RuleProblem(f"between needs a numeric column, but {name!r} is {dtype}")
        plan.add(column, between(rule), Target(index, rule, non_null, "value"))  # type: ignore[arg-type]
    elif check == "in_set":
        values = _in_set_values(rule, dtype)  # type: ignore[arg-type]
        target_column = _text_column(column, dtype, derived) if _is_text(dtype) else column
        plan.add(
            target_column,
            pa.Check.isin(values, name=rule.id),
            Target(index, rule, non_null, "value"),
        )
    else:  # regex, max_length, min_length: text checks
        if not _is_text(dtype):
            raise RuleProblem(f"{check} needs a String column, but {name!r} is {dtype}")
        text = _text_column(column, dtype, derived)
        if check == "regex":
            _validate_regex(rule.pattern)  # type: ignore[union-attr]
            pandera_check = pa.Check(
                full_match(full_match_pattern(rule.pattern)),  # type: ignore[union-attr]
                name=rule.id,
                ignore_na=True,
            )
        elif check == "max_length":
            pandera_check = pa.Check.str_length(max_value=rule.length, name=rule.id)  # type: ignore[union-attr]
        else:
            pandera_check = pa.Check.str_length(min_value=rule.length, name=rule.id)  # type: ignore[union-attr]
        plan.add(text, pandera_check, Target(index, rule, non_null, "value"))


def _nth(position: int) -> pl.Expr:
    """A column by position: ``pl.col(name)`` would read a ``^...$`` name as a regex."""
    by_position = pl.nth(position)
    return by_position if isinstance(by_position, pl.Expr) else by_position.as_expr()


def _text_column(column: str, dtype: pl.DataType, derived: dict[str, pl.Expr]) -> str:
    """The column itself if it is String, else its String twin (built once)."""
    if dtype == pl.String:
        return column
    twin = f"{column}_text"
    derived.setdefault(twin, pl.col(column).cast(pl.String))
    return twin


def _probe_expression(rule: dq.Expression, data: pl.DataFrame) -> pl.Expr:
    """Parse and type-check the SQL on an empty slice of the data before trusting it."""
    try:
        expr = pl.sql_expr(rule.expression)
        probe = data.head(0).select(expr.alias("dq_probe"))
    except pl.exceptions.PolarsError as exc:
        raise RuleProblem(
            f"cannot evaluate expression {rule.expression!r}: {polars_message(str(exc))}"
        ) from exc
    dtype = probe.schema["dq_probe"]
    if dtype != pl.Boolean:
        raise RuleProblem(f"expression {rule.expression!r} gives {dtype}, not a Boolean per row")
    if probe.height != 0:
        raise RuleProblem(
            f"expression {rule.expression!r} aggregates the table; it must be a row condition"
        )
    return expr


def _beyond_translation(rule: dq.Rule, schema: pl.Schema) -> tuple[dq.RuleStatus, str] | None:
    """Rule shapes of dq-core 1.3 that dq-pandera does not translate: (status, why) or None."""
    column = getattr(rule, "column", None)
    dtype = str(schema[column]) if column is not None and column in schema else None
    return dq.unsupported_1_3_shape(rule, dtype, engine="dq-pandera")
