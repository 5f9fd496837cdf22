"""The check report as a terminal table and as Markdown for pull requests and job summaries."""

from __future__ import annotations

import re
from typing import Any

from dq.model._results import CheckResult, RuleResult, RuleStatus
from dq.output import _facts
from dq.output._escape import visible
from dq.output._tables import render_table as _render
from dq.output._tables import terminal_width

HEADERS = ["status", "rule", "check", "column", "severity", "failed", "detail"]
#: How a narrow terminal makes room, step by step (column index, width or None to drop):
#: the detail gives way first, then long names, then the check goes, then severity (the
#: verdict still names failed warnings), then the column; status, rule and counts stay.
_PLAN: tuple[tuple[int, int | None], ...] = (
    (6, 40),
    (3, 16),
    (1, 24),
    (6, 24),
    (2, None),
    (6, 16),
    (4, None),
    (1, 16),
    (3, None),
    (6, 8),
    (1, 8),
)
_DETAIL = 6


def detail(r: RuleResult, result: CheckResult, mostly: dict[str, float]) -> str:
    """What a reader needs beyond the counts, most useful first (a cut keeps the head).

    Failing rows (with keys or row numbers) for failures, the ``mostly`` note for a
    rule that passed with failing rows, the engine's message for a rule that could
    not be judged; then the rule's description.
    """
    parts = [_facts.mostly_note(r, mostly)]
    if r.status in (RuleStatus.FAILED, RuleStatus.PASSED) and _facts.has_samples(r):
        parts.append("e.g. " + ", ".join(_facts.sample_texts(r, result.key)))
    elif r.status is not RuleStatus.PASSED or r.element_count <= 1:
        # a table-level rule (freshness, schema, mean ...) judges one element: its
        # message holds the measured value, worth reading even when it passed
        parts.append(_facts.message_extra(r, mostly))
    if r.approximate:
        parts.append("(approximate)")
    parts.append(r.description)
    return _facts.joined(parts)


def headline(result: CheckResult, source: str | None = None) -> str:
    """The verdict line, safe for a terminal."""
    return visible(_facts.verdict(result, source))


def _cells(result: CheckResult, rules: Any) -> list[list[str]]:
    mostly = _facts.mostly_of(rules)
    return [
        [
            r.status.value,
            r.rule_id,
            r.check,
            r.column or "",
            r.severity.value,
            _facts.counts(r),
            detail(r, result, mostly),
        ]
        for r in result.results
    ]


def render_table(
    result: CheckResult,
    *,
    source: str | None = None,
    rules: Any = None,
    profile: Any = None,
    width: int | None = -1,
    **_: Any,
) -> str:
    """One line per rule, fitted to *width* (default: the terminal's; None: never cut),
    then the verdict; a profile's table first when one is given (the verdict stays last)."""
    fit = terminal_width() if width == -1 else width
    unlimited = 1 << 30  # one line per rule however long: a file or a CI log keeps it all
    table = _render(
        HEADERS, _cells(result, rules), width=fit or unlimited, plan=_PLAN, grow=_DETAIL
    )
    verdict = headline(result, source)
    if fit:  # wrapped at spaces, not cut: every word of the verdict matters
        import textwrap

        verdict = textwrap.fill(verdict, width=max(fit, 20), break_on_hyphens=False)
    text = f"{table}\n\n{verdict}"
    if profile is not None:
        from dq.output._profile_text import render_profile_table

        text = render_profile_table(profile) + "\n\n" + text
    return text


def _cell(text: str) -> str:
    """A GFM table cell that shows *text* as written and can hold no markup.

    ``visible`` turns line breaks into ``\\n`` so a cell stays on its row; a backslash
    is doubled first so ``\\|`` in the text cannot unescape a pipe; ``& < >`` become
    entities, so no HTML tag or autolink survives; ``` ` * _ [ ] ~`` are backslash-
    escaped, so data cannot open a code span, emphasis or a link.
    """
    text = visible(text).replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([`*_\[\]~])", r"\\\1", text)


def _code(text: str) -> str:
    """A code span whose fence is longer than any run of backticks inside it."""
    text = visible(text).replace("\\", "\\\\").replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render_markdown(
    result: CheckResult, *, source: str | None = None, rules: Any = None, **_: Any
) -> str:
    lines = [
        f"**{_cell(_facts.verdict(result, source))}**",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|---|---|---|---|---|---:|---|",
    ]
    for row in _cells(result, rules):
        status, rule_id, *rest = row
        lines.append("| " + " | ".join([_cell(status), _code(rule_id), *map(_cell, rest)]) + " |")
    return "\n".join(lines)
