"""What engines return: per-rule results, the run's verdict, and column profiles."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from dq.model._rules import Severity

#: A value that survives JSON unchanged; samples and profile statistics use it
#: so results can be written anywhere without engine-specific types leaking out.
Scalar = str | int | float | bool | None


class RuleStatus(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    #: The rule could not be evaluated (unknown column, bad regex ...): see message.
    ERROR = "error"
    #: The engine cannot perform this check; never reported as passed.
    UNSUPPORTED = "unsupported"


class RunStatus(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"


@attrs.frozen(kw_only=True)
class SampleRow:
    """One failing row, shown so a person can find it in the data.

    ``key`` holds the values of the rule set's key columns (``RuleSet.key``, in that
    order); without a key, ``row`` is the 0-based row number in the data as read.
    ``value`` is the failing value (None for ``not_null``, and for rules that judge
    several columns at once, whose values are in ``key`` or ``row``).
    """

    value: Scalar = None
    key: tuple[Scalar, ...] = ()
    row: int | None = None


@attrs.frozen(kw_only=True)
class RuleResult:
    """The outcome of one rule. Counts are rows: ``failed_count`` of ``element_count``."""

    rule_id: str
    check: str
    column: str | None
    status: RuleStatus
    severity: Severity = Severity.ERROR
    failed_count: int = 0
    element_count: int = 0
    message: str = ""
    samples: tuple[Scalar, ...] = ()
    #: True when the engine could only approximate dq's pinned semantics.
    approximate: bool = False
    #: Up to ``sample_size`` failing rows with their key values or row numbers, in row
    #: order (engines that cannot locate rows leave it empty).
    sample_rows: tuple[SampleRow, ...] = ()
    #: The rule's ``description`` from the rules file, for people reading any report.
    description: str = ""

    @property
    def failure_rate(self) -> float:
        return self.failed_count / self.element_count if self.element_count else 0.0


@attrs.frozen(kw_only=True)
class CheckResult:
    """One engine's verdict on one data set against one rule set."""

    status: RunStatus
    engine: str
    results: tuple[RuleResult, ...]
    row_count: int | None = None
    started_at: datetime | None = None
    duration_seconds: float | None = None
    #: The rule set's key columns, naming the values in each ``SampleRow.key``.
    key: tuple[str, ...] = ()

    def by_id(self, rule_id: str) -> RuleResult:
        for result in self.results:
            if result.rule_id == rule_id:
                return result
        raise KeyError(rule_id)


@attrs.frozen(kw_only=True)
class ValueCount:
    value: Scalar
    count: int


@attrs.frozen(kw_only=True)
class ColumnProfile:
    """Statistics of one column; fields that do not apply to its dtype are None."""

    name: str
    dtype: str
    count: int
    null_count: int
    distinct_count: int | None = None
    min: Scalar = None
    max: Scalar = None
    mean: float | None = None
    quantiles: dict[str, float] = attrs.field(factory=dict)
    min_length: int | None = None
    max_length: int | None = None
    top_values: tuple[ValueCount, ...] = ()


@attrs.frozen(kw_only=True)
class Profile:
    row_count: int
    columns: tuple[ColumnProfile, ...]
