"""What ``learn`` returns when it can tell suspected defects apart: rules plus findings.

Learned rules pass on the data they were learned from, so a defect already in the
data (a typo in a status, an absurd amount) would be silently allowed by them. An
engine that can tell such values apart returns :class:`LearnedRules`: a
:class:`~dq.model._rules.RuleSet` (so ``Engine.learn(data) -> RuleSet`` keeps its
shape and every caller keeps working) that also carries the suspected defects, each
with a tighter rule a reviewer can adopt to flag them. ``dq learn`` lists them on
stderr and as comments in the rules file it writes (decision 28). An engine that
returns a plain ``RuleSet`` simply reports no findings.
"""

from __future__ import annotations

import attrs

from dq.model._results import Scalar
from dq.model._rules import Rule, RuleSet


@attrs.frozen(kw_only=True)
class SuspectedDefect:
    """Values in the learning data that look like defects rather than like the data.

    ``message`` is one line a person reads ("3 values above 15,000"); ``count`` how
    many rows hold them; ``examples`` a few of the values; ``suggestions`` the rules
    (usually one) that the rest of the data passes and these rows fail — a tuple rather
    than an optional rule so the shared converter structures it like ``RuleSet.rules``.
    """

    column: str | None
    message: str
    count: int
    examples: tuple[Scalar, ...] = ()
    suggestions: tuple[Rule, ...] = ()

    @property
    def suggestion(self) -> Rule | None:
        """The first suggested rule, if any."""
        return self.suggestions[0] if self.suggestions else None

    def line(self) -> str:
        """``column amount: 3 values above 15,000 (e.g. 99999.0, -5.0)`` for a listing."""
        where = f"column {self.column}: " if self.column is not None else ""
        shown = ", ".join(repr(v) for v in self.examples)
        return f"{where}{self.message}" + (f" (e.g. {shown})" if shown else "")


@attrs.frozen(kw_only=True)
class LearnedRules(RuleSet):
    """A learned rule set and the suspected defects its rules do not flag."""

    findings: tuple[SuspectedDefect, ...] = ()

    def rule_set(self) -> RuleSet:
        """The plain rule set, as a rules file holds it (findings dropped)."""
        return RuleSet(rules=self.rules, gate=self.gate, sample_size=self.sample_size, key=self.key)
