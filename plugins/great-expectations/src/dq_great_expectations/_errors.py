"""Errors dq-great-expectations raises to the caller (rule problems become RuleResults)."""

from __future__ import annotations

import dq


class GxEngineError(dq.DqError):
    """The data could not be checked at all (wrong input type, unreadable LazyFrame).

    Problems with a single rule never raise: they come back as that rule's
    ``RuleStatus.ERROR`` result, so one bad rule cannot hide the others.
    """


class NotProvidedByGx(GxEngineError):
    """A part of the Engine protocol this engine does not offer (profile, learn).

    Raised rather than returning an empty profile or rule set, which would mislead.
    """
