"""The shared engine helpers: verdicts from counts, standard messages, samples."""

from __future__ import annotations

import math

import dq
import pytest
from hypothesis import given
from hypothesis import strategies as st


@given(st.integers(0, 1000), st.integers(0, 1000), st.floats(0, 1))
def test_rule_passes_is_the_mostly_share(failed: int, extra: int, mostly: float) -> None:
    elements = failed + extra
    expected = elements == 0 or (elements - failed) / elements >= mostly
    assert dq.rule_passes(failed, elements, mostly) is expected


def test_a_share_equal_to_mostly_passes() -> None:
    assert dq.rule_passes(1, 10, 0.9)


def test_judge_builds_the_result_with_identity_and_message() -> None:
    rule = dq.Between(id="amount_range", column="amount", min=0, max=10, mostly=0.5)
    result = dq.judge(rule, 2, 8, samples=(-1.0,))
    assert (result.rule_id, result.check, result.column, result.status) == (
        "amount_range",
        "between",
        "amount",
        dq.RuleStatus.PASSED,
    )
    assert result.message.startswith("2 of 8 non-null rows failed (25.0%)")
    assert "meets mostly" in result.message and result.samples == (-1.0,)
    assert dq.judge(dq.NotNull(id="n", column="c"), 0, 3).message == "all 3 rows passed"


def test_row_count_result_is_one_element() -> None:
    failed = dq.row_count_result(dq.RowCount(id="rc", min=10), 3)
    assert (failed.status, failed.failed_count, failed.element_count) == (
        dq.RuleStatus.FAILED,
        1,
        1,
    )
    assert failed.message == "3 rows outside [10, ]"


def test_distinct_samples_are_first_seen_json_safe_and_bounded() -> None:
    import datetime as dt

    values = [1.0, math.nan, 1.0, math.nan, dt.date(2024, 1, 2), [1], [1], "x"]
    samples = dq.distinct_samples(values, 4)
    assert samples[0] == 1.0 and math.isnan(samples[1])
    assert samples[2:] == ("2024-01-02", "[1]")
    assert dq.distinct_samples(values, 0) == ()


def test_refuse_missing_key_names_the_first_missing_column_and_the_data_columns() -> None:
    rules = dq.RuleSet(rules=(), key=("id", "nope", "gone"))
    with pytest.raises(dq.UsageError) as err:
        dq.refuse_missing_key(rules, ["id", "amount"])
    assert str(err.value) == (
        "key: column 'nope' not found; the data has 'id', 'amount' "
        "(fix the rule set's key = [...] or remove it to sample row numbers)"
    )
    assert err.value.exit_code == 2
    dq.refuse_missing_key(dq.RuleSet(rules=(), key=("id",)), iter(["amount", "id"]))
    dq.refuse_missing_key(dq.RuleSet(rules=()), [])
