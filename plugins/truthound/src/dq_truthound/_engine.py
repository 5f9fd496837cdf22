"""The truthound engine: one truthound validator run per rule, converted to dq's semantics.

How truthound is driven, and why:

* **Validators, not ``th.check``.** ``th.check`` always goes through a
  ``TruthoundContext``, which creates ``.truthound/`` at the nearest git root and
  writes a catalog entry on every run (``track_asset``) even with
  ``persist_runs``/``persist_docs`` off; it also groups results by validator name
  (two ``not_null`` rules collide) and can report regex/length failures with
  ``success=True``. truthound's validators are public and documented for direct
  use (``NotNullValidator().validate(lf)``); calling them writes nothing, and
  running **one validator instance per rule** on a one-column frame makes each
  rule's issues unambiguous.
* **Each rule sees its column alone**, renamed to ``value``: a column name such as
  ``^a$`` (which ``pl.col`` reads as a regex) cannot confuse truthound, and a
  Categorical column can be cast to String for truthound's string validators
  (which otherwise skip it silently).
* **dq's semantics win.** Where truthound's count differs from dq's, the
  difference is computed exactly from the frame (see each ``_check_*``); where it
  cannot be, the result says ``approximate`` and why, or the rule is
  ``unsupported``. Samples always come from the frame (dq's failure mask),
  because truthound's samples are not dq's (regex truncates them to 50
  characters, unique orders them by frequency).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as dtime
from typing import Any

import dq
import polars as pl

from dq_truthound._config import TruthoundConfig
from dq_truthound._errors import NotSupportedByTruthound, TruthoundEngineError

ENGINE = "truthound"

#: The name each rule's column gets in the one-column frame given to truthound.
V = "value"
ROW = "__dq_row"

SUPPORTED_CHECKS = frozenset(
    {
        "not_null",
        "unique",
        "between",
        "regex",
        "in_set",
        "max_length",
        "min_length",
        "expression",
        "row_count",
        "dtype",
        "column_exists",
    }
)
TABLE_CHECKS = frozenset({"row_count", "dtype", "column_exists"})

#: truthound's regex validator samples (first 10k rows, extrapolated) above this.
_TRUTHOUND_SAMPLING_MIN_ROWS = 50_000


class RuleProblem(Exception):
    """The rule cannot be evaluated on this data; becomes an ERROR result."""


class RuleUnsupported(Exception):
    """truthound cannot perform this rule with dq's semantics; becomes UNSUPPORTED."""


@dataclass
class Outcome:
    """What one rule's evaluation found, before it is judged against ``mostly``."""

    failed: int
    element: int
    message: str
    #: The frame the masks refer to, and dq's failure mask (None: no samples).
    frame: pl.DataFrame | None = None
    mask: pl.Expr | None = None
    shown: pl.Expr | None = None
    approximate: bool = False


def _validators() -> _Truthound:
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

    return _Truthound(
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
class _Truthound:
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
_COMMON: dict[str, Any] = {"result_format": "boolean_only", "log_errors": False}


def _run(validator: Any, lf: pl.LazyFrame) -> list[Any]:
    """Run one truthound validator; an error it reports as an issue becomes a RuleProblem."""
    issues = list(validator.validate(lf))
    for issue in issues:
        if issue.issue_type.endswith("_error") or issue.exception_info is not None:
            raise RuleProblem(f"truthound {validator.name}: {issue.details or issue.issue_type}")
    return issues


def _count(issues: list[Any]) -> int:
    return sum(int(issue.count) for issue in issues)


def _scalar(value: Any) -> Any:
    """A JSON-safe sample value; dates and times in ISO form (``2024-01-02T03:04:05``)."""
    if isinstance(value, datetime | date | dtime):
        return value.isoformat()
    return dq.json_scalar(value)


def _polars_message(exc: BaseException) -> str:
    """polars' error on one line, without the query-plan dump it appends."""
    lines: list[str] = []
    for line in str(exc).strip().splitlines():
        if line.startswith(("This error occurred", "Resolved plan", "Hint:")):
            break
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines) or type(exc).__name__


def _raised_by_library(exc: BaseException) -> bool:
    """True when *exc* comes from truthound or polars (raised by, or inside, their code)."""
    if type(exc).__module__.split(".")[0] in {"polars", "truthound"}:
        return True
    tb, module = exc.__traceback__, ""
    while tb is not None:  # the innermost frame: where it was raised
        module, tb = str(tb.tb_frame.f_globals.get("__name__", "")), tb.tb_next
    return module.split(".")[0] in {"polars", "truthound"}


def _missing(name: str, schema: pl.Schema) -> str:
    names = list(schema)
    shown = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
    return f"column {name!r} not found; the data has {shown or 'no columns'}"


def _is_string(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


class TruthoundEngine:
    """Satisfies ``dq.protocols.Engine`` by running truthound's validators."""

    supported_checks: frozenset[str] = SUPPORTED_CHECKS
    #: A LazyFrame is collected once, then every validator runs on the collected frame.
    streams: bool = False

    def __init__(self, config: TruthoundConfig | None = None) -> None:
        self.config = config if config is not None else TruthoundConfig()
        self._th: _Truthound | None = None

    # -- the protocol ------------------------------------------------------------------

    def check(self, data: Any, rules: dq.RuleSet) -> dq.CheckResult:
        started = datetime.now(UTC)
        clock = time.perf_counter()
        frame = self._collect(data)
        _ = self.th  # import truthound now: a broken install fails the run, not every rule
        results = tuple(self._evaluate(rule, frame, rules.sample_size) for rule in rules.rules)
        return dq.CheckResult(
            status=dq.run_status(results, rules.gate),
            engine=ENGINE,
            results=results,
            row_count=frame.height,
            started_at=started,
            duration_seconds=time.perf_counter() - clock,
        )

    def profile(self, data: Any) -> dq.Profile:
        raise NotSupportedByTruthound(
            "dq-truthound does not profile: truthound's profiler (th.profile) reports null "
            "and unique shares as rounded percentage strings and min/max as text, which "
            "cannot be turned into dq.Profile's exact counts without inventing numbers; "
            "profile with another engine (for example dq-polars)"
        )

    def learn(self, data: Any) -> dq.RuleSet:
        raise NotSupportedByTruthound(
            "dq-truthound does not learn rules: truthound's th.learn produces a truthound "
            "schema whose constraints have no exact dq rule equivalent in this release; "
            "learn with another engine (for example dq-polars)"
        )

    # -- plumbing ----------------------------------------------------------------------

    @property
    def th(self) -> _Truthound:
        if self._th is None:
            self._th = _validators()
        return self._th

    @staticmethod
    def _collect(data: Any) -> pl.DataFrame:
        if isinstance(data, pl.LazyFrame):
            try:
                return data.collect()
            except pl.exceptions.PolarsError as exc:
                raise TruthoundEngineError(
                    f"cannot evaluate the LazyFrame: {_polars_message(exc)}"
                ) from exc
        if isinstance(data, pl.DataFrame):
            return data
        raise TruthoundEngineError(
            f"dq-truthound checks a polars DataFrame or LazyFrame, got {type(data).__name__}"
        )

    def _evaluate(self, rule: dq.Rule, frame: pl.DataFrame, sample_size: int) -> dq.RuleResult:
        check = rule.check
        column = getattr(rule, "column", None)

        def make(status: dq.RuleStatus, message: str, **extra: Any) -> dq.RuleResult:
            return dq.make_result(rule, status, message, **extra)

        handler = self._HANDLERS.get(check)
        if handler is None:
            return make(
                dq.RuleStatus.UNSUPPORTED,
                f"rule {rule.id!r}: dq-truthound cannot evaluate check {check!r}",
            )
        beyond = _beyond_translation(rule, frame.schema)
        if beyond is not None:
            return make(beyond[0], f"rule {rule.id!r} {beyond[1]}")
        try:
            if check in TABLE_CHECKS or check == "expression":
                outcome = handler(self, rule, frame)
            else:
                if column not in frame.schema:
                    raise RuleProblem(_missing(column, frame.schema))
                outcome = handler(self, rule, frame.get_column(column).alias(V))
        except RuleProblem as problem:
            return make(dq.RuleStatus.ERROR, f"rule {rule.id!r} ({check}): {problem}")
        except RuleUnsupported as reason:
            return make(dq.RuleStatus.UNSUPPORTED, f"rule {rule.id!r} ({check}): {reason}")
        except Exception as exc:
            if not _raised_by_library(exc):
                raise  # a bug in this adapter: let it crash, never disguise it as a rule error
            # truthound or polars refused this rule on this data
            return make(
                dq.RuleStatus.ERROR,
                f"rule {rule.id!r} ({check}): cannot evaluate: "
                f"{type(exc).__name__}: {_polars_message(exc)}",
            )

        if check in TABLE_CHECKS:
            passed = outcome.failed == 0
        else:
            passed = dq.rule_passes(outcome.failed, outcome.element, rule.mostly)
        samples: tuple[Any, ...] = ()
        if outcome.failed and sample_size and outcome.mask is not None:
            samples = self._samples(outcome, sample_size)
        return make(
            dq.RuleStatus.PASSED if passed else dq.RuleStatus.FAILED,
            outcome.message,
            failed_count=outcome.failed,
            element_count=outcome.element,
            samples=samples,
            approximate=outcome.approximate,
        )

    @staticmethod
    def _samples(outcome: Outcome, limit: int) -> tuple[Any, ...]:
        """Up to *limit* distinct failing values, in order of first appearance."""
        assert outcome.frame is not None and outcome.mask is not None
        shown = outcome.shown if outcome.shown is not None else pl.col(V)
        values = (
            outcome.frame.lazy()
            .filter(outcome.mask.fill_null(False))
            .select(shown.alias("__dq_sample"))
            .unique(maintain_order=True)
            .head(limit)
            .collect()
            .get_column("__dq_sample")
            .to_list()
        )
        return tuple(_scalar(v) for v in values)

    # -- one handler per check ---------------------------------------------------------

    def _check_not_null(self, rule: dq.NotNull, s: pl.Series) -> Outcome:
        """truthound's count (``null_count``) is dq's; NaN is not null in both."""
        frame = s.to_frame()
        issues = _run(self.th.NotNullValidator(columns=(V,), **_COMMON), frame.lazy())
        failed = _count(issues)
        return Outcome(failed, frame.height, f"{failed} of {frame.height} rows are null")

    def _check_unique(self, rule: dq.Unique, s: pl.Series) -> Outcome:
        """truthound counts extra occurrences (non-null count minus ``n_unique``, which
        counts null as a value); dq counts every row of a duplicate group. The first
        cannot give the second, so dq's count is computed from the frame (exact)."""
        frame = s.to_frame()
        issues = _run(self.th.UniqueValidator(columns=(V,), **_COMMON), frame.lazy())
        x = pl.col(V)
        mask = x.is_duplicated() & x.is_not_null()
        row = frame.select(mask.sum().alias("f"), x.count().alias("e")).row(0)
        failed, element = int(row[0]), int(row[1])
        return Outcome(
            failed,
            element,
            f"{failed} of {element} non-null rows hold a repeated value "
            f"(truthound's unique validator reports {_count(issues)} extra occurrences; "
            "dq counts every row of a duplicate group)",
            frame,
            mask,
        )

    def _check_between(self, rule: dq.Between, s: pl.Series) -> Outcome:
        """truthound's between validator: one run when both bounds share inclusivity,
        else one run per bound (disjoint failures, summed). polars orders NaN above
        +inf, so truthound counts NaN only through an upper bound; without one, dq's
        NaN failures are counted from the frame (exact)."""
        dtype = s.dtype
        if not any(dtype == t for t in self.th.NUMERIC_TYPES):
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
            validator = self.th.BetweenValidator(
                min_value=low, max_value=high, inclusive=inclusive, columns=(V,), **_COMMON
            )
            failed += _count(_run(validator, lf))
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
        bounds = f"{low}{_bound(rule.min, '-inf')}, {_bound(rule.max, 'inf')}{high}"
        return Outcome(
            failed,
            element,
            f"{failed} of {element} non-null values are outside {bounds} or NaN",
            frame,
            (outside | nan) & x.is_not_null(),
        )

    def _check_regex(self, rule: dq.Regex, s: pl.Series) -> Outcome:
        """truthound's regex validator, given the pattern already anchored as dq wants
        (``^(?:…)$``, no dotall). It skips empty and blank strings: those that fail
        are counted from the frame (exact). Its early-termination sampling above
        50,000 rows is switched off unless ``exact_regex = false``. Validity is
        decided in the Rust dialect (polars), not by truthound's Python-``re`` check."""
        frame = self._string_frame(rule, s)
        anchored = f"^(?:{rule.pattern})$"
        for candidate in (rule.pattern, anchored):  # the Rust dialect decides validity
            try:
                pl.select(pl.lit("", dtype=pl.String).str.contains(candidate))
            except pl.exceptions.PolarsError as exc:
                raise RuleProblem(
                    f"invalid regex {rule.pattern!r}: {_polars_message(exc)}"
                ) from exc
        validator = self.th.RegexValidator(
            pattern=anchored, match_full=False, dotall=False, columns=(V,), **_COMMON
        )
        sampling_off = hasattr(validator, "early_termination_min_rows")
        if self.config.exact_regex and sampling_off:
            validator.early_termination_min_rows = sys.maxsize
        issues = _run(validator, frame.lazy())
        x = pl.col(V)
        mask = x.str.contains(anchored).not_() & x.is_not_null()
        blank = x.str.strip_chars() == ""
        row = frame.select((mask & blank).sum().alias("b"), x.count().alias("e")).row(0)
        failed = _count(issues) + int(row[0])
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

    def _check_in_set(self, rule: dq.InSet, s: pl.Series) -> Outcome:
        """truthound's in_set validator (``is_in``, nulls ignored), given the values
        typed like the column; NaN is in the set only if the set holds NaN."""
        members, frame = self._members(rule, s)
        # A plain list: polars deprecates ``is_in`` with a Series of the column's type.
        validator = self.th.InSetValidator(members.to_list(), columns=(V,), **_COMMON)
        issues = _run(validator, frame.lazy())
        failed = _count(issues)
        element = frame.get_column(V).count()
        x = pl.col(V)
        return Outcome(
            failed,
            element,
            f"{failed} of {element} non-null values are not in the set",
            frame,
            x.is_in(members.implode()).not_() & x.is_not_null(),
        )

    def _check_length(self, rule: dq.MaxLength | dq.MinLength, s: pl.Series) -> Outcome:
        """truthound's length validator counts characters (``len_chars``), nulls ignored."""
        frame = self._string_frame(rule, s)
        is_max = rule.check == "max_length"
        bound = {"max_length" if is_max else "min_length": rule.length}
        issues = _run(self.th.LengthValidator(**bound, columns=(V,), **_COMMON), frame.lazy())
        failed = _count(issues)
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

    def _check_expression(self, rule: dq.Expression, frame: pl.DataFrame) -> Outcome:
        """truthound's custom-expression validator on the polars-SQL expression; it
        sums ``~expr``, so null results are ignored, as dq's rule says."""
        try:
            expr = pl.sql_expr(rule.expression)
            probe = frame.head(0).lazy().select(expr.alias("__dq_probe")).collect()
        except Exception as exc:
            raise RuleProblem(
                f"cannot evaluate expression {rule.expression!r}: {_polars_message(exc)}"
            ) from exc
        dtype = probe.schema["__dq_probe"]
        if dtype != pl.Boolean:
            raise RuleProblem(f"expression {rule.expression!r} gives {dtype}, not a Boolean")
        if probe.height != 0:
            raise RuleProblem(
                f"expression {rule.expression!r} aggregates the table; it must be a row condition"
            )
        validator = self.th.CustomExpressionValidator(
            filter_expr=expr, description=rule.expression, **_COMMON
        )
        failed = _count(_run(validator, frame.lazy()))
        element = int(frame.select(expr.is_not_null().sum()).item())
        numbered = frame.with_row_index(ROW)
        return Outcome(
            failed,
            element,
            f"{failed} of {element} rows (with a non-null result) fail {rule.expression!r}",
            numbered,
            expr.not_(),
            pl.col(ROW),
        )

    def _check_row_count(self, rule: dq.RowCount, frame: pl.DataFrame) -> Outcome:
        issues = _run(
            self.th.RowCountValidator(min_count=rule.min, max_count=rule.max, **_COMMON),
            frame.lazy(),
        )
        bounds = f"[{_bound(rule.min, '0')}, {_bound(rule.max, 'inf')}]"
        failed = int(bool(issues))
        verdict = "outside" if failed else "within"
        return Outcome(failed, 1, f"the table has {frame.height} rows, {verdict} {bounds}")

    def _check_column_exists(self, rule: dq.ColumnExists, frame: pl.DataFrame) -> Outcome:
        issues = _run(self.th.ColumnExistsValidator(columns=[rule.column], **_COMMON), frame.lazy())
        if issues:
            return Outcome(1, 1, _missing(rule.column, frame.schema))
        return Outcome(0, 1, f"column {rule.column!r} is present")

    def _check_dtype(self, rule: dq.DType, frame: pl.DataFrame) -> Outcome:
        """truthound's column-type validator compares polars type classes, so
        ``Datetime`` matches any unit and zone and ``Utf8`` is ``String``. A fully
        written type (``Datetime(time_unit='ms', time_zone=None)``) must also match
        polars' own spelling of the column's type."""
        if rule.column not in frame.schema:
            raise RuleProblem(_missing(rule.column, frame.schema))
        base = rule.dtype.split("(", 1)[0].strip()
        expected = getattr(pl, base, None)
        if not (isinstance(expected, type) and issubclass(expected, pl.DataType)):
            raise RuleProblem(f"unknown polars dtype {rule.dtype!r}")
        issues = _run(
            self.th.ColumnTypeValidator(expected_types={rule.column: expected}, **_COMMON),
            frame.lazy(),
        )
        actual = frame.schema[rule.column]
        ok = not issues and ("(" not in rule.dtype or str(actual) == rule.dtype)
        message = f"column {rule.column!r} is {actual}" + ("" if ok else f", expected {rule.dtype}")
        return Outcome(int(not ok), 1, message)

    _HANDLERS: dict[str, Callable[..., Outcome]] = {
        "not_null": _check_not_null,
        "unique": _check_unique,
        "between": _check_between,
        "regex": _check_regex,
        "in_set": _check_in_set,
        "max_length": _check_length,
        "min_length": _check_length,
        "expression": _check_expression,
        "row_count": _check_row_count,
        "column_exists": _check_column_exists,
        "dtype": _check_dtype,
    }

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _string_frame(rule: Any, s: pl.Series) -> pl.DataFrame:
        """The column as String (truthound's string validators skip Categorical/Enum)."""
        if not _is_string(s.dtype):
            raise RuleProblem(
                f"{rule.check} needs a String column, but {rule.column!r} is {s.dtype}"
            )
        return (s if s.dtype == pl.String else s.cast(pl.String)).to_frame()

    @staticmethod
    def _members(rule: dq.InSet, s: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
        """The set's values typed like the column (polars refuses ``is_in`` across types)."""
        values = list(rule.values)
        dtype = s.dtype

        def require(ok: Callable[[object], bool], kind: str) -> None:
            wrong = [v for v in values if not ok(v)]
            if wrong:
                shown = ", ".join(repr(v) for v in wrong[:5])
                raise RuleProblem(
                    f"in_set values must be {kind} for column {rule.column!r} ({dtype}); "
                    f"got {shown}"
                )

        if _is_string(dtype):
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


def _bound(value: float | None, open_end: str) -> str:
    return open_end if value is None else repr(value)


def _beyond_translation(rule: dq.Rule, schema: pl.Schema) -> tuple[dq.RuleStatus, str] | None:
    """Rule shapes of dq-core 1.3 that dq-truthound does not translate: (status, why) or None."""
    column = getattr(rule, "column", None)
    dtype = str(schema[column]) if column is not None and column in schema else None
    return dq.unsupported_1_3_shape(rule, dtype, engine="dq-truthound")
