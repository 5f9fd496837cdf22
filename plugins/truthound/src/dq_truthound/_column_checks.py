"""The checks that judge one column: not_null, unique, between, regex, in_set, max/min_length.

Each handler gets the rule's column alone, renamed to :data:`V` (see the
engine's module docstring for why), runs one truthound validator on it and, where
truthound's count is not dq's, corrects it exactly from the frame. Handlers take
the engine first (for its lazily imported validators and its config) because
they are stored in, and called through, ``TruthoundEngine._HANDLERS``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import dq
import polars as pl

from dq_truthound._outcome import Outcome, RuleProblem, RuleUnsupported, V
from dq_truthound._truthound import COMMON_OPTIONS, count_issues, run_validator
from dq_truthound._wording import format_bound, polars_message

if TYPE_CHECKING:
    from dq_truthound._engine import TruthoundEngine

#: truthound's regex validator samples (first 10k rows, extrapolated) above this.
_TRUTHOUND_SAMPLING_MIN_ROWS = 50_000


def check_not_null(engine: TruthoundEngine, rule: dq.NotNull, s: pl.Series) -> Outcome:
    """truthound's count (``null_count``) is dq's; NaN is not null in both."""
    frame = s.to_frame()
    issues = run_validator(engine.th.NotNullValidator(columns=(V,), **COMMON_OPTIONS), frame.lazy())
    failed = count_issues(issues)
    return Outcome(failed, frame.height, f"{failed} of {frame.height} rows are null")


def check_unique(engine: TruthoundEngine, rule: dq.Unique, s: pl.Series) -> Outcome:
    """truthound counts extra occurrences (non-null count minus ``n_unique``, which
    counts null as a value); dq counts every row of a duplicate group. The first
    cannot give the second, so dq's count is computed from the frame (exact)."""
    frame = s.to_frame()
    issues = run_validator(engine.th.UniqueValidator(columns=(V,), **COMMON_OPTIONS), frame.lazy())
    x = pl.col(V)
    mask = x.is_duplicated() & x.is_not_null()
    row = frame.select(mask.sum().alias("f"), x.count().alias("e")).row(0)
    failed, element = int(row[0]), int(row[1])
    return Outcome(
        failed,
        element,
        f"{failed} of {element} non-null rows hold a repeated value "
        f"(truthound's unique validator reports {count_issues(issues)} extra occurrences; "
        "dq counts every row of a duplicate group)",
        frame,
        mask,
    )


def check_between(engine: TruthoundEngine, rule: dq.Between, s: pl.Series) -> Outcome:
    """truthound's between validator: one run when both bounds share inclusivity,
    else one run per bound (disjoint failures, summed). polars orders NaN above
    +inf, so truthound counts NaN only through an upper bound; without one, dq's
    NaN failures are counted from the frame (exact)."""
    dtype = s.dtype
    if not any(dtype == t for t in engine.th.NUMERIC_TYPES):
        if dtype.is_temporal() or dtype.is_numeric():
            raise RuleUnsupported(
                f"truthound's between validator judges only Int/UInt/Float columns; "
                f"column {rule.column!r} is {dtype}"
            )
        raise RuleProblem(f"between needs a numeric column, but {rule.column!r} is {dtype}")
    frame = s.to_frame()
    lf = frame.lazy()
    if rule.min is None or rule.max is None or rule.min_inclusive == rule.max_inclusive:
        inclusive = rule.min_inclusive if rule.max is None else rule.max_inclusive
        runs = [(rule.min, rule.max, inclusive)]
    else:
        runs = [(rule.min, None, rule.min_inclusive), (None, rule.max, rule.max_inclusive)]
    failed = 0
    for low, high, inclusive in runs:
        validator = engine.th.BetweenValidator(
            min_value=low, max_value=high, inclusive=inclusive, columns=(V,), **COMMON_OPTIONS
        )
        failed += count_issues(run_validator(validator, lf))
    x = pl.col(V)
    nan = x.is_nan() if dtype.is_float() else pl.lit(False)
    extra = [x.count().alias("e")]
    if rule.max is None:
        extra.append(nan.sum().alias("nan"))
    row = frame.select(extra).row(0, named=True)
    failed += int(row.get("nan") or 0)
    element = int(row["e"])
    outside = pl.lit(False)
    if rule.min is not None:
        outside = outside | ((x < rule.min) if rule.min_inclusive else (x <= rule.min))
    if rule.max is not None:
        outside = outside | ((x > rule.max) if rule.max_inclusive else (x >= rule.max))
    low = "[" if rule.min_inclusive else "("
    high = "]" if rule.max_inclusive else ")"
    bounds = f"{low}{format_bound(rule.min, '-inf')}, {format_bound(rule.max, 'inf')}{high}"
    return Outcome(
        failed,
        element,
        f"{failed} of {element} non-null values are outside {bounds} or NaN",
        frame,
        (outside | nan) & x.is_not_null(),
    )


def check_regex(engine: TruthoundEngine, rule: dq.Regex, s: pl.Series) -> Outcome:
    """truthound's regex validator, given the pattern already anchored as dq wants
    (``^(?:…)$``, no dotall). It skips empty and blank strings: those that fail
    are counted from the frame (exact). Its early-termination sampling above
    50,000 rows is switched off unless ``exact_regex = false``. Validity is
    decided in the Rust dialect (polars), not by truthound's Python-``re`` check."""
    frame = string_frame(rule, s)
    anchored = f"^(?:{rule.pattern})$"
    for candidate in (rule.pattern, anchored):  # the Rust dialect decides validity
        try:
            pl.select(pl.lit("", dtype=pl.String).str.contains(candidate))
        except pl.exceptions.PolarsError as exc:
            raise RuleProblem(f"invalid regex {rule.pattern!r}: {polars_message(exc)}") from exc
    validator = engine.th.RegexValidator(
        pattern=anchored, match_full=False, dotall=False, columns=(V,), **COMMON_OPTIONS
    )
    sampling_off = hasattr(validator, "early_termination_min_rows")
    if engine.config.exact_regex and sampling_off:
        validator.early_termination_min_rows = sys.maxsize
    issues = run_validator(validator, frame.lazy())
    x = pl.col(V)
    mask = x.str.contains(anchored).not_() & x.is_not_null()
    blank = x.str.strip_chars() == ""
    row = frame.select((mask & blank).sum().alias("b"), x.count().alias("e")).row(0)
    failed = count_issues(issues) + int(row[0])
    element = int(row[1])
    message = f"{failed} of {element} non-null values do not fully match {rule.pattern!r}"
    sampled = any("early-termination" in (issue.details or "") for issue in issues)
    unknown = not sampling_off and frame.height > _TRUTHOUND_SAMPLING_MIN_ROWS
    if sampled or unknown:
        message += (
            " (approximate: truthound sampled the first 10,000 of "
            f"{frame.height} rows and extrapolated the non-blank failures)"
        )
    return Outcome(failed, element, message, frame, mask, approximate=sampled or unknown)


def check_in_set(engine: TruthoundEngine, rule: dq.InSet, s: pl.Series) -> Outcome:
    """truthound's in_set validator (``is_in``, nulls ignored), given the values
    typed like the column; NaN is in the set only if the set holds NaN."""
    members, frame = in_set_members(rule, s)
    # A plain list: polars deprecates ``is_in`` with a Series of the column's type.
    validator = engine.th.InSetValidator(members.to_list(), columns=(V,), **COMMON_OPTIONS)
    issues = run_validator(validator, frame.lazy())
    failed = count_issues(issues)
    element = frame.get_column(V).count()
    x = pl.col(V)
    return Outcome(
        failed,
        element,
        f"{failed} of {element} non-null values are not in the set",
        frame,
        x.is_in(members.implode()).not_() & x.is_not_null(),
    )


def check_length(
    engine: TruthoundEngine, rule: dq.MaxLength | dq.MinLength, s: pl.Series
) -> Outcome:
    """truthound's length validator counts characters (``len_chars``), nulls ignored."""
    frame = string_frame(rule, s)
    is_max = rule.check == "max_length"
    bound = {"max_length" if is_max else "min_length": rule.length}
    issues = run_validator(
        engine.th.LengthValidator(**bound, columns=(V,), **COMMON_OPTIONS), frame.lazy()
    )
    failed = count_issues(issues)
    element = frame.get_column(V).count()
    chars = pl.col(V).str.len_chars()
    word = "more" if is_max else "fewer"
    return Outcome(
        failed,
        element,
        f"{failed} of {element} non-null values have {word} than {rule.length} characters",
        frame,
        (chars > rule.length) if is_max else (chars < rule.length),
    )


def string_frame(rule: Any, s: pl.Series) -> pl.DataFrame:
    """The column as String (truthound's string validators skip Categorical/Enum)."""
    if not is_string(s.dtype):
        raise RuleProblem(f"{rule.check} needs a String column, but {rule.column!r} is {s.dtype}")
    return (s if s.dtype == pl.String else s.cast(pl.String)).to_frame()


def in_set_members(rule: dq.InSet, s: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
    """The set's values typed like the column (polars refuses ``is_in`` across types)."""
    values = list(rule.values)
    dtype = s.dtype

    def require(ok: Callable[[object], bool], kind: str) -> None:
        wrong = [v for v in values if not ok(v)]
        if wrong:
            shown = ", ".join(repr(v) for v in wrong[:5])
            raise RuleProblem(
                f"in_set values must be {kind} for column {rule.column!r} ({dtype}); got {shown}"
            )

    if is_string(dtype):
        require(lambda v: isinstance(v, str), "strings")
        frame = (s if dtype == pl.String else s.cast(pl.String)).to_frame()
        return pl.Series(V, values, dtype=pl.String), frame
    if dtype == pl.Boolean:
        require(lambda v: isinstance(v, bool), "booleans")
        return pl.Series(V, values, dtype=pl.Boolean), s.to_frame()
    if dtype.is_integer() or dtype.is_float():
        require(lambda v: isinstance(v, int | float) and not isinstance(v, bool), "numbers")
        if dtype.is_integer():
            values = [
                int(v)
                for v in values
                if isinstance(v, int) or (math.isfinite(v) and float(v).is_integer())
            ]
            members = pl.Series(V, values, dtype=pl.Int64, strict=False)
        else:
            members = pl.Series(V, [float(v) for v in values], dtype=pl.Float64)
        return members.cast(dtype, strict=False).drop_nulls(), s.to_frame()
    raise RuleProblem(
        f"in_set needs a String, Boolean or numeric column, but {rule.column!r} is {dtype}"
    )


def is_string(dtype: pl.DataType) -> bool:
    """True for the dtypes dq's string checks accept: String, Categorical and Enum."""
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)
