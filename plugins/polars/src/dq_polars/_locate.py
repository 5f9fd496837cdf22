"""Locating failing rows: the rule set's key columns, and sample rows from the fused query.

``RowRule.sample_rows`` gathers, inside the same ``select`` as the counts, the first
failing rows of each rule as a list of structs (``value``, then ``k0, k1 ...`` or
``row``); this module turns the key into expressions before the query and the structs
into :class:`dq.SampleRow` after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dq
import polars as pl

from dq_polars._compile import col


def key_columns(rules: dq.RuleSet, schema: pl.Schema) -> list[pl.Expr]:
    """The key's column expressions, or one line (exit 2) naming a key column the data lacks.

    Found from the schema alone, so a wrong key costs no scan. Refused rather than
    silently replaced by row numbers: a key is how people find rows, and a sample that
    quietly changed meaning would send them to the wrong ones.
    """
    dq.refuse_missing_key(rules, schema)
    return [col(name, schema) for name in rule_set_key(rules)]


def rule_set_key(rules: dq.RuleSet) -> tuple[str, ...]:
    """The rule set's key (a rule set built by hand without one has none)."""
    return tuple(getattr(rules, "key", ()))


def sample_rows(located: Sequence[dict[str, Any]] | None, keyed: int) -> tuple[dq.SampleRow, ...]:
    """The structs gathered by ``RowRule.sample_rows`` as JSON-safe :class:`dq.SampleRow`."""
    rows: list[dq.SampleRow] = []
    for item in located or ():
        value = dq.json_scalar(item.get("value"))
        if keyed:
            key = tuple(dq.json_scalar(item[f"k{i}"]) for i in range(keyed))
            rows.append(dq.SampleRow(value=value, key=key))
        else:
            rows.append(dq.SampleRow(value=value, row=int(item["row"])))
    return tuple(rows)
