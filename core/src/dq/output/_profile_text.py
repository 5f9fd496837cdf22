"""``dq profile`` as a terminal table: one line per column, values cut to stay readable."""

from __future__ import annotations

from typing import Any

from dq.model._results import Profile
from dq.output._tables import render_table as _render


def render_profile_table(profile: Profile) -> str:
    def fmt(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            return f"{v:.6g}"
        text = str(v)
        return text if len(text) <= 24 else text[:21] + "..."

    rows = []
    for c in profile.columns:
        top = ", ".join(f"{fmt(t.value)} ({t.count})" for t in c.top_values[:3])
        q = c.quantiles
        rows.append(
            [
                c.name,
                c.dtype,
                f"{c.null_count:,}",
                fmt(c.distinct_count),
                fmt(c.min),
                fmt(c.max),
                fmt(c.mean),
                fmt(q.get("0.5")),
                "" if c.min_length is None else f"{c.min_length}..{c.max_length}",
                top,
            ]
        )
    table = _render(
        [
            "column",
            "dtype",
            "nulls",
            "distinct",
            "min",
            "max",
            "mean",
            "median",
            "length",
            "top values",
        ],
        rows,
    )
    return f"{table}\n\n{profile.row_count:,} rows, {len(profile.columns)} columns"
