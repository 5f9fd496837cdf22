"""Errors dq-pandera raises to its caller; problems with one rule never raise."""

from __future__ import annotations

import dq


class PanderaEngineError(dq.DqError):
    """The data could not be checked at all (it is not a polars frame, or cannot be read).

    A problem with a single rule (unknown column, invalid regex, wrong dtype) is
    never raised: it becomes that rule's ``RuleStatus.ERROR`` result, so one bad
    rule cannot hide the verdicts of the others.
    """


class NotProvidedByPandera(PanderaEngineError):
    """``profile`` and ``learn``: pandera validates, it does not profile or infer rules.

    Raised instead of returning an empty ``Profile``/``RuleSet``, which would read
    as "nothing to report" and silently pass.
    """
