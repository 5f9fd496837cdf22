"""Rendering check results: a table for people, JSON and JUnit for machines, Markdown for PRs.

The JSON shape is documented in docs/output.md and pinned by a JSON Schema
(``dq/schemas/check-result.json``) that the tests validate against. It carries
``status`` and, per rule, ``rule_id``, ``check``, ``column``, ``failed_count``,
``element_count`` and ``status``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr as _xml_quoteattr

from dq.model._results import CheckResult, Profile, RuleResult, RuleStatus
from dq.output._escape import visible, xml_safe
from dq.output._tables import render_table as _render

FORMATS = ("table", "json", "junit", "markdown")
SCHEMA_VERSION = 1


def to_json_dict(
    result: CheckResult, *, source: str | None = None, suite: str | None = None
) -> dict[str, Any]:
    counts = {status.value: 0 for status in RuleStatus}
    for r in result.results:
        counts[r.status.value] += 1
    return {
        "schema_version": SCHEMA_VERSION,
        "status": result.status.value,
        "suite": suite,
        "source": source,
        "engine": result.engine,
        "row_count": result.row_count,
        "started_at": result.started_at.isoformat() if result.started_at else None,
        "duration_seconds": result.duration_seconds,
        "summary": counts,
        "rules": [_rule_json(r) for r in result.results],
    }


def _rule_json(r: RuleResult) -> dict[str, Any]:
    return {
        "rule_id": r.rule_id,
        "check": r.check,
        "column": r.column,
        "severity": r.severity.value,
        "status": r.status.value,
        "failed_count": r.failed_count,
        "element_count": r.element_count,
        "failure_rate": r.failure_rate,
        "approximate": r.approximate,
        "message": r.message,
        "samples": [_json_safe(v) for v in r.samples],
    }


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)  # NaN/inf are not JSON; keep them visible as strings
    return value


def render_json(result: CheckResult, **context: Any) -> str:
    return json.dumps(to_json_dict(result, **context), indent=2, ensure_ascii=False)


def _counts(r: RuleResult) -> str:
    if r.status in (RuleStatus.ERROR, RuleStatus.UNSUPPORTED):
        return "-"
    return f"{r.failed_count:,} / {r.element_count:,}"


def _short(value: Any, width: int = 32) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 4] + "...'"


def _detail(r: RuleResult) -> str:
    """What a reader needs beyond the counts: samples for failures, the message otherwise."""
    if r.status is RuleStatus.PASSED:
        return ""
    parts = []
    if r.status is RuleStatus.FAILED and r.samples:
        parts.append("e.g. " + ", ".join(_short(v) for v in r.samples))
    elif r.message:
        parts.append(r.message)
    if r.approximate:
        parts.append("(approximate)")
    return " ".join(parts)


def headline(result: CheckResult, source: str | None = None) -> str:
    failed = [r for r in result.results if r.status is RuleStatus.FAILED]
    bad = [r for r in result.results if r.status in (RuleStatus.ERROR, RuleStatus.UNSUPPORTED)]
    where = f" on {source}" if source else ""
    rows = f", {result.row_count:,} rows" if result.row_count is not None else ""
    took = f", {result.duration_seconds:.2f} s" if result.duration_seconds is not None else ""
    extra = f", {len(bad)} not evaluated" if bad else ""
    return visible(
        f"{result.status.value.upper()}: {len(failed)} of {len(result.results)} rules failed"
        f"{extra}{where} (engine {result.engine}{rows}{took})"
    )


def render_table(result: CheckResult, *, source: str | None = None, **_: Any) -> str:
    rows = [
        [
            r.status.value,
            r.rule_id,
            r.check,
            r.column or "",
            r.severity.value,
            _counts(r),
            _detail(r),
        ]
        for r in result.results
    ]
    table = _render(["status", "rule", "check", "column", "severity", "failed", "detail"], rows)
    return f"{table}\n\n{headline(result, source)}"


def render_markdown(result: CheckResult, *, source: str | None = None, **_: Any) -> str:
    def cell(text: str) -> str:
        # visible() turns line breaks into "\n", so a cell stays on its row; a
        # backslash is doubled first, so "\|" in the text cannot unescape a pipe
        text = visible(text).replace("\\", "\\\\").replace("|", "\\|")
        return text.replace("<", "&lt;").replace(">", "&gt;")

    def code(text: str) -> str:
        # a code span's fence must be longer than any run of backticks inside it
        text = visible(text).replace("\\", "\\\\").replace("|", "\\|")
        fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        return f"{fence}{pad}{text}{pad}{fence}"

    lines = [
        f"**{headline(result, source)}**",
        "",
        "| status | rule | check | column | severity | failed | detail |",
        "|---|---|---|---|---|---:|---|",
    ]
    for r in result.results:
        lines.append(
            "| "
            + " | ".join(
                [
                    cell(r.status.value),
                    code(r.rule_id),
                    *(
                        cell(x)
                        for x in [r.check, r.column or "", r.severity.value, _counts(r), _detail(r)]
                    ),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def render_junit(
    result: CheckResult, *, source: str | None = None, suite: str | None = None, **_: Any
) -> str:
    """One testcase per rule: failed -> <failure>, error -> <error>, unsupported -> <skipped>."""
    name = suite or source or "dq"
    failures = sum(r.status is RuleStatus.FAILED for r in result.results)
    errors = sum(r.status is RuleStatus.ERROR for r in result.results)
    skipped = sum(r.status is RuleStatus.UNSUPPORTED for r in result.results)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name={quoteattr("dq")} tests="{len(result.results)}" failures="{failures}" '
        f'errors="{errors}" skipped="{skipped}">',
        f'  <testsuite name={quoteattr(name)} tests="{len(result.results)}" failures="{failures}" '
        f'errors="{errors}" skipped="{skipped}" time="{result.duration_seconds or 0:.3f}">',
    ]
    for r in result.results:
        head = (
            f"    <testcase classname={quoteattr(f'{name}.{r.check}')} name={quoteattr(r.rule_id)}"
        )
        detail = f"{r.failed_count} of {r.element_count} rows failed. {_detail(r)}".strip()
        if r.status is RuleStatus.PASSED:
            out.append(head + "/>")
            continue
        out.append(head + ">")
        if r.status is RuleStatus.FAILED:
            out.append(
                f"      <failure type={quoteattr(r.severity.value)} message={quoteattr(detail)}>"
                f"{escape(detail)}</failure>"
            )
        elif r.status is RuleStatus.ERROR:
            message = quoteattr(r.message)
            out.append(f'      <error type="error" message={message}>{escape(r.message)}</error>')
        else:
            out.append(
                f"      <skipped message={quoteattr('unsupported by engine ' + result.engine)}/>"
            )
        out.append("    </testcase>")
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out)


def escape(text: str) -> str:
    """XML character data that is valid XML 1.0 whatever *text* holds."""
    return _xml_escape(xml_safe(text))


def quoteattr(text: str) -> str:
    """A quoted XML attribute value that is valid XML 1.0 whatever *text* holds."""
    return _xml_quoteattr(xml_safe(text))


RENDERERS = {
    "table": render_table,
    "json": render_json,
    "junit": render_junit,
    "markdown": render_markdown,
}


def render(result: CheckResult, fmt: str, **context: Any) -> str:
    return RENDERERS[fmt](result, **context)


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
