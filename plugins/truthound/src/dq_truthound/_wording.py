"""Wording shared by the checks and the engine, so the same situation reads the same everywhere.

polars appends a query-plan dump to its errors; a dq message is one line, so
:func:`polars_message` keeps only the error itself. A missing column always
lists (the start of) what the data does have, so the user can spot a typo.
"""

from __future__ import annotations

import polars as pl


def polars_message(exc: BaseException) -> str:
    """polars' error on one line, without the query-plan dump it appends."""
    lines: list[str] = []
    for line in str(exc).strip().splitlines():
        if line.startswith(("This error occurred", "Resolved plan", "Hint:")):
            break
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines) or type(exc).__name__


def missing_column(name: str, schema: pl.Schema) -> str:
    """The message for a rule whose column is not in the data."""
    names = list(schema)
    shown = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
    return f"column {name!r} not found; the data has {shown or 'no columns'}"


def format_bound(value: float | None, open_end: str) -> str:
    """One end of a range in a message; *open_end* (``-inf``, ``inf``, ``0``) when unset."""
    return open_end if value is None else repr(value)
