"""Errors dq-polars raises to the caller (everything else becomes a RuleResult)."""

from __future__ import annotations

import dq


class PolarsEngineError(dq.DqError):
    """The data could not be checked at all (wrong input type, unreadable source).

    Problems with a single rule never raise: they come back as that rule's
    ``RuleStatus.ERROR`` result, so one bad rule cannot hide the others.
    """
