"""Each check on hand-written edge-case frames, asserting dq's pinned counts (docs/rules.md)."""

from __future__ import annotations

import datetime as dt

import dq
import polars as pl
import pytest
from conftest import INF, NAN, Run, counts, same_samples

FLOATS = pl.DataFrame({"x": [1.0, None, NAN, 5.0, 5.0, None, 100.0, -INF, NAN, INF]})
TEXT = pl.DataFrame({"s": ["ab", "", None, " ", "é", "日本語", "abc", "ab", None, "x\n"]})


# -- not_null -------------------------------------------------------------------------


def test_not_null_counts_nulls_but_not_nan(run: Run) -> None:
    r = run(FLOATS, dq.NotNull(id="r", column="x")).results[0]
    assert counts(r) == ("failed", 2, 10)
    assert r.samples == ()  # a null has no value to show


def test_not_null_on_strings_treats_empty_and_blank_as_values(run: Run) -> None:
    assert counts(run(TEXT, dq.NotNull(id="r", column="s")).results[0]) == ("failed", 2, 10)


def test_not_null_all_null_column(run: Run) -> None:
    df = pl.DataFrame({"x": pl.Series([None, None], dtype=pl.Int64)})
    assert counts(run(df, dq.NotNull(id="r", column="x")).results[0]) == ("failed", 2, 2)


# -- unique ---------------------------------------------------------------------------


def test_unique_every_row_of_a_duplicate_group_fails_and_nulls_never_do(run: Run) -> None:
    r = run(FLOATS, dq.Unique(id="r", column="x")).results[0]
    # 5.0 twice and NaN twice (NaN equals NaN here); the two nulls are not duplicates.
    assert counts(r) == ("failed", 4, 8)
    assert same_samples(r.samples, (NAN, 5.0))


def test_unique_three_of_a_kind_are_three_failures(run: Run) -> None:
    df = pl.DataFrame({"x": [7, 7, 7, 1, None, None]})
    r = run(df, dq.Unique(id="r", column="x")).results[0]
    assert counts(r) == ("failed", 3, 4)
    assert r.samples == (7,)


def test_unique_only_nulls_passes(run: Run) -> None:
    df = pl.DataFrame({"x": ["a", None, None, None]})
    assert counts(run(df, dq.Unique(id="r", column="x")).results[0]) == ("passed", 0, 1)


def test_unique_strings_empty_and_blank_are_values(run: Run) -> None:
    df = pl.DataFrame({"s": ["", "", " ", "a", " "]})
    r = run(df, dq.Unique(id="r", column="s")).results[0]
    assert counts(r) == ("failed", 4, 5)
    assert r.samples == ("", " ")


# -- between --------------------------------------------------------------------------


def test_between_nan_fails_inf_compares_as_number_nulls_ignored(run: Run) -> None:
    r = run(FLOATS, dq.Between(id="r", column="x", min=0, max=50)).results[0]
    # 100, -inf, +inf, NaN, NaN fail; nulls are not counted.
    assert counts(r) == ("failed", 5, 8)
    assert same_samples(r.samples, (NAN, 100.0, -INF, INF))


def test_between_min_only_still_fails_nan(run: Run) -> None:
    # pandera's greater_than_or_equal_to would pass NaN (polars orders it above +inf).
    r = run(FLOATS, dq.Between(id="r", column="x", min=0)).results[0]
    assert counts(r) == ("failed", 3, 8)
    assert same_samples(r.samples, (NAN, -INF))


def test_between_max_only_accepts_minus_inf(run: Run) -> None:
    r = run(FLOATS, dq.Between(id="r", column="x", max=5)).results[0]
    assert counts(r) == ("failed", 4, 8)  # NaN, NaN, 100, +inf


@pytest.mark.parametrize(
    ("min_inclusive", "max_inclusive", "failed"),
    [(True, True, 0), (False, True, 1), (True, False, 1), (False, False, 2)],
)
def test_between_inclusivity(
    run: Run, min_inclusive: bool, max_inclusive: bool, failed: int
) -> None:
    df = pl.DataFrame({"x": [1, 2, 3]})
    rule = dq.Between(
        id="r", column="x", min=1, max=3, min_inclusive=min_inclusive, max_inclusive=max_inclusive
    )
    assert run(df, rule).results[0].failed_count == failed


def test_between_integers_with_fractional_bounds(run: Run) -> None:
    df = pl.DataFrame({"x": pl.Series([0, 1, 2, 3, None], dtype=pl.UInt8)})
    r = run(df, dq.Between(id="r", column="x", min=0.5, max=2.5)).results[0]
    assert counts(r) == ("failed", 2, 4)
    assert r.samples == (0, 3)


def test_between_float32(run: Run) -> None:
    df = pl.DataFrame({"x": pl.Series([0.5, NAN, None, 2.0], dtype=pl.Float32)})
    assert counts(run(df, dq.Between(id="r", column="x", min=0, max=1)).results[0]) == (
        "failed",
        2,
        3,
    )


# -- regex ----------------------------------------------------------------------------


def test_regex_is_a_full_match_and_judges_empty_and_blank(run: Run) -> None:
    r = run(TEXT, dq.Regex(id="r", column="s", pattern="a.*")).results[0]
    # "ab", "abc", "ab" match; "", " ", "é", "日本語", "x\n" fail; nulls are not counted.
    assert counts(r) == ("failed", 5, 8)
    assert r.samples == ("", " ", "é", "日本語", "x\n")


def test_regex_alternation_stays_inside_the_anchors(run: Run) -> None:
    df = pl.DataFrame({"s": ["a", "b", "ab", "ba"]})
    assert run(df, dq.Regex(id="r", column="s", pattern="a|b")).results[0].failed_count == 2


def test_regex_dollar_does_not_match_before_trailing_newline(run: Run) -> None:
    df = pl.DataFrame({"s": ["x", "x\n"]})
    assert run(df, dq.Regex(id="r", column="s", pattern="x$")).results[0].failed_count == 1


def test_regex_multiline_flag_cannot_unanchor(run: Run) -> None:
    df = pl.DataFrame({"s": ["a\nb", "a"]})
    assert run(df, dq.Regex(id="r", column="s", pattern="(?m)a$")).results[0].failed_count == 1


def test_regex_unicode_word_and_rust_only_syntax(run: Run) -> None:
    df = pl.DataFrame({"s": ["日本語", "Élan", "a-b"]})
    assert run(df, dq.Regex(id="w", column="s", pattern=r"\w+")).results[0].failed_count == 1
    # \p{Lu} is Rust syntax Python's re rejects: pandera's str_matches could not take it.
    r = run(df, dq.Regex(id="p", column="s", pattern=r"\p{Lu}\p{Ll}+")).results[0]
    assert (r.failed_count, r.samples) == (2, ("日本語", "a-b"))


def test_regex_on_categorical(run: Run) -> None:
    df = pl.DataFrame({"s": pl.Series(["a1", "b2", None, "a1"], dtype=pl.Categorical)})
    r = run(df, dq.Regex(id="r", column="s", pattern="a[0-9]")).results[0]
    assert counts(r) == ("failed", 1, 3)
    assert r.samples == ("b2",)


# -- in_set ---------------------------------------------------------------------------


def test_in_set_strings_nulls_ignored_empty_judged(run: Run) -> None:
    r = run(TEXT, dq.InSet(id="r", column="s", values=("ab", "abc", ""))).results[0]
    assert counts(r) == ("failed", 4, 8)
    assert r.samples == (" ", "é", "日本語", "x\n")


def test_in_set_nan_fails_unless_listed(run: Run) -> None:
    without = run(FLOATS, dq.InSet(id="r", column="x", values=(1.0, 5.0))).results[0]
    assert counts(without) == ("failed", 5, 8)
    with_nan = run(FLOATS, dq.InSet(id="r", column="x", values=(1.0, 5.0, NAN))).results[0]
    assert counts(with_nan) == ("failed", 3, 8)


def test_in_set_integers_drop_values_the_column_cannot_hold(run: Run) -> None:
    df = pl.DataFrame({"x": pl.Series([1, 2, 200, None], dtype=pl.UInt8)})
    r = run(df, dq.InSet(id="r", column="x", values=(1, 2.5, 300, 200.0))).results[0]
    assert counts(r) == ("failed", 1, 3)
    assert r.samples == (2,)


def test_in_set_booleans(run: Run) -> None:
    df = pl.DataFrame({"b": [True, False, None, True]})
    assert counts(run(df, dq.InSet(id="r", column="b", values=(True,))).results[0]) == (
        "failed",
        1,
        3,
    )


def test_in_set_enum(run: Run) -> None:
    df = pl.DataFrame({"e": pl.Series(["a", "b", "c", None], dtype=pl.Enum(["a", "b", "c"]))})
    r = run(df, dq.InSet(id="r", column="e", values=("a", "zzz"))).results[0]
    assert counts(r) == ("failed", 2, 3)


# -- lengths --------------------------------------------------------------------------


def test_max_length_counts_characters_not_bytes(run: Run) -> None:
    r = run(TEXT, dq.MaxLength(id="r", column="s", length=2)).results[0]
    # "日本語" is 3 characters (9 bytes), "abc" 3; "x\n" is 2; "é" 1 (2 bytes).
    assert counts(r) == ("failed", 2, 8)
    assert r.samples == ("日本語", "abc")


def test_min_length_judges_empty_and_blank(run: Run) -> None:
    r = run(TEXT, dq.MinLength(id="r", column="s", length=1)).results[0]
    assert counts(r) == ("failed", 1, 8)
    assert r.samples == ("",)
    assert counts(run(TEXT, dq.MinLength(id="z", column="s", length=0)).results[0]) == (
        "passed",
        0,
        8,
    )


# -- expression -----------------------------------------------------------------------


def test_expression_false_fails_null_result_is_ignored(run: Run) -> None:
    df = pl.DataFrame({"a": [1, 2, None, 4], "b": [1, 3, 1, None]})
    r = run(df, dq.Expression(id="r", expression="a >= b")).results[0]
    assert counts(r) == ("failed", 1, 2)
    assert r.samples == (1,)  # the failing row's number


def test_expression_with_sql_functions(run: Run) -> None:
    df = pl.DataFrame({"s": ["ab", "abcd", ""]})
    r = run(df, dq.Expression(id="r", expression="LENGTH(s) BETWEEN 1 AND 3")).results[0]
    assert counts(r) == ("failed", 2, 3)


# -- table-level ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "status"),
    [(1, 10, "passed"), (4, None, "passed"), (5, None, "failed"), (None, 3, "failed")],
)
def test_row_count(run: Run, low: int | None, high: int | None, status: str) -> None:
    df = pl.DataFrame({"x": [1, 2, 3, 4]})
    r = run(df, dq.RowCount(id="r", min=low, max=high)).results[0]
    assert counts(r) == (status, int(status == "failed"), 1)
    assert "4 rows" in r.message


@pytest.mark.parametrize(
    ("series", "name", "ok"),
    [
        (pl.Series([1], dtype=pl.Int64), "Int64", True),
        (pl.Series([1], dtype=pl.Int64), "Int32", False),
        (pl.Series(["a"]), "Utf8", True),
        (pl.Series(["a"]), "String", True),
        (pl.Series([dt.datetime(2020, 1, 1)], dtype=pl.Datetime("ms", "UTC")), "Datetime", True),
        (
            pl.Series([dt.datetime(2020, 1, 1)], dtype=pl.Datetime("ms", "UTC")),
            "Datetime(time_unit='ms', time_zone='UTC')",
            True,
        ),
        (pl.Series([dt.datetime(2020, 1, 1)], dtype=pl.Datetime("ms")), "Date", False),
        (pl.Series(["a"], dtype=pl.Enum(["a"])), "Enum", True),
        (pl.Series(["a"], dtype=pl.Enum(["a"])), "Categorical", False),
        (pl.Series([[1]]), "List", True),
        (pl.Series([[1]]), "List(Int64)", True),
        (pl.Series([1], dtype=pl.Int128), "Int128", True),
    ],
)
def test_dtype(run: Run, series: pl.Series, name: str, ok: bool) -> None:
    df = pl.DataFrame({"c": series})
    r = run(df, dq.DType(id="r", column="c", dtype=name)).results[0]
    assert counts(r) == ("passed" if ok else "failed", int(not ok), 1)
    assert str(series.dtype) in r.message


def test_column_exists(run: Run) -> None:
    df = pl.DataFrame({"a": [1], "^a$": [2], "b": [3]})
    res = run(
        df,
        dq.ColumnExists(id="yes", column="a"),
        dq.ColumnExists(id="odd", column="^a$"),
        dq.ColumnExists(id="yes_b", column="b"),
        dq.ColumnExists(id="no", column="c"),
        dq.ColumnExists(id="regexy", column="^b$"),  # not a regex: there is no "^b$"
        dq.ColumnExists(id="any", column=".*"),
    )
    assert [counts(r) for r in res.results] == [
        ("passed", 0, 1),
        ("passed", 0, 1),
        ("passed", 0, 1),
        ("failed", 1, 1),
        ("failed", 1, 1),
        ("failed", 1, 1),
    ]


# -- frames, mostly, samples ----------------------------------------------------------


ALL_RULES = (
    dq.NotNull(id="nn", column="x"),
    dq.Unique(id="u", column="x"),
    dq.Between(id="b", column="x", min=0, max=1),
    dq.InSet(id="i", column="x", values=(1.0,)),
    dq.Regex(id="re", column="s", pattern="a"),
    dq.MaxLength(id="mx", column="s", length=1),
    dq.MinLength(id="mn", column="s", length=1),
    dq.Expression(id="e", expression="x > 0"),
)


def test_empty_frame_passes_every_value_rule(run: Run) -> None:
    df = pl.DataFrame(schema={"x": pl.Float64, "s": pl.String})
    res = run(df, *ALL_RULES, dq.RowCount(id="rc", min=1))
    assert [counts(r) for r in res.results[:-1]] == [("passed", 0, 0)] * len(ALL_RULES)
    assert counts(res.by_id("rc")) == ("failed", 1, 1)
    assert res.row_count == 0


def test_a_lazyframe_is_fully_validated(engine: object) -> None:
    # pandera alone would validate a LazyFrame schema-only and report nothing.
    lf = pl.LazyFrame({"x": [1, None, 3]})
    res = engine.check(lf, dq.RuleSet(rules=(dq.NotNull(id="r", column="x"),)))  # type: ignore[attr-defined]
    assert counts(res.results[0]) == ("failed", 1, 3)
    assert res.status is dq.RunStatus.FAILED


def test_many_rules_on_one_column_map_back_to_their_own_ids(run: Run) -> None:
    df = pl.DataFrame({"x": [1, 2, 2, 50]})
    res = run(
        df,
        dq.Between(id="small", column="x", max=10),
        dq.Between(id="big", column="x", min=2),
        dq.Unique(id="u", column="x"),
        dq.InSet(id="i", column="x", values=(2,)),
    )
    assert [(r.rule_id, r.failed_count) for r in res.results] == [
        ("small", 1),
        ("big", 1),
        ("u", 2),
        ("i", 2),
    ]


@pytest.mark.parametrize(("mostly", "status"), [(0.7, "passed"), (0.75, "passed"), (0.8, "failed")])
def test_mostly(run: Run, mostly: float, status: str) -> None:
    df = pl.DataFrame({"x": [1, 2, 3, 99, None]})
    r = run(df, dq.Between(id="r", column="x", max=10, mostly=mostly)).results[0]
    assert counts(r) == (status, 1, 4)


def test_samples_distinct_first_appearance_bounded(run: Run) -> None:
    df = pl.DataFrame({"s": ["z", "y", "z", "ok", "x", "w", "y", "v", "u"]})
    rule = dq.InSet(id="r", column="s", values=("ok",))
    assert run(df, rule, sample_size=3).results[0].samples == ("z", "y", "x")
    assert run(df, rule).results[0].samples == ("z", "y", "x", "w", "v")
    assert run(df, rule, sample_size=0).results[0].samples == ()


def test_samples_are_json_scalars(run: Run) -> None:
    df = pl.DataFrame({"d": [dt.date(2020, 1, 1), dt.date(2020, 1, 1)]})
    assert run(df, dq.Unique(id="r", column="d")).results[0].samples == ("2020-01-01",)


def test_passing_rules_have_no_samples(run: Run) -> None:
    assert run(pl.DataFrame({"x": [1]}), dq.Unique(id="r", column="x")).results[0].samples == ()


@pytest.mark.parametrize(
    "rule",
    [
        dq.Between(id="r", column="x", min=1, max=1, min_inclusive=False),
        dq.Between(id="r", column="x", min=INF, min_inclusive=False),
        dq.Between(id="r", column="x", max=-INF, max_inclusive=False),
    ],
)
def test_between_empty_interval_fails_every_non_null_value(run: Run, rule: dq.Between) -> None:
    # pandera's in_range refuses to build an empty interval; dq just fails every value.
    r = run(FLOATS, rule).results[0]
    assert counts(r) == ("failed", 8, 8)
    assert same_samples(r.samples, (1.0, NAN, 5.0, 100.0, -INF))


def test_samples_shown_when_mostly_lets_the_rule_pass(run: Run) -> None:
    df = pl.DataFrame({"x": [1, 2, 3, 99]})
    r = run(df, dq.Between(id="r", column="x", max=10, mostly=0.5)).results[0]
    assert counts(r) == ("passed", 1, 4)
    assert r.samples == (99,)
