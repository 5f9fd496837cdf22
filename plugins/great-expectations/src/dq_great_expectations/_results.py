"""GX's result for one rule -> dq's RuleResult, in dq's counting semantics.

GX counts as pandas does (NaN is missing), and reports failing rows by position;
this module corrects the counts from the polars frame (NaN is a value there),
applies dq's ``mostly`` and reads the failing values back from polars for the
samples. The corrections are explained in :mod:`dq_great_expectations._engine`.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import dq
import polars as pl

from dq_great_expectations._plan import Planned, error_result, missing_column


class NanIndex:
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


def convert_result(
    p: Planned, raw: Any, df: pl.DataFrame, nans: NanIndex, sample_size: int
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
            f"column {rule.column!r} is present"
            if present
            else missing_column(rule.column, df.schema)
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
