"""The engine as a whole: loading, gate, samples, errors, large data, and no files written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dq
import dq_truthound
import polars as pl
import pytest
from dq_truthound import NotSupportedByTruthound, TruthoundConfig, TruthoundEngineError
from dq_truthound._engine import SUPPORTED_CHECKS, TruthoundEngine

ALL_CHECKS = [
    dq.NotNull(id="nn", column="s"),
    dq.Unique(id="u", column="s"),
    dq.Between(id="b", column="x", min=0, max=1),
    dq.Regex(id="re", column="s", pattern="[a-z]+"),
    dq.InSet(id="in", column="s", values=("a", "b")),
    dq.MaxLength(id="max", column="s", length=1),
    dq.MinLength(id="min", column="s", length=1),
    dq.Expression(id="ex", expression="x < 1"),
    dq.RowCount(id="rc", min=1),
    dq.DType(id="dt", column="x", dtype="Float64"),
    dq.ColumnExists(id="ce", column="x"),
]
FRAME = pl.DataFrame(
    {"s": ["a", "a", "", None, "é", "bb"], "x": [0.5, 2.0, None, float("nan"), 1.0, -1.0]}
)


def test_every_check_of_the_1_2_vocabulary_is_supported():
    assert SUPPORTED_CHECKS == {rule.check for rule in ALL_CHECKS}
    assert SUPPORTED_CHECKS <= frozenset(dq.CHECKS)


# -- loading -------------------------------------------------------------------------------


def test_loads_through_the_real_host():
    host = dq.Host(dq.discover())
    engine = host.component("engine", "truthound")
    assert isinstance(engine, TruthoundEngine)
    assert isinstance(engine, dq.protocols.Engine)
    assert engine.config == TruthoundConfig()
    result = engine.check(FRAME, dq.RuleSet(rules=tuple(ALL_CHECKS)))
    assert result.engine == "truthound" and len(result.results) == len(ALL_CHECKS)


def test_host_structures_the_config():
    host = dq.Host(dq.discover())
    engine = host.component("engine", "truthound", {"exact_regex": False})
    assert engine.config.exact_regex is False
    with pytest.raises(dq.ConfigError):
        dq.Host(dq.discover()).component("engine", "truthound", {"exact_regex": "maybe"})


def test_discovered_with_its_hook_api_range():
    records = [r for r in dq.discover().records if r.name == "truthound"]
    assert records and records[0].kind == "engine"
    assert records[0].distribution == "dq-truthound"


def test_factory_answers_only_for_its_own_name():
    assert dq_truthound.dq_engine(name="other", config=None) is None
    assert dq_truthound.dq_component_config(kind="notifier", name="truthound") is None
    assert dq_truthound.dq_component_config(kind="engine", name="truthound") is TruthoundConfig


def test_importing_the_plugin_does_not_import_truthound_or_polars():
    code = (
        "import sys, dq_truthound\n"
        "assert 'polars' not in sys.modules and 'truthound' not in sys.modules\n"
        "dq_truthound.dq_engine(name='truthound', config=None)\n"
        "assert 'truthound' not in sys.modules  # only when data is checked\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- no files written ----------------------------------------------------------------------


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if ".git" not in p.parts}


def test_writes_no_files_into_cwd_or_git_root(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    work = repo / "sub" / "dir"
    work.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (work / "keep.txt").write_text("x")
    before = _tree(repo)
    monkeypatch.chdir(work)
    engine = TruthoundEngine()
    big = pl.DataFrame({"s": ["a", "1"] * 30_000, "x": [0.5] * 60_000})
    for frame in (FRAME, FRAME.lazy(), big):
        engine.check(frame, dq.RuleSet(rules=tuple(ALL_CHECKS)))
    assert _tree(repo) == before
    assert not (repo / ".truthound").exists() and not (work / ".truthound").exists()


def test_does_not_write_truthound_workspace_into_this_repository():
    # The repository holding this plugin is a git root truthound's th.check would use.
    here = Path(__file__).resolve()
    roots = [p for p in here.parents if (p / ".git").exists()]
    TruthoundEngine().check(FRAME, dq.RuleSet(rules=tuple(ALL_CHECKS)))
    for root in roots:
        assert not (root / ".truthound").exists()


# -- regex above truthound's 50k sampling threshold ----------------------------------------


def _large() -> pl.DataFrame:
    # First 10k rows: 50% bad, so truthound's early termination would kick in and
    # extrapolate 50% to all 60k rows; the rest: all good, plus blanks it would skip.
    head = ["abc", "ABC"] * 5_000
    tail = ["abc"] * 49_000 + ["", "  "] * 500
    return pl.DataFrame({"s": head + tail})


def test_large_regex_counts_are_exact():
    df = _large()
    assert df.height == 60_000
    rule = dq.Regex(id="r", column="s", pattern="[a-z]+")
    expected = df.select(pl.col("s").str.contains(r"^(?:[a-z]+)$").not_().sum()).item()
    assert expected == 6_000
    for data in (df, df.lazy()):
        r = TruthoundEngine().check(data, dq.RuleSet(rules=(rule,))).by_id("r")
        assert (r.failed_count, r.element_count, r.approximate) == (6_000, 60_000, False)
        assert r.samples == ("ABC", "", "  ")


def test_truthound_alone_would_have_sampled_this_frame():
    # Proves the test above is meaningful: truthound's own default extrapolates.
    from truthound.validators.string.regex import RegexValidator

    issues = RegexValidator(pattern="^(?:[a-z]+)$", columns=("s",)).validate(_large().lazy())
    assert issues and issues[0].count != 6_000 and "early-termination" in issues[0].details


def test_large_regex_with_sampling_allowed_is_flagged_approximate():
    engine = TruthoundEngine(TruthoundConfig(exact_regex=False))
    rule = dq.Regex(id="r", column="s", pattern="[a-z]+")
    r = engine.check(_large(), dq.RuleSet(rules=(rule,))).by_id("r")
    assert r.approximate is True
    assert "approximate" in r.message and "sampled" in r.message
    assert r.failed_count != 6_000  # an estimate, and presented as one


# -- samples -------------------------------------------------------------------------------


def test_sample_size_zero_turns_sampling_off(engine):
    res = engine.check(FRAME, dq.RuleSet(rules=tuple(ALL_CHECKS), sample_size=0))
    assert all(r.samples == () for r in res.results)
    assert any(r.failed_count for r in res.results)


def test_samples_are_bounded_distinct_and_in_order(engine):
    df = pl.DataFrame({"x": [9, 8, 9, 7, 8, 6, 5]})
    rule = dq.Between(id="r", column="x", max=1)
    r = engine.check(df, dq.RuleSet(rules=(rule,), sample_size=3)).by_id("r")
    assert r.failed_count == 7 and r.samples == (9, 8, 7)


def test_dates_in_samples_are_json_safe(engine):
    from datetime import date

    df = pl.DataFrame({"d": [date(2020, 1, 1), date(2020, 1, 1), None]})
    r = engine.check(df, dq.RuleSet(rules=(dq.Unique(id="u", column="d"),))).by_id("u")
    assert r.samples == ("2020-01-01",)


# -- gate, errors, determinism -------------------------------------------------------------


def test_run_status_comes_from_the_gate(engine):
    df = pl.DataFrame({"x": [1, None]})
    warn = dq.NotNull(id="w", column="x", severity=dq.Severity.WARNING)
    assert engine.check(df, dq.RuleSet(rules=(warn,))).status is dq.RunStatus.PASSED
    err = dq.NotNull(id="e", column="x")
    assert engine.check(df, dq.RuleSet(rules=(err,))).status is dq.RunStatus.FAILED
    gate = dq.QualityGate(max_failed_errors=1)
    assert engine.check(df, dq.RuleSet(rules=(err,), gate=gate)).status is dq.RunStatus.PASSED


def test_unknown_column_is_an_error_and_other_rules_still_run(engine):
    rules = (dq.NotNull(id="ghost", column="nope"), dq.NotNull(id="ok", column="x"))
    res = engine.check(pl.DataFrame({"x": [1]}), dq.RuleSet(rules=rules))
    assert res.status is dq.RunStatus.ERROR
    ghost = res.by_id("ghost")
    assert ghost.status is dq.RuleStatus.ERROR and "'ghost'" in ghost.message
    assert "'nope'" in ghost.message
    assert res.by_id("ok").status is dq.RuleStatus.PASSED


@pytest.mark.parametrize("rule", [r for r in ALL_CHECKS if hasattr(r, "column")])
def test_unknown_column_never_crashes(engine, rule):
    import attrs

    moved = attrs.evolve(rule, column="missing")
    r = engine.check(FRAME, dq.RuleSet(rules=(moved,))).by_id(rule.id)
    if rule.check == "column_exists":
        assert r.status is dq.RuleStatus.FAILED
    else:
        assert r.status is dq.RuleStatus.ERROR and repr(rule.id) in r.message


def test_unsupported_rule_counts_against_the_gate(engine):
    rule = dq.Between(id="p", column="d", min=0)
    data = pl.DataFrame({"d": pl.Series([None], dtype=pl.Duration("us"))})
    res = engine.check(data, dq.RuleSet(rules=(rule,)))
    assert res.by_id("p").status is dq.RuleStatus.UNSUPPORTED
    assert res.status is dq.RunStatus.FAILED


def test_deterministic(engine):
    rules = dq.RuleSet(rules=tuple(ALL_CHECKS))
    first, second = engine.check(FRAME, rules), engine.check(FRAME.lazy(), rules)
    assert repr(first.results) == repr(second.results)  # repr: NaN samples are != each other


def test_result_metadata(engine):
    res = engine.check(FRAME.lazy(), dq.RuleSet(rules=tuple(ALL_CHECKS)))
    assert res.row_count == FRAME.height and res.engine == "truthound"
    assert res.started_at is not None and res.duration_seconds is not None
    for r, rule in zip(res.results, ALL_CHECKS, strict=True):
        assert (r.rule_id, r.check, r.severity) == (rule.id, rule.check, rule.severity)


def test_lazyframe_is_fully_evaluated(engine, tmp_path):
    path = tmp_path / "d.parquet"
    pl.DataFrame({"x": list(range(70_000)) + [None] * 5}).write_parquet(path)
    lf = pl.scan_parquet(path).filter(pl.col("x").is_null() | (pl.col("x") >= 10))
    rules = (dq.NotNull(id="n", column="x"), dq.Between(id="b", column="x", max=100))
    res = engine.check(lf, dq.RuleSet(rules=rules))
    assert (res.by_id("n").failed_count, res.by_id("n").element_count) == (5, 69_995)
    assert (res.by_id("b").failed_count, res.by_id("b").element_count) == (69_899, 69_990)


@pytest.mark.parametrize("data", [{"x": [1]}, [1, 2], None, "file.csv"])
def test_not_a_polars_frame_is_a_dq_error(engine, data):
    with pytest.raises(TruthoundEngineError) as info:
        engine.check(data, dq.RuleSet(rules=(dq.NotNull(id="n", column="x"),)))
    assert isinstance(info.value, dq.DqError)


def test_failing_lazyframe_is_a_dq_error(engine):
    lf = pl.LazyFrame({"x": ["a"]}).select(pl.col("x").cast(pl.Int64))
    with pytest.raises(TruthoundEngineError):
        engine.check(lf, dq.RuleSet(rules=(dq.NotNull(id="n", column="x"),)))


def test_profile_and_learn_raise_a_clear_dq_error(engine):
    for method in (engine.profile, engine.learn):
        with pytest.raises(NotSupportedByTruthound) as info:
            method(FRAME)
        assert isinstance(info.value, dq.DqError) and "dq-truthound" in str(info.value)


def test_engine_env_does_not_need_a_truthound_yaml(tmp_path, monkeypatch):
    # A truthound.yaml in the cwd (which th.check would obey) changes nothing.
    (tmp_path / "truthound.yaml").write_text("context:\n  persist_runs: true\n")
    monkeypatch.chdir(tmp_path)
    TruthoundEngine().check(FRAME, dq.RuleSet(rules=tuple(ALL_CHECKS)))
    assert sorted(os.listdir(tmp_path)) == ["truthound.yaml"]


def test_a_bug_in_the_adapter_is_not_disguised_as_a_rule_error(monkeypatch):
    engine = TruthoundEngine()

    def broken(self, rule, series):
        return 1 / 0

    monkeypatch.setitem(TruthoundEngine._HANDLERS, "not_null", broken)
    with pytest.raises(ZeroDivisionError):
        engine.check(FRAME, dq.RuleSet(rules=(dq.NotNull(id="n", column="s"),)))


def test_a_truthound_exception_is_that_rule_s_error(monkeypatch):
    from truthound.validators.uniqueness.unique import UniqueValidator

    def explode(self, lf):  # polars raises, as it would for a column truthound mishandles
        return lf.select(pl.col("no such column")).collect()

    monkeypatch.setattr(UniqueValidator, "validate", explode)
    res = TruthoundEngine().check(
        FRAME, dq.RuleSet(rules=(dq.Unique(id="u", column="s"), dq.NotNull(id="n", column="s")))
    )
    assert res.by_id("u").status is dq.RuleStatus.ERROR
    assert "'u'" in res.by_id("u").message
    assert res.by_id("n").status is dq.RuleStatus.FAILED
