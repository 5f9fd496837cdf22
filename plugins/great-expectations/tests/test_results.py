"""Samples, errors, unsupported checks, the gate, and what the engine must never do."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import dq
import polars as pl
import pytest
from dq_great_expectations import GxConfig, GxEngineError, NotProvidedByGx
from dq_great_expectations._engine import GxEngine
from dq_great_expectations._plan import SUPPORTED_CHECKS

NAN = float("nan")


# -- samples -----------------------------------------------------------------------------


def test_samples_are_distinct_in_first_appearance_order_and_bounded(one):
    df = pl.DataFrame({"s": ["z", "b", "z", "ok", "a", "b", "c", "d", "e", "f"]})
    r = one(df, dq.InSet(id="s", column="s", values=("ok",)), sample_size=3)
    assert r.failed_count == 9
    assert r.samples == ("z", "b", "a")


def test_sample_size_zero_turns_sampling_off(one):
    df = pl.DataFrame({"s": ["x", "y"]})
    r = one(df, dq.InSet(id="s", column="s", values=("ok",)), sample_size=0)
    assert (r.failed_count, r.samples) == (2, ())


def test_samples_beyond_the_summary_window_come_from_complete(one):
    # 500 failing rows of one value, then two more values: the SUMMARY window
    # (sample_size * 20 rows) holds only "x", so the engine asks GX for COMPLETE.
    df = pl.DataFrame({"s": ["x"] * 500 + ["y", "z", "ok"]})
    r = one(df, dq.InSet(id="s", column="s", values=("ok",)), sample_size=3)
    assert r.failed_count == 502
    assert r.samples == ("x", "y", "z")


def test_nan_sample_is_merged_in_row_order(one):
    df = pl.DataFrame({"x": [5.0, 1.0, NAN, 7.0, NAN]})
    r = one(df, dq.Between(id="b", column="x", max=2))
    assert r.failed_count == 4
    assert r.samples[0] == 5.0 and math.isnan(r.samples[1]) and r.samples[2] == 7.0
    assert len(r.samples) == 3


def test_samples_keep_polars_types_and_are_json_safe(one):
    from datetime import date

    df = pl.DataFrame({"d": [date(2024, 1, 1), date(2024, 1, 1)], "i": [3, 3]})
    r = one(df, dq.Unique(id="u", column="d"))
    assert r.samples == ("2024-01-01",)
    r = one(df, dq.Unique(id="u", column="i"))
    assert r.samples == (3,) and type(r.samples[0]) is int


# -- errors: a rule that cannot be evaluated never crashes the run ---------------------------


@pytest.mark.parametrize(
    ("rule", "needle"),
    [
        (dq.NotNull(id="r1", column="nope"), "column 'nope' not found"),
        (dq.Between(id="r2", column="s", min=0), "needs a numeric column"),
        (dq.Regex(id="r3", column="i", pattern="a"), "needs a String column"),
        (dq.Regex(id="r4", column="s", pattern="(a"), "invalid regex"),
        # valid in Python, but not in the Rust dialect dq pins
        (dq.Regex(id="r5", column="s", pattern="(?=a)a"), "look-around"),
        (dq.Regex(id="r6", column="s", pattern=r"(a)\1"), "backreferences"),
        (dq.MaxLength(id="r7", column="i", length=1), "needs a String column"),
        (dq.InSet(id="r8", column="s", values=(1, 2)), "must be strings"),
        (dq.InSet(id="r9", column="i", values=(True,)), "must be numbers"),
    ],
)
def test_rule_errors_name_the_rule_and_leave_the_others(run, rule, needle):
    df = pl.DataFrame({"s": ["a", "b"], "i": [1, 2]})
    result = run(df, rule, dq.NotNull(id="fine", column="s"))
    bad, fine = result.results
    assert bad.status is dq.RuleStatus.ERROR
    assert repr(rule.id) in bad.message and needle in bad.message
    assert fine.status is dq.RuleStatus.PASSED
    assert result.status is dq.RunStatus.ERROR


def test_wrong_input_type_raises_a_dq_error(engine):
    with pytest.raises(GxEngineError, match="polars DataFrame or LazyFrame"):
        engine.check({"x": [1]}, dq.RuleSet(rules=(dq.NotNull(id="n", column="x"),)))


def test_unreadable_lazyframe_raises_a_dq_error(engine, tmp_path):
    lf = pl.scan_parquet(tmp_path / "missing.parquet")
    with pytest.raises(GxEngineError, match="cannot read"):
        engine.check(lf, dq.RuleSet(rules=(dq.RowCount(id="rc", min=1),)))


# -- unsupported ---------------------------------------------------------------------------


def test_expression_is_unsupported_and_counts_against_the_gate(run):
    df = pl.DataFrame({"x": [1]})
    result = run(df, dq.Expression(id="e", expression="x > 0"))
    (r,) = result.results
    assert r.status is dq.RuleStatus.UNSUPPORTED
    assert "expression" not in SUPPORTED_CHECKS
    assert result.status is dq.RunStatus.FAILED  # never silently passed


def test_rust_only_regex_syntax_is_unsupported_not_guessed(one):
    df = pl.DataFrame({"s": ["a"]})
    for pattern in (r"\p{L}", r"a\z", "(?<n>a)", "a(?i)b"):
        r = one(df, dq.Regex(id="r", column="s", pattern=pattern))
        assert r.status is dq.RuleStatus.UNSUPPORTED, pattern
        assert "Python re" in r.message


def test_supported_checks_cover_the_1_2_vocabulary_but_expression():
    before_1_3 = {"not_null", "unique", "between", "regex", "in_set", "max_length"}
    before_1_3 |= {"min_length", "row_count", "dtype", "column_exists"}
    assert SUPPORTED_CHECKS == frozenset(before_1_3)
    assert SUPPORTED_CHECKS <= frozenset(dq.CHECKS) - {"expression"}


# -- the gate: dq.run_status, one implementation for every engine --------------------------


def test_gate_tolerates_warnings_by_default(run):
    df = pl.DataFrame({"x": [None, 1]})
    warn = dq.NotNull(id="w", column="x", severity=dq.Severity.WARNING)
    assert run(df, warn).status is dq.RunStatus.PASSED
    assert run(df, warn, gate=dq.QualityGate(max_failed_warnings=0)).status is dq.RunStatus.FAILED
    err = dq.NotNull(id="e", column="x")
    assert run(df, err).status is dq.RunStatus.FAILED
    assert run(df, err, gate=dq.QualityGate(max_failed_errors=1)).status is dq.RunStatus.PASSED


def test_results_keep_rule_order_severity_and_column(run):
    df = pl.DataFrame({"x": [1, 1]})
    rules = (
        dq.RowCount(id="a", min=1),
        dq.Unique(id="b", column="x", severity=dq.Severity.WARNING),
        dq.DType(id="c", column="x", dtype="Int64"),
        dq.NotNull(id="d", column="x"),
    )
    result = run(df, *rules)
    assert [r.rule_id for r in result.results] == ["a", "b", "c", "d"]
    assert [r.check for r in result.results] == ["row_count", "unique", "dtype", "not_null"]
    assert result.results[1].severity is dq.Severity.WARNING
    assert result.results[1].column == "x" and result.results[0].column is None
    assert result.engine == "gx" and result.duration_seconds >= 0


def test_different_rules_building_one_expectation_share_its_result(run):
    # in_set of () and of (NaN,) both send GX an empty value set (dq counts NaN itself);
    # the suite keeps one copy, so both rules must read that one result. Found by the
    # contract's hypothesis oracle on an empty Float64 column.
    for values in ([], [1.5, math.nan, 2.0]):
        df = pl.DataFrame({"x": values}, schema={"x": pl.Float64})
        result = run(
            df,
            dq.InSet(id="empty", column="x", values=()),
            dq.InSet(id="nan", column="x", values=(math.nan,)),
        )
        statuses = {r.rule_id: r.status for r in result.results}
        assert dq.RuleStatus.ERROR not in statuses.values(), result.results
        failed = {r.rule_id: r.failed_count for r in result.results}
        assert failed == ({"empty": 0, "nan": 0} if not values else {"empty": 3, "nan": 2})


# -- profile / learn ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["profile", "learn"])
def test_profile_and_learn_point_to_the_polars_engine(engine, method):
    with pytest.raises(NotProvidedByGx, match="use the polars engine") as info:
        getattr(engine, method)(pl.DataFrame({"x": [1]}))
    assert isinstance(info.value, dq.DqError)


# -- loading through the real host ----------------------------------------------------------


def test_loads_through_the_host():
    host = dq.Host(dq.discover())
    engine = host.component("engine", "gx")
    assert isinstance(engine, GxEngine)
    assert isinstance(engine, dq.protocols.Engine)
    assert engine.streams is False
    result = engine.check(
        pl.DataFrame({"x": [1, None]}), dq.RuleSet(rules=(dq.NotNull(id="n", column="x"),))
    )
    assert result.results[0].failed_count == 1


def test_host_rejects_unknown_config_keys():
    with pytest.raises(dq.ConfigError):
        dq.Host(dq.discover()).component("engine", "gx", {"threads": 2})


def test_plugin_import_and_engine_build_do_not_import_gx():
    code = (
        "import sys, dq_great_expectations as m\n"
        "e = m.dq_engine(name='gx', config=None)\n"
        "assert m.dq_engine(name='other', config=None) is None\n"
        "assert m.dq_component_config(kind='engine', name='gx') is m.GxConfig\n"
        "bad = [n for n in ('great_expectations', 'pandas') if n in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_gx_writes_nothing_into_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = GxEngine(GxConfig())  # a new ephemeral context, created in this cwd
    df = pl.DataFrame({"x": [1, 1, None]})
    result = engine.check(df, dq.RuleSet(rules=(dq.Unique(id="u", column="x"),)))
    assert result.results[0].failed_count == 2
    assert list(tmp_path.iterdir()) == []
    assert os.environ["GX_ANALYTICS_ENABLED"] == "false"


def test_check_prints_nothing(engine, capfd):
    df = pl.DataFrame({"x": [1, 2, None]})
    engine.check(df, dq.RuleSet(rules=(dq.Unique(id="u", column="x"), dq.RowCount(id="r", min=1))))
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_rules_sharing_one_gx_expectation_each_get_a_result(run):
    # GX keeps one copy of equal expectations in a suite
    df = pl.DataFrame({"x": [None, 1]})
    result = run(
        df,
        dq.NotNull(id="w", column="x", severity=dq.Severity.WARNING),
        dq.NotNull(id="e", column="x", mostly=0.5),
        dq.NotNull(id="f", column="x"),
    )
    assert [(r.rule_id, r.status.value, r.failed_count) for r in result.results] == [
        ("w", "failed", 1),
        ("e", "passed", 1),
        ("f", "failed", 1),
    ]


def test_an_expectation_gx_cannot_build_is_that_rules_error_and_others_still_run(run, monkeypatch):
    import dataclasses

    from dq_great_expectations import _engine

    original = _engine.plan_rule

    def plan_rule(index, rule, schema):
        planned = original(index, rule, schema)
        if rule.id != "boom":
            return planned

        def build(_gxe):
            raise ValueError("GX refused the expectation's parameters")

        return dataclasses.replace(planned, build=build)

    monkeypatch.setattr(_engine, "plan_rule", plan_rule)
    df = pl.DataFrame({"x": [1, None, 1]})
    result = run(df, dq.NotNull(id="boom", column="x"), dq.NotNull(id="after", column="x"))
    boom, after = result.results
    assert boom.status is dq.RuleStatus.ERROR and "boom" in boom.message
    assert after.status is dq.RuleStatus.FAILED and after.failed_count == 1
