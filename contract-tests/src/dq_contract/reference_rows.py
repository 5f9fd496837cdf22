"""The oracle's reading of sample rows: which rows failed, found one row at a time.

docs/rules.md: an engine that locates rows (``locates_rows = True``) reports, per row-level
rule, the first ``sample_size`` failing rows in row order, each as a :class:`dq.SampleRow`
holding the rule set's key values (``RuleSet.key``) or, without a key, the 0-based row
number, and the failing value for single-column value checks (None for ``not_null``,
``expression`` and composite ``unique``). Plain Python over ``to_list()``, reusing only
the oracle's per-check judges (:mod:`dq_contract.reference`), never an engine's code.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import dq
import polars as pl

from dq_contract.reference import _VALUE_JUDGES, value_key


def failing_rows(frame: pl.DataFrame, rule: Any) -> list[int] | None:
    """0-based numbers of the rows *rule* fails, in order; None when it judges no rows."""
    check = rule.check
    if check == "not_null":
        return [i for i, v in enumerate(frame.get_column(rule.column).to_list()) if v is None]
    if check == "expression":
        out = pl.SQLContext(frame=frame).execute(
            f"SELECT ({rule.expression}) AS dq_ok FROM frame", eager=True
        )
        return [i for i, ok in enumerate(out.to_series().to_list()) if ok is False]
    if check == "unique" and getattr(rule, "columns", ()):
        rows = list(zip(*(frame.get_column(n).to_list() for n in rule.columns), strict=True))
        keys = [tuple(value_key(v) for v in row) for row in rows]
        judged = [any(v is not None for v in row) for row in rows]
        counts = Counter(k for k, ok in zip(keys, judged, strict=True) if ok)
        return [
            i for i, (k, ok) in enumerate(zip(keys, judged, strict=True)) if ok and counts[k] > 1
        ]
    if check in _VALUE_JUDGES:
        values = frame.get_column(rule.column).to_list()
        flags, _ = _VALUE_JUDGES[check](rule, values)
        kept = [i for i, v in enumerate(values) if v is not None]  # the judged rows, in order
        return [i for i, bad in zip(kept, flags, strict=True) if bad]
    return None


def reference_sample_rows(
    frame: pl.DataFrame, rule: Any, sample_size: int, key: tuple[str, ...] = ()
) -> tuple[dq.SampleRow, ...] | None:
    """The sample rows docs/rules.md prescribes for *rule*; None for checks it does not
    locate (table-level checks, ``reference``), whose sample rows are not compared."""
    rows = failing_rows(frame, rule)
    if rows is None:
        return None
    if sample_size <= 0 or not rows:
        return ()
    shows_value = rule.check in _VALUE_JUDGES and not getattr(rule, "columns", ())
    located = []
    for i in rows[:sample_size]:
        value = dq.json_scalar(frame.get_column(rule.column)[i]) if shows_value else None
        if key:
            keyed = tuple(dq.json_scalar(frame.get_column(name)[i]) for name in key)
            located.append(dq.SampleRow(value=value, key=keyed))
        else:
            located.append(dq.SampleRow(value=value, row=i))
    return tuple(located)


def rows_key(rows: tuple[dq.SampleRow, ...]) -> list[tuple[Any, ...]]:
    """Sample rows compared with NaN equal to NaN."""
    return [(value_key(r.value), tuple(value_key(v) for v in r.key), r.row) for r in rows]
