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

This module runs a check from end to end; the steps live beside it: ``_plan``
(rule -> GX expectation, or a verdict from the schema), ``_runtime`` (GX's
context, the pandas hand-over, validation) and ``_results`` (GX's counts -> dq's,
with the corrections above, and the samples).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import dq
import polars as pl

from dq_great_expectations._config import GxConfig
from dq_great_expectations._errors import GxEngineError, NotProvidedByGx
from dq_great_expectations._plan import (
    SUPPORTED_CHECKS,
    Planned,
    RuleProblem,
    error_result,
    plan_rule,
)
from dq_great_expectations._results import NanIndex, convert_result
from dq_great_expectations._runtime import GxRuntime

ENGINE_NAME = "gx"
#: How many failing rows GX reports per rule to find ``sample_size`` distinct values.
_SAMPLE_READ_FACTOR = 20


# -- the engine ------------------------------------------------------------------------------


class GxEngine:
    """Satisfies ``dq.protocols.Engine`` by running rules through Great Expectations."""

    supported_checks: frozenset[str] = SUPPORTED_CHECKS
    #: GX validates an in-memory pandas frame: a LazyFrame is collected whole.
    streams: bool = False

    def __init__(self, config: GxConfig) -> None:
        self.config = config
        self._gx: GxRuntime | None = None  # created on the first check: importing GX takes seconds
        self._init_lock = threading.Lock()

    def __repr__(self) -> str:
        return "GxEngine()"

    def _runtime(self) -> GxRuntime:
        with self._init_lock:
            if self._gx is None:
                self._gx = GxRuntime()
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
                outcome = plan_rule(index, rule, schema)
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
        nans = NanIndex(df)
        refine: list[Planned] = []
        for p in runnable:
            converted, needs_more = convert_result(p, raw.get(p.index), df, nans, sample_size)
            out[p.index] = converted
            if needs_more:
                refine.append(p)
        if refine:  # the SUMMARY window held too few distinct failing values
            complete = gx.validate(frame, refine, {"result_format": "COMPLETE"})
            for p in refine:
                converted, _ = convert_result(p, complete.get(p.index), df, nans, sample_size)
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
