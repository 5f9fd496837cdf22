"""The rule vocabulary: one frozen attrs class per check, and the rule set.

A rule file lists rules as tables with a ``check`` key naming the class
(``check = "regex"``); the shared converter uses that key as the tag of a union,
so a typo in a field name or a wrong type is reported at its exact path.
The *semantics* of each check (what counts as a failing row) are pinned in
docs/configuration.md and by the engine contract, not here: this module is the shape.
"""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import ClassVar, Union

import attrs

from dq.model._expressions import ExpressionRefused, check_expression
from dq.model._rule_fields import (
    Bound,
    check_bounds,
    distinct_names,
    duration,
    mostly_in_range,
    non_negative,
    optional_non_negative,
    optional_rate,
    parse_duration,
    quantile_in_range,
    time_zone,
)


class Severity(enum.Enum):
    """How much a failing rule matters to the suite's quality gate."""

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen(kw_only=True)
class _RuleBase:
    """Fields every rule has.

    ``mostly`` is the share of checked rows that must pass (1.0: all of them), as
    in Great Expectations; ``severity`` decides which quality-gate budget a
    failure spends.
    """

    CHECK: ClassVar[str] = ""

    id: str
    severity: Severity = Severity.ERROR
    mostly: float = attrs.field(default=1.0, validator=mostly_in_range)
    description: str = ""

    @property
    def check(self) -> str:
        return self.CHECK


@attrs.frozen(kw_only=True)
class _ColumnRule(_RuleBase):
    column: str


@attrs.frozen(kw_only=True)
class NotNull(_ColumnRule):
    """Every row has a value (null counts as a failure; NaN does not)."""

    CHECK: ClassVar[str] = "not_null"


@attrs.frozen(kw_only=True)
class Unique(_RuleBase):
    """No value repeats; every row holding a repeated value fails.

    One ``column``, or several ``columns`` whose *combination* must be unique (a
    composite key); exactly one of the two is given.
    """

    CHECK: ClassVar[str] = "unique"

    column: str | None = None
    columns: tuple[str, ...] = attrs.field(default=(), validator=distinct_names)

    def __attrs_post_init__(self) -> None:
        if (self.column is None) == (not self.columns):
            raise ValueError("unique needs either column or columns (not both)")

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The columns whose values (together) must be unique."""
        return self.columns or (self.column,)  # type: ignore[return-value]


@attrs.frozen(kw_only=True)
class Between(_ColumnRule):
    """Values lie within the bounds; either bound may be left open (None).

    Numbers for numeric columns; TOML dates, date-times and times for date,
    datetime and time columns.
    """

    CHECK: ClassVar[str] = "between"

    min: Bound | None = None
    max: Bound | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True

    def __attrs_post_init__(self) -> None:
        check_bounds(self.CHECK, self.min, self.max)


@attrs.frozen(kw_only=True)
class Regex(_ColumnRule):
    """Values fully match the pattern (Rust regex dialect, as polars uses)."""

    CHECK: ClassVar[str] = "regex"

    pattern: str


@attrs.frozen(kw_only=True)
class InSet(_ColumnRule):
    """Values are among the listed ones."""

    CHECK: ClassVar[str] = "in_set"

    values: tuple[str | int | float | bool, ...]


@attrs.frozen(kw_only=True)
class MaxLength(_ColumnRule):
    """String values have at most ``length`` characters (not bytes)."""

    CHECK: ClassVar[str] = "max_length"

    length: int = attrs.field(validator=non_negative)


@attrs.frozen(kw_only=True)
class MinLength(_ColumnRule):
    """String values have at least ``length`` characters (not bytes)."""

    CHECK: ClassVar[str] = "min_length"

    length: int = attrs.field(validator=non_negative)


@attrs.frozen(kw_only=True)
class DType(_ColumnRule):
    """The column has this polars data type (e.g. ``Int64``, ``String``)."""

    CHECK: ClassVar[str] = "dtype"

    dtype: str


@attrs.frozen(kw_only=True)
class ColumnExists(_ColumnRule):
    """The column is present."""

    CHECK: ClassVar[str] = "column_exists"


@attrs.frozen(kw_only=True)
class RowCount(_RuleBase):
    """The table's row count lies within the bounds (a table-level rule)."""

    CHECK: ClassVar[str] = "row_count"

    min: int | None = attrs.field(default=None, validator=non_negative)
    max: int | None = attrs.field(default=None, validator=non_negative)
    #: Relative bound against the last run of the same suite (and tenant), from dq's
    #: run history: 0.2 means within ±20% of the previous row count.
    max_change: float | None = attrs.field(default=None, validator=optional_non_negative)

    def __attrs_post_init__(self) -> None:
        if self.max_change is None:
            check_bounds(self.CHECK, self.min, self.max)
        elif self.min is not None or self.max is not None:
            check_bounds(self.CHECK, self.min, self.max)


@attrs.frozen(kw_only=True)
class Freshness(_ColumnRule):
    """The newest value of a date/datetime column is at most ``max_age`` old (table-level).

    ``max_age`` is a duration such as ``"36h"`` or ``"2d"`` (:func:`parse_duration`).
    Time-zone aware columns compare as instants; naive ones are read in ``timezone``
    (an IANA name, default UTC).
    """

    CHECK: ClassVar[str] = "freshness"

    max_age: str = attrs.field(validator=duration)
    timezone: str = attrs.field(default="UTC", validator=time_zone)

    @property
    def max_age_delta(self) -> timedelta:
        return parse_duration(self.max_age)


@attrs.frozen(kw_only=True)
class Reference(_ColumnRule):
    """Every non-null value exists in ``dataset_column`` of another dataset (a foreign key).

    ``dataset`` is a data file path, relative to the rules file, or a source name;
    it is read by dq-core under the same data-location policy as the data checked.
    """

    CHECK: ClassVar[str] = "reference"

    dataset: str
    dataset_column: str | None = None

    @property
    def target_column(self) -> str:
        return self.dataset_column or self.column


class SchemaMode(enum.Enum):
    """How a ``schema`` rule compares the table's columns with the listed ones."""

    #: The listed columns exist with these types; other columns are allowed.
    AT_LEAST = "at_least"
    #: Exactly the listed columns (any order), with these types.
    EXACT = "exact"


@attrs.frozen(kw_only=True)
class Schema(_RuleBase):
    """The table's columns and their polars types (table-level), as ``dtype`` names them."""

    CHECK: ClassVar[str] = "schema"

    columns: dict[str, str]
    mode: SchemaMode = SchemaMode.AT_LEAST

    def __attrs_post_init__(self) -> None:
        if not self.columns:
            raise ValueError("schema needs at least one column in columns")


@attrs.frozen(kw_only=True)
class _StatisticRule(_ColumnRule):
    """A statistic of a column's non-null values lies within bounds (table-level)."""

    min: float | None = None
    max: float | None = None

    def __attrs_post_init__(self) -> None:
        check_bounds(self.CHECK, self.min, self.max)


@attrs.frozen(kw_only=True)
class Mean(_StatisticRule):
    """The mean of the column's non-null values lies within the bounds."""

    CHECK: ClassVar[str] = "mean"


@attrs.frozen(kw_only=True)
class StdDev(_StatisticRule):
    """The sample standard deviation (ddof 1) of the non-null values lies within bounds."""

    CHECK: ClassVar[str] = "stddev"


@attrs.frozen(kw_only=True)
class Quantile(_StatisticRule):
    """The ``quantile`` (0..1, linear interpolation) of the non-null values lies within bounds."""

    CHECK: ClassVar[str] = "quantile"

    quantile: float = attrs.field(validator=quantile_in_range)


@attrs.frozen(kw_only=True)
class Expression(_RuleBase):
    """A row-level SQL boolean expression (polars SQL): rows where it is false fail.

    SQL rather than Python so that a rules file can never run code, and only a row
    condition: every :class:`RuleSet` refuses table functions, subqueries and any
    function outside an allow-list, so no engine ever sees such a rule
    (``dq.model._expressions``, decision 20).
    """

    CHECK: ClassVar[str] = "expression"

    expression: str


Rule = Union[  # noqa: UP007 (a typing.Union is what cattrs tags reliably)
    NotNull,
    Unique,
    Between,
    Regex,
    InSet,
    MaxLength,
    MinLength,
    DType,
    ColumnExists,
    RowCount,
    Expression,
    Freshness,
    Reference,
    Schema,
    Mean,
    StdDev,
    Quantile,
]
RULE_CLASSES: tuple[type, ...] = Rule.__args__  # type: ignore[attr-defined]
CHECKS: dict[str, type] = {cls.CHECK: cls for cls in RULE_CLASSES}


@attrs.frozen(kw_only=True)
class QualityGate:
    """Decides pass or fail for a whole run from its failing rules.

    The default fails on any failing error-severity rule and tolerates warnings,
    which is what a CI user expects from "errors fail the build".
    """

    max_failed_errors: int = attrs.field(default=0, validator=non_negative)
    max_failed_warnings: int | None = attrs.field(default=None, validator=non_negative)
    max_failure_rate: float | None = attrs.field(default=None, validator=optional_rate)


def _unique_ids(_inst: object, _attr: attrs.Attribute, rules: tuple[Rule, ...]) -> None:
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        if rule.id in seen:
            raise ValueError(
                f"rules[{index}].id: duplicate id {rule.id!r} (also rules[{seen[rule.id]}])"
            )
        seen[rule.id] = index


def _row_conditions(_inst: object, _attr: attrs.Attribute, rules: tuple[Rule, ...]) -> None:
    """Refuse, before any engine sees them, expressions that are more than a row condition."""
    for index, rule in enumerate(rules):
        if isinstance(rule, Expression):
            try:
                check_expression(rule.expression)
            except ExpressionRefused as exc:
                raise ValueError(f"rules[{index}].expression: {exc}") from None


@attrs.frozen(kw_only=True)
class RuleSet:
    """The rules checked together, the gate that judges them, and sampling policy.

    ``sample_size`` bounds how many failing values each rule may report; 0 turns
    sampling off (for data that must not leave the engine, such as PII).
    """

    rules: tuple[Rule, ...] = attrs.field(validator=[_unique_ids, _row_conditions])
    gate: QualityGate = QualityGate()
    sample_size: int = attrs.field(default=5, validator=non_negative)
    #: Columns that identify a row (``key = ["order_id"]``): failure samples carry their
    #: values so a failing row can be found; without a key, samples carry row numbers.
    key: tuple[str, ...] = attrs.field(default=(), validator=distinct_names)
