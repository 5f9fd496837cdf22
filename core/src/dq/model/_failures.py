"""The failing rows an engine exports next to its verdict (``dq check --failures PATH``).

A value type only: the engine builds it in the same scan as the verdict (decision 0024),
dq-core writes it as Parquet or CSV (``dq.output._failures``).
"""

from __future__ import annotations

from typing import Any, ClassVar

#: Failing rows written when the user gives no bound: enough to work through, small
#: enough that a run where every row fails does not write a second copy of the data.
DEFAULT_FAILURES_LIMIT = 100_000


class FailingRows:
    """Rows that failed at least one row-level rule, in row order, up to a limit.

    ``frame`` is a polars ``DataFrame``: the data's own columns, all of them in their
    order, then :attr:`ROW` (the 0-based row number in the data as read) and
    :attr:`RULES` (a list of the ids of the rules the row failed, in rule order).
    ``total`` counts every row that failed a rule, so a reader knows when ``frame``
    was cut at the limit. A plain read-only class, not a config type (like
    ``dq.SourceRef``): it holds data, built at run time, never written to JSON.
    """

    __slots__ = ("frame", "total")

    #: The column holding the row's 0-based number in the data as read.
    ROW: ClassVar[str] = "dq_row"
    #: The column listing the ids of the rules the row failed.
    RULES: ClassVar[str] = "dq_failed_rules"

    frame: Any
    total: int

    def __init__(self, *, frame: Any, total: int) -> None:
        object.__setattr__(self, "frame", frame)
        object.__setattr__(self, "total", int(total))

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("FailingRows is read-only")

    @property
    def truncated(self) -> bool:
        """True when more rows failed than ``frame`` holds."""
        return self.total > self.frame.height

    def __repr__(self) -> str:
        return f"FailingRows(rows={self.frame.height}, total={self.total})"
