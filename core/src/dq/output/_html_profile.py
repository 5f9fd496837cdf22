"""A data profile in HTML: per column its null rate, statistics, distribution and top values.

Used by ``dq profile --format html`` (a page of its own) and by ``dq check --profile
--format html`` (a section after the rules). It renders what ``dq.Profile`` holds and
nothing it does not: a box plot from min, quartiles and max where the engine gave
them (an exact histogram would need a second pass over the data), and the most
frequent values as bars.
"""

from __future__ import annotations

from typing import Any

from dq.model._results import ColumnProfile, Profile
from dq.output import _facts
from dq.output._html_page import page, text, width_style

_BOX_W = 200.0  # the SVG's user units; it scales to its box
_PAD = 6.0


def _number(value: Any) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:,.0f}"
        return f"{value:.6g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return _facts.short(value, 40) if isinstance(value, str) else str(value)


def _stat(label: str, value: str) -> str:
    return f"<div><dt>{text(label)}</dt><dd>{value}</dd></div>"


def _nulls(c: ColumnProfile) -> str:
    rows = c.count
    rate = _facts.percent(c.null_count, rows) if rows else "-"
    share = c.null_count / rows if rows else 0.0
    return (
        f'<div class="rate"><div class="bar nulls" role="img" aria-label="{rate} null">'
        f"<span {width_style(share)}></span></div>"
        f"<span>{c.null_count:,} null ({rate})</span></div>"
    )


def _numeric(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value else None  # NaN has no place on an axis


def box_plot(c: ColumnProfile) -> str:
    """An inline SVG of min, quartiles, median and max; empty when they are not all numbers."""
    points = [
        _numeric(v)
        for v in (
            c.min,
            c.quantiles.get("0.25"),
            c.quantiles.get("0.5"),
            c.quantiles.get("0.75"),
            c.max,
        )
    ]
    if any(p is None for p in points):
        return ""
    low, q1, median, q3, high = (float(p) for p in points if p is not None)
    span = high - low
    if not span or span != span or span in (float("inf"), float("-inf")):
        return ""

    def x(v: float) -> str:
        return f"{_PAD + (v - low) / span * (_BOX_W - 2 * _PAD):.2f}"

    label = text(f"min {low:.6g}, quartiles {q1:.6g} / {median:.6g} / {q3:.6g}, max {high:.6g}")
    return (
        f'<svg class="box" viewBox="0 0 {_BOX_W:.0f} 22" preserveAspectRatio="none" '
        f'role="img" aria-label="{label}">'
        f'<line class="whisker" x1="{x(low)}" x2="{x(high)}" y1="11" y2="11"/>'
        f'<line class="whisker" x1="{x(low)}" x2="{x(low)}" y1="5" y2="17"/>'
        f'<line class="whisker" x1="{x(high)}" x2="{x(high)}" y1="5" y2="17"/>'
        f'<rect class="iqr" x="{x(q1)}" y="3" width="{float(x(q3)) - float(x(q1)):.2f}" '
        f'height="16" rx="2"/>'
        f'<line class="median" x1="{x(median)}" x2="{x(median)}" y1="3" y2="19"/>'
        "</svg>"
    )


def _tops(c: ColumnProfile) -> str:
    if not c.top_values:
        return ""
    # all-ones counts say nothing about a distribution (an id column): show none
    if all(t.count <= 1 for t in c.top_values):
        return ""
    most = max(t.count for t in c.top_values) or 1
    items = []
    for t in c.top_values[:10]:
        value = "null" if t.value is None else _facts.short(t.value, 60)
        rate = _facts.percent(t.count, c.count) if c.count else ""
        items.append(
            f'<li><span class="v mono" title="{text(value)}">{text(value)}</span>'
            f'<span class="bar top"><span {width_style(t.count / most)}></span></span>'
            f"<span>{t.count:,} ({rate})</span></li>"
        )
    return f'<ul class="tops" aria-label="most frequent values">{"".join(items)}</ul>'


def _column(c: ColumnProfile) -> str:
    stats = [_stat("rows", f"{c.count:,}")]
    if c.distinct_count is not None:
        stats.append(_stat("distinct", f"{c.distinct_count:,}"))
    for label, value in (("min", c.min), ("max", c.max), ("mean", c.mean)):
        if value is not None:
            stats.append(_stat(label, text(_number(value))))
    for q, value in sorted(c.quantiles.items(), key=lambda kv: _order(kv[0])):
        label = "median" if q == "0.5" else f"p{_percentile(q)}"
        stats.append(_stat(label, text(_number(value))))
    if c.min_length is not None:
        stats.append(_stat("length", f"{c.min_length}–{c.max_length}"))
    return (
        f'<article class="card"><div class="top"><h3><code>{text(c.name)}</code></h3>'
        f'<span class="what">{text(c.dtype)}</span></div>'
        f'{_nulls(c)}<dl class="stats">{"".join(stats)}</dl>{box_plot(c)}{_tops(c)}</article>'
    )


def _order(q: str) -> float:
    try:
        return float(q)
    except ValueError:
        return float("inf")


def _percentile(q: str) -> str:
    try:
        return f"{float(q) * 100:g}"
    except ValueError:
        return q


def profile_section(profile: Profile) -> str:
    cards = "".join(_column(c) for c in profile.columns)
    return (
        f'<section id="profile"><h2>Profile: {profile.row_count:,} rows, '
        f"{_facts.plural(len(profile.columns), 'column')}</h2>"
        f'<div class="cards two">{cards}</div></section>'
    )


def render_profile_html(profile: Profile, *, source: str | None = None, **_: Any) -> str:
    """``dq profile --format html``: the profile as a page of its own."""
    where = source or "data"
    header = (
        '<header class="verdict"><span class="word unsupported">PROFILE</span>'
        f"<h1>{text(where)}</h1>"
        f'<dl class="meta"><dt>rows</dt><dd>{profile.row_count:,}</dd>'
        f"<dt>columns</dt><dd>{len(profile.columns)}</dd></dl></header>"
    )
    return page(f"dq profile · {where}", header + profile_section(profile))
