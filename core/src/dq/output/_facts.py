"""What every human-readable report says, worded once: rates, the verdict, samples, ``mostly``.

The table, Markdown, JUnit and HTML reports differ in markup, not in facts. Each
fact a reader acts on is phrased here so the formats cannot drift apart:

* a rate never reads ``0.00%`` for a non-zero count (nor ``100%`` short of all
  rows): :func:`percent` keeps as many significant digits as it takes;
* the verdict names which failures gate the run and which are tolerated
  (``PASSED — 1 warning failed (not gating): x``), never "PASSED: 1 of 2 failed";
* a rule that passed only thanks to ``mostly`` says so, with its passing share;
* a failing row is shown with the rule set's key values (or its row number).

Text returned here is *not* escaped: each format escapes for its own markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from dq.model._rates import percent
from dq.model._results import CheckResult, RuleResult, RuleStatus, RunStatus, SampleRow
from dq.model._rules import Severity

#: Rules that spend the quality gate's budget (see dq.checks._gate).
COUNTING = (RuleStatus.FAILED, RuleStatus.UNSUPPORTED)
#: How many rule ids a verdict line names before "+N more".
_NAMED_IDS = 3
#: The count phrase of an engine's standard message (``dq.judge``): every report
#: shows the counts and an honest rate itself, so the phrase (with its ``0.00%``) goes.
_COUNTS_SAID = re.compile(
    r"^\s*(?:all )?\d+ (?:of \d+ )?(?:non-null )?rows (?:failed|passed)"
    r"(?: \([^)]*\))?\s*;?\s*"
)
_SHARE_SAID = re.compile(r";?\s*passing share \S+ (?:meets|is below) mostly \S+")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def counts(r: RuleResult) -> str:
    """``failed / checked`` rows, with the rate when more than one row was judged."""
    if r.status in (RuleStatus.ERROR, RuleStatus.UNSUPPORTED):
        return "-"
    text = f"{r.failed_count:,} / {r.element_count:,}"
    if r.element_count > 1:
        text += f" ({percent(r.failed_count, r.element_count)})"
    return text


def mostly_of(rules: Any) -> dict[str, float]:
    """Rule id -> ``mostly`` below 1.0, from the rule set when the caller has it."""
    if rules is None:
        return {}
    return {rule.id: rule.mostly for rule in rules.rules if rule.mostly < 1.0}


def mostly_note(r: RuleResult, mostly: dict[str, float]) -> str:
    """``passed (mostly 0.95: 97.2% passing)`` for a rule that passed with failing rows;
    ``below mostly 0.95: 90% passing`` for one with ``mostly`` that failed."""
    if r.status not in (RuleStatus.PASSED, RuleStatus.FAILED) or not r.element_count:
        return ""
    passing = percent(r.element_count - r.failed_count, r.element_count)
    share = mostly.get(r.rule_id)
    if r.status is RuleStatus.FAILED:
        return f"below mostly {share:g}: {passing} passing" if share is not None else ""
    if not r.failed_count:
        return ""
    if share is None:  # no rule set at hand: the counts still tell it passed with failures
        return f"passed with {passing} passing (within mostly)"
    return f"passed (mostly {share:g}: {passing} passing)"


def gates_warnings(rules: Any) -> bool:
    """Whether failing warnings can fail the run: only when the gate sets a budget for them."""
    gate = getattr(rules, "gate", None)
    if gate is None:
        return False
    return gate.max_failed_warnings is not None or gate.max_failure_rate is not None


def gating(r: RuleResult, result: CheckResult, rules: Any = None) -> bool:
    """Whether *r* is one of the reasons the run did not pass.

    On a passing run nothing gates (every failure was tolerated); otherwise a failed
    error-severity rule does, and a failed warning only when the gate counts warnings.
    """
    if r.status not in COUNTING or result.status is RunStatus.PASSED:
        return False
    return r.severity is Severity.ERROR or gates_warnings(rules)


def _ids(results: Sequence[RuleResult]) -> str:
    names = [r.rule_id for r in results[:_NAMED_IDS]]
    more = len(results) - len(names)
    return ", ".join(names) + (f" +{more} more" if more else "")


def _breakdown(results: Sequence[RuleResult]) -> str:
    errors = sum(r.severity is Severity.ERROR for r in results)
    warnings = len(results) - errors
    parts = [plural(n, noun) for n, noun in ((errors, "error"), (warnings, "warning")) if n]
    return ", ".join(parts)


def _tolerated(results: Sequence[RuleResult], verb: str) -> str:
    if all(r.severity is Severity.WARNING for r in results):
        return f"{plural(len(results), 'warning')} {verb} (not gating): {_ids(results)}"
    what = plural(len(results), "rule")
    return f"{what} {verb} within the quality gate ({_breakdown(results)}): {_ids(results)}"


def summary(result: CheckResult) -> str:
    """The verdict's words after the status: what failed, and whether it gated."""
    return "; ".join(clauses(result))


def clauses(result: CheckResult) -> list[str]:
    """The verdict's facts, one per kind of outcome, most serious first."""
    rules = result.results
    total = len(rules)
    failed = [r for r in rules if r.status is RuleStatus.FAILED]
    unsupported = [r for r in rules if r.status is RuleStatus.UNSUPPORTED]
    errored = [r for r in rules if r.status is RuleStatus.ERROR]
    if total == 0:
        return ["no rules"]
    out = []
    if result.status is RunStatus.PASSED:
        if failed:
            out.append(_tolerated(failed, "failed"))
        if unsupported:
            out.append(_tolerated(unsupported, "unsupported by the engine"))
        if not out:
            out.append("the only rule passed" if total == 1 else f"all {total} rules passed")
        return out
    if errored:
        out.append(
            f"{len(errored)} of {plural(total, 'rule')} could not be evaluated: {_ids(errored)}"
        )
    if failed:
        out.append(
            f"{len(failed)} of {plural(total, 'rule')} failed ({_breakdown(failed)}): "
            f"{_ids(failed)}"
        )
    if unsupported:
        out.append(
            f"{len(unsupported)} unsupported by the engine ({_breakdown(unsupported)}): "
            f"{_ids(unsupported)}"
        )
    return out or ["the quality gate failed"]


def context(result: CheckResult, source: str | None = None) -> str:
    """``on orders.csv (engine polars, 500 rows, 0.02 s)``."""
    where = f"on {source} " if source else ""
    facts = [f"engine {result.engine}"]
    if result.row_count is not None:
        facts.append(f"{result.row_count:,} rows")
    if result.duration_seconds is not None:
        facts.append(f"{result.duration_seconds:.2f} s")
    return f"{where}({', '.join(facts)})"


def verdict(result: CheckResult, source: str | None = None) -> str:
    """One line: ``FAILED — 2 of 5 rules failed (1 error, 1 warning): a, b · on x (…)``."""
    return f"{result.status.value.upper()} — {summary(result)} · {context(result, source)}"


def short(value: Any, width: int = 32) -> str:
    """A sample value as Python writes it (quotes show a string's edges), cut to *width*."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def locate(row: SampleRow, key: Sequence[str]) -> str:
    """Where a failing row is: ``order_id=100012`` (the key) or ``row 12`` (0-based)."""
    if row.key:
        names = list(key) + [f"key{i}" for i in range(len(key), len(row.key))]
        return ", ".join(f"{n}={short(v, 24)}" for n, v in zip(names, row.key, strict=False))
    if row.row is not None:
        return f"row {row.row}"
    return ""


def sample_texts(r: RuleResult, key: Sequence[str]) -> list[str]:
    """Each sample as one phrase: ``-1 (order_id=100012)``, ``row 7``, or the bare value."""
    if r.sample_rows:
        out = []
        # a rule on a key column: the key already shows the value
        keyed = r.column is not None and r.column in key
        for row in r.sample_rows:
            where = locate(row, key)
            if row.value is None or (keyed and row.key):
                out.append(where or "null")
            else:
                out.append(f"{short(row.value)} ({where})" if where else short(row.value))
        return out
    return [short(v) for v in r.samples]


def message_extra(r: RuleResult, mostly: dict[str, float] | None = None) -> str:
    """The engine's message less what the report already shows: the count phrase, and
    the passing share against ``mostly`` when the rule set is at hand (:func:`mostly_note`)."""
    text = _COUNTS_SAID.sub("", r.message, count=1).strip()
    if mostly and r.rule_id in mostly:
        text = _SHARE_SAID.sub("", text).strip(" ;")
    return text


def has_samples(r: RuleResult) -> bool:
    return bool(r.sample_rows or r.samples)


def joined(parts: Iterable[str], sep: str = "; ") -> str:
    return sep.join(p for p in parts if p)
