"""The check report as one self-contained HTML page, like a data-docs page.

Verdict first (status, what failed and whether it gated, suite, tenant, source,
engine, rows, time), then one card per rule in the rules file's order: status,
check and column, description, failed rows as a bar with counts and rate, the
``mostly`` note, the engine's message, and failing rows with their key values
(or row numbers). ``--profile`` adds the data's profile after the rules.

Pure Python (``html.escape`` and f-strings): dq-core stays small and fast to
import, and the few shapes here need no template engine (decision 0025).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dq.model._results import CheckResult, RuleResult, RuleStatus, SampleRow
from dq.model._rules import Severity
from dq.output import _facts
from dq.output._html_page import page, text, width_style

#: A card's class and badge word: failed warnings read as warnings, not as failures.
_TOLERATED = "warned"


def _kind(r: RuleResult, result: CheckResult, rules: Any) -> str:
    """The card's look: a failure the verdict tolerated is ``warned``, not ``failed``."""
    if r.status is RuleStatus.FAILED and not _facts.gating(r, result, rules):
        return _TOLERATED
    return r.status.value


def _badge(r: RuleResult, kind: str) -> str:
    word = r.status.value
    if kind == _TOLERATED:
        word = "warning" if r.severity is Severity.WARNING else "failed (tolerated)"
    return f'<span class="word {kind}">{text(word)}</span>'


def value_html(value: Any) -> str:
    """A sample or key value: ``null`` styled apart, strings quoted (their edges show)."""
    if value is None:
        return '<span class="null">null</span>'
    return f'<span class="mono">{text(_facts.short(value, 120))}</span>'


def _meta(result: CheckResult, context: dict[str, Any]) -> str:
    facts: list[tuple[str, str]] = []
    for label, key in (("suite", "suite"), ("tenant", "tenant"), ("source", "source")):
        if context.get(key):
            facts.append((label, text(context[key])))
    facts.append(("engine", text(result.engine)))
    if result.row_count is not None:
        facts.append(("rows", f"{result.row_count:,}"))
    if result.started_at is not None:
        facts.append(("started", text(_when(result.started_at))))
    if result.duration_seconds is not None:
        facts.append(("took", f"{result.duration_seconds:.2f} s"))
    if result.key:
        facts.append(("key", ", ".join(f"<code>{text(k)}</code>" for k in result.key)))
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
    return f'<dl class="meta">{items}</dl>'


def _when(moment: datetime) -> str:
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _tally(kinds: list[str]) -> str:
    labels = {
        "passed": "passed",
        "failed": "failed",
        _TOLERATED: "failed, not gating",
        "error": "not evaluated",
        "unsupported": "unsupported",
    }
    items = [
        f'<li class="{kind}">{kinds.count(kind)} {label}</li>'
        for kind, label in labels.items()
        if kinds.count(kind)
    ]
    return f'<ul class="tally">{"".join(items)}</ul>'


def _attention(result: CheckResult, kinds: list[str]) -> str:
    """Links to the cards that need a look, so a long report does not hide them."""
    links = [
        f'<a href="#rule-{i}"><code>{text(r.rule_id)}</code></a>'
        for i, (r, kind) in enumerate(zip(result.results, kinds, strict=True), 1)
        if kind != "passed"
    ]
    if not links:
        return ""
    return f'<p class="attention">Look at: {"".join(links)}</p>'


def _clauses(result: CheckResult) -> str:
    """The verdict's clauses, each on its own line: a phone shows them without a wall of text."""
    return "".join(f'<span class="clause">{text(c)}</span>' for c in _facts.clauses(result))


def _header(result: CheckResult, kinds: list[str], context: dict[str, Any]) -> str:
    status = result.status.value
    return (
        f'<header class="verdict {status}">'
        f'<span class="word {status}">{status.upper()}</span>'
        f"<h1>{_clauses(result)}</h1>"
        f"{_meta(result, context)}{_tally(kinds)}{_attention(result, kinds)}</header>"
    )


def _rate(r: RuleResult, kind: str) -> str:
    if r.status in (RuleStatus.ERROR, RuleStatus.UNSUPPORTED):
        return ""
    if not r.element_count:
        return '<p class="rate">no rows to judge</p>'
    if r.element_count == 1:  # a table-level rule: its message says what was measured
        return ""
    share = r.failed_count / r.element_count
    rate = _facts.percent(r.failed_count, r.element_count)
    label = f"{r.failed_count:,} of {r.element_count:,} rows failed ({rate})"
    bar_kind = kind if kind in (_TOLERATED, "passed") else ""
    return (
        f'<div class="rate"><div class="bar {bar_kind}" role="img" aria-label="{rate} failed">'
        f"<span {width_style(share)}></span></div><span>{text(label)}</span></div>"
    )


def _samples(r: RuleResult, key: tuple[str, ...]) -> str:
    """Failing rows as a small table: key columns (or row number), then the value (unless
    the rule is on a key column, whose value the key already shows)."""
    if r.sample_rows:
        keyed = r.column is not None and r.column in key
        return _sample_rows(r.sample_rows, key, with_value=not keyed)
    if not r.samples:
        return ""
    cells = "".join(f"<tr><td>{value_html(v)}</td></tr>" for v in r.samples)
    return (
        '<div class="scroll"><table><thead><tr><th>failing values</th></tr></thead>'
        f"<tbody>{cells}</tbody></table></div>"
    )


def _sample_rows(rows: tuple[SampleRow, ...], key: tuple[str, ...], *, with_value: bool) -> str:
    width = max(len(row.key) for row in rows)
    names = list(key[:width]) + [f"key {i + 1}" for i in range(len(key), width)]
    located_by_row = any(not row.key and row.row is not None for row in rows)
    heads = [f"<th>{text(n)}</th>" for n in names]
    if located_by_row:
        heads.append('<th class="num">row</th>')
    located = any(row.key or row.row is not None for row in rows)
    # a value column only says something when a value is there (not_null rows have none)
    with_value = not located or (with_value and any(row.value is not None for row in rows))
    if with_value:
        heads.append("<th>value</th>")
    body = []
    for row in rows:
        cells = [f"<td>{value_html(v)}</td>" for v in row.key]
        cells += ["<td></td>"] * (width - len(row.key))
        if located_by_row:
            cells.append(f'<td class="num">{"" if row.row is None else f"{row.row:,}"}</td>')
        if with_value:
            cells.append(f"<td>{value_html(row.value)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{"".join(heads)}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _card(
    index: int, r: RuleResult, kind: str, result: CheckResult, mostly: dict[str, float]
) -> str:
    what = [r.check]
    if r.column is not None:
        what.append(r.column)
    what.append(f"{r.severity.value} severity")
    if r.rule_id in mostly:
        what.append(f"mostly {mostly[r.rule_id]:g}")
    parts = [
        f'<article class="card {kind}" id="rule-{index}">',
        f'<div class="top">{_badge(r, kind)}<h3><code>{text(r.rule_id)}</code></h3></div>',
        f'<p class="what">{text(" · ".join(what))}</p>',
    ]
    if r.description:
        parts.append(f'<p class="desc">{text(r.description)}</p>')
    parts.append(_rate(r, kind))
    note = _facts.mostly_note(r, mostly)
    if kind == _TOLERATED:
        why = "not gating" if r.severity is Severity.WARNING else "within the quality gate"
        note = _facts.joined([f"{r.severity.value} failed ({why})", note])
    if note:
        parts.append(f'<p class="note">{text(note)}</p>')
    if r.approximate:
        parts.append('<p class="note">approximate: the engine could only approximate it</p>')
    message = _facts.message_extra(r, mostly)
    if message and (r.status is not RuleStatus.PASSED or r.element_count <= 1):
        parts.append(f'<p class="msg">{text(message)}</p>')
    if r.status is not RuleStatus.ERROR:
        parts.append(_samples(r, result.key))
    parts.append("</article>")
    return "".join(parts)


def _generator() -> str:
    try:
        from importlib.metadata import version

        return f"dq {version('dq-core')}"
    except Exception:  # an odd install must not cost the report
        return "dq"


def render_html(
    result: CheckResult,
    *,
    source: str | None = None,
    suite: str | None = None,
    tenant: str | None = None,
    rules: Any = None,
    profile: Any = None,
    **_: Any,
) -> str:
    """The whole page; every text from data, rules or plugins is escaped."""
    context = {"source": source, "suite": suite, "tenant": tenant}
    mostly = _facts.mostly_of(rules)
    kinds = [_kind(r, result, rules) for r in result.results]
    cards = "".join(
        _card(i, r, kind, result, mostly)
        for i, (r, kind) in enumerate(zip(result.results, kinds, strict=True), 1)
    )
    body = [
        _header(result, kinds, context),
        f'<section id="rules"><h2>Rules ({len(result.results)})</h2>',
        f'<div class="cards">{cards}</div></section>',
    ]
    if profile is not None:
        from dq.output._html_profile import profile_section

        body.append(profile_section(profile))
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body.append(f"<footer>{text(_generator())} · written {made}</footer>")
    name = suite or source or "check"
    return page(f"dq: {result.status.value.upper()} · {name}", "\n".join(body))
