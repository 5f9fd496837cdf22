"""Rule sets as a whole: mostly, severity and the gate, samples, errors, inputs."""

from __future__ import annotations

import dq
import polars as pl
import pytest
from dq_polars._config import PolarsConfig
from dq_polars._engine import PolarsEngine
from dq_polars._errors import PolarsEngineError

P, F, E = dq.RuleStatus.PASSED, dq.RuleStatus.FAILED, dq.RuleStatus.ERROR
TEN = pl.DataFrame({"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, None], "s": list("aabbccddee")})


# -- mostly --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mostly", "status"),
    [(1.0, F), (0.9, F), (8 / 9, P), (0.8, P), (0.0, P)],
)
def test_mostly_over_non_null_rows_for_value_checks(run, mostly, status) -> None:
    # 9 non-null values, 1 outside -> passing share 8/9
    rule = dq.Between(id="r", column="x", max=8, mostly=mostly)
    result = run(TEN, rule).results[0]
    assert (result.status, result.failed_count, result.element_count) == (status, 1, 9)


@pytest.mark.parametrize(("mostly", "status"), [(0.9, P), (0.91, F)])
def test_mostly_over_all_rows_for_not_null(run, mostly, status) -> None:
    result = run(TEN, dq.NotNull(id="r", column="x", mostly=mostly)).results[0]
    assert (result.status, result.failed_count, result.element_count) == (status, 1, 10)
    assert "mostly" in result.message


def test_mostly_boundary_is_inclusive_in_decimal() -> None:
    assert dq.rule_passes(1, 10, 0.9)  # 9/10 == 0.9 exactly, though 0.9 is not exact in binary
    assert dq.rule_passes(3, 10, 0.7)
    assert not dq.rule_passes(4, 10, 0.7)
    assert dq.rule_passes(0, 0, 1.0)  # nothing checked: nothing failed


# -- severity and the gate -------------------------------------------------------------------


def _failing(rule_id: str, severity: dq.Severity) -> dq.NotNull:
    return dq.NotNull(id=rule_id, column="x", severity=severity)


def _passing(rule_id: str) -> dq.NotNull:
    return dq.NotNull(id=rule_id, column="s")


WARN, ERR = dq.Severity.WARNING, dq.Severity.ERROR


def test_severity_is_copied_and_a_failed_warning_does_not_fail_the_default_gate(run) -> None:
    result = run(TEN, _failing("w", WARN), _passing("p"))
    assert result.by_id("w").severity is WARN and result.by_id("w").status is F
    assert result.by_id("p").status is P  # passing rules are reported too
    assert result.status is dq.RunStatus.PASSED


def test_a_failed_error_fails_the_default_gate(run) -> None:
    assert run(TEN, _failing("e", ERR)).status is dq.RunStatus.FAILED


@pytest.mark.parametrize(
    ("gate", "status"),
    [
        (dq.QualityGate(max_failed_errors=1), dq.RunStatus.PASSED),
        (dq.QualityGate(max_failed_errors=0), dq.RunStatus.FAILED),
        (dq.QualityGate(max_failed_errors=1, max_failed_warnings=1), dq.RunStatus.FAILED),
        (dq.QualityGate(max_failed_errors=1, max_failed_warnings=2), dq.RunStatus.PASSED),
        # 3 of 4 evaluated rules failed
        (dq.QualityGate(max_failed_errors=9, max_failure_rate=0.75), dq.RunStatus.PASSED),
        (dq.QualityGate(max_failed_errors=9, max_failure_rate=0.5), dq.RunStatus.FAILED),
    ],
)
def test_gate_budgets(run, gate, status) -> None:
    rules = (_failing("e", ERR), _failing("w1", WARN), _failing("w2", WARN), _passing("p"))
    assert run(TEN, *rules, gate=gate).status is status


def test_an_errored_rule_makes_the_run_error_whatever_else_failed(run) -> None:
    # dq.run_status: the verdict is unknown while a rule cannot be evaluated.
    broken = dq.NotNull(id="b", column="missing")
    assert run(TEN, broken, _passing("p")).status is dq.RunStatus.ERROR
    assert run(TEN, broken, _failing("w", WARN)).status is dq.RunStatus.ERROR
    assert run(TEN, broken, _failing("e", ERR)).status is dq.RunStatus.ERROR


def test_results_come_in_rule_order_one_per_rule(run) -> None:
    rules = (
        dq.RowCount(id="rc", min=1),
        dq.Unique(id="u", column="s"),
        dq.ColumnExists(id="ce", column="x"),
        dq.NotNull(id="bad", column="nope"),
        dq.Expression(id="ex", expression="x > 0"),
    )
    result = run(TEN, *rules)
    assert [r.rule_id for r in result.results] == ["rc", "u", "ce", "bad", "ex"]
    assert [r.check for r in result.results] == [
        "row_count",
        "unique",
        "column_exists",
        "not_null",
        "expression",
    ]
    assert result.row_count == 10 and result.engine == "polars"
    assert result.started_at is not None and result.duration_seconds >= 0


# -- samples -------------------------------------------------------------------------------


def test_samples_are_distinct_failing_values_in_row_order_and_bounded(run) -> None:
    frame = pl.DataFrame({"x": [5, 50, 50, 60, 1, 70, 80, 90, 99]})
    result = run(frame, dq.Between(id="r", column="x", max=10), sample_size=3).results[0]
    assert result.failed_count == 7
    assert result.samples == (50, 60, 70)


def test_sampling_off(run) -> None:
    frame = pl.DataFrame({"x": [None, 1, 1]})
    results = run(
        frame, dq.NotNull(id="a", column="x"), dq.Unique(id="b", column="x"), sample_size=0
    ).results
    assert [r.status for r in results] == [F, F]
    assert [r.samples for r in results] == [(), ()]


def test_no_samples_for_passing_rules_even_with_tolerated_failures(run) -> None:
    result = run(TEN, dq.NotNull(id="r", column="x", mostly=0.5)).results[0]
    assert result.status is P and result.failed_count == 1 and result.samples == ()


def test_samples_per_check(run) -> None:
    frame = pl.DataFrame({"x": [1.0, None, 1.0, float("nan")], "s": ["ok", "no", None, "日本"]})
    result = run(
        frame,
        dq.NotNull(id="nn", column="x"),
        dq.Unique(id="u", column="x"),
        dq.Regex(id="re", column="s", pattern="ok"),
        dq.Expression(id="ex", expression="x < 1"),
    )
    assert result.by_id("nn").status is F and result.by_id("nn").samples == ()  # nulls only
    assert result.by_id("u").samples == (1.0,)
    assert result.by_id("re").samples == ("no", "日本")
    # expression rules sample 0-based row numbers: row 1 is null (ignored), NaN < 1 is false
    assert result.by_id("ex").samples == (0, 2, 3)


def test_samples_are_json_safe(run) -> None:
    import datetime as dt

    frame = pl.DataFrame({"d": [dt.date(2024, 1, 1), dt.date(2024, 1, 1)]})
    result = run(frame, dq.Unique(id="r", column="d")).results[0]
    assert result.samples == ("2024-01-01",)


def test_samples_stay_bounded_on_many_failures(run) -> None:
    frame = pl.DataFrame({"x": list(range(100_000))})
    result = run(frame, dq.Between(id="r", column="x", max=-1), sample_size=4).results[0]
    assert result.failed_count == 100_000 and result.samples == (0, 1, 2, 3)


# -- errors, never crashes -----------------------------------------------------------------


def test_unknown_column_is_an_error_result_naming_the_rule_and_column(run) -> None:
    result = run(TEN, dq.Unique(id="ids_unique", column="idz"), _passing("p"))
    bad = result.by_id("ids_unique")
    assert bad.status is E and bad.failed_count == 0
    assert "'ids_unique'" in bad.message and "'idz'" in bad.message and "'x'" in bad.message
    assert result.by_id("p").status is P


def test_bad_regex_is_an_error_result_and_other_rules_still_run(run) -> None:
    result = run(TEN, dq.Regex(id="re", column="s", pattern="a("), _failing("e", ERR))
    bad = result.by_id("re")
    assert bad.status is E and "'re'" in bad.message and "invalid regex" in bad.message
    assert result.by_id("e").status is F


def test_a_bad_regex_error_quotes_polars_on_the_users_pattern_not_dqs_anchoring() -> None:
    from dq_polars._regex import validate_regex

    message = validate_regex("a(")
    assert message is not None and message.startswith("invalid regex 'a(':")
    assert r"\A(?:" not in message
    assert validate_regex(r"[A-Z]{2}") is None
    # Broken alone, yet a valid (different) regex once anchored: still refused.
    message = validate_regex("a)|(b")
    assert message is not None and message.startswith("invalid regex 'a)|(b':")


def test_a_rule_that_fails_only_at_run_time_is_isolated(run) -> None:
    # The cast fails on the data, not on the (empty) probe: the fused query fails and
    # the engine re-runs each rule alone so the fault lands on this rule only.
    frame = pl.DataFrame({"s": ["1", "x"], "n": [1, None]})
    result = run(
        frame,
        dq.Expression(id="cast", expression="CAST(s AS INTEGER) > 0"),
        dq.NotNull(id="nn", column="n"),
    )
    assert result.by_id("cast").status is E and "'cast'" in result.by_id("cast").message
    assert result.by_id("nn").status is F and result.by_id("nn").samples == ()
    assert result.status is dq.RunStatus.ERROR


class _Weird:
    """A rule of a check no engine knows: must come back unsupported, never passed."""

    id = "weird"
    check = "median_between"
    column = "x"
    severity = dq.Severity.ERROR
    mostly = 1.0


def test_an_unknown_check_is_unsupported_not_passed() -> None:
    engine = PolarsEngine(PolarsConfig())
    rules = dq.RuleSet.__new__(dq.RuleSet)
    object.__setattr__(rules, "rules", (_Weird(),))
    object.__setattr__(rules, "gate", dq.QualityGate())
    object.__setattr__(rules, "sample_size", 5)
    result = engine.check(TEN, rules)
    assert result.results[0].status is dq.RuleStatus.UNSUPPORTED
    assert result.status is dq.RunStatus.FAILED  # counts against the gate, never passes


def test_nested_and_object_columns_never_crash(run) -> None:
    frame = pl.DataFrame(
        {"l": [[1], [1], [2]], "o": pl.Series([object(), None, 1], dtype=pl.Object)}
    )
    result = run(
        frame,
        dq.Unique(id="ul", column="l"),
        dq.Unique(id="uo", column="o"),
        dq.NotNull(id="no", column="o"),
    )
    ul, uo, no = result.results
    if ul.status is E:  # polars < 2 cannot hash lists: an error naming the rule, no crash
        assert "'ul'" in ul.message
    else:
        assert (ul.status, ul.failed_count, ul.samples) == (F, 2, ("[1]",))
    assert uo.status is E and "'uo'" in uo.message  # polars cannot hash Python objects
    assert (no.status, no.failed_count, no.samples) == (F, 1, ())  # not_null shows no samples


def test_every_check_in_the_vocabulary_is_supported() -> None:
    assert PolarsEngine(PolarsConfig()).supported_checks == frozenset(dq.CHECKS)


def test_data_that_is_not_polars_is_refused_with_a_dq_error() -> None:
    with pytest.raises(PolarsEngineError, match="DataFrame or LazyFrame, not builtins.dict"):
        PolarsEngine(PolarsConfig()).check({"x": [1]}, dq.RuleSet(rules=()))


def test_an_unreadable_source_is_a_dq_error(tmp_path) -> None:
    lf = pl.scan_parquet(tmp_path / "missing.parquet")
    with pytest.raises(dq.DqError, match="cannot read"):
        PolarsEngine(PolarsConfig()).check(lf, dq.RuleSet(rules=(_passing("p"),)))


# -- LazyFrame input -------------------------------------------------------------------------


def test_a_lazyframe_from_a_file_is_fully_validated(tmp_path) -> None:
    path = tmp_path / "data.parquet"
    n = 200_000
    pl.DataFrame({"x": list(range(n))}).with_columns(
        pl.when(pl.col("x") == n - 1).then(None).otherwise(pl.col("x")).alias("x")
    ).write_parquet(path, row_group_size=10_000)
    for streaming in (True, False):
        engine = PolarsEngine(PolarsConfig(streaming=streaming))
        result = engine.check(
            pl.scan_parquet(path),
            dq.RuleSet(rules=(dq.NotNull(id="nn", column="x"), dq.RowCount(id="rc", min=n))),
        )
        nn = result.by_id("nn")  # the only null is in the very last row group
        assert (nn.status, nn.failed_count, nn.element_count) == (F, 1, n)
        assert result.row_count == n and result.by_id("rc").status is P


def _no_second_query(*_args: object, **_kwargs: object) -> None:
    raise pl.exceptions.ComputeError("second query forbidden in this test")


def test_by_default_samples_come_from_the_single_scan(monkeypatch) -> None:
    monkeypatch.setattr(pl, "collect_all", _no_second_query)
    frame = pl.DataFrame({"x": [None, 1, 1]})
    engine = PolarsEngine(PolarsConfig())
    assert engine.streams is False
    result = engine.check(frame.lazy(), dq.RuleSet(rules=(dq.Unique(id="u", column="x"),)))
    assert result.results[0].samples == (1,)


def test_streaming_samples_come_from_a_second_query_whose_failure_costs_no_verdict(
    monkeypatch,
) -> None:
    monkeypatch.setattr(pl, "collect_all", _no_second_query)
    frame = pl.DataFrame({"x": [None, 1, 1]})
    engine = PolarsEngine(PolarsConfig(streaming=True))
    assert engine.streams is True
    result = engine.check(frame.lazy(), dq.RuleSet(rules=(dq.Unique(id="u", column="x"),)))
    unique = result.results[0]
    assert (unique.status, unique.failed_count, unique.samples) == (F, 2, ())
    assert "samples unavailable" in unique.message
