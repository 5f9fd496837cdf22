"""Per-check edge cases: dq's counts (docs/rules.md), whatever GX counts natively."""

from __future__ import annotations

import math

import dq
import polars as pl
import pytest

NAN = float("nan")
INF = float("inf")
PASSED, FAILED = dq.RuleStatus.PASSED, dq.RuleStatus.FAILED


def counts(r: dq.RuleResult) -> tuple[str, int, int]:
    return r.status.value, r.failed_count, r.element_count


FLOATS = pl.DataFrame({"x": [1.0, None, NAN, 2.0, 2.0, INF, -INF, NAN, None, 0.5]})


# -- not_null ----------------------------------------------------------------------------


def test_not_null_counts_nulls_but_not_nan(one):
    r = one(FLOATS, dq.NotNull(id="nn", column="x"))
    assert counts(r) == ("failed", 2, 10)
    assert r.samples == ()  # the failing value is null
    assert not r.approximate


def test_not_null_on_strings_and_ints(one):
    df = pl.DataFrame({"s": ["", " ", None, "a"], "i": [None, 1, None, 2]})
    assert counts(one(df, dq.NotNull(id="s", column="s"))) == ("failed", 1, 4)
    assert counts(one(df, dq.NotNull(id="i", column="i"))) == ("failed", 2, 4)


def test_not_null_all_nan_passes(one):
    df = pl.DataFrame({"x": [NAN, NAN]})
    assert counts(one(df, dq.NotNull(id="nn", column="x"))) == ("passed", 0, 2)


# -- unique ------------------------------------------------------------------------------


def test_unique_every_row_of_a_duplicate_group_fails(one):
    df = pl.DataFrame({"x": [7, 7, 7, 1, None, None, 2]})
    r = one(df, dq.Unique(id="u", column="x"))
    # three 7s are three failures; the two nulls are neither counted nor duplicates
    assert counts(r) == ("failed", 3, 5)
    assert r.samples == (7,)


def test_unique_nans_equal_each_other(one):
    r = one(FLOATS, dq.Unique(id="u", column="x"))
    # non-null: 1, NaN, 2, 2, inf, -inf, NaN, 0.5 -> the 2s and the NaNs
    assert counts(r) == ("failed", 4, 8)
    assert len(r.samples) == 2
    assert math.isnan(r.samples[0]) and r.samples[1] == 2.0  # first appearance order


def test_unique_single_nan_is_unique(one):
    df = pl.DataFrame({"x": [NAN, 1.0, None]})
    assert counts(one(df, dq.Unique(id="u", column="x"))) == ("passed", 0, 2)


def test_unique_large_integers_with_nulls_stay_exact(one):
    # float64 (what polars->pandas gives an int column with nulls) would merge these
    df = pl.DataFrame({"x": [2**53, 2**53 + 1, None]})
    assert counts(one(df, dq.Unique(id="u", column="x"))) == ("passed", 0, 2)


def test_unique_strings_empty_and_unicode(one):
    df = pl.DataFrame({"s": ["", "", "é", "e\u0301", "ß", None, None]})
    r = one(df, dq.Unique(id="u", column="s"))
    assert counts(r) == ("failed", 2, 5)  # "é" and "e + combining accent" differ
    assert r.samples == ("",)


def test_unique_nested_column_is_unsupported(one):
    df = pl.DataFrame({"l": [[1], [1]]})
    r = one(df, dq.Unique(id="u", column="l"))
    assert r.status is dq.RuleStatus.UNSUPPORTED


# -- between -----------------------------------------------------------------------------


def test_between_nan_fails_and_infinities_compare_as_numbers(one):
    r = one(FLOATS, dq.Between(id="b", column="x", min=0, max=1.5))
    # non-null 8: 1 ok, NaN, 2, 2, inf, -inf, NaN fail, 0.5 ok
    assert counts(r) == ("failed", 6, 8)
    assert r.samples[0] != r.samples[0]  # NaN first (row 2)
    assert r.samples[1:] == (2.0, INF, -INF)


def test_between_open_bounds_include_infinity(one):
    r = one(FLOATS, dq.Between(id="b", column="x", min=-INF))
    assert counts(r) == ("failed", 2, 8)  # only the NaNs


@pytest.mark.parametrize(
    ("lo_inc", "hi_inc", "failed"),
    [(True, True, 0), (False, True, 1), (True, False, 1), (False, False, 2)],
)
def test_between_inclusive_flags(one, lo_inc, hi_inc, failed):
    df = pl.DataFrame({"x": [1, 2, 3, None]})
    rule = dq.Between(id="b", column="x", min=1, max=3, min_inclusive=lo_inc, max_inclusive=hi_inc)
    assert counts(one(df, rule))[1:] == (failed, 3)


def test_between_integers_and_mostly(one):
    df = pl.DataFrame({"x": list(range(10))})
    assert counts(one(df, dq.Between(id="b", column="x", max=8, mostly=0.9))) == ("passed", 1, 10)
    assert counts(one(df, dq.Between(id="b", column="x", max=7, mostly=0.9))) == ("failed", 2, 10)


def test_between_all_null_passes(one):
    df = pl.DataFrame({"x": [None, None]}, schema={"x": pl.Float64})
    assert counts(one(df, dq.Between(id="b", column="x", min=0))) == ("passed", 0, 0)


# -- regex -------------------------------------------------------------------------------


def test_regex_is_a_full_match(one):
    df = pl.DataFrame({"s": ["abc", "xabc", "abcx", "ab\nc", "abc\n", "", None]})
    r = one(df, dq.Regex(id="r", column="s", pattern="abc"))
    assert counts(r) == ("failed", 5, 6)
    assert r.samples == ("xabc", "abcx", "ab\nc", "abc\n", "")
    assert not r.approximate


def test_regex_alternation_stays_inside_the_anchors(one):
    df = pl.DataFrame({"s": ["a", "b", "ab", "ba"]})
    assert counts(one(df, dq.Regex(id="r", column="s", pattern="a|b"))) == ("failed", 2, 4)


def test_regex_dollar_does_not_accept_a_trailing_newline(one):
    df = pl.DataFrame({"s": ["abc", "abc\n"]})
    assert counts(one(df, dq.Regex(id="r", column="s", pattern="abc$"))) == ("failed", 1, 2)


def test_regex_inline_flags(one):
    df = pl.DataFrame({"s": ["ABC", "abc", "a\nb"]})
    assert counts(one(df, dq.Regex(id="i", column="s", pattern="(?i)abc"))) == ("failed", 1, 3)
    # (?m) must not turn the full match into a line match
    assert counts(one(df, dq.Regex(id="m", column="s", pattern="(?m)^a$"))) == ("failed", 3, 3)
    assert counts(one(df, dq.Regex(id="s", column="s", pattern="(?s)a.b"))) == ("failed", 2, 3)


def test_regex_unicode_word_is_python_re_not_re2(one):
    # RE2 (pyarrow, which pandas >= 3 would use) has an ASCII-only \w
    df = pl.DataFrame({"s": ["é", "日本", "a_1", "a-b"]})
    r = one(df, dq.Regex(id="r", column="s", pattern=r"\w+"))
    assert counts(r) == ("failed", 1, 4)
    assert r.approximate and "\\w" in r.message


def test_regex_unicode_digits_run_in_python_re(one):
    df = pl.DataFrame({"s": ["123", "١٢٣", "12a", ""]})  # Arabic-Indic digits are Nd
    r = one(df, dq.Regex(id="r", column="s", pattern=r"\d+"))
    assert counts(r) == ("failed", 2, 4)  # RE2's \d would fail the Arabic-Indic digits
    # Python 3.11's Unicode tables lack some digits Rust knows (U+10D40 ...)
    assert r.approximate and "\\d" in r.message


def test_regex_without_differing_constructs_is_exact(one):
    df = pl.DataFrame({"s": ["a1", "é", "A-"]})
    r = one(df, dq.Regex(id="r", column="s", pattern=r"[a-zé][0-9]?|A\-"))
    assert counts(r) == ("passed", 0, 3)
    assert not r.approximate


def test_regex_case_insensitive_is_approximate(one):
    df = pl.DataFrame({"s": ["I", "i"]})
    r = one(df, dq.Regex(id="r", column="s", pattern="(?i)i"))
    assert counts(r) == ("passed", 0, 2)
    assert r.approximate and "(?i)" in r.message


def test_regex_posix_class_is_marked_approximate(one):
    df = pl.DataFrame({"s": ["abc"]})
    r = one(df, dq.Regex(id="r", column="s", pattern="[[:alpha:]]+"))
    assert r.approximate and "nested" in r.message


def test_regex_on_categorical(one):
    df = pl.DataFrame({"s": ["a", "b", None]}, schema={"s": pl.Categorical})
    assert counts(one(df, dq.Regex(id="r", column="s", pattern="a"))) == ("failed", 1, 2)


# -- in_set ------------------------------------------------------------------------------


def test_in_set_strings_empty_and_unicode(one):
    df = pl.DataFrame({"s": ["a", "", " ", "é", None, "A"]})
    r = one(df, dq.InSet(id="s", column="s", values=("a", "é")))
    assert counts(r) == ("failed", 3, 5)
    assert r.samples == ("", " ", "A")


def test_in_set_nan_fails_unless_listed(one):
    r = one(FLOATS, dq.InSet(id="s", column="x", values=(1.0, 2.0, 0.5)))
    assert counts(r) == ("failed", 4, 8)  # NaN, inf, -inf, NaN
    r = one(FLOATS, dq.InSet(id="s", column="x", values=(1.0, 2.0, 0.5, NAN, INF, -INF)))
    assert counts(r) == ("passed", 0, 8)


def test_in_set_integers_and_booleans(one):
    df = pl.DataFrame({"i": [1, 2, 3, None], "b": [True, False, None, True]})
    assert counts(one(df, dq.InSet(id="i", column="i", values=(1, 2.0, 2.5)))) == ("failed", 1, 3)
    assert counts(one(df, dq.InSet(id="b", column="b", values=(True,)))) == ("failed", 1, 3)


def test_in_set_empty_set_fails_every_value(one):
    df = pl.DataFrame({"s": ["a", None]})
    assert counts(one(df, dq.InSet(id="s", column="s", values=()))) == ("failed", 1, 1)


# -- lengths -----------------------------------------------------------------------------


def test_lengths_count_characters_not_bytes(one):
    df = pl.DataFrame({"s": ["é", "日本", "👍", "abc", "", None, "e\u0301"]})
    r = one(df, dq.MaxLength(id="max", column="s", length=1))
    assert counts(r) == ("failed", 3, 6)  # 日本, abc, e+accent (two code points)
    assert r.samples == ("日本", "abc", "e\u0301")
    r = one(df, dq.MinLength(id="min", column="s", length=1))
    assert counts(r) == ("failed", 1, 6)
    assert r.samples == ("",)


# -- table-level -------------------------------------------------------------------------


def test_row_count(one):
    df = pl.DataFrame({"x": [1, 2, 3]})
    assert counts(one(df, dq.RowCount(id="rc", min=3, max=3))) == ("passed", 0, 1)
    r = one(df, dq.RowCount(id="rc", min=4))
    assert counts(r) == ("failed", 1, 1)
    assert "3 rows" in r.message


def test_row_count_ignores_mostly_and_counts_a_frame_without_columns(one):
    assert counts(one(pl.DataFrame(), dq.RowCount(id="rc", max=0, mostly=0.0))) == ("passed", 0, 1)
    assert counts(one(pl.DataFrame(), dq.RowCount(id="rc", min=1, mostly=0.0)))[0] == "failed"


def test_column_exists(one):
    df = pl.DataFrame({"a": [1]})
    assert counts(one(df, dq.ColumnExists(id="c", column="a"))) == ("passed", 0, 1)
    r = one(df, dq.ColumnExists(id="c", column="b"))
    assert counts(r) == ("failed", 1, 1)
    assert "'b' not found" in r.message


@pytest.mark.parametrize(
    ("dtype", "wanted", "ok"),
    [
        (pl.Int64, "Int64", True),
        (pl.Int32, "Int64", False),
        (pl.String, "String", True),
        (pl.String, "Utf8", True),
        (pl.Datetime("ms", "UTC"), "Datetime", True),
        (pl.Datetime("us"), "Datetime", True),
        (pl.Date, "Datetime", False),
    ],
)
def test_dtype_uses_polars_types(one, dtype, wanted, ok):
    df = pl.DataFrame({"c": []}, schema={"c": dtype})
    r = one(df, dq.DType(id="d", column="c", dtype=wanted))
    assert counts(r) == (("passed", 0, 1) if ok else ("failed", 1, 1))


# -- empty frames and LazyFrames -----------------------------------------------------------


def test_empty_frame_passes_every_value_check(run):
    df = pl.DataFrame({"x": [], "s": []}, schema={"x": pl.Float64, "s": pl.String})
    rules = (
        dq.NotNull(id="nn", column="x"),
        dq.Unique(id="u", column="x"),
        dq.Between(id="b", column="x", min=0),
        dq.Regex(id="r", column="s", pattern="a"),
        dq.InSet(id="i", column="s", values=("a",)),
        dq.MaxLength(id="ml", column="s", length=1),
    )
    result = run(df, *rules)
    assert [counts(r) for r in result.results] == [("passed", 0, 0)] * 6
    assert result.status is dq.RunStatus.PASSED
    assert result.row_count == 0


def test_lazyframe_is_evaluated_whole(run):
    rules = (
        dq.NotNull(id="nn", column="x"),
        dq.Unique(id="u", column="x"),
        dq.Between(id="b", column="x", min=0, max=1.5),
    )
    eager = run(FLOATS, *rules)
    lazy = run(FLOATS.lazy(), *rules)
    assert [counts(r) for r in lazy.results] == [counts(r) for r in eager.results]
    assert lazy.row_count == 10


# -- conversions pandas would get wrong ------------------------------------------------------


def test_in_set_on_float32_compares_in_the_columns_precision(one):
    df = pl.DataFrame({"x": pl.Series([0.1, 0.2, None], dtype=pl.Float32)})
    r = one(df, dq.InSet(id="s", column="x", values=(0.1,)))
    assert counts(r) == ("failed", 1, 2)


def test_in_set_values_an_integer_column_cannot_hold_are_dropped(one):
    df = pl.DataFrame({"x": pl.Series([1, 255], dtype=pl.UInt8)})
    r = one(df, dq.InSet(id="s", column="x", values=(1, 256, -1, 2**70)))
    assert counts(r) == ("failed", 1, 2)


def test_between_with_an_integer_bound_beyond_2_53_is_approximate(one):
    df = pl.DataFrame({"x": [1, 2]})
    r = one(df, dq.Between(id="b", column="x", max=2**60))
    assert r.approximate and "2**53" in r.message


def test_awkward_column_names_and_types(run):
    from datetime import UTC, date, datetime
    from decimal import Decimal

    df = pl.DataFrame(
        {
            "a b": [1, 1, None],
            "a.b": ["x", "y", None],
            "index": [date(2024, 1, 1), date(2024, 1, 1), None],
            "ts": [datetime(2024, 1, 1, tzinfo=UTC)] * 3,
            "dec": [Decimal("1.5"), Decimal("2.5"), None],
            "flag": [True, True, None],
            "nothing": [None, None, None],
        }
    )
    result = run(
        df,
        dq.Unique(id="space", column="a b"),
        dq.Regex(id="dot", column="a.b", pattern="x"),
        dq.Unique(id="date", column="index"),
        dq.NotNull(id="date_nn", column="index"),
        dq.Unique(id="ts", column="ts"),
        dq.Between(id="dec", column="dec", min=2),
        dq.Unique(id="flag", column="flag"),
        dq.NotNull(id="null_nn", column="nothing"),
        dq.Unique(id="null_u", column="nothing"),
    )
    got = {r.rule_id: counts(r) for r in result.results}
    assert got == {
        "space": ("failed", 2, 2),
        "dot": ("failed", 1, 2),
        "date": ("failed", 2, 2),
        "date_nn": ("failed", 1, 3),
        "ts": ("failed", 3, 3),
        "dec": ("failed", 1, 2),
        "flag": ("failed", 2, 2),
        "null_nn": ("failed", 3, 3),
        "null_u": ("passed", 0, 0),
    }
    assert result.by_id("date").samples == ("2024-01-01",)
