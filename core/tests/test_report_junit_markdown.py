"""JUnit marks only gating failures and says each thing once; Markdown lets no markup through."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import dq
from dq.output import _report
from hypothesis import given, settings
from hypothesis import strategies as st
from report_cases import S, any_result, checked, one, orders_result, orders_rules

W = dq.Severity.WARNING


def cases(xml: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml.encode("utf-8"))
    return {c.get("name", ""): c for c in root.iter("testcase")}


def test_a_failed_warning_on_a_passing_run_is_not_a_failure() -> None:
    result = checked(
        dq.RunStatus.PASSED, one(S.PASSED, rule_id="ok"), one(S.FAILED, W, rule_id="w")
    )
    xml = _report.render_junit(result)
    warned = cases(xml)["w"]
    assert warned.find("failure") is None and warned.find("error") is None
    out = warned.findtext("system-out") or ""
    assert out.startswith("warning failed (not gating): 1 of 10 rows failed (10.0%)")
    props = {p.get("name"): p.get("value") for p in warned.iter("property")}
    assert props["dq.status"] == "failed" and props["dq.severity"] == "warning"
    suite = ET.fromstring(xml).find("testsuite")
    assert suite is not None and suite.get("failures") == "0"


def test_errors_the_gate_tolerated_are_not_failures_either() -> None:
    result = checked(dq.RunStatus.PASSED, one(S.FAILED, rule_id="e"))
    case = cases(_report.render_junit(result))["e"]
    assert case.find("failure") is None
    assert "within the quality gate" in (case.findtext("system-out") or "")


def test_warnings_fail_when_the_gate_counts_them() -> None:
    rules = dq.RuleSet(
        rules=(dq.NotNull(id="w", column="c", severity=W),),
        gate=dq.QualityGate(max_failed_warnings=0),
    )
    result = checked(dq.RunStatus.FAILED, one(S.FAILED, W, rule_id="w"))
    assert cases(_report.render_junit(result, rules=rules))["w"].find("failure") is not None
    # with the default gate a warning never fails the build
    assert cases(_report.render_junit(result))["w"].find("failure") is None


def test_a_gating_failure_says_its_message_once() -> None:
    xml = _report.render_junit(orders_result(), rules=orders_rules())
    failure = cases(xml)["unique_order_id"].find("failure")
    assert failure is not None and failure.get("type") == "error"
    message = failure.get("message") or ""
    assert message == "4 of 1,000,000 rows failed (0.0004%)"
    body = failure.text or ""
    assert message not in body and "rows failed" not in body  # no doubled text
    assert "0.00%" not in xml
    assert "failing rows: order_id=100012, order_id=100056" in body
    assert "description: Each order appears once" in body


def test_unsupported_is_skipped_and_unevaluable_is_an_error_with_one_message() -> None:
    found = cases(_report.render_junit(orders_result()))
    skipped = found["mean_amount"].find("skipped")
    assert skipped is not None and skipped.get("message") == "the engine cannot do this"
    error = found["known_customer"].find("error")
    assert error is not None and error.get("message") == "cannot read customers.csv: no such file"
    assert "cannot read" not in (error.text or "")


def test_mostly_and_row_numbers_reach_junit() -> None:
    found = cases(_report.render_junit(orders_result(), rules=orders_rules()))
    assert (found["amount_range"].findtext("system-out") or "").startswith(
        "passed (mostly 0.95: 97.2% passing)"
    )
    body = found["unique_order_line"].find("failure")
    assert body is not None and "failing rows: row 17, row 912345" in (body.text or "")


def test_suite_counts_match_the_testcases() -> None:
    suite = ET.fromstring(_report.render_junit(orders_result())).find("testsuite")
    assert suite is not None
    assert (
        suite.get("tests"),
        suite.get("failures"),
        suite.get("errors"),
        suite.get("skipped"),
    ) == (
        "7",
        "2",  # unique_order_id and unique_order_line; the warning does not gate
        "1",
        "1",
    )


@settings(max_examples=100, deadline=None)
@given(any_result(), st.none() | st.text(max_size=10))
def test_junit_is_valid_xml_and_failures_are_only_gating_rules(
    result: dq.CheckResult, source: str | None
) -> None:
    root = ET.fromstring(_report.render_junit(result, source=source).encode("utf-8"))
    found = list(root.iter("testcase"))
    assert len(found) == len(result.results)
    for case, rule in zip(found, result.results, strict=True):
        if case.find("failure") is not None:
            assert rule.status is S.FAILED and result.status is not dq.RunStatus.PASSED
            assert rule.severity is dq.Severity.ERROR


#: Where CommonMark sees raw HTML (a tag, comment, declaration, processing instruction)
#: or an autolink: all start with "<".
RAW_HTML = re.compile(r"<[A-Za-z/!?]")
#: A code span (CommonMark: a backtick string not escaped, the same length to close it):
#: its content is shown literally, so "<" there is text.
CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)(.*?)(?<!`)\1(?!`)")


@settings(max_examples=100, deadline=None)
@given(any_result(), st.none() | st.text(max_size=10))
def test_markdown_lets_no_raw_html_or_link_through(
    result: dq.CheckResult, source: str | None
) -> None:
    text = _report.render_markdown(result, source=source)
    prose = CODE_SPAN.sub("", text)
    assert RAW_HTML.search(prose) is None
    # no link or image syntax from data: every "[" outside code spans is escaped
    assert re.search(r"(?<!\\)\[", prose) is None
    rows = text.split("\n")[4:]
    assert len(rows) == len(result.results)


def test_markdown_shows_markup_in_data_as_text() -> None:
    result = checked(
        dq.RunStatus.FAILED,
        dq.RuleResult(
            rule_id="r",
            check="regex",
            column="<b>c</b>",
            status=S.FAILED,
            failed_count=1,
            element_count=2,
            samples=("[x](http://e) *y* & z",),
            description="a_b|c",
        ),
    )
    text = _report.render_markdown(result)
    assert "&lt;b&gt;c&lt;/b&gt;" in text
    assert "\\[x\\](http://e) \\*y\\* &amp; z" in text
    assert "a\\_b\\|c" in text
    assert "| 1 / 2 (50.0%) |" in text
