"""The table and the verdict line: honest rates, which failures gated, ``mostly``, the width."""

from __future__ import annotations

import re

import dq
import pytest
from dq.output import _report
from dq.output._facts import percent
from hypothesis import given, settings
from hypothesis import strategies as st
from report_cases import S, any_result, checked, one, orders_profile, orders_result, orders_rules

W = dq.Severity.WARNING


@given(st.integers(1, 10**12), st.integers(1, 10**12))
def test_a_non_zero_share_never_reads_as_zero_nor_a_partial_one_as_all(a: int, b: int) -> None:
    part, whole = min(a, b), max(a, b)
    text = percent(part, whole)
    assert text not in ("0%", "0.00%", "0.0%")
    if part < whole:
        assert not re.fullmatch(r"100(\.0+)?%", text), text
    number = re.fullmatch(r"[<>]?([0-9.]+)%", text)
    assert number, text
    if not text.startswith(("<", ">")):
        shown = float(number.group(1))
        exact = 100 * part / whole
        # two significant digits below 1%, at least one decimal above
        assert abs(shown - exact) <= max(exact * 0.05, 0.05), (text, exact)


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (0, 10, "0%"),
        (10, 10, "100%"),
        (4, 500, "0.8%"),
        (12, 1_000_000, "0.0012%"),
        (1, 10**9, "<0.0001%"),
        (28_000, 1_000_000, "2.8%"),
        (9_999, 10_000, "99.99%"),
        (10**9 - 1, 10**9, ">99.9999%"),
        (1, 3, "33.3%"),
    ],
)
def test_rates_keep_the_digits_that_matter(part: int, whole: int, text: str) -> None:
    assert percent(part, whole) == text


def test_a_passing_run_with_a_failed_warning_says_it_did_not_gate() -> None:
    result = checked(dq.RunStatus.PASSED, one(S.PASSED, rule_id="a"), one(S.FAILED, W, rule_id="w"))
    line = _report.headline(result)
    assert line.startswith("PASSED — 1 warning failed (not gating): w · ")
    assert "1 of 2" not in line


def test_a_failing_run_counts_failures_by_severity_and_names_them() -> None:
    result = checked(
        dq.RunStatus.FAILED,
        one(S.FAILED, rule_id="e1"),
        one(S.FAILED, W, rule_id="w1"),
        *(one(S.PASSED, rule_id=f"p{i}") for i in range(3)),
    )
    assert _report.headline(result, "orders.csv").startswith(
        "FAILED — 2 of 5 rules failed (1 error, 1 warning): e1, w1 · on orders.csv (engine e"
    )


def test_errors_tolerated_by_the_gate_are_named_as_within_it() -> None:
    result = checked(dq.RunStatus.PASSED, one(S.FAILED, rule_id="e"), one(S.FAILED, W, rule_id="w"))
    assert "2 rules failed within the quality gate (1 error, 1 warning): e, w" in (
        _report.headline(result)
    )


def test_a_run_that_could_not_be_judged_says_which_rules_and_lists_at_most_three() -> None:
    errors = [one(S.ERROR, rule_id=f"x{i}", message="boom") for i in range(5)]
    line = _report.headline(checked(dq.RunStatus.ERROR, *errors))
    assert line.startswith("ERROR — 5 of 5 rules could not be evaluated: x0, x1, x2 +2 more")


def test_all_passed_reads_as_such() -> None:
    result = checked(dq.RunStatus.PASSED, one(S.PASSED, rule_id="a"), one(S.PASSED, rule_id="b"))
    assert _report.headline(result).startswith("PASSED — all 2 rules passed · ")


@settings(max_examples=100, deadline=None)
@given(any_result())
def test_no_verdict_ever_reads_passed_with_rules_failed(result: dq.CheckResult) -> None:
    line = _report.headline(result)
    assert not re.search(r"PASSED\W+\d+ of \d+ rules? failed", line)
    assert line.split(" — ")[0] == result.status.value.upper()


def test_a_rule_that_passed_thanks_to_mostly_says_so() -> None:
    text = _report.render_table(orders_result(), rules=orders_rules(), width=None)
    line = next(x for x in text.splitlines() if "amount_range" in x)
    assert "passed (mostly 0.95: 97.2% passing)" in line
    # without the rule set the counts still tell it passed with failing rows
    text = _report.render_table(orders_result(), width=None)
    line = next(x for x in text.splitlines() if "amount_range" in x)
    assert "passed with 97.2% passing (within mostly)" in line


def test_the_table_shows_rates_keys_row_numbers_and_descriptions() -> None:
    text = _report.render_table(orders_result(), rules=orders_rules(), width=None)
    assert "4 / 1,000,000 (0.0004%)" in text and "0.00%" not in text
    assert "e.g. order_id=100012, order_id=100056; Each order appears once" in text
    assert "e.g. order_id=100003, order_id=100077" in text  # not_null: the key finds the row
    assert "e.g. -1.5 (order_id=100012)" in text
    assert "e.g. row 17, row 912345" in text  # several columns at once: no single column
    assert "newest value is 4 h old" in text  # a table-level rule's measure, though it passed


@pytest.mark.parametrize("width", [60, 80, 100, 132])
def test_the_table_fits_the_terminal_cutting_cells_with_an_ellipsis(
    width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    text = _report.render_table(orders_result(), rules=orders_rules())
    table = text.split("\n\n")[0].splitlines()
    assert len(table) == 2 + len(orders_result().results)  # one line per rule: nothing wraps
    assert all(len(line) <= width for line in table), max(map(len, table))
    assert "…" in text


def test_a_table_written_to_a_file_keeps_every_cell_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    text = _report.render(orders_result(), "table", width=None)
    assert "…" not in text and "order_id=100056" in text


@settings(max_examples=60, deadline=None)
@given(any_result(), st.integers(60, 200))
def test_any_result_fits_any_terminal_of_sixty_columns_or_more(
    result: dq.CheckResult, width: int
) -> None:
    lines = _report.render_table(result, width=width).split("\n\n")[0].splitlines()
    assert len(lines) == 2 + len(result.results)
    assert all(len(line) <= width for line in lines)


def test_a_profile_comes_before_the_rules_and_the_verdict_stays_last() -> None:
    text = _report.render(orders_result(), "table", profile=orders_profile(), width=None)
    assert text.index("top values") < text.index("unique_order_id")
    assert text.rstrip().splitlines()[-1].startswith("FAILED — ")
