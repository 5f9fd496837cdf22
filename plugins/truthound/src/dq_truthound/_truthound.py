"""How truthound's validators are loaded and run, one validator per rule.

truthound is heavy to import, so its validator classes are gathered into one
:class:`Truthound` bundle on first use (by the engine's ``th`` property), never at
module import. Running a validator goes through :func:`run_validator`, which
turns an error truthound *reports as an issue* into a :class:`RuleProblem`, so a
rule truthound could not evaluate is never read as a rule that found failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from dq_truthound._outcome import RuleProblem


def load_validators() -> Truthound:
    """Import truthound's validators lazily (heavy), once per engine."""
    from truthound.validators import base
    from truthound.validators.completeness import null
    from truthound.validators.distribution import range as between
    from truthound.validators.distribution import set as in_set
    from truthound.validators.query import expression
    from truthound.validators.schema import column_count, column_exists, column_type
    from truthound.validators.string import length, regex
    from truthound.validators.uniqueness import unique

    class RustDialectRegexValidator(regex.RegexValidator):
        """truthound's regex validator, minus its Python-``re`` pre-check.

        truthound compiles every pattern with Python's ``re`` and a ReDoS heuristic
        before running it with polars (Rust regex: linear time, no ReDoS). That
        refuses valid dq patterns (``\\p{L}``, ``(?:ab|c)+``) in the wrong dialect.
        The pattern has already been validated in the Rust dialect, by polars, so
        the hook that validates it (``RegexValidatorMixin.validate_pattern``; its
        result, ``_compiled``, is not used to match) is replaced; matching and
        counting stay truthound's.
        """

        @staticmethod
        def validate_pattern(pattern: str, flags: int = 0) -> None:
            return None

    return Truthound(
        NUMERIC_TYPES=base.NUMERIC_TYPES,
        NotNullValidator=null.NotNullValidator,
        BetweenValidator=between.BetweenValidator,
        InSetValidator=in_set.InSetValidator,
        CustomExpressionValidator=expression.CustomExpressionValidator,
        RowCountValidator=column_count.RowCountValidator,
        ColumnExistsValidator=column_exists.ColumnExistsValidator,
        ColumnTypeValidator=column_type.ColumnTypeValidator,
        LengthValidator=length.LengthValidator,
        RegexValidator=RustDialectRegexValidator,
        UniqueValidator=unique.UniqueValidator,
    )


@dataclass(frozen=True)
class Truthound:
    """The truthound validator classes the engine uses, imported once by :func:`load_validators`."""

    NUMERIC_TYPES: Any
    NotNullValidator: type
    BetweenValidator: type
    InSetValidator: type
    CustomExpressionValidator: type
    RowCountValidator: type
    ColumnExistsValidator: type
    ColumnTypeValidator: type
    LengthValidator: type
    RegexValidator: type
    UniqueValidator: type


#: Options every validator gets: no sample collection (samples come from the frame,
#: with dq's semantics), no logging of the errors we turn into results.
COMMON_OPTIONS: dict[str, Any] = {"result_format": "boolean_only", "log_errors": False}


def run_validator(validator: Any, lf: pl.LazyFrame) -> list[Any]:
    """Run one truthound validator; an error it reports as an issue becomes a RuleProblem."""
    issues = list(validator.validate(lf))
    for issue in issues:
        if issue.issue_type.endswith("_error") or issue.exception_info is not None:
            raise RuleProblem(f"truthound {validator.name}: {issue.details or issue.issue_type}")
    return issues


def count_issues(issues: list[Any]) -> int:
    """The failures truthound found: the sum of its issues' counts."""
    return sum(int(issue.count) for issue in issues)
