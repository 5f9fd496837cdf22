"""Compile a whole RuleSet into ONE ``select`` of aggregates over a LazyFrame.

Why one query: polars then scans the data once, shares sub-expressions between
rules (``col.is_not_null()`` used by several rules is computed once), and runs
the aggregates in parallel; one query per rule costs ~1.6x more (see
shared/notes/engines.md). Everything that can be decided from the schema alone
(unknown columns, wrong dtypes, bad regexes, ``dtype`` and ``column_exists``
rules) is decided here, before any data is read, so a broken rule becomes an
``ERROR`` result instead of failing the fused query for every rule.

Each data rule compiles to a *failure mask*: a boolean row expression that is
True exactly for the rows the rule counts as failing, never null. Nulls are
folded in here, once, following the pinned semantics:

* ``not_null`` fails null rows and counts all rows.
* value checks (``unique``, ``between``, ``regex``, ``in_set``, ``max_length``,
  ``min_length``, ``expression``) ignore nulls: a null never fails and is not
  counted. ``unique`` fails every non-null row whose value occurs more than once.
  NaN is a value, not a null, and is outside every ``between`` range.
* ``expression`` fails rows where the SQL expression is false; a null result is
  unknown and ignored, as a SQL ``CHECK`` constraint treats it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import dq
import polars as pl

from dq_polars._table_checks import (
    AGGREGATE_CHECKS,
    TableRuleProblem,
    TableStat,
    compile_table_stat,
    schema_verdict,
    temporal_bounds,
)

#: Every check dq defines; the null-ignoring ones are dq.NULL_IGNORING_CHECKS (docs/rules.md).
SUPPORTED_CHECKS = (
    dq.NULL_IGNORING_CHECKS
    | AGGREGATE_CHECKS
    | {"not_null", "row_count", "dtype", "column_exists", "schema", "reference"}
)


@dataclass(frozen=True, slots=True)
class RowRule:
    """A rule that needs the data: its failure mask and element-count aggregate."""

    index: int
    rule: dq.Rule
    column: str | None
    fail: pl.Expr
    count: pl.Expr
    #: What a failure sample shows: the column's value, or (None) the 0-based row number
    #: (expression rules, which have no column, and Object columns).
    sample: pl.Expr | None
    #: False for not_null: its failing value is always null, so there is nothing to show.
    sampled: bool = True
    #: A cheaper aggregate for the failing-row count than summing ``fail`` (unique).
    failed: pl.Expr | None = None
    #: A mask true on exactly the rows of ``fail`` but cheaper to compute (unique), used to
    #: locate failing rows (samples, sample rows, the failures export); None: ``fail``.
    locate: pl.Expr | None = None

    @property
    def fail_name(self) -> str:
        return f"__dq_fail_{self.index}"

    @property
    def count_name(self) -> str:
        return f"__dq_count_{self.index}"

    @property
    def sample_name(self) -> str:
        return f"__dq_sample_{self.index}"

    @property
    def rows_name(self) -> str:
        return f"__dq_rows_{self.index}"

    @property
    def mask_name(self) -> str:
        return f"__dq_mask_{self.index}"

    @property
    def mask(self) -> pl.Expr:
        """True on the failing rows, never null: the cheapest expression that says so."""
        return self.fail if self.locate is None else self.locate

    def masked(self) -> pl.Expr:
        """The mask as a column of the query (see :meth:`Plan.with_masks`).

        Why a column: polars' common-subexpression elimination shares only the largest
        repeated expressions, so a mask used by a count, ``arg_true`` for samples and a
        filter for the export would be computed once per use (a regex three times).
        """
        return pl.col(self.mask_name)

    def _failing_at(self, limit: int) -> pl.Expr:
        """Row numbers of the first *limit* failing rows: gathering them beats filtering."""
        return self.masked().arg_true().head(limit)

    def sample_rows(self, limit: int, key: Sequence[pl.Expr]) -> pl.Expr:
        """The first *limit* failing rows, in row order, as one list of structs.

        Each struct holds ``value`` (the failing value, for single-column rules) and
        either the key columns ``k0, k1 ...`` or ``row``, the 0-based row number. Needs
        the masks as columns (:meth:`Plan.with_masks`).
        """
        at = self._failing_at(limit)
        fields: list[pl.Expr] = []
        if self.sampled and self.sample is not None and self.column is not None:
            fields.append(self.sample.gather(at).alias("value"))
        if key:
            fields.extend(k.gather(at).alias(f"k{i}") for i, k in enumerate(key))
        else:
            fields.append(at.cast(pl.Int64).alias("row"))
        return pl.struct(fields).implode().alias(self.rows_name)

    def sample_values(self, limit: int) -> pl.Expr:
        """Up to *limit* failing values (or row numbers), in row order, as one list.

        Needs the masks as columns (:meth:`Plan.with_masks`).
        """
        at = self._failing_at(limit)
        shown = at if self.sample is None else self.sample.gather(at)
        return shown.implode().alias(self.sample_name)

    def aggregates(self, masked: bool = False) -> list[pl.Expr]:
        """The two scalars this rule contributes to the fused ``select``."""
        fail = self.masked() if masked else self.fail
        return [
            (fail.sum() if self.failed is None else self.failed)
            .cast(pl.Int64)
            .alias(self.fail_name),
            self.count.cast(pl.Int64).alias(self.count_name),
        ]


@dataclass(slots=True)
class Plan:
    """The compiled rule set: what the query computes and what is already decided."""

    #: Results decided from the schema (errors, dtype, column_exists), by rule index.
    decided: dict[int, dq.RuleResult] = field(default_factory=dict)
    row_rules: list[RowRule] = field(default_factory=list)
    #: Indexes of ``row_count`` rules: they need only the row count.
    table_rules: list[int] = field(default_factory=list)
    #: Table-level rules judged from a few aggregates (freshness, mean, stddev, quantile).
    table_stats: list[TableStat] = field(default_factory=list)

    def aggregates(
        self, sample_limit: int = 0, rows_limit: int = 0, key: Sequence[pl.Expr] = ()
    ) -> list[pl.Expr]:
        """The fused ``select``; with *sample_limit*, every rule's samples ride along, and
        with *rows_limit* its first failing rows (located by *key*, else row numbers).
        Sampling needs the masks as columns: select from :meth:`with_masks` then."""
        masked = bool(sample_limit or rows_limit)
        exprs = [pl.len().cast(pl.Int64).alias(ROWS)]
        for stat in self.table_stats:
            exprs.extend(stat.aggregates())
        for row_rule in self.row_rules:
            exprs.extend(row_rule.aggregates(masked))
            if sample_limit and row_rule.sampled:
                exprs.append(row_rule.sample_values(sample_limit))
            if rows_limit:
                exprs.append(row_rule.sample_rows(rows_limit, key))
        return exprs

    def with_masks(
        self, lf: pl.LazyFrame, row_rules: Sequence[RowRule] | None = None
    ) -> pl.LazyFrame:
        """*lf* with each row rule's mask as a column, computed once for all its uses."""
        chosen = self.row_rules if row_rules is None else row_rules
        if not chosen:
            return lf
        return lf.with_columns([r.mask.alias(r.mask_name) for r in chosen])


ROWS = "__dq_rows"

#: The polars engines dq-polars runs queries on.
PolarsEngineName = Literal["in-memory", "streaming"]


class RuleProblem(Exception):
    """A rule that cannot be evaluated on this data; becomes an ERROR result."""


def error_result(rule: dq.Rule, problem: str) -> dq.RuleResult:
    """An ERROR result whose message names the rule, so a user finds it in the file."""
    message = f"rule {rule.id!r} ({rule.check}): {problem}"
    return dq.make_result(rule, dq.RuleStatus.ERROR, message)


def col(name: str, schema: pl.Schema) -> pl.Expr:
    """``pl.col`` for a name, even one polars would read as a regex (``^a$``)."""
    if name.startswith("^") and name.endswith("$"):
        by_position = pl.nth(list(schema).index(name))
        return by_position if isinstance(by_position, pl.Expr) else by_position.as_expr()
    return pl.col(name)


def _is_string(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def _string(expr: pl.Expr, dtype: pl.DataType, rule: dq.Rule) -> pl.Expr:
    """The column as String, or a RuleProblem for a column that holds no text."""
    if not _is_string(dtype):
        column = getattr(rule, "column", None)
        raise RuleProblem(f"{rule.check} needs a String column, but {column!r} is {dtype}")
    return expr if dtype == pl.String else expr.cast(pl.String)


def full_match_pattern(pattern: str) -> str:
    r"""Anchor a pattern so it must match the whole value.

    ``\A``/``\z`` rather than ``^``/``$`` so an inline ``(?m)`` in the user's
    pattern cannot turn the anchors into line anchors; the group keeps an
    alternation (``a|b``) inside the anchors.
    """
    return rf"\A(?:{pattern})\z"


def validate_regex(pattern: str) -> str | None:
    """Polars' own verdict on a pattern (Rust regex), or None when it compiles."""
    # Both the user's pattern and the anchored one the query runs must compile: `a)|(b`
    # is broken alone yet compiles once wrapped, as a different regex. One probe holds
    # both; only when it fails is the user's own pattern probed alone, so the error
    # quotes the mistake they wrote rather than the anchoring dq added around it.
    problem = _regex_problem(pattern, full_match_pattern(pattern))
    if problem is None:
        return None
    return f"invalid regex {pattern!r}: {_regex_problem(pattern) or problem}"


def _regex_problem(*candidates: str) -> str | None:
    empty = pl.lit("", dtype=pl.String)
    try:
        pl.select([empty.str.contains(c).alias(str(i)) for i, c in enumerate(candidates)])
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        return polars_message(str(exc))
    return None


def polars_message(text: str) -> str:
    """Polars' error on one line, without the query-plan dump it appends."""
    lines: list[str] = []
    for line in text.strip().splitlines():
        if line.startswith(("This error occurred", "Resolved plan", "Hint:")):
            break
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines) or text.strip()


# -- one compiler per check: (rule, column expr, dtype) -> failure mask --------------------


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


_VALUE_COMPILERS: dict[str, Callable[..., pl.Expr]] = {
    "between": _between,
    "regex": _regex,
    "in_set": _in_set,
    "max_length": _length,
    "min_length": _length,
    "reference": _reference,
}


def _expression(rule: dq.Expression, lf: pl.LazyFrame) -> pl.Expr:
    """Parse and type-check the SQL on an empty frame of the data's schema before trusting
    it (built from the schema, so the source is not touched: polars < 1.34 would run even
    ``head(0)`` through the scan)."""
    try:
        expr = pl.sql_expr(rule.expression)
        empty = pl.DataFrame(schema=lf.collect_schema()).lazy()
        probe = empty.select(expr.alias("__dq_probe")).collect(engine="in-memory")
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError) as exc:
        raise RuleProblem(
            f"cannot evaluate expression {rule.expression!r}: {polars_message(str(exc))}"
        ) from exc
    dtype = probe.schema["__dq_probe"]
    if dtype != pl.Boolean:
        raise RuleProblem(f"expression {rule.expression!r} gives {dtype}, not a Boolean per row")
    if probe.height != 0:
        raise RuleProblem(
            f"expression {rule.expression!r} aggregates the table; it must be a row condition"
        )
    return expr


def compile_rules(rules: dq.RuleSet, schema: pl.Schema, lf: pl.LazyFrame) -> Plan:
    """Turn every rule into a decided result, a row rule, or a table rule."""
    plan = Plan()
    for index, rule in enumerate(rules.rules):
        try:
            _compile_one(plan, index, rule, schema, lf)
        except RuleProblem as problem:
            plan.decided[index] = error_result(rule, str(problem))
    return plan


def _compile_one(
    plan: Plan, index: int, rule: dq.Rule, schema: pl.Schema, lf: pl.LazyFrame
) -> None:
    check = rule.check
    if check not in SUPPORTED_CHECKS:
        plan.decided[index] = dq.make_result(
            rule,
            dq.RuleStatus.UNSUPPORTED,
            f"rule {rule.id!r}: dq-polars cannot evaluate check {check!r}",
        )
        return
    if check == "row_count":
        plan.table_rules.append(index)
        return
    if check == "schema":
        plan.decided[index] = schema_verdict(rule, schema)  # type: ignore[arg-type]
        return
    if check == "unique" and rule.columns:  # type: ignore[union-attr]
        plan.row_rules.append(_composite_unique(index, rule, schema))  # type: ignore[arg-type]
        return
    if check == "expression":
        condition = _expression(rule, lf)  # type: ignore[arg-type]
        # A null result is unknown, not false: ignored and not counted, like a null
        # under a value check (and like a SQL CHECK constraint).
        fail = condition.not_().fill_null(False)
        plan.row_rules.append(RowRule(index, rule, None, fail, condition.count(), None))
        return
    name: str = rule.column  # type: ignore[union-attr]
    if check == "column_exists":
        present = name in schema
        message = f"column {name!r} is present" if present else _missing(name, schema)
        status = dq.RuleStatus.PASSED if present else dq.RuleStatus.FAILED
        plan.decided[index] = dq.make_result(
            rule, status, message, failed_count=int(not present), element_count=1
        )
        return
    if name not in schema:
        raise RuleProblem(_missing(name, schema))
    dtype = schema[name]
    if check == "dtype":
        plan.decided[index] = _dtype_result(rule, dtype)  # type: ignore[arg-type]
        return
    x = col(name, schema)
    if check in AGGREGATE_CHECKS:
        try:
            plan.table_stats.append(compile_table_stat(index, rule, x, dtype))
        except TableRuleProblem as problem:
            raise RuleProblem(str(problem)) from None
        return
    # Python objects cannot be gathered into a sample list: show their row numbers.
    shown = None if dtype == pl.Object else x
    if check == "not_null":
        row_rule = RowRule(index, rule, name, x.is_null(), pl.len(), shown, sampled=False)
    elif check == "unique":
        row_rule = _unique(index, rule, name, x, dtype, shown)
    else:
        fail = _VALUE_COMPILERS[check](rule, x, dtype)
        row_rule = RowRule(index, rule, name, fail, x.count(), shown)
    plan.row_rules.append(row_rule)


def _unique(
    index: int, rule: dq.Rule, name: str, x: pl.Expr, dtype: pl.DataType, shown: pl.Expr | None
) -> RowRule:
    """Rows in duplicate groups, counted by sorting instead of hashing every row.

    ``is_duplicated`` builds a hash table of every value: most of the cost of a whole
    rule set (0.87 s of 1.4 s at 10M shuffled Int64 rows). Sorting the non-null values
    and comparing neighbours gives the same count in 0.15 s: a value is duplicated
    exactly when it equals the one before or after it. Samples then need only the
    (usually few) duplicated values: the rows holding one, in row order. NaN equals
    NaN and 0.0 equals -0.0 both ways, so the counts agree. Types polars cannot sort
    (nested, Object) keep the hash-based mask.
    """
    fail = x.is_duplicated() & x.is_not_null()
    if isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object):
        return RowRule(index, rule, name, fail, x.count(), shown)
    ordered = x.drop_nulls().sort()
    repeated = (ordered == ordered.shift(1)).fill_null(False) | (
        ordered == ordered.shift(-1)
    ).fill_null(False)
    duplicated_values = ordered.filter(repeated).implode()
    return RowRule(
        index,
        rule,
        name,
        fail,
        x.count(),
        shown,
        failed=repeated.sum(),
        locate=x.is_in(duplicated_values).fill_null(False),
    )


def _composite_unique(index: int, rule: dq.Unique, schema: pl.Schema) -> RowRule:
    """Rows whose combination of values occurs more than once (docs/rules.md).

    A row is judged unless every key column is null; among judged rows null equals
    null (as SQL's GROUP BY and dbt's unique_combination_of_columns compare them) and
    NaN equals NaN. With one column this is exactly ``unique``. A sample shows the
    repeated combination.
    """
    for name in rule.columns:
        if name not in schema:
            raise RuleProblem(_missing(name, schema))
    xs = [col(name, schema) for name in rule.columns]
    combination = pl.struct(xs)
    judged = pl.any_horizontal([x.is_not_null() for x in xs])
    fail = combination.is_duplicated() & judged
    shown = None if any(schema[n] == pl.Object for n in rule.columns) else combination
    return RowRule(index, rule, None, fail, judged.sum(), shown)


def _missing(name: str, schema: pl.Schema) -> str:
    names = list(schema)
    shown = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
    return f"column {name!r} not found; the data has {shown or 'no columns'}"


def _dtype_result(rule: dq.DType, dtype: pl.DataType) -> dq.RuleResult:
    """Compare names: the full one (``Datetime(time_unit='us', ...)``) or the base one."""
    actual = str(dtype)
    wanted = "String" if rule.dtype == "Utf8" else rule.dtype  # polars' old name for String
    ok = wanted in {actual, dtype.base_type().__name__}
    message = f"column {rule.column!r} is {actual}" + ("" if ok else f", expected {rule.dtype}")
    status = dq.RuleStatus.PASSED if ok else dq.RuleStatus.FAILED
    return dq.make_result(rule, status, message, failed_count=int(not ok), element_count=1)
