"""The rule vocabulary: one frozen attrs class per check, and the rule set.

A rule file lists rules as tables with a ``check`` key naming the class
(``check = "regex"``); the shared converter uses that key as the tag of a union,
so a typo in a field name or a wrong type is reported at its exact path.
The *semantics* of each check (what counts as a failing row) are pinned in
docs/configuration.md and by the engine contract, not here: this module is the shape.
"""

from __future__ import annotations

import enum
from typing import ClassVar, Union

import attrs

from dq.model._expressions import ExpressionRefused, check_expression


class Severity(enum.Enum):
    """How much a failing rule matters to the suite's quality gate."""

    ERROR = "error"
    WARNING = "warning"


def _mostly_in_range(_inst: object, attribute: attrs.Attribute, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def _optional_rate(_inst: object, attribute: attrs.Attribute, value: float | None) -> None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def _non_negative(_inst: object, attribute: attrs.Attribute, value: int | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def _check_bounds(check: str, low: float | None, high: float | None) -> None:
    if low is None and high is None:
        raise ValueError(f"{check} needs min, max or both")
    if low is not None and high is not None and low > high:
        raise ValueError(f"{check}: min {low!r} is greater than max {high!r}")


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
    mostly: float = attrs.field(default=1.0, validator=_mostly_in_range)
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
class Unique(_ColumnRule):
    """No non-null value repeats; every row holding a repeated value fails."""

    CHECK: ClassVar[str] = "unique"


@attrs.frozen(kw_only=True)
class Between(_ColumnRule):
    """Values lie within the bounds; either bound may be left open (None)."""

    CHECK: ClassVar[str] = "between"

    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True

    def __attrs_post_init__(self) -> None:
        _check_bounds(self.CHECK, self.min, self.max)


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

    length: int = attrs.field(validator=_non_negative)


@attrs.frozen(kw_only=True)
class MinLength(_ColumnRule):
    """String values have at least ``length`` characters (not bytes)."""

    CHECK: ClassVar[str] = "min_length"

    length: int = attrs.field(validator=_non_negative)


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

    min: int | None = attrs.field(default=None, validator=_non_negative)
    max: int | None = attrs.field(default=None, validator=_non_negative)

    def __attrs_post_init__(self) -> None:
        _check_bounds(self.CHECK, self.min, self.max)


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
]
RULE_CLASSES: tuple[type, ...] = Rule.__args__  # type: ignore[attr-defined]
CHECKS: dict[str, type] = {cls.CHECK: cls for cls in RULE_CLASSES}


@attrs.frozen(kw_only=True)
class QualityGate:
    """Decides pass or fail for a whole run from its failing rules.

    The default fails on any failing error-severity rule and tolerates warnings,
    which is what a CI user expects from "errors fail the build".
    """

    max_failed_errors: int = attrs.field(default=0, validator=_non_negative)
    max_failed_warnings: int | None = attrs.field(default=None, validator=_non_negative)
    max_failure_rate: float | None = attrs.field(default=None, validator=_optional_rate)


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
    sample_size: int = attrs.field(default=5, validator=_non_negative)
