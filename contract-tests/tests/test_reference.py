"""The oracle itself, against hand-written cases read off docs/rules.md.

If the oracle were wrong, every engine would be held to the wrong standard, so each bullet
and table row of docs/rules.md has a case here with the expected numbers worked out by hand.
"""

from __future__ import annotations

import math

import dq
import polars as pl
import pytest
from dq_contract.engine_cases import frame
from dq_contract.reference import distinct_in_order, reference_check, reference_rule

NAN, INF = math.nan, math.inf
P, F, ERR = dq.RuleStatus.PASSED, dq.RuleStatus.FAILED, dq.RuleStatus.ERROR


def one(data: pl.DataFrame, rule: object, sample_size: int = 5) -> dq.RuleResult:
    return reference_rule(data, rule, sample_size)


def counts(result: dq.RuleResult) -> tuple[dq.RuleStatus, int, int]:
    return result.status, result.failed_count, result.element_count


@pytest.mark.parametrize(
    ("rule", "column", "values", "want"),
    [
        # not_null counts nulls over all rows; NaN is a value
        (dq.NotNull(id="r", column="amount"), "amount", [NAN, None, 1.0], (F, 1, 3)),
        # unique: every row of a repeated value fails; nulls are not values; NaNs are equal
        (dq.Unique(id="r", column="id"), "id", [7, 7, 7, None, None, 1], (F, 3, 4)),
        (dq.Unique(id="r", column="amount"), "amount", [NAN, NAN, 0.0, -0.0, 1.0], (F, 4, 5)),
        # between: NaN fails, inf compares as a number, bounds inclusive by default
        (
            dq.Between(id="r", column="amount", min=0, max=1),
            "amount",
            [0.0, 1.0, NAN, INF, None],
            (F, 2, 4),
        ),
        (dq.Between(id="r", column="amount", max=INF), "amount", [INF, -INF, NAN], (F, 1, 3)),
        (dq.Between(id="r", column="id", min=1, min_inclusive=False), "id", [1, 2], (F, 1, 2)),
        # regex: full match, empty string judged
        (
            dq.Regex(id="r", column="email", pattern="a+"),
            "email",
            ["aa", "aab", "", None],
            (F, 2, 3),
        ),
        (dq.Regex(id="r", column="email", pattern="a|b"), "email", ["a", "ab"], (F, 1, 2)),
        # in_set: NaN only if listed; ints and floats compare as numbers
        (dq.InSet(id="r", column="amount", values=(1, NAN)), "amount", [1.0, NAN, 2.0], (F, 1, 3)),
        (dq.InSet(id="r", column="email", values=()), "email", ["", None], (F, 1, 1)),
        # lengths in code points
        (
            dq.MaxLength(id="r", column="email", length=1),
            "email",
            ["🙂", "e\u0301", " "],
            (F, 1, 3),
        ),
        (dq.MinLength(id="r", column="email", length=1), "email", ["", " ", None], (F, 1, 2)),
        # mostly: (element - failed) / element >= mostly
        (dq.NotNull(id="r", column="id", mostly=0.5), "id", [1, None], (P, 1, 2)),
        (dq.NotNull(id="r", column="id", mostly=0.51), "id", [1, None], (F, 1, 2)),
        # nothing judged passes
        (dq.Unique(id="r", column="id"), "id", [None, None], (P, 0, 0)),
    ],
)
def test_value_checks(rule: object, column: str, values: list, want: tuple) -> None:
    assert counts(one(frame(**{column: values}), rule)) == want


def test_table_level_checks_count_one_and_ignore_mostly() -> None:
    data = frame(id=[1, 2, 3])
    assert counts(one(data, dq.RowCount(id="r", min=4, mostly=0.0))) == (F, 1, 1)
    assert "3 rows" in one(data, dq.RowCount(id="r", min=4)).message
    assert counts(one(data, dq.RowCount(id="r", min=3, max=3))) == (P, 0, 1)
    assert counts(one(data, dq.ColumnExists(id="r", column="x"))) == (F, 1, 1)
    assert counts(one(data, dq.DType(id="r", column="id", dtype="Int64"))) == (P, 0, 1)
    assert counts(one(frame(email=["a"]), dq.DType(id="r", column="email", dtype="Utf8"))) == (
        P,
        0,
        1,
    )
    ts = pl.DataFrame({"t": pl.Series([0], dtype=pl.Datetime("ns", "Europe/Paris"))})
    assert counts(one(ts, dq.DType(id="r", column="t", dtype="Datetime"))) == (P, 0, 1)


def test_expression_ignores_null_results() -> None:
    data = frame(id=[1, None, -1, 2])
    assert counts(one(data, dq.Expression(id="r", expression="id > 0"))) == (F, 1, 3)


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (frame(id=[1]), dq.NotNull(id="ghost_rule", column="ghost")),
        (frame(id=[1]), dq.DType(id="ghost_rule", column="ghost", dtype="Int64")),
        (frame(email=["a"]), dq.Regex(id="bad_rule", column="email", pattern="(")),
        (frame(id=[1]), dq.Regex(id="type_rule", column="id", pattern="1")),
        (frame(id=[1]), dq.MaxLength(id="type_rule", column="id", length=1)),
        (frame(email=["a"]), dq.Between(id="type_rule", column="email", min=0)),
        (frame(id=[1]), dq.Expression(id="sql_rule", expression="id >>> (")),
        (frame(id=[1]), dq.Expression(id="sql_rule", expression="id + 1")),
    ],
)
def test_errors_name_the_rule(data: pl.DataFrame, rule: object) -> None:
    result = one(data, rule)
    assert result.status is ERR and rule.id in result.message


def test_samples_distinct_in_first_appearance_order_and_bounded() -> None:
    data = frame(status=["b", "ok", "a", "b", "c", "a", None])
    rule = dq.InSet(id="r", column="status", values=("ok",))
    assert one(data, rule, 2).samples == ("b", "a")
    assert one(data, rule, 5).samples == ("b", "a", "c")
    assert one(data, rule, 0).samples == ()
    assert one(frame(id=[None]), dq.NotNull(id="n", column="id")).samples == ()
    nan_samples = distinct_in_order([NAN, 1.0, NAN])
    assert len(nan_samples) == 2 and math.isnan(nan_samples[0])


def test_run_status_comes_from_the_gate_and_errors_win() -> None:
    data = frame(id=[None, 1])
    warn = dq.NotNull(id="w", column="id", severity=dq.Severity.WARNING)
    err = dq.NotNull(id="e", column="id")
    ghost = dq.NotNull(id="g", column="ghost")
    assert reference_check(data, dq.RuleSet(rules=(warn,))).status is dq.RunStatus.PASSED
    assert reference_check(data, dq.RuleSet(rules=(warn, err))).status is dq.RunStatus.FAILED
    result = reference_check(data.lazy(), dq.RuleSet(rules=(ghost, err)))
    assert result.status is dq.RunStatus.ERROR
    assert [r.rule_id for r in result.results] == ["g", "e"] and result.row_count == 2
