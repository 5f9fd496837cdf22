"""Errors dq-polars raises to the caller (everything else becomes a RuleResult), and how
polars' own error text is shortened before dq quotes it."""

from __future__ import annotations

import dq


class PolarsEngineError(dq.DqError):
    """The data could not be checked at all (wrong input type, unreadable source).

    Problems with a single rule never raise: they come back as that rule's
    ``RuleStatus.ERROR`` result, so one bad rule cannot hide the others.
    """


def polars_message(text: str) -> str:
    """Polars' error on one line, without the query-plan dump it appends.

    Why here: a rule's ERROR result and a :class:`PolarsEngineError` both quote polars,
    and the query-plan dump would bury the one line that says what went wrong.
    """
    lines: list[str] = []
    for line in text.strip().splitlines():
        if line.startswith(("This error occurred", "Resolved plan", "Hint:")):
            break
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines) or text.strip()
