"""Judging ``row_count``'s ``max_change`` against the last run, after the engine returns.

dq-core does it, not the engine, so every engine (third-party ones included) gets it for
free: the engine judges the absolute ``min``/``max`` and reports the table's row count
(``CheckResult.row_count``); core compares that count with the baseline in the run history
(:mod:`dq.runs._history`), records it, and re-applies the quality gate.

The history is touched only when a rule set has a ``max_change`` rule, so nothing else
ever creates or depends on the file.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from typing import Any

import attrs

from dq.checks._gate import run_status
from dq.model._results import CheckResult, RuleResult, RuleStatus
from dq.runs._history import HistoryEntry, HistoryKey, HistoryUnreadable, RunHistory

logger = logging.getLogger("dq.runs")

_JUDGED = (RuleStatus.PASSED, RuleStatus.FAILED)


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g}%"


def change_within(count: int, previous: int, max_change: float) -> bool:
    """``|count - previous| <= max_change * previous``, exactly (decimal ``0.2`` is 20%)."""
    return Fraction(abs(count - previous)) <= Fraction(repr(max_change)) * previous


def _compare(rule: Any, judged: RuleResult, count: int, base: HistoryEntry | None) -> RuleResult:
    """*judged* (the engine's verdict on min/max) with the change against *base* folded in."""
    if base is None:
        note = (
            "no previous run; baseline recorded"
            if judged.status is RuleStatus.PASSED
            else "no previous run to compare with"
        )
        return attrs.evolve(judged, message=f"{judged.message}; {note}")
    previous = base.row_count
    ok = change_within(count, previous, rule.max_change)
    change = (
        f"{(count - previous) / previous:+.1%}"
        if previous
        else ("+0%" if count == 0 else "new rows")
    )
    text = (
        f"{count} rows, {change} vs {previous} at {base.recorded_at:%Y-%m-%d %H:%M} UTC "
        f"({'within' if ok else 'outside'} max change ±{_percent(rule.max_change)})"
    )
    if judged.status is RuleStatus.FAILED:  # min/max already failed it: say both
        return attrs.evolve(judged, message=f"{judged.message}; {text}")
    if ok:
        return attrs.evolve(judged, message=text)
    return attrs.evolve(
        judged, status=RuleStatus.FAILED, failed_count=1, element_count=1, message=text
    )


def _error(judged: RuleResult, rule: Any, problem: str) -> RuleResult:
    return attrs.evolve(
        judged,
        status=RuleStatus.ERROR,
        failed_count=0,
        message=f"rule {rule.id!r} (row_count): {problem}",
    )


def check_history_name(rules_file: str | None, source: Any) -> str:
    """The history name of ``dq check`` runs: ``check <rules file> <data>`` (real path of
    the rules, absolute path of a file source, else its label such as ``sql:orders``), so
    ad-hoc checks of different data never compare with each other (decision 27)."""
    import os

    rules_name = os.path.realpath(rules_file) if rules_file else "-"
    is_file = source.type == "file" and source.path
    data_name = os.path.abspath(source.path) if is_file else source.label
    return f"check {rules_name} {data_name}"


def judge_row_changes(
    result: CheckResult,
    rules: Any,
    *,
    suite: str,
    tenant: object = None,
    run_id: str = "",
    history: RunHistory | None = None,
) -> CheckResult:
    """*result* with every ``max_change`` rule judged against, and recorded in, the history.

    A count becomes the next baseline only when its rule passed. A rule the engine could
    not judge (error, unsupported) is left as it is and not recorded. An unusable history
    file makes the ``max_change`` rules ``error`` (with what to do) and logs one warning;
    it never raises.
    """
    targets = [
        (i, rule)
        for i, rule in enumerate(rules.rules)
        if rule.check == "row_count" and getattr(rule, "max_change", None) is not None
    ]
    targets = [(i, r) for i, r in targets if result.results[i].status in _JUDGED]
    if not targets:
        return result
    results = list(result.results)
    count = result.row_count
    if count is None:
        for i, rule in targets:
            results[i] = _error(
                results[i],
                rule,
                "the engine did not report the table's row count, which "
                "max_change needs; use an engine that does (dq-polars, dq-sql, dq-spark)",
            )
        return _rejudged(result, results, rules)
    store = history or RunHistory()
    tenant_key = str(tenant) if tenant else ""
    try:
        with store.transaction() as txn:
            for i, rule in targets:
                key = HistoryKey(suite=suite, tenant=tenant_key, rule_id=rule.id)
                results[i] = _compare(rule, results[i], count, txn.baseline(key))
                txn.record(
                    key, count, accepted=results[i].status is RuleStatus.PASSED, run_id=run_id
                )
    except HistoryUnreadable as exc:
        logger.warning("dq: warning: %s", exc)
        for i, rule in targets:
            results[i] = _error(result.results[i], rule, f"max_change needs the run history: {exc}")
    return _rejudged(result, results, rules)


def _rejudged(result: CheckResult, results: list[RuleResult], rules: Any) -> CheckResult:
    ordered = tuple(results)
    return attrs.evolve(result, results=ordered, status=run_status(ordered, rules.gate))
