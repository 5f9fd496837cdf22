"""The Engine: dq rules -> GX expectations -> GX results -> dq RuleResults.

GX has no polars engine, so a check goes: collect the (Lazy)Frame, convert the
columns the rules need to pandas, validate ONE expectation suite against it with
an ephemeral GX context (nothing is written anywhere), then convert GX's counts
to dq's. Where GX's semantics differ from dq's pinned ones (docs/rules.md) the
adapter corrects them exactly, from the polars frame it still holds:

* **NaN.** pandas (so GX) treats NaN as missing; dq treats it as a value. GX's
  ``missing_count`` is nulls + NaNs, so with the column's NaN count ``k`` (from
  polars, where NaN and null stay distinct):

  - ``not_null``: GX fails NaN rows too -> ``failed = unexpected - k``;
  - ``between``: GX skips NaN; dq fails it -> ``elements += k``, ``failed += k``;
  - ``in_set``: same, unless the set holds NaN (then NaN rows pass);
  - ``unique``: GX skips NaN; dq treats NaNs as equal -> ``elements += k`` and,
    when ``k >= 2``, every NaN row fails -> ``failed += k``.

* **Integers with nulls.** polars->pandas would turn them into float64 (2**53 and
  2**53 + 1 would then be "duplicates"); they become pandas nullable integers.
* **Regex.** anchored for a full match, Rust-validated, Python-compiled (see
  ``_regex``), and run on Python-storage strings so pandas cannot hand the pattern
  to pyarrow's RE2 (pandas >= 3 does that for its default string dtype).
* **mostly.** GX's verdict (``success``) is ignored: dq's ``mostly`` is applied to
  the corrected counts, and GX runs every expectation with its default mostly=1.
* **dtype.** GX only sees pandas dtypes, so ``dtype`` is decided from the polars
  schema (exact); ``expression`` (polars SQL) has no GX counterpart: UNSUPPORTED.

Samples come from GX's ``partial_unexpected_index_list`` (row positions, result
format SUMMARY with ``partial_unexpected_count = sample_size * 20``), merged with
the first NaN row where NaN fails, and read back from the polars column so they
keep polars' Python types; when that window is truncated and holds too few
distinct values, the rules concerned are re-validated with result format
COMPLETE, so samples are always the first ``sample_size`` distinct failing values.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import attrs
import dq
import polars as pl

from dq_great_expectations import _regex
from dq_great_expectations._config import GxConfig
from dq_great_expectations._errors import GxEngineError, NotProvidedByGx

ENGINE_NAME = "gx"
#: Value checks (nulls are neither counted nor failed): dq's, less ``expression``.
VALUE_CHECKS = dq.NULL_IGNORING_CHECKS - {"expression"}
TABLE_CHECKS = frozenset({"row_count", "dtype", "column_exists"})
SUPPORTED_CHECKS = frozenset(VALUE_CHECKS | TABLE_CHECKS | {"not_null"})
_UNSUPPORTED_WHY = {
    "expression": "GX has no counterpart of dq's polars-SQL row expressions",
}
#: How many failing rows GX reports per rule to find ``sample_size`` distinct values.
_SAMPLE_READ_FACTOR = 20
_META_KEY = "dq_rule_index"
#: Integers up to this magnitude are exact as float64.
_EXACT_FLOAT_INT = 2**53


class RuleProblem(Exception):
    """A rule that cannot be evaluated on this data; becomes an ERROR result."""


# -- results -------------------------------------------------------------------------------


def error_result(rule: dq.Rule, problem: str) -> dq.RuleResult:
    """An ERROR result whose message names the rule, so a user finds it in the file."""
    return dq.make_result(rule, dq.RuleStatus.ERROR, f"rule {rule.id!r} ({rule.check}): {problem}")


def unsupported_result(rule: dq.Rule, why: str) -> dq.RuleResult:
    return dq.make_result(
        rule,
        dq.RuleStatus.UNSUPPORTED,
        f"rule {rule.id!r} ({rule.check}): dq-great-expectations cannot evaluate it: {why}",
    )


# -- the plan: one GX expectation per rule that needs the data ------------------------------


@dataclass(frozen=True, slots=True)
class Planned:
    """A rule sent to GX, and how to turn GX's answer back into dq's."""

    index: int
    rule: dq.Rule
    #: ``gxe`` (the ``great_expectations.expectations`` module) -> an expectation.
    build: Callable[[Any], Any]
    #: How NaN rows of the column count for dq (see the module docstring).
    nan: str = "none"  # none | not_null | fail | unique | member
    approximate: tuple[str, ...] = ()

    @property
    def column(self) -> str | None:
        return getattr(self.rule, "column", None)


def _missing(name: str, schema: pl.Schema) -> str:
    names = list(schema)
    shown = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
    return f"column {name!r} not found; the data has {shown or 'no columns'}"


def _is_string(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def _meta(index: int) -> dict[str, Any]:
    return {_META_KEY: index}


def _plan(index: int, rule: dq.Rule, schema: pl.Schema) -> Planned | dq.RuleResult:
    """Turn *rule* into a GX expectation, or decide it from the schema alone."""
    check = rule.check
    meta = _meta(index)
    if check not in SUPPORTED_CHECKS:
        return unsupported_result(rule, _UNSUPPORTED_WHY.get(check, f"unknown check {check!r}"))
    beyond = _beyond_translation(rule, schema)
    if beyond is not None:
        status, why = beyond
        return dq.make_result(rule, status, f"rule {rule.id!r} {why}")
    if isinstance(rule, dq.RowCount):
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectTableRowCountToBeBetween(
                min_value=rule.min, max_value=rule.max, meta=meta
            ),
        )
    name: str = rule.column  # type: ignore[union-attr]
    if isinstance(rule, dq.ColumnExists):
        return Planned(index, rule, lambda gxe: gxe.ExpectColumnToExist(column=name, meta=meta))
    if name not in schema:
        raise RuleProblem(_missing(name, schema))
    dtype = schema[name]
    if isinstance(rule, dq.DType):
        return _dtype_result(rule, dtype)
    floating = dtype.is_float()
    if isinstance(rule, dq.NotNull):
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectColumnValuesToNotBeNull(column=name, meta=meta),
            nan="not_null" if floating else "none",
        )
    if isinstance(rule, dq.Unique):
        if dtype.is_nested() or dtype == pl.Object:
            return unsupported_result(
                rule, f"GX (pandas) cannot compare {dtype} values for duplicates"
            )
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectColumnValuesToBeUnique(column=name, meta=meta),
            nan="unique" if floating else "none",
        )
    if isinstance(rule, dq.Between):
        if not dtype.is_numeric():
            raise RuleProblem(f"between needs a numeric column, but {name!r} is {dtype}")
        huge = [
            b
            for b in (rule.min, rule.max)
            if b is not None and math.isfinite(b) and abs(b) > _EXACT_FLOAT_INT
        ]
        approximate = (
            (f"bound {huge[0]!r} lies beyond 2**53; GX/pandas compares it as a float",)
            if huge and dtype.is_integer()
            else ()
        )
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectColumnValuesToBeBetween(
                column=name,
                min_value=rule.min,
                max_value=rule.max,
                strict_min=not rule.min_inclusive,
                strict_max=not rule.max_inclusive,
                meta=meta,
            ),
            nan="fail" if floating else "none",
            approximate=approximate,
        )
    if isinstance(rule, dq.Regex):
        _require_string(rule, dtype)
        prepared = _regex.prepare(rule.pattern)
        if prepared.error:
            raise RuleProblem(prepared.error)
        if prepared.unsupported:
            return unsupported_result(rule, prepared.unsupported)
        python = prepared.python
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectColumnValuesToMatchRegex(column=name, regex=python, meta=meta),
            approximate=tuple(f"regex dialect: {r}" for r in prepared.approximate),
        )
    if isinstance(rule, dq.InSet):
        values, nan_member = _in_set_values(rule, dtype)
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectColumnValuesToBeInSet(column=name, value_set=values, meta=meta),
            nan=("member" if nan_member else "fail") if floating else "none",
        )
    if isinstance(rule, dq.MaxLength | dq.MinLength):
        _require_string(rule, dtype)
        bounds = (
            {"max_value": rule.length}
            if isinstance(rule, dq.MaxLength)
            else {"min_value": rule.length}
        )
        return Planned(
            index,
            rule,
            lambda gxe: gxe.ExpectColumnValueLengthsToBeBetween(column=name, meta=meta, **bounds),
        )
    raise AssertionError(f"unhandled supported check {check!r}")  # pragma: no cover


def _require_string(rule: dq.Rule, dtype: pl.DataType) -> None:
    if not _is_string(dtype):
        column = getattr(rule, "column", None)
        raise RuleProblem(f"{rule.check} needs a String column, but {column!r} is {dtype}")


def _in_set_values(rule: dq.InSet, dtype: pl.DataType) -> tuple[list[Any], bool]:
    """The set typed like the column (as dq-polars does), and whether it holds NaN.

    A list of the wrong kind for the column (numbers for a String column) is a
    RuleProblem, as it is surely a mistake; for an integer column, non-integral
    numbers can equal no value and are dropped.
    """
    values = list(rule.values)

    def require(ok: Callable[[object], bool], kind: str) -> None:
        wrong = [v for v in values if not ok(v)]
        if wrong:
            shown = ", ".join(repr(v) for v in wrong[:5])
            raise RuleProblem(
                f"in_set values must be {kind} for column {rule.column!r} ({dtype}); got {shown}"
            )

    if _is_string(dtype):
        require(lambda v: isinstance(v, str), "strings")
        return values, False
    if dtype == pl.Boolean:
        require(lambda v: isinstance(v, bool), "booleans")
        return values, False
    if dtype.is_integer() or dtype.is_float():
        require(lambda v: isinstance(v, int | float) and not isinstance(v, bool), "numbers")
        nan_member = any(isinstance(v, float) and math.isnan(v) for v in values)
        numbers = [v for v in values if not (isinstance(v, float) and math.isnan(v))]
        if dtype.is_integer():
            integral = [int(v) for v in numbers if isinstance(v, int) or float(v).is_integer()]
            # a value the column's type cannot hold can equal no value of it
            return [v for v in integral if _fits(v, dtype)], False
        if dtype == pl.Float32:
            # compare as polars does, in the column's precision (0.1 means float32(0.1));
            # the column itself reaches pandas widened, exactly, to float64
            members = pl.Series(numbers, dtype=pl.Float64).cast(pl.Float32).cast(pl.Float64)
            return [float(v) for v in members.to_list()], nan_member
        return [float(v) for v in numbers], nan_member
    raise RuleProblem(
        f"in_set needs a String, Boolean or numeric column, but {rule.column!r} is {dtype}"
    )


def _fits(value: int, dtype: pl.DataType) -> bool:
    try:
        return pl.Series([value], dtype=pl.Int128).cast(dtype, strict=False).null_count() == 0
    except (pl.exceptions.PolarsError, OverflowError, ValueError):
        return False


def _dtype_result(rule: dq.DType, dtype: pl.DataType) -> dq.RuleResult:
    """Decided from the polars schema: GX only sees the pandas dtypes after conversion.

    Matches the full name (``Datetime(time_unit='us', time_zone=None)``) or the base
    name (``Datetime``: any unit and zone); ``Utf8`` means ``String``.
    """
    actual = str(dtype)
    wanted = "String" if rule.dtype == "Utf8" else rule.dtype
    ok = wanted in {actual, dtype.base_type().__name__}
    message = f"column {rule.column!r} is {actual}" + ("" if ok else f", expected {rule.dtype}")
    status = dq.RuleStatus.PASSED if ok else dq.RuleStatus.FAILED
    return dq.make_result(rule, status, message, failed_count=int(not ok), element_count=1)


# -- GX, loaded on first use -----------------------------------------------------------------


def _import_gx() -> tuple[Any, Any, Any]:
    """Import great_expectations quietly, with its analytics off; returns (gx, gxe, pandas)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    logger = logging.getLogger("great_expectations")
    if logger.level == logging.NOTSET:  # leave a level the user chose alone
        logger.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
        import great_expectations.expectations as gxe
        import pandas as pd
    return gx, gxe, pd


class _Gx:
    """One ephemeral GX context with a pandas data source, reused for every check."""

    def __init__(self) -> None:
        self.gx, self.gxe, self.pd = _import_gx()
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        with self.quiet():
            # In memory only, and no data-docs site (which would claim a temp directory).
            config = DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
            )
            context = self.gx.get_context(mode="ephemeral", project_config=config)
            context.variables.progress_bars = ProgressBarsConfig(
                globally=False, metric_calculations=False
            )
            asset = context.data_sources.add_pandas("dq").add_dataframe_asset("data")
            self.batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        self.context = context
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """No warnings from GX; strings stay Python objects so regexes run in Python ``re``."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                storage = self.pd.option_context("mode.string_storage", "python")
            except Exception:  # pragma: no cover - a pandas without the option
                storage = contextlib.nullcontext()
            with storage:
                yield

    def validate(
        self, frame: Any, planned: list[Planned], result_format: dict[str, Any]
    ) -> dict[int, Any]:
        """Validate *planned* as one suite; on a suite-level failure, one at a time.

        GX keeps one copy of equal expectations in a suite (two ``not_null`` rules on
        the same column with different severities, say), so rules that would build
        equal expectations share one, and its result is given to each of them.
        """
        shared: dict[str, list[int]] = {}
        representatives: list[Planned] = []
        for one in planned:
            key = _expectation_key(one.rule)
            if key not in shared:
                shared[key] = []
                representatives.append(one)
            shared[key].append(one.index)
        found = self._validate(frame, representatives, result_format)
        return {
            index: found.get(one.index)
            for one in representatives
            for index in shared[_expectation_key(one.rule)]
        }

    def _validate(
        self, frame: Any, planned: list[Planned], result_format: dict[str, Any]
    ) -> dict[int, Any]:
        with self.lock, self.quiet():
            batch = self.batch_definition.get_batch(batch_parameters={"dataframe": frame})
            try:
                return self._run(batch, planned, result_format)
            except Exception:  # noqa: BLE001 - isolate the expectation at fault below
                pass
            found: dict[int, Any] = {}
            for one in planned:
                try:
                    found.update(self._run(batch, [one], result_format))
                except Exception as exc:  # noqa: BLE001 - becomes that rule's ERROR
                    found[one.index] = exc
            return found

    def _run(self, batch: Any, planned: list[Planned], result_format: dict[str, Any]) -> dict:
        suite = self.gx.ExpectationSuite(name="dq")
        for one in planned:
            suite.add_expectation(one.build(self.gxe))
        validation = batch.validate(suite, result_format=result_format)
        return {r.expectation_config.meta[_META_KEY]: r for r in validation.results}

    # -- polars -> pandas ------------------------------------------------------------------

    def to_pandas(self, df: pl.DataFrame, columns: list[str]) -> tuple[Any, dict[str, str]]:
        """The columns as a pandas frame indexed by row position; failures by column."""
        pd = self.pd
        data: dict[str, Any] = {}
        failed: dict[str, str] = {}
        for name in columns:
            try:
                data[name] = self._series(df.get_column(name))
            except Exception as exc:  # noqa: BLE001 - becomes the column's rules' ERROR
                failed[name] = f"cannot convert column {name!r} to pandas for GX: {exc}"
        index = pd.RangeIndex(df.height)
        with self.quiet():
            frame = pd.DataFrame(
                {k: pd.Series(v, index=index, copy=False) for k, v in data.items()}, index=index
            )
        return frame, failed

    def _series(self, s: pl.Series) -> Any:
        pd = self.pd
        dtype = s.dtype
        if isinstance(dtype, pl.Categorical | pl.Enum):
            s, dtype = s.cast(pl.String), pl.String
        if dtype == pl.String:
            # Python objects: pandas runs regexes on them with `re`, lengths with len().
            return pd.array(s.to_numpy(), dtype=object)
        if dtype.is_integer() and dtype not in (pl.Int128, pl.UInt128):
            if s.null_count():
                # nullable integers: float64 would merge 2**53 and 2**53 + 1
                return pd.arrays.IntegerArray(s.fill_null(0).to_numpy(), s.is_null().to_numpy())
            return s.to_numpy()
        if dtype == pl.Float32:
            s = s.cast(pl.Float64)  # exact; in_set members are rounded to float32 instead
        if dtype.is_float() or dtype == pl.Boolean:
            return s.to_numpy()  # float nulls become NaN: corrected from polars' counts
        return s.to_pandas()


# -- the engine ------------------------------------------------------------------------------


class GxEngine:
    """Satisfies ``dq.protocols.Engine`` by running rules through Great Expectations."""

    supported_checks: frozenset[str] = SUPPORTED_CHECKS
    #: GX validates an in-memory pandas frame: a LazyFrame is collected whole.
    streams: bool = False

    def __init__(self, config: GxConfig) -> None:
        self.config = config
        self._gx: _Gx | None = None  # created on the first check: importing GX takes seconds
        self._init_lock = threading.Lock()

    def __repr__(self) -> str:
        return "GxEngine()"

    def _runtime(self) -> _Gx:
        with self._init_lock:
            if self._gx is None:
                self._gx = _Gx()
            return self._gx

    # -- check -------------------------------------------------------------------------

    def check(self, data: Any, rules: dq.RuleSet) -> dq.CheckResult:
        """Validate *data* against *rules*; rule problems become ERROR results, never raises."""
        started_at = datetime.now(UTC)
        clock = time.perf_counter()
        df = _collect(data)
        schema = df.schema

        results: dict[int, dq.RuleResult] = {}
        planned: list[Planned] = []
        for index, rule in enumerate(rules.rules):
            try:
                outcome = _plan(index, rule, schema)
            except RuleProblem as problem:
                outcome = error_result(rule, str(problem))
            if isinstance(outcome, Planned):
                planned.append(outcome)
            else:
                results[index] = outcome
        if planned:
            results.update(self._validate(df, planned, rules.sample_size))

        ordered = tuple(results[i] for i in range(len(rules.rules)))
        return dq.CheckResult(
            status=dq.run_status(ordered, rules.gate),
            engine=ENGINE_NAME,
            results=ordered,
            row_count=df.height,
            started_at=started_at,
            duration_seconds=time.perf_counter() - clock,
        )

    def _validate(
        self, df: pl.DataFrame, planned: list[Planned], sample_size: int
    ) -> dict[int, dq.RuleResult]:
        gx = self._runtime()
        # column_exists columns too: GX must see the column to say it exists
        columns = list(dict.fromkeys(p.column for p in planned if p.column in df.schema))
        frame, broken = gx.to_pandas(df, columns)
        out: dict[int, dq.RuleResult] = {}
        runnable = []
        for p in planned:
            if p.column in broken:
                out[p.index] = error_result(p.rule, broken[p.column])  # type: ignore[index]
            else:
                runnable.append(p)
        if not runnable:
            return out
        limit = sample_size * _SAMPLE_READ_FACTOR
        summary = {"result_format": "SUMMARY", "partial_unexpected_count": limit}
        raw = gx.validate(frame, runnable, summary)
        nans = _NanIndex(df)
        refine: list[Planned] = []
        for p in runnable:
            converted, needs_more = _convert(p, raw.get(p.index), df, nans, sample_size)
            out[p.index] = converted
            if needs_more:
                refine.append(p)
        if refine:  # the SUMMARY window held too few distinct failing values
            complete = gx.validate(frame, refine, {"result_format": "COMPLETE"})
            for p in refine:
                converted, _ = _convert(p, complete.get(p.index), df, nans, sample_size)
                if converted.status is not dq.RuleStatus.ERROR:
                    out[p.index] = converted
        return out

    # -- profile / learn ---------------------------------------------------------------

    def profile(self, data: Any) -> dq.Profile:
        raise NotProvidedByGx("dq-great-expectations does not profile; use the polars engine")

    def learn(self, data: Any) -> dq.RuleSet:
        raise NotProvidedByGx("dq-great-expectations does not learn rules; use the polars engine")


def _collect(data: Any) -> pl.DataFrame:
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        try:
            return data.collect()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise GxEngineError(f"dq-great-expectations cannot read the data: {exc}") from exc
    kind = f"{type(data).__module__}.{type(data).__qualname__}"
    raise GxEngineError(f"dq-great-expectations checks a polars DataFrame or LazyFrame, not {kind}")


class _NanIndex:
    """NaN count and first NaN row per float column, from polars (where NaN is not null)."""

    def __init__(self, df: pl.DataFrame) -> None:
        self.df = df
        self._cache: dict[str, tuple[int, int | None]] = {}

    def __call__(self, column: str) -> tuple[int, int | None]:
        if column not in self._cache:
            s = self.df.get_column(column)
            if not s.dtype.is_float():
                self._cache[column] = (0, None)
            else:
                is_nan = s.is_nan().fill_null(False)
                count = int(is_nan.sum())
                first = int(is_nan.arg_true()[0]) if count else None
                self._cache[column] = (count, first)
        return self._cache[column]


def _expectation_key(rule: dq.Rule) -> str:
    """Rules with equal keys build equal GX expectations (id, severity, mostly aside)."""
    fields = attrs.asdict(rule, recurse=False)
    for name in ("id", "severity", "mostly", "description"):
        fields.pop(name, None)
    return repr((rule.check, sorted(fields.items())))


def _exception(raw: Any) -> str | None:
    """The message of an exception GX raised for this expectation, if any."""
    if raw is None:
        return "GX returned no result for this rule"
    if isinstance(raw, Exception):
        return f"{type(raw).__name__}: {raw}"
    info = raw.exception_info or {}
    entries = [info] if "raised_exception" in info else [v for v in info.values()]
    for entry in entries:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            message = entry.get("exception_message") or "unknown error"
            return str(message).strip().splitlines()[0]
    return None


def _convert(
    p: Planned, raw: Any, df: pl.DataFrame, nans: _NanIndex, sample_size: int
) -> tuple[dq.RuleResult, bool]:
    """GX's result for one rule as a dq RuleResult, and whether samples need COMPLETE."""
    rule = p.rule
    problem = _exception(raw)
    if problem is not None:
        return error_result(rule, f"great_expectations failed: {problem}"), False
    found: dict[str, Any] = raw.result or {}

    if isinstance(rule, dq.RowCount):
        return dq.row_count_result(rule, int(found["observed_value"])), False
    if isinstance(rule, dq.ColumnExists):
        present = bool(raw.success)
        message = (
            f"column {rule.column!r} is present" if present else _missing(rule.column, df.schema)
        )
        status = dq.RuleStatus.PASSED if present else dq.RuleStatus.FAILED
        outcome = dq.make_result(
            rule, status, message, failed_count=int(not present), element_count=1
        )
        return outcome, False

    column: str = p.column  # type: ignore[assignment]
    rows = int(found["element_count"])
    unexpected = int(found["unexpected_count"])
    missing = int(found.get("missing_count") or 0)
    nan_count, first_nan = nans(column) if p.nan != "none" else (0, None)
    nan_fails = False
    if p.nan == "not_null":
        elements, failed = rows, unexpected - nan_count
    elif isinstance(rule, dq.NotNull):
        elements, failed = rows, unexpected
    else:
        elements = rows - missing + nan_count
        nan_fails = p.nan == "fail" or (p.nan == "unique" and nan_count >= 2)
        failed = unexpected + (nan_count if nan_fails else 0)

    judged = dq.judge(rule, failed, elements)
    if p.approximate:
        message = judged.message + "; approximate: " + "; ".join(p.approximate)
        judged = attrs.evolve(judged, message=message, approximate=True)
    # failing values are sampled even when ``mostly`` lets the rule pass
    if sample_size == 0 or failed == 0:
        return judged, False
    if isinstance(rule, dq.NotNull):
        return judged, False  # the failing value is null: nothing to show
    indexes = found.get("unexpected_index_list")
    if indexes is None:
        indexes = found.get("partial_unexpected_index_list") or []
    positions = [int(i) for i in indexes]
    truncated = len(positions) < unexpected
    cutoff = max(positions, default=-1) if truncated else math.inf
    if nan_fails and first_nan is not None and first_nan <= cutoff:
        positions.append(first_nan)
    positions.sort()
    values = df.get_column(column).gather(positions).to_list() if positions else []
    samples = dq.distinct_samples(values, sample_size)
    needs_more = truncated and len(samples) < sample_size
    return attrs.evolve(judged, samples=samples), needs_more


def _beyond_translation(rule: dq.Rule, schema: pl.Schema) -> tuple[dq.RuleStatus, str] | None:
    """Rule shapes of dq-core 1.3 that dq-great-expectations does not translate, or None."""
    column = getattr(rule, "column", None)
    dtype = str(schema[column]) if column is not None and column in schema else None
    return dq.unsupported_1_3_shape(rule, dtype, engine="dq-great-expectations")
