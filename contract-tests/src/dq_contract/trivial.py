"""TrivialEngine: the smallest honest engine, one polars query per rule.

It exists to prove the contract can be passed (tests/test_trivial_engine.py runs the whole
:class:`~dq_contract.engine.EngineContract` against it) and to be the base that the
deliberately broken engines in the tests subclass, each breaking one method. It is also a
readable starting point for an engine author: every pinned subtlety of docs/rules.md shows up
as an explicit term in an expression (``is_nan`` in ``between``, ``len_chars`` not
``len_bytes``, the ``^(?:...)$`` wrapping for ``regex``...).

Unlike the oracle (:mod:`dq_contract.reference`, plain Python) this is polars expressions,
so running the contract against it is a real differential test of the two.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import attrs
import dq
import polars as pl

from dq_contract.reference import TABLE_LEVEL_CHECKS, dtype_matches, reference_kind, rule_passes
from dq_contract.reference_table import NEW_TABLE_CHECKS

_STRING_CHECKS = frozenset({"regex", "max_length", "min_length"})
#: polars 2 wants ``is_in`` against an imploded list (a bare Series is deprecated there),
#: polars 1.2x cannot broadcast one; the contract supports both (``polars>=1.20``).
_IMPLODE_IS_IN = int(pl.__version__.split(".")[0]) >= 2


class RuleFault(Exception):
    """This rule cannot be evaluated on this frame (reported as an ERROR result)."""


class TrivialEngine:
    """A correct, unoptimised engine satisfying :class:`dq.protocols.Engine`.

    ``supported_checks`` may be narrowed to exercise how the contract treats an engine that
    declares fewer checks (those tests are skipped, and the rules come back UNSUPPORTED).
    """

    name = "trivial"
    streams = False
    #: Its results carry ``sample_rows`` (key values or row numbers): the contract compares
    #: them with the oracle's. An engine that cannot locate rows leaves this out.
    locates_rows = True

    def __init__(self, supported_checks: Iterable[str] | None = None) -> None:
        self.supported_checks: frozenset[str] = frozenset(
            dq.CHECKS if supported_checks is None else supported_checks
        )

    # -- protocol -----------------------------------------------------------------------

    def check(self, data: pl.DataFrame | pl.LazyFrame, rules: dq.RuleSet) -> dq.CheckResult:
        frame = data.collect() if isinstance(data, pl.LazyFrame) else data
        key = tuple(getattr(rules, "key", ()))
        results = tuple(
            self.located(frame, rule, self.rule_result(frame, rule, rules.sample_size), rules)
            for rule in rules.rules
        )
        return dq.CheckResult(
            status=dq.run_status(results, rules.gate),
            engine=self.name,
            results=results,
            row_count=frame.height,
            key=key,
        )

    def located(
        self, frame: pl.DataFrame, rule: Any, result: dq.RuleResult, rules: dq.RuleSet
    ) -> dq.RuleResult:
        """*result* with its first failing rows: key values (``rules.key``) or row numbers."""
        if not result.failed_count or rules.sample_size <= 0 or rule.check in TABLE_LEVEL_CHECKS:
            return result
        if result.status not in (dq.RuleStatus.PASSED, dq.RuleStatus.FAILED):
            return result
        judged_frame, judged, fails, value = self.row_terms(frame, rule)
        bad = judged_frame.select((judged & fails).fill_null(False)).to_series()
        single = rule.check != "expression" and getattr(rule, "column", None) is not None
        values = judged_frame.select(value).to_series() if value is not None and single else None
        key = tuple(getattr(rules, "key", ()))
        rows = []
        for i in bad.arg_true().head(rules.sample_size).to_list():
            shown = None if values is None else dq.json_scalar(values[i])
            if key:
                keyed = tuple(dq.json_scalar(frame.get_column(name)[i]) for name in key)
                rows.append(dq.SampleRow(value=shown, key=keyed))
            else:
                rows.append(dq.SampleRow(value=shown, row=i))
        return attrs.evolve(result, sample_rows=tuple(rows))

    def profile(self, data: pl.DataFrame | pl.LazyFrame) -> dq.Profile:
        frame = data.collect() if isinstance(data, pl.LazyFrame) else data
        columns = tuple(
            dq.ColumnProfile(
                name=s.name,
                dtype=str(s.dtype),
                count=s.len() - s.null_count(),
                null_count=s.null_count(),
            )
            for s in frame.iter_columns()
        )
        return dq.Profile(row_count=frame.height, columns=columns)

    def learn(self, data: pl.DataFrame | pl.LazyFrame) -> dq.RuleSet:
        frame = data.collect() if isinstance(data, pl.LazyFrame) else data
        return dq.RuleSet(
            rules=tuple(
                dq.NotNull(id=f"{s.name}_not_null", column=s.name)
                for s in frame.iter_columns()
                if s.null_count() == 0
            )
        )

    # -- one rule -----------------------------------------------------------------------

    def rule_result(self, frame: pl.DataFrame, rule: Any, sample_size: int) -> dq.RuleResult:
        base = {
            "rule_id": rule.id,
            "check": rule.check,
            "column": getattr(rule, "column", None),
            "severity": rule.severity,
        }
        if rule.check not in self.supported_checks or rule.check not in dq.CHECKS:
            return dq.RuleResult(
                **base,
                status=dq.RuleStatus.UNSUPPORTED,
                message=f"rule {rule.id}: {self.name} does not support {rule.check!r}",
            )
        try:
            if rule.check in TABLE_LEVEL_CHECKS:
                failed, element, samples = self.table_level(frame, rule), 1, ()
                message = f"{rule.check}: {self.observed(frame, rule)}"
            else:
                failed, element, samples = self.row_level(frame, rule, sample_size)
                message = f"{failed} of {element} rows failed"
        except (RuleFault, pl.exceptions.PolarsError) as exc:
            return dq.RuleResult(
                **base, status=dq.RuleStatus.ERROR, message=f"rule {rule.id}: {exc}"
            )
        ok = rule_passes(rule, failed, element)
        return dq.RuleResult(
            **base,
            status=dq.RuleStatus.PASSED if ok else dq.RuleStatus.FAILED,
            failed_count=failed,
            element_count=element,
            message=message,
            samples=samples,
        )

    def table_level(self, frame: pl.DataFrame, rule: Any) -> int:
        """1 if the table fails the table-level *rule*, else 0."""
        if rule.check in NEW_TABLE_CHECKS:
            return self.judged_table(frame, rule).failed_count
        if rule.check == "row_count":
            n = frame.height
            return int(
                (rule.min is not None and n < rule.min) or (rule.max is not None and n > rule.max)
            )
        if rule.check == "column_exists":
            return int(rule.column not in frame.columns)
        self.require_column(frame, rule)
        return int(not dtype_matches(frame.schema[rule.column], rule.dtype))

    def judged_table(self, frame: pl.DataFrame, rule: Any) -> dq.RuleResult:
        """freshness, schema and the statistics: polars computes, dq-core judges."""
        if rule.check == "schema":
            return dq.schema_result(rule, {n: str(t) for n, t in frame.schema.items()})
        self.require_column(frame, rule)
        series = frame.get_column(rule.column)
        if rule.check == "freshness":
            if not (series.dtype == pl.Date or isinstance(series.dtype, pl.Datetime)):
                raise RuleFault(f"freshness needs a Date or Datetime column, not {series.dtype}")
            return dq.freshness_result(rule, series.max(), datetime.now(UTC))
        if not series.dtype.is_numeric():
            raise RuleFault(f"{rule.check} needs a numeric column, not {series.dtype}")
        values = series.drop_nulls().cast(pl.Float64)
        if rule.check == "mean":
            value = values.mean()
        elif rule.check == "stddev":
            value = values.std(ddof=1)
        else:
            value = values.quantile(rule.quantile, interpolation="linear")
        non_finite = int((~values.is_finite()).sum())
        return dq.statistic_result(rule, value, values=values.len(), non_finite=non_finite)

    def observed(self, frame: pl.DataFrame, rule: Any) -> str:
        if rule.check in NEW_TABLE_CHECKS:
            return self.judged_table(frame, rule).message
        if rule.check == "row_count":
            return f"{frame.height} rows"
        if rule.check == "dtype":
            return f"{rule.column!r} is {frame.schema[rule.column]}"
        return f"{rule.column!r} is {'present' if rule.column in frame.columns else 'missing'}"

    def row_level(
        self, frame: pl.DataFrame, rule: Any, sample_size: int
    ) -> tuple[int, int, tuple[Any, ...]]:
        """(failed, element, samples) from one select: judged rows, failing rows, values."""
        frame, judged, fails, value = self.row_terms(frame, rule)
        out = frame.select(judged.alias("judged"), (judged & fails).fill_null(False).alias("bad"))
        element, failed = int(out["judged"].sum()), int(out["bad"].sum())
        samples: tuple[Any, ...] = ()
        if value is not None and sample_size > 0 and failed:
            bad_values = frame.filter(out["bad"]).select(value.alias("v"))
            distinct = bad_values.unique(maintain_order=True).head(sample_size)["v"]
            samples = tuple(dq.json_scalar(v) for v in distinct)
        return failed, element, samples

    def row_terms(
        self, frame: pl.DataFrame, rule: Any
    ) -> tuple[pl.DataFrame, pl.Expr, pl.Expr, pl.Expr | None]:
        """(frame, judged, fails, value) of a row-level rule, one row per data row."""
        if rule.check == "expression":
            ok = pl.sql_expr(rule.expression)
            out = frame.select(ok.alias("ok"))
            if out.height != frame.height or out.schema["ok"] not in (pl.Boolean, pl.Null):
                raise RuleFault(f"expression {rule.expression!r} is not a row-level boolean")
            judged, fails, value = pl.col("ok").is_not_null(), ~pl.col("ok"), None
            frame = out
        elif rule.check == "unique" and rule.columns:
            for name in rule.columns:
                if name not in frame.columns:
                    raise RuleFault(f"unknown column {name!r}")
            key = [pl.col(name) for name in rule.columns]
            # all-null rows are not judged; otherwise null equals null (rules.md)
            judged = pl.any_horizontal([k.is_not_null() for k in key])
            fails, value = pl.struct(key).is_duplicated(), None
        else:
            self.require_column(frame, rule)
            col = pl.col(rule.column)
            judged = pl.lit(True) if rule.check == "not_null" else col.is_not_null()
            fails = self.fails(frame, rule, col)
            value = None if rule.check == "not_null" else col
        return frame, judged, fails, value

    def fails(self, frame: pl.DataFrame, rule: Any, col: pl.Expr) -> pl.Expr:
        """The per-row failure condition of *rule* (only read on judged rows)."""
        dtype = frame.schema[rule.column]
        if rule.check == "not_null":
            return col.is_null()
        if rule.check == "unique":
            return col.is_duplicated()
        if rule.check == "between":
            problem = dq.between_bounds_problem(rule, str(dtype))
            if problem:  # numbers for numbers, dates for dates ... (rules.md)
                raise RuleFault(problem)
            low, high = rule.min, rule.max
            if getattr(dtype, "time_zone", None):  # aware: the same instants in its zone
                zone = pl.Datetime("us", dtype.time_zone)  # type: ignore[attr-defined]
                low = None if low is None else pl.lit(low).cast(zone)
                high = None if high is None else pl.lit(high).cast(zone)
            bad = col.is_nan() if dtype.is_float() else pl.lit(False)
            if low is not None:
                bad = bad | (col < low if rule.min_inclusive else col <= low)
            if high is not None:
                bad = bad | (col > high if rule.max_inclusive else col >= high)
            return bad
        if rule.check == "in_set":
            wanted = pl.Series(list(rule.values), dtype=dtype, strict=False)
            return ~col.is_in(pl.lit(wanted).implode() if _IMPLODE_IS_IN else wanted)
        if rule.check == "regex":
            # The pattern alone must compile: anchoring can mend a broken one (`a)|(b`)
            # into a different regex, which must be an error, not a verdict.
            pl.select(pl.lit("", dtype=pl.String).str.contains(rule.pattern))
            return ~col.str.contains(f"^(?:{rule.pattern})$")
        if rule.check == "max_length":
            return col.str.len_chars() > rule.length
        if rule.check == "min_length":
            return col.str.len_chars() < rule.length
        if rule.check == "reference":
            keys = self.reference_keys(rule, dtype)
            return ~col.cast(keys.dtype).is_in(keys.implode())
        raise RuleFault(f"no implementation for {rule.check!r}")  # pragma: no cover

    def reference_keys(self, rule: Any, dtype: pl.DataType) -> pl.Series:
        """The non-null values of the reference column (dq-core bound the dataset), in the
        checked column's type: text as String, numbers as Float64 on both sides."""
        try:
            other = dq.reference_data(rule).collect()
        except dq.DqError as exc:
            raise RuleFault(str(exc)) from None
        target = rule.dataset_column or rule.column
        if target not in other.columns:
            raise RuleFault(f"unknown column {target!r} in reference dataset {rule.dataset!r}")
        keys = other.get_column(target).drop_nulls()
        kind = reference_kind(dtype)
        if kind != reference_kind(keys.dtype) or kind.startswith("other"):
            raise RuleFault(f"{dtype} cannot be compared with {keys.dtype}")
        if kind == "text":
            return keys.cast(pl.String)
        return keys.cast(dtype if kind != "number" else pl.Float64)

    def require_column(self, frame: pl.DataFrame, rule: Any) -> None:
        if rule.column not in frame.columns:
            raise RuleFault(f"unknown column {rule.column!r}")
        dtype = frame.schema[rule.column]
        if rule.check in _STRING_CHECKS and dtype != pl.String:
            raise RuleFault(f"{rule.check} needs a String column, {rule.column!r} is {dtype}")
