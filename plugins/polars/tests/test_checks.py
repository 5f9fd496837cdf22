"""Each check's pinned semantics on hand-written edge cases.

Counting unit: failing rows. Value checks ignore nulls (neither failing nor
counted); not_null, unique and expression count every row. NaN is a value.
"""

from __future__ import annotations

import math

import dq
import polars as pl
import pytest

NAN, INF = math.nan, math.inf
P, F, E = dq.RuleStatus.PASSED, dq.RuleStatus.FAILED, dq.RuleStatus.ERROR


def one(result: dq.CheckResult) -> dq.RuleResult:
    assert len(result.results) == 1
    return result.results[0]


def counts(result: dq.RuleResult) -> tuple[dq.RuleStatus, int, int]:
    return result.status, result.failed_count, result.element_count


FLOATS = pl.DataFrame({"x": [1.0, None, NAN, INF, -INF, 1.0, NAN, 0.0, -0.0]})
STRINGS = pl.DataFrame({"s": ["a", None, "", " ", "é", "a", "ab\n", "日本語", "A"]})


# -- not_null ------------------------------------------------------------------------------


def test_not_null_counts_nulls_over_all_rows_and_nan_is_a_value(run) -> None:
    assert counts(one(run(FLOATS, dq.NotNull(id="r", column="x")))) == (F, 1, 9)


def test_not_null_empty_and_blank_strings_are_values(run) -> None:
    assert counts(one(run(STRINGS, dq.NotNull(id="r", column="s")))) == (F, 1, 9)


def test_not_null_passes_without_nulls(run) -> None:
    frame = pl.DataFrame({"x": [1, 2, 3]})
    assert counts(one(run(frame, dq.NotNull(id="r", column="x")))) == (P, 0, 3)


# -- unique --------------------------------------------------------------------------------


def test_unique_fails_every_row_of_a_repeated_value_not_just_extra_ones(run) -> None:
    frame = pl.DataFrame({"x": [1, 1, 1, 2, 3, 3]})
    assert counts(one(run(frame, dq.Unique(id="r", column="x")))) == (F, 5, 6)


def test_unique_nulls_never_fail_and_are_not_counted(run) -> None:
    frame = pl.DataFrame({"x": [None, None, 1, 2, None]})
    assert counts(one(run(frame, dq.Unique(id="r", column="x")))) == (P, 0, 2)


def test_unique_nan_is_a_value_that_can_repeat(run) -> None:
    # 1.0 x2, NaN x2 fail; 0.0 and -0.0 compare equal in polars and repeat too.
    assert counts(one(run(FLOATS, dq.Unique(id="r", column="x")))) == (F, 6, 8)


def test_unique_negative_zero_equals_zero(run) -> None:
    frame = pl.DataFrame({"x": [0.0, -0.0, 1.0]})
    assert counts(one(run(frame, dq.Unique(id="r", column="x")))) == (F, 2, 3)


def test_unique_strings_case_and_unicode(run) -> None:
    # "a" repeats; "A" does not equal "a"; "" and " " are distinct values.
    assert counts(one(run(STRINGS, dq.Unique(id="r", column="s")))) == (F, 2, 8)


# -- between -------------------------------------------------------------------------------


def test_between_nan_is_out_of_range_nulls_ignored_infinities_compared(run) -> None:
    rule = dq.Between(id="r", column="x", min=-10, max=10)
    # non-null: 1, nan, inf, -inf, 1, nan, 0, -0 -> 8; outside: nan x2, inf, -inf
    assert counts(one(run(FLOATS, rule))) == (F, 4, 8)


def test_between_open_upper_bound_still_fails_nan(run) -> None:
    # polars orders NaN above +inf, so `NaN >= 0` alone would pass it.
    rule = dq.Between(id="r", column="x", min=0)
    # fail: nan x2, -inf
    assert counts(one(run(FLOATS, rule))) == (F, 3, 8)


def test_between_open_lower_bound(run) -> None:
    rule = dq.Between(id="r", column="x", max=1)
    # fail: nan x2, inf
    assert counts(one(run(FLOATS, rule))) == (F, 3, 8)


@pytest.mark.parametrize(
    ("min_inclusive", "max_inclusive", "failed"),
    [(True, True, 0), (False, True, 1), (True, False, 1), (False, False, 2)],
)
def test_between_inclusivity(run, min_inclusive: bool, max_inclusive: bool, failed: int) -> None:
    frame = pl.DataFrame({"x": [0, 5, 10]})
    rule = dq.Between(
        id="r", column="x", min=0, max=10, min_inclusive=min_inclusive, max_inclusive=max_inclusive
    )
    assert one(run(frame, rule)).failed_count == failed


def test_between_integer_column_with_fractional_bounds(run) -> None:
    frame = pl.DataFrame({"x": [0, 1, 2, 3, None]}, schema={"x": pl.Int32})
    rule = dq.Between(id="r", column="x", min=0.5, max=2.5)
    assert counts(one(run(frame, rule))) == (F, 2, 4)


def test_between_all_null_column_passes_with_nothing_checked(run) -> None:
    frame = pl.DataFrame({"x": [None, None]}, schema={"x": pl.Float64})
    assert counts(one(run(frame, dq.Between(id="r", column="x", min=0)))) == (P, 0, 0)


def test_between_on_a_string_column_is_an_error(run) -> None:
    result = one(run(STRINGS, dq.Between(id="r", column="s", min=0)))
    assert result.status is E
    assert "'r'" in result.message and "numeric" in result.message


# -- regex ---------------------------------------------------------------------------------


def test_regex_is_a_full_match_and_tests_empty_and_blank_strings(run) -> None:
    rule = dq.Regex(id="r", column="s", pattern="a")
    # non-null 8; only the two "a" fully match ("A", "ab\n" do not)
    assert counts(one(run(STRINGS, rule))) == (F, 6, 8)


def test_regex_dollar_does_not_match_before_a_trailing_newline(run) -> None:
    frame = pl.DataFrame({"s": ["ab", "ab\n"]})
    assert one(run(frame, dq.Regex(id="r", column="s", pattern="ab$"))).failed_count == 1
    assert one(run(frame, dq.Regex(id="r", column="s", pattern="ab"))).failed_count == 1


def test_regex_alternation_is_anchored_as_a_whole(run) -> None:
    frame = pl.DataFrame({"s": ["a", "b", "ab", "xb"]})
    assert one(run(frame, dq.Regex(id="r", column="s", pattern="a|b"))).failed_count == 2


def test_regex_multiline_flag_cannot_unanchor(run) -> None:
    frame = pl.DataFrame({"s": ["a\nzzz"]})
    assert one(run(frame, dq.Regex(id="r", column="s", pattern="(?m)a$"))).failed_count == 1


def test_regex_empty_pattern_matches_only_the_empty_string(run) -> None:
    assert counts(one(run(STRINGS, dq.Regex(id="r", column="s", pattern="")))) == (F, 7, 8)


def test_regex_uses_unicode_word_characters(run) -> None:
    # Rust regex: \w is Unicode-aware (RE2-style dialects would fail "é" and "日本語").
    frame = pl.DataFrame({"s": ["é", "日本語", "a_1", "-"]})
    assert one(run(frame, dq.Regex(id="r", column="s", pattern=r"\w+"))).failed_count == 1


def test_regex_on_a_categorical_column(run) -> None:
    frame = pl.DataFrame({"s": ["a", "b", None]}, schema={"s": pl.Categorical})
    assert counts(one(run(frame, dq.Regex(id="r", column="s", pattern="a")))) == (F, 1, 2)


# -- in_set --------------------------------------------------------------------------------


def test_in_set_strings_nulls_ignored_empty_string_is_a_value(run) -> None:
    rule = dq.InSet(id="r", column="s", values=("a", "", "日本語"))
    # non-null 8; pass a, "", a, 日本語 -> fail " ", é, ab\n, A
    assert counts(one(run(STRINGS, rule))) == (F, 4, 8)


def test_in_set_integer_column_with_mixed_numeric_values(run) -> None:
    frame = pl.DataFrame({"x": [1, 2, 3, None]}, schema={"x": pl.UInt8})
    # 2.5 can never equal an integer and 300 does not fit a UInt8: both dropped
    rule = dq.InSet(id="r", column="x", values=(1, 3.0, 2.5, 300))
    assert counts(one(run(frame, rule))) == (F, 1, 3)


def test_in_set_float_column(run) -> None:
    rule = dq.InSet(id="r", column="x", values=(1, 0.0))
    # non-null 8: 1, 1, 0.0, -0.0 pass; nan x2, inf, -inf fail
    assert counts(one(run(FLOATS, rule))) == (F, 4, 8)


def test_in_set_booleans(run) -> None:
    frame = pl.DataFrame({"b": [True, False, None, True]})
    assert counts(one(run(frame, dq.InSet(id="r", column="b", values=(True,))))) == (F, 1, 3)


def test_in_set_empty_set_fails_every_value(run) -> None:
    assert counts(one(run(STRINGS, dq.InSet(id="r", column="s", values=())))) == (F, 8, 8)


@pytest.mark.parametrize(
    ("frame", "values"),
    [
        (STRINGS, (1, 2)),
        (pl.DataFrame({"s": [1, 2]}), ("1",)),
        (pl.DataFrame({"s": [1, 2]}), (True,)),
        (pl.DataFrame({"s": [True]}), (1,)),
        (pl.DataFrame({"s": [[1], [2]]}), (1,)),
    ],
)
def test_in_set_values_of_the_wrong_kind_are_an_error(run, frame, values) -> None:
    result = one(run(frame, dq.InSet(id="bad_set", column="s", values=values)))
    assert result.status is E
    assert "'bad_set'" in result.message


# -- max_length / min_length -----------------------------------------------------------------


def test_max_length_counts_characters_not_bytes(run) -> None:
    rule = dq.MaxLength(id="r", column="s", length=1)
    # "日本語" is 3 chars (9 bytes), "ab\n" 3 chars: both fail; "é" (2 bytes) passes
    assert counts(one(run(STRINGS, rule))) == (F, 2, 8)


def test_min_length_empty_string_fails_nulls_ignored(run) -> None:
    rule = dq.MinLength(id="r", column="s", length=1)
    assert counts(one(run(STRINGS, rule))) == (F, 1, 8)


def test_min_length_zero_always_passes(run) -> None:
    assert counts(one(run(STRINGS, dq.MinLength(id="r", column="s", length=0)))) == (P, 0, 8)


def test_length_on_a_numeric_column_is_an_error(run) -> None:
    result = one(run(FLOATS, dq.MaxLength(id="len", column="x", length=3)))
    assert result.status is E and "'len'" in result.message and "String" in result.message


# -- row_count, dtype, column_exists -----------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "status"),
    [(9, 9, P), (0, None, P), (None, 9, P), (10, None, F), (None, 8, F), (1, 2, F)],
)
def test_row_count_is_table_level(run, low, high, status) -> None:
    result = one(run(FLOATS, dq.RowCount(id="r", min=low, max=high)))
    assert result.status is status
    assert result.column is None and result.element_count == 1
    assert result.failed_count == (status is F)
    assert "9 rows" in result.message


def test_row_count_on_an_empty_frame(run) -> None:
    empty = pl.DataFrame({"x": []}, schema={"x": pl.Int64})
    assert one(run(empty, dq.RowCount(id="r", min=1))).status is F
    assert one(run(empty, dq.RowCount(id="r", max=0))).status is P


@pytest.mark.parametrize(
    ("dtype", "status"),
    [("Int64", P), ("Int32", F), ("String", F), ("int64", F)],
)
def test_dtype_compares_the_polars_dtype_name(run, dtype, status) -> None:
    frame = pl.DataFrame({"x": [1]})
    result = one(run(frame, dq.DType(id="r", column="x", dtype=dtype)))
    assert result.status is status
    assert "Int64" in result.message


def test_dtype_parametrised_types_match_full_or_base_name(run) -> None:
    frame = pl.DataFrame({"t": [None]}, schema={"t": pl.Datetime("us")})
    full = str(pl.Datetime("us"))
    for name in ("Datetime", full):
        assert one(run(frame, dq.DType(id="r", column="t", dtype=name))).status is P
    frame = pl.DataFrame({"s": ["x"]})
    assert one(run(frame, dq.DType(id="r", column="s", dtype="String"))).status is P


def test_column_exists(run) -> None:
    assert counts(one(run(FLOATS, dq.ColumnExists(id="r", column="x")))) == (P, 0, 1)
    missing = one(run(FLOATS, dq.ColumnExists(id="r", column="nope")))
    assert counts(missing) == (F, 1, 1)
    assert "'nope'" in missing.message


# -- expression ------------------------------------------------------------------------------


def test_expression_false_rows_fail_and_null_results_are_ignored(run) -> None:
    frame = pl.DataFrame({"a": [1, 2, None, 4], "b": [1, 1, 1, None]})
    # a > b: F, T, null, null -> 1 failing row of the 2 with a result
    result = one(run(frame, dq.Expression(id="r", expression="a > b")))
    assert counts(result) == (F, 1, 2)
    assert result.column is None


def test_expression_null_tolerance_is_spelled_out_by_the_user(run) -> None:
    frame = pl.DataFrame({"a": [1, None, 3]})
    rule = dq.Expression(id="r", expression="a IS NULL OR a > 0")
    assert counts(one(run(frame, rule))) == (P, 0, 3)


def test_expression_sql_functions(run) -> None:
    frame = pl.DataFrame({"s": ["abc", "x", ""]})
    rule = dq.Expression(id="r", expression="LENGTH(s) >= 1 AND s LIKE '%c' OR s = 'x'")
    assert one(run(frame, rule)).failed_count == 1


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("nope > 1", "nope"),
        ("a >", "a >"),
        ("a + 1", "not a Boolean"),
    ],
)
def test_bad_expressions_are_errors_naming_the_rule(run, expression, fragment) -> None:
    frame = pl.DataFrame({"a": [1, 2]})
    result = one(run(frame, dq.Expression(id="expr_rule", expression=expression)))
    assert result.status is E
    assert "'expr_rule'" in result.message and fragment in result.message


# -- empty frame ---------------------------------------------------------------------------


def test_every_check_passes_vacuously_on_an_empty_frame(run) -> None:
    empty = pl.DataFrame(schema={"x": pl.Float64, "s": pl.String})
    rules = [
        dq.NotNull(id="a", column="x"),
        dq.Unique(id="b", column="x"),
        dq.Between(id="c", column="x", min=0, max=1),
        dq.Regex(id="d", column="s", pattern="a+"),
        dq.InSet(id="e", column="s", values=("a",)),
        dq.MaxLength(id="f", column="s", length=1),
        dq.MinLength(id="g", column="s", length=1),
        dq.Expression(id="h", expression="x > 0"),
        dq.DType(id="i", column="x", dtype="Float64"),
        dq.ColumnExists(id="j", column="s"),
        dq.RowCount(id="k", max=0),
    ]
    result = run(empty, *rules)
    assert result.status is dq.RunStatus.PASSED
    assert result.row_count == 0
    assert [r.status for r in result.results] == [P] * len(rules)
    assert all(r.failed_count == 0 for r in result.results)


def test_a_column_name_polars_would_read_as_a_regex(run) -> None:
    frame = pl.DataFrame({"^a.*$": [1, 1, None], "abc": [1, 2, 3]})
    assert counts(one(run(frame, dq.Unique(id="r", column="^a.*$")))) == (F, 2, 2)
    assert counts(one(run(frame, dq.NotNull(id="r", column="^a.*$")))) == (F, 1, 3)
