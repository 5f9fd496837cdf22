"""How a ``regex`` rule's pattern is anchored and checked before any data is read.

A pattern must match the whole value, and a pattern polars cannot compile must become
that rule's ERROR result instead of failing the fused query for every rule. Learning
(:mod:`dq_polars._learn`) anchors its inferred shapes the same way, so a learned rule
means exactly what the check will test.
"""

from __future__ import annotations

import polars as pl

from dq_polars._errors import polars_message


def full_match_pattern(pattern: str) -> str:
    r"""Anchor a pattern so it must match the whole value.

    ``\A``/``\z`` rather than ``^``/``$`` so an inline ``(?m)`` in the user's
    pattern cannot turn the anchors into line anchors; the group keeps an
    alternation (``a|b``) inside the anchors.
    """
    return rf"\A(?:{pattern})\z"


def validate_regex(pattern: str) -> str | None:
    """Polars' own verdict on a pattern (Rust regex), or None when it compiles."""
    # Both the user's pattern and the anchored one the query runs must compile: `a)|(b`
    # is broken alone yet compiles once wrapped, as a different regex. One probe holds
    # both; only when it fails is the user's own pattern probed alone, so the error
    # quotes the mistake they wrote rather than the anchoring dq added around it.
    problem = _regex_problem(pattern, full_match_pattern(pattern))
    if problem is None:
        return None
    return f"invalid regex {pattern!r}: {_regex_problem(pattern) or problem}"


def _regex_problem(*candidates: str) -> str | None:
    empty = pl.lit("", dtype=pl.String)
    try:
        pl.select([empty.str.contains(c).alias(str(i)) for i, c in enumerate(candidates)])
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        return polars_message(str(exc))
    return None
