"""What a check handler hands back to the engine: an :class:`Outcome`, or one of two refusals.

Handlers never build ``dq.RuleResult`` themselves. They report counts, a message
and the failure mask, and the engine alone judges ``mostly``, draws samples and
words the result, so every check is reported the same way. A handler that cannot
evaluate its rule raises :class:`RuleProblem` (an ERROR result) or
:class:`RuleUnsupported` (UNSUPPORTED) instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

#: The name each rule's column gets in the one-column frame given to truthound.
V = "value"


class RuleProblem(Exception):
    """The rule cannot be evaluated on this data; becomes an ERROR result."""


class RuleUnsupported(Exception):
    """truthound cannot perform this rule with dq's semantics; becomes UNSUPPORTED."""


@dataclass
class Outcome:
    """What one rule's evaluation found, before it is judged against ``mostly``."""

    failed: int
    element: int
    message: str
    #: The frame the masks refer to, and dq's failure mask (None: no samples).
    frame: pl.DataFrame | None = None
    mask: pl.Expr | None = None
    shown: pl.Expr | None = None
    approximate: bool = False
