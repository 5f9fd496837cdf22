"""Text from data reaches no terminal raw, and every report format stays valid for any input."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import dq
from dq.output import _report
from dq.output._tables import render_table
from hypothesis import given, settings
from hypothesis import strategies as st

#: Anything a terminal acts on instead of showing: C0, DEL, C1, separators, bidi controls.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\ufeff]")
#: Text stressing every escape: ANSI, CR, NUL, bidi override, XML-forbidden and markup characters.
NASTY = st.sampled_from(
    ["\x1b[2J\x1b[31m", "\r", "\n", "\x00", "\u202e", "\x0b", "\ufffe", "|", "`", "<x>", "&", "]]>"]
)
texts = st.one_of(
    st.text(max_size=20),
    st.lists(st.one_of(NASTY, st.text(max_size=3)), max_size=6).map("".join),
)


@st.composite
def results(draw: st.DrawFn) -> dq.CheckResult:
    rules = []
    for _ in range(draw(st.integers(1, 3))):
        rules.append(
            dq.RuleResult(
                rule_id=draw(texts),
                check=draw(st.sampled_from(sorted(dq.CHECKS))),
                column=draw(st.none() | texts),
                status=draw(st.sampled_from(dq.RuleStatus)),
                failed_count=draw(st.integers(0, 10)),
                element_count=10,
                message=draw(texts),
                samples=tuple(draw(st.lists(texts, max_size=2))),
            )
        )
    return dq.CheckResult(
        status=draw(st.sampled_from(dq.RunStatus)), engine=draw(texts), results=tuple(rules)
    )


@settings(max_examples=150, deadline=None)
@given(results(), st.none() | texts)
def test_junit_is_valid_xml_for_any_text(result: dq.CheckResult, source: str | None) -> None:
    root = ET.fromstring(_report.render_junit(result, source=source).encode("utf-8"))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(result.results)


@settings(max_examples=150, deadline=None)
@given(results(), st.none() | texts)
def test_the_table_report_has_no_control_characters(
    result: dq.CheckResult, source: str | None
) -> None:
    text = _report.render_table(result, source=source)
    assert CONTROL.search(text.replace("\n", "")) is None
    # one line per rule at least, plus header, rule line, blank and headline: no injected rows
    assert text.count("\n") >= len(result.results) + 3


@settings(max_examples=150, deadline=None)
@given(results(), st.none() | texts)
def test_markdown_keeps_one_row_per_rule_and_seven_cells(
    result: dq.CheckResult, source: str | None
) -> None:
    lines = _report.render_markdown(result, source=source).split("\n")
    assert CONTROL.search("".join(lines)) is None
    rows = lines[4:]
    assert len(rows) == len(result.results)
    for row in rows:
        # cells split on pipes that are not escaped (GFM: a backslash escapes the next char)
        cells = re.findall(r"(?:\\.|[^|\\])+", row.strip().strip("|"))
        assert len(cells) == 7, row


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=4))
def test_plain_tables_escape_control_characters_in_any_cell(pairs: list[tuple[str, str]]) -> None:
    text = render_table(["column", "value"], [list(p) for p in pairs])
    assert CONTROL.search(text.replace("\n", "")) is None
    assert len(text.split("\n")) == len(pairs) + 2


def test_an_ansi_escape_is_shown_not_obeyed() -> None:
    result = dq.CheckResult(
        status=dq.RunStatus.FAILED,
        engine="e",
        results=(
            dq.RuleResult(
                rule_id="r\x1b[2J",
                check="not_null",
                column="c\x1b[31m",
                status=dq.RuleStatus.ERROR,
                message="bad\rOK",
            ),
        ),
    )
    text = _report.render_table(result)
    assert "r\\x1b[2J" in text and "c\\x1b[31m" in text and "bad\\rOK" in text
    assert "\x1b" not in text and "\r" not in text


def test_a_profile_table_escapes_column_names_and_values() -> None:
    profile = dq.Profile(
        row_count=1,
        columns=(
            dq.ColumnProfile(
                name="a\x1b]0;pwned\x07",
                dtype="String",
                count=1,
                null_count=0,
                top_values=(dq.ValueCount(value="\x1b[5mX", count=1),),
            ),
        ),
    )
    text = _report.render_profile_table(profile)
    assert "\x1b" not in text and "\x07" not in text
    assert "a\\x1b]0;pwned\\x07" in text
