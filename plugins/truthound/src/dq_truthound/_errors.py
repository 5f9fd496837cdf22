"""Errors dq-truthound raises to the caller (everything else becomes a RuleResult)."""

from __future__ import annotations

import dq


class TruthoundEngineError(dq.DqError):
    """The data could not be checked at all (not a polars DataFrame or LazyFrame).

    Problems with a single rule never raise: they come back as that rule's
    ``RuleStatus.ERROR`` (or ``UNSUPPORTED``) result, so one bad rule cannot hide
    the others.
    """


class NotSupportedByTruthound(TruthoundEngineError):
    """A feature of the Engine protocol this engine does not offer (profile, learn).

    Raised rather than returning an empty or made-up result, so nothing is ever
    silently passed off as truthound's output.
    """
