"""The check report as JUnit XML: one ``<testcase>`` per rule, for CI test reporters.

A ``<failure>`` turns a CI build red, so only a rule that is a reason the run did
not pass gets one. A failing warning (or any failure the quality gate tolerated)
is a passing test case whose ``<system-out>`` and ``<properties>`` carry the
facts; a rule the engine cannot perform is ``<skipped>``; one that could not be
evaluated is an ``<error>``. Each message is written once: the short line in the
``message`` attribute, the extra details (samples, description) in the body.
"""

from __future__ import annotations

from typing import Any

from dq.model._results import CheckResult, RuleResult, RuleStatus
from dq.output import _facts
from dq.output._escape import xml_safe


def escape(text: str) -> str:
    """XML character data that is valid XML 1.0 whatever *text* holds."""
    from xml.sax.saxutils import escape as xml_escape  # pulls in urllib/http/ssl: ~25 ms

    return xml_escape(xml_safe(text))


def quoteattr(text: str) -> str:
    """A quoted XML attribute value that is valid XML 1.0 whatever *text* holds."""
    from xml.sax.saxutils import quoteattr as xml_quoteattr

    return xml_quoteattr(xml_safe(text))


def _line(r: RuleResult) -> str:
    """The one-line message: counts and rate, or the engine's message."""
    if r.status is RuleStatus.FAILED and r.element_count:
        rate = _facts.percent(r.failed_count, r.element_count)
        return f"{r.failed_count:,} of {r.element_count:,} rows failed ({rate})"
    return r.message or r.status.value


def _body(r: RuleResult, result: CheckResult, mostly: dict[str, float], note: str = "") -> str:
    """Details beyond the message line: one fact per line, none repeating it."""
    lines = [note]
    if r.status is RuleStatus.FAILED:
        # the engine's words, less the counts the message line already gives
        lines += [_facts.mostly_note(r, mostly), _facts.message_extra(r, mostly)]
    samples = _facts.sample_texts(r, result.key)
    if samples:
        lines.append("failing rows: " + ", ".join(samples))
    if r.description:
        lines.append(f"description: {r.description}")
    return "\n".join(line for line in lines if line)


def _properties(r: RuleResult, result: CheckResult, mostly: dict[str, float]) -> list[str]:
    props = [
        ("dq.status", r.status.value),
        ("dq.severity", r.severity.value),
        ("dq.check", r.check),
    ]
    if r.column is not None:
        props.append(("dq.column", r.column))
    if r.status not in (RuleStatus.ERROR, RuleStatus.UNSUPPORTED):
        props += [
            ("dq.failed_count", str(r.failed_count)),
            ("dq.element_count", str(r.element_count)),
        ]
    if r.rule_id in mostly:
        props.append(("dq.mostly", f"{mostly[r.rule_id]:g}"))
    if r.description:
        props.append(("dq.description", r.description))
    out = ["      <properties>"]
    out += [f"        <property name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in props]
    out.append("      </properties>")
    return out


def render_junit(
    result: CheckResult,
    *,
    source: str | None = None,
    suite: str | None = None,
    rules: Any = None,
    **_: Any,
) -> str:
    """One testcase per rule: gating failure -> <failure>, error -> <error>,
    unsupported -> <skipped>, tolerated failure -> <system-out>."""
    name = suite or source or "dq"
    mostly = _facts.mostly_of(rules)
    failing = [r for r in result.results if _failure(r, result, rules)]
    errors = sum(r.status is RuleStatus.ERROR for r in result.results)
    skipped = sum(r.status is RuleStatus.UNSUPPORTED for r in result.results)
    counts = (
        f'tests="{len(result.results)}" failures="{len(failing)}" '
        f'errors="{errors}" skipped="{skipped}"'
    )
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<testsuites name={quoteattr('dq')} {counts}>",
        f'  <testsuite name={quoteattr(name)} {counts} time="{result.duration_seconds or 0:.3f}">',
    ]
    for r in result.results:
        out += _testcase(r, result, name, rules, mostly)
    out += [
        "    <system-out>" + escape(_facts.verdict(result, source)) + "</system-out>",
        "  </testsuite>",
        "</testsuites>",
    ]
    return "\n".join(out)


def _failure(r: RuleResult, result: CheckResult, rules: Any) -> bool:
    return r.status is RuleStatus.FAILED and _facts.gating(r, result, rules)


def _testcase(
    r: RuleResult, result: CheckResult, name: str, rules: Any, mostly: dict[str, float]
) -> list[str]:
    head = f"    <testcase classname={quoteattr(f'{name}.{r.check}')} name={quoteattr(r.rule_id)}"
    note = _facts.mostly_note(r, mostly)
    if r.status is RuleStatus.PASSED and not note and not r.description:
        return [head + "/>"]
    out = [head + ">", *_properties(r, result, mostly)]
    if _failure(r, result, rules):
        body = _body(r, result, mostly)
        out.append(
            f"      <failure type={quoteattr(r.severity.value)} message={quoteattr(_line(r))}>"
            f"{escape(body)}</failure>"
        )
    elif r.status is RuleStatus.ERROR:
        body = _body(r, result, mostly)
        out.append(
            f'      <error type="error" message={quoteattr(r.message)}>{escape(body)}</error>'
        )
    elif r.status is RuleStatus.UNSUPPORTED:
        message = r.message or f"unsupported by engine {result.engine}"
        out.append(f"      <skipped message={quoteattr(message)}/>")
    elif r.status is RuleStatus.FAILED:  # tolerated: a warning, or within the gate's budget
        why = "not gating" if r.severity.value == "warning" else "within the quality gate"
        note = f"{r.severity.value} failed ({why}): {_line(r)}"
        out.append("      <system-out>" + escape(_body(r, result, mostly, note)) + "</system-out>")
    else:
        out.append("      <system-out>" + escape(_body(r, result, mostly, note)) + "</system-out>")
    out.append("    </testcase>")
    return out
