"""What every per-kind learner of :mod:`dq_polars._learn_rules` shares.

A learner reads one column's statistics from a :class:`Context` and fills a
:class:`ColumnRules`; whether a few values are rare enough to be presumed defects
(:func:`rare`), the ids learned rules get (:func:`rule_id`) and how counts and values
read in a finding's message are decided here once, so numeric, temporal and text
columns are learned by the same bar and described in the same words.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import dq

#: Share of rows that may be presumed defects: rarer than this and standing apart.
RARE = 0.01


def rare(count: int) -> int:
    """How many of *count* rows may be presumed defects (none below 100 rows)."""
    return math.floor(RARE * count)


def rule_id(check: str, column: str, strict: bool = False) -> str:
    return f"{check}_{column}" + ("_strict" if strict else "")


def number(value: Any) -> str:
    """``15000`` → ``15,000``; ``0.5`` → ``0.5``; dates as ISO."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.10g}"
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return str(value)


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def distinct_examples(*groups: Any) -> tuple[Any, ...]:
    """Up to five distinct example values, as JSON scalars, for a finding."""
    seen: list[Any] = []
    for group in groups:
        for value in group or ():
            scalar = dq.json_scalar(value)
            if scalar not in seen:
                seen.append(scalar)
    return tuple(seen[:5])


@dataclass
class Context:
    """What a learner reads: the table's row count and every column's statistics."""

    rows: int
    stats: dict[str, Any]
    supported: frozenset[str]
    now: datetime
    #: (rows holding a repeated value, a few of those values) of a column, on demand.
    repeated: Callable[[str], tuple[int, tuple[Any, ...]]]


@dataclass
class ColumnRules:
    """What a learner fills for one column: its learned rules and suspected defects."""

    rules: list[Any] = field(default_factory=list)
    findings: list[dq.SuspectedDefect] = field(default_factory=list)

    def learn_or_suspect(
        self,
        rule: Any,
        failing: int,
        of: int,
        *,
        column: str,
        message: str,
        examples: tuple[Any, ...] = (),
    ) -> None:
        """Learn *rule* when none of *of* rows fail it; when a rare few do, list them as a
        suspected defect with *rule* as the tighter rule that flags them; else neither."""
        if of == 0:
            return
        if failing == 0:
            self.rules.append(rule)
        elif failing <= rare(of):
            self.findings.append(
                dq.SuspectedDefect(
                    column=column,
                    message=message,
                    count=failing,
                    examples=examples,
                    suggestions=(rule,),
                )
            )
