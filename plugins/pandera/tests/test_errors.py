"""Rules that cannot be evaluated are ERROR results naming the rule; nothing crashes."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import dq
import polars as pl
import pytest
from conftest import Run, counts
from dq_pandera import NotProvidedByPandera, PanderaEngineError

DF = pl.DataFrame(
    {
        "n": [1, 2, 3],
        "s": ["a", "b", "c"],
        "d": pl.Series([None, None, None], dtype=pl.Null),
        "dt": pl.date_range(pl.date(2020, 1, 1), pl.date(2020, 1, 3), eager=True),
    }
)


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        (dq.NotNull(id="bad", column="missing"), "column 'missing' not found"),
        (dq.Unique(id="bad", column="missing"), "not found"),
        (dq.DType(id="bad", column="missing", dtype="Int64"), "not found"),
        (dq.Regex(id="bad", column="s", pattern="(unclosed"), "invalid regex"),
        (dq.Regex(id="bad", column="s", pattern=r"(?<=a)b"), "invalid regex"),
        (dq.Regex(id="bad", column="n", pattern="1"), "needs a String column"),
        (dq.Regex(id="bad", column="d", pattern="1"), "needs a String column"),
        (dq.MaxLength(id="bad", column="n", length=1), "needs a String column"),
        (dq.MinLength(id="bad", column="dt", length=1), "needs a String column"),
        (dq.Between(id="bad", column="s", min=1), "needs a numeric column"),
        (dq.Between(id="bad", column="dt", min=1), "needs date bounds"),
        (dq.InSet(id="bad", column="s", values=(1, 2)), "must be strings"),
        (dq.InSet(id="bad", column="n", values=("1",)), "must be numbers"),
        (dq.InSet(id="bad", column="dt", values=("2020-01-01",)), "in_set needs"),
        (dq.Expression(id="bad", expression="n >>> 1"), "cannot evaluate expression"),
        (dq.Expression(id="bad", expression="nope > 1"), "cannot evaluate expression"),
        (dq.Expression(id="bad", expression="n + 1"), "not a Boolean"),
    ],
)
def test_rule_problems_are_errors_naming_the_rule(run: Run, rule: Any, fragment: str) -> None:
    res = run(DF, rule, dq.NotNull(id="fine", column="n"))
    bad = res.by_id("bad")
    assert bad.status is dq.RuleStatus.ERROR
    assert "'bad'" in bad.message and fragment in bad.message
    assert counts(res.by_id("fine")) == ("passed", 0, 3)  # the other rules still run
    assert res.status is dq.RunStatus.ERROR


def test_a_check_that_fails_while_running_is_an_error_for_that_rule_only(run: Run) -> None:
    # Parses and types on an empty slice; only the data makes the cast fail.
    df = pl.DataFrame({"s": ["1", "x"]})
    res = run(
        df,
        dq.Expression(id="bad", expression="CAST(s AS INTEGER) > 0"),
        dq.MaxLength(id="fine", column="s", length=0),
    )
    assert res.by_id("bad").status is dq.RuleStatus.ERROR
    assert "'bad'" in res.by_id("bad").message
    assert counts(res.by_id("fine")) == ("failed", 2, 2)


@attrs.frozen(kw_only=True)
class Fancy(dq.NotNull):
    CHECK: ClassVar[str] = "fancy"


def test_an_unknown_check_is_unsupported_and_counts_against_the_gate(run: Run) -> None:
    res = run(DF, Fancy(id="f", column="n"))
    assert res.results[0].status is dq.RuleStatus.UNSUPPORTED
    assert res.status is dq.RunStatus.FAILED
    warning = run(DF, Fancy(id="f", column="n", severity=dq.Severity.WARNING))
    assert warning.status is dq.RunStatus.PASSED


def test_gate_uses_severity(run: Run) -> None:
    df = pl.DataFrame({"x": [None]})
    warn = dq.NotNull(id="w", column="x", severity=dq.Severity.WARNING)
    res = run(df, warn)
    assert res.results[0].severity is dq.Severity.WARNING
    assert res.status is dq.RunStatus.PASSED
    assert run(df, warn, max_failed_warnings=0).status is dq.RunStatus.FAILED
    assert run(df, dq.NotNull(id="e", column="x"), max_failed_errors=1).status is (
        dq.RunStatus.PASSED
    )


def test_not_a_frame_raises_a_dq_error(engine: Any) -> None:
    with pytest.raises(PanderaEngineError, match="not builtins.dict"):
        engine.check({"x": [1]}, dq.RuleSet(rules=()))


def test_an_unreadable_lazyframe_raises_a_dq_error(engine: Any, tmp_path: Any) -> None:
    lf = pl.scan_parquet(tmp_path / "missing.parquet")
    with pytest.raises(dq.DqError, match="cannot read"):
        engine.check(lf, dq.RuleSet(rules=(dq.NotNull(id="r", column="x"),)))


@pytest.mark.parametrize("method", ["profile", "learn"])
def test_profile_and_learn_refuse_instead_of_passing(engine: Any, method: str) -> None:
    with pytest.raises(NotProvidedByPandera) as caught:
        getattr(engine, method)(DF)
    assert isinstance(caught.value, dq.DqError)
    assert str(caught.value) == f"dq-pandera does not {method}; use the polars engine"


@pytest.mark.parametrize(
    "settings",
    [{"validation_enabled": False}, {"validation_depth": "SCHEMA_ONLY"}],
    ids=["disabled", "schema-only"],
)
def test_pandera_settings_around_the_caller_cannot_silence_checks(
    engine: Any, settings: dict[str, Any]
) -> None:
    from pandera.config import config_context

    rules = dq.RuleSet(
        rules=(dq.NotNull(id="r", column="x"), dq.DType(id="t", column="x", dtype="Int8"))
    )
    with config_context(**settings):
        res = engine.check(pl.DataFrame({"x": [None, 1]}), rules)
    assert [counts(r) for r in res.results] == [("failed", 1, 2), ("failed", 1, 1)]


def test_empty_rule_set(run: Run) -> None:
    res = run(DF)
    assert res.results == () and res.status is dq.RunStatus.PASSED


MIXED = (
    dq.Between(id="b", column="x", max=1),
    dq.RowCount(id="rc", min=10),
    dq.NotNull(id="n", column="x"),
    dq.Expression(id="e", expression="x < row"),
    dq.Unique(id="u", column="row"),
)
MIXED_FRAME = pl.DataFrame(
    {
        "x": [5, None, 0],
        "row": [1, 2, 3],  # the name the adapter uses for row numbers, taken by the data
        "b": [b"a", b"b", None],
        "o": pl.Series([object(), 1, 2], dtype=pl.Object),
    }
)
MIXED_COUNTS = [("failed", 1, 2), ("failed", 1, 1), ("failed", 1, 3), ("failed", 1, 2),
                ("passed", 0, 3)]  # fmt: skip


def test_mixed_failures_are_read_from_one_pandera_pass(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pandera 0.35 cannot tabulate a failing boolean frame check next to failing column
    # checks; the adapter keeps them in separate schemas so the fallback is not needed.
    from dq_pandera import _engine

    def no_fallback(plan: Any) -> Any:
        raise AssertionError("the per-check fallback ran")

    monkeypatch.setattr(_engine, "_isolated_errors", no_fallback)
    res = engine.check(MIXED_FRAME, dq.RuleSet(rules=MIXED))
    assert [counts(r) for r in res.results] == MIXED_COUNTS
    assert res.by_id("e").samples == (0,)


def test_when_pandera_breaks_each_check_is_run_alone(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dq_pandera import _engine

    original = _engine._schema_errors

    def fragile(schema: Any, frame: pl.DataFrame) -> Any:
        checks = len(schema.checks) + sum(len(c.checks) for c in schema.columns.values())
        if checks > 1:
            raise RuntimeError("pandera bug")
        return original(schema, frame)

    monkeypatch.setattr(_engine, "_schema_errors", fragile)
    res = engine.check(MIXED_FRAME, dq.RuleSet(rules=MIXED))
    assert [counts(r) for r in res.results] == MIXED_COUNTS
