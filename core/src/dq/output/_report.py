"""Rendering check results: a table for people, JSON and JUnit for machines, Markdown for PRs,
a self-contained HTML page to share (``_text``, ``_junit``, ``_html`` hold each format).

The JSON shape is documented in docs/output.md and pinned by a JSON Schema
(``dq/schemas/check-result.json``) that the tests validate against. It carries
``status`` and, per rule, ``rule_id``, ``check``, ``column``, ``failed_count``,
``element_count`` and ``status``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from dq.model._results import CheckResult, RuleResult, RuleStatus, SampleRow
from dq.output._junit import escape, quoteattr, render_junit
from dq.output._profile_text import render_profile_table
from dq.output._text import headline, render_markdown, render_table

__all__ = [
    "FORMATS",
    "escape",
    "headline",
    "quoteattr",
    "render",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_profile_table",
    "render_table",
    "to_json_dict",
]

FORMATS = ("table", "json", "junit", "markdown", "html")
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
        "key": list(result.key),
        "rules": [_rule_json(r, result.key) for r in result.results],
    }


def _rule_json(r: RuleResult, key: tuple[str, ...] = ()) -> dict[str, Any]:
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
        "description": r.description,
        "samples": [_json_safe(v) for v in r.samples],
        "sample_rows": [_sample_row_json(row, key) for row in r.sample_rows],
    }


def _sample_row_json(row: SampleRow, key: tuple[str, ...]) -> dict[str, Any]:
    """A failing row: its value, its key values by column name, or its row number."""
    names = key if len(key) == len(row.key) else tuple(f"key{i}" for i in range(len(row.key)))
    return {
        "value": _json_safe(row.value),
        "key": {name: _json_safe(v) for name, v in zip(names, row.key, strict=True)},
        "row": row.row,
    }


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)  # NaN/inf are not JSON; keep them visible as strings
    return value


def render_json(result: CheckResult, **context: Any) -> str:
    return json.dumps(to_json_dict(result, **context), indent=2, ensure_ascii=False)


def _render_json(result: CheckResult, **context: Any) -> str:
    # the JSON document names its source and suite; the other context is for people
    return render_json(result, source=context.get("source"), suite=context.get("suite"))


def _render_html(result: CheckResult, **context: Any) -> str:
    from dq.output._html import render_html  # only the html format pays for its import

    return render_html(result, **context)


RENDERERS: dict[str, Callable[..., str]] = {
    "table": render_table,
    "json": _render_json,
    "junit": render_junit,
    "markdown": render_markdown,
    "html": _render_html,
}


def render(result: CheckResult, fmt: str, **context: Any) -> str:
    """*result* in format *fmt*.

    Context every format may use: ``source`` and ``suite`` (names), ``tenant``,
    ``rules`` (the RuleSet, for ``mostly`` and the gate), ``profile`` (a Profile,
    shown by html and table), ``width`` (table: columns to fit; None never cuts).
    """
    return RENDERERS[fmt](result, **context)
