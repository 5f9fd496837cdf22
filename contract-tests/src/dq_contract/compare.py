"""Comparing an engine's CheckResult with the oracle's, with messages a plugin author can act on.

Kept apart from :mod:`dq_contract.engine` so that a differential test outside the contract
(two engines, or an engine on real data) can use the same judgement:
``assert_conforms(engine, frame, rules)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dq
import polars as pl

from dq_contract.reference import (
    SAMPLED_CHECKS,
    reference_check,
    rule_passes,
    value_key,
)
from dq_contract.reference_rows import reference_sample_rows, rows_key
from dq_contract.reference_table import is_variant


class ContractViolation(AssertionError):
    """An engine's result breaks docs/rules.md; the message names the rule and the difference."""


def run(engine: Any, data: pl.DataFrame | pl.LazyFrame, rules: dq.RuleSet) -> dq.CheckResult:
    """``engine.check``, which must return a CheckResult and never raise (rules.md)."""
    try:
        result = engine.check(data, rules)
    except Exception as exc:  # noqa: BLE001 - any exception is the violation being reported
        raise ContractViolation(
            f"engine.check raised {type(exc).__name__}: {exc}; a rule that cannot be evaluated "
            "must come back as an ERROR result, never as an exception"
        ) from exc
    if not isinstance(result, dq.CheckResult):
        raise ContractViolation(f"engine.check returned {type(result).__name__}, not CheckResult")
    return result


def _describe(frame: pl.DataFrame, rule: Any) -> str:
    column = getattr(rule, "column", None)
    shown = frame.get_column(column).to_list() if column in frame.columns else frame.height
    return f"rule {rule!r}\n  on {f'{column}=' if column else 'rows: '}{shown!r}"


def _fail(frame: pl.DataFrame, rule: Any, problem: str) -> None:
    raise ContractViolation(f"{problem}\n  {_describe(frame, rule)}")


def samples_key(samples: Sequence[Any]) -> list[object]:
    """Samples compared with NaN equal to NaN (a float NaN never equals itself)."""
    return [value_key(v) for v in samples]


def check_rule_result(
    engine: Any,
    frame: pl.DataFrame,
    rule: Any,
    got: dq.RuleResult,
    want: dq.RuleResult,
    sample_size: int,
) -> None:
    """Judge one engine result against the oracle's *want* for the same rule."""
    column = getattr(rule, "column", None)
    if (got.rule_id, got.check, got.column) != (rule.id, rule.check, column):
        _fail(
            frame,
            rule,
            f"result names ({got.rule_id!r}, {got.check!r}, {got.column!r}), "
            f"expected ({rule.id!r}, {rule.check!r}, {column!r})",
        )
    if got.severity is not rule.severity:
        _fail(
            frame, rule, f"result severity {got.severity} differs from the rule's {rule.severity}"
        )
    if rule.check not in engine.supported_checks:
        if got.status is not dq.RuleStatus.UNSUPPORTED:
            _fail(
                frame,
                rule,
                f"{rule.check!r} is not in supported_checks, so it must be "
                f"UNSUPPORTED (never passed), got {got.status}",
            )
        return
    if want.status is dq.RuleStatus.UNSUPPORTED:  # outside the oracle's scope: no verdict
        return
    if got.status is dq.RuleStatus.UNSUPPORTED and is_variant(rule):
        if not got.message:
            _fail(frame, rule, "an UNSUPPORTED result must say why in its message")
        return  # a newer shape of a supported check (composite unique, dates): honest
    if want.status is dq.RuleStatus.ERROR:
        if got.status is not dq.RuleStatus.ERROR or rule.id not in got.message:
            _fail(
                frame,
                rule,
                f"expected an ERROR result naming {rule.id!r} ({want.message}), "
                f"got {got.status} with message {got.message!r}",
            )
        return
    if len(got.samples) > sample_size:
        _fail(frame, rule, f"{len(got.samples)} samples exceed sample_size={sample_size}")
    if got.approximate:
        if "approximat" not in got.message.lower():
            _fail(frame, rule, f"approximate=True but the message does not say so: {got.message!r}")
        if got.status is not dq.RuleStatus.ERROR and (
            (got.status is dq.RuleStatus.PASSED)
            != rule_passes(rule, got.failed_count, got.element_count)
        ):
            _fail(
                frame,
                rule,
                f"status {got.status} contradicts its own counts "
                f"{got.failed_count}/{got.element_count} and mostly={rule.mostly}",
            )
        return
    mine = (got.status, got.failed_count, got.element_count)
    theirs = (want.status, want.failed_count, want.element_count)
    if mine != theirs:
        _fail(
            frame,
            rule,
            f"(status, failed_count, element_count) = {mine}, docs/rules.md says {theirs}",
        )
    if rule.check == "not_null" and got.samples:
        _fail(frame, rule, f"not_null has no samples (the value is null), got {got.samples!r}")
    if (
        rule.check in SAMPLED_CHECKS
        and not getattr(rule, "columns", ())  # composite unique: engines show combinations
        and samples_key(got.samples) != samples_key(want.samples)
    ):
        _fail(
            frame,
            rule,
            f"samples {got.samples!r}, expected {want.samples!r} (distinct failing "
            f"values in order of first appearance, at most {sample_size})",
        )


def check_sample_rows(
    engine: Any,
    frame: pl.DataFrame,
    rule: Any,
    got: dq.RuleResult,
    want: dq.RuleResult,
    rules: dq.RuleSet,
) -> None:
    """An engine that declares ``locates_rows`` names the first failing rows exactly."""
    if got.approximate or rule.check not in engine.supported_checks:
        return
    if want.status in (dq.RuleStatus.ERROR, dq.RuleStatus.UNSUPPORTED):
        return
    if got.status is dq.RuleStatus.UNSUPPORTED and is_variant(rule):
        return  # a newer shape the engine cannot do, accepted above: no rows to compare
    key = tuple(getattr(rules, "key", ()))
    expected = reference_sample_rows(frame, rule, rules.sample_size, key)
    if expected is None:
        return
    if rows_key(got.sample_rows) != rows_key(expected):
        how = f"the key values {key!r}" if key else "0-based row numbers"
        _fail(
            frame,
            rule,
            f"sample_rows {got.sample_rows!r}, expected {expected!r} (the first "
            f"{rules.sample_size} failing rows in row order, by {how}; the value only for "
            "single-column value checks)",
        )


def assert_conforms(
    engine: Any,
    data: pl.DataFrame | pl.LazyFrame,
    rules: dq.RuleSet,
    result: dq.CheckResult | None = None,
) -> dq.CheckResult:
    """Run *engine* (unless *result* is given) and assert it agrees with the oracle everywhere.

    Agreement means: one result per rule, in rule order; names and severity echoed; checks
    outside ``supported_checks`` UNSUPPORTED; the oracle's ERRORs reproduced and naming the
    rule; exact status, counts and samples unless the result says it is approximate; and the
    run status that :func:`dq.run_status` gives for the engine's own results.
    """
    frame = data.collect() if isinstance(data, pl.LazyFrame) else data
    if result is None:
        result = run(engine, data, rules)
    want = reference_check(frame, rules)
    ids = [r.rule_id for r in result.results]
    expected_ids = [r.id for r in rules.rules]
    if ids != expected_ids:
        raise ContractViolation(
            f"result ids {ids} must be exactly one per rule, in rule order: "
            f"{expected_ids} (passing rules included)"
        )
    for rule, got, ref in zip(rules.rules, result.results, want.results, strict=True):
        check_rule_result(engine, frame, rule, got, ref, rules.sample_size)
        if getattr(engine, "locates_rows", False):
            check_sample_rows(engine, frame, rule, got, ref, rules)
    verdict = dq.run_status(result.results, rules.gate)
    if result.status is not verdict:
        raise ContractViolation(
            f"run status {result.status}, but dq.run_status gives {verdict} "
            f"for these results and gate {rules.gate!r}"
        )
    if result.row_count is not None and result.row_count != frame.height:
        raise ContractViolation(f"row_count {result.row_count}, the frame has {frame.height} rows")
    return result


def comparable(result: dq.CheckResult) -> tuple[Any, ...]:
    """A CheckResult without its timing fields, NaN-safe, for determinism comparisons."""
    return (
        result.status,
        result.row_count,
        tuple(
            (
                r.rule_id,
                r.check,
                r.column,
                r.status,
                r.severity,
                r.failed_count,
                r.element_count,
                r.approximate,
                tuple(samples_key(r.samples)),
            )
            for r in result.results
        ),
    )
