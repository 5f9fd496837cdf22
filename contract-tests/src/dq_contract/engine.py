"""EngineContract: the tests every dq engine must pass, pinned to docs/rules.md.

Use it from a plugin's test suite::

    import pytest
    from dq_contract.engine import EngineContract
    from my_plugin import MyEngine

    class TestMyEngine(EngineContract):
        @pytest.fixture
        def engine(self):
            return MyEngine()

Each behaviour has a hand-written test with the numbers spelled out (so a failure reads as
"three rows of 7 are three failures, you said two"), and the hypothesis properties compare
everything with the reference oracle (:mod:`dq_contract.reference`) over frames full of nulls,
NaN, ±inf, duplicates and awkward strings. Tests for checks the engine does not declare in
``supported_checks`` are skipped with the reason; those checks must then come back UNSUPPORTED.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import dq
import dq.protocols
import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings

from dq_contract.compare import assert_conforms, comparable, run
from dq_contract.engine_cases import (
    INF,
    NAN,
    E,
    F,
    P,
    W,
    expect,
    frame,
    nasty_case,
)
from dq_contract.engine_errors import ErrorAndSampleCases
from dq_contract.engine_reference import ReferenceCases
from dq_contract.engine_table import TableCheckCases
from dq_contract.strategies import cases

#: Sized so the whole contract stays well under 30 s per engine on two cores. Fixed here so
#: a conformance report means the same amount of searching for every plugin.
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        # one contract method runs for each subclass (engine): by design
        HealthCheck.differing_executors,
    ],
)
SMALL_PROPERTY_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=30)


class EngineContract(ErrorAndSampleCases, ReferenceCases, TableCheckCases):
    """Subclass in a test module and provide a fixture ``engine`` (a dq.protocols.Engine)."""

    #: How the dq_contract pytest plugin files these tests in the conformance report.
    dq_contract_name: ClassVar[str] = "EngineContract"
    pytestmark = [pytest.mark.dq_contract("engine")]

    # -- shape --------------------------------------------------------------------------

    def test_satisfies_the_engine_protocol(self, engine: Any) -> None:
        assert isinstance(engine, dq.protocols.Engine), "missing Engine protocol members"
        assert isinstance(engine.supported_checks, frozenset)
        assert all(isinstance(c, str) for c in engine.supported_checks)
        assert isinstance(engine.streams, bool)

    def test_one_result_per_rule_in_rule_order_including_passing_rules(self, engine: Any) -> None:
        data = frame(id=[3, 1, 2])
        result = self.conforms(
            engine,
            data,
            dq.RowCount(id="z", min=1),
            dq.NotNull(id="a", column="id"),
            dq.ColumnExists(id="m", column="id"),
        )
        assert [r.rule_id for r in result.results] == ["z", "a", "m"]

    # -- properties against the oracle ----------------------------------------------------

    @PROPERTY_SETTINGS
    @given(case=cases())
    @example(case=nasty_case())
    def test_counts_equal_the_oracle(
        self, engine: Any, case: tuple[pl.DataFrame, dq.RuleSet]
    ) -> None:
        assert_conforms(engine, *case)

    @SMALL_PROPERTY_SETTINGS
    @given(case=cases())
    @example(case=nasty_case())
    def test_lazyframe_gives_the_same_result_as_dataframe(self, engine: Any, case: Any) -> None:
        data, rules = case
        eager = run(engine, data, rules)
        lazy = assert_conforms(engine, data.lazy(), rules)
        assert comparable(lazy) == comparable(eager)

    @SMALL_PROPERTY_SETTINGS
    @given(case=cases())
    @example(case=nasty_case())
    def test_is_deterministic(self, engine: Any, case: Any) -> None:
        data, rules = case
        assert comparable(run(engine, data, rules)) == comparable(run(engine, data, rules))

    # -- nulls, NaN, strings --------------------------------------------------------------

    def test_not_null_counts_nulls_and_passes_nan(self, engine: Any) -> None:
        self.needs(engine, "not_null")
        data = frame(id=[1, None, 3, None], amount=[NAN, 1.0, None, 2.0])
        result = self.conforms(
            engine,
            data,
            dq.NotNull(id="ids", column="id"),
            dq.NotNull(id="amounts", column="amount"),
        )
        expect(result, "ids", F, 2, 4, samples=())
        expect(result, "amounts", F, 1, 4, samples=())

    def test_value_checks_ignore_nulls(self, engine: Any) -> None:
        data = frame(id=[None, 5, None, 5], email=[None, "a", None, "abc"])
        rules = {
            "unique": dq.Unique(id="unique", column="id"),
            "between": dq.Between(id="between", column="id", min=0, max=4),
            "regex": dq.Regex(id="regex", column="email", pattern="a"),
            "in_set": dq.InSet(id="in_set", column="email", values=("a",)),
            "max_length": dq.MaxLength(id="max_length", column="email", length=1),
            "min_length": dq.MinLength(id="min_length", column="email", length=2),
            "expression": dq.Expression(id="expression", expression="id > 9"),
        }
        chosen = [r for c, r in rules.items() if c in engine.supported_checks]
        if not chosen:
            pytest.skip("engine supports none of the value checks")
        result = self.conforms(engine, data, *chosen)
        for rule in chosen:
            expect(
                result,
                rule.id,
                F,
                1 if rule.check in ("regex", "in_set", "max_length", "min_length") else 2,
                2,
            )

    def test_all_null_column_passes_value_checks_with_nothing_judged(self, engine: Any) -> None:
        self.needs(engine, "unique", "between")
        data = frame(id=[None, None], amount=[None, None])
        result = self.conforms(
            engine, data, dq.Unique(id="u", column="id"), dq.Between(id="b", column="amount", min=0)
        )
        expect(result, "u", P, 0, 0)
        expect(result, "b", P, 0, 0)

    def test_between_fails_nan_and_compares_infinities(self, engine: Any) -> None:
        self.needs(engine, "between")
        data = frame(amount=[NAN, INF, -INF, 0.0, None, 10.0])
        result = self.conforms(
            engine,
            data,
            dq.Between(id="low", column="amount", min=-INF),
            dq.Between(id="closed", column="amount", min=0, max=10),
            dq.Between(
                id="open", column="amount", min=0, max=10, min_inclusive=False, max_inclusive=False
            ),
        )
        expect(result, "low", F, 1, 5, samples=(NAN,))
        expect(result, "closed", F, 3, 5, samples=(NAN, INF, -INF))
        expect(result, "open", F, 5, 5)

    def test_in_set_matches_nan_only_when_listed(self, engine: Any) -> None:
        self.needs(engine, "in_set")
        data = frame(amount=[NAN, 1.0, None, 2.0, NAN])
        result = self.conforms(
            engine,
            data,
            dq.InSet(id="plain", column="amount", values=(1.0, 2.0)),
            dq.InSet(id="nan", column="amount", values=(1.0, NAN)),
        )
        expect(result, "plain", F, 2, 4, samples=(NAN,))
        expect(result, "nan", F, 1, 4, samples=(2.0,))

    def test_unique_fails_every_row_of_a_duplicate_group(self, engine: Any) -> None:
        self.needs(engine, "unique")
        data = frame(id=[7, 1, 7, None, 2, 7, None, 2, 3])
        result = self.conforms(engine, data, dq.Unique(id="u", column="id"))
        expect(result, "u", F, 5, 7, samples=(7, 2))

    def test_unique_treats_nans_as_equal(self, engine: Any) -> None:
        self.needs(engine, "unique")
        data = frame(amount=[NAN, 1.0, NAN, None, None, 2.0])
        result = self.conforms(engine, data, dq.Unique(id="u", column="amount"))
        expect(result, "u", F, 2, 4, samples=(NAN,))

    def test_empty_and_blank_strings_are_values(self, engine: Any) -> None:
        self.needs(engine, "regex", "in_set", "min_length", "max_length")
        data = frame(status=["", " ", "ok", None, "\t"])
        result = self.conforms(
            engine,
            data,
            dq.Regex(id="re", column="status", pattern="[a-z]+"),
            dq.InSet(id="set", column="status", values=("ok", "")),
            dq.MinLength(id="min", column="status", length=1),
            dq.MaxLength(id="max", column="status", length=0),
        )
        expect(result, "re", F, 3, 4, samples=("", " ", "\t"))
        expect(result, "set", F, 2, 4, samples=(" ", "\t"))
        expect(result, "min", F, 1, 4, samples=("",))
        expect(result, "max", F, 3, 4, samples=(" ", "ok", "\t"))

    def test_lengths_count_characters_not_bytes(self, engine: Any) -> None:
        self.needs(engine, "max_length", "min_length")
        data = frame(email=["é", "e\u0301", "🙂", "日本", "abc", None])
        result = self.conforms(
            engine,
            data,
            dq.MaxLength(id="max1", column="email", length=1),
            dq.MinLength(id="min2", column="email", length=2),
        )
        expect(result, "max1", F, 3, 5, samples=("e\u0301", "日本", "abc"))
        expect(result, "min2", F, 2, 5, samples=("é", "🙂"))

    def test_regex_matches_the_whole_value(self, engine: Any) -> None:
        self.needs(engine, "regex")
        data = frame(email=["a", "ab", "ba", "b", "a@b.co", "x\na"])
        result = self.conforms(
            engine,
            data,
            dq.Regex(id="lit", column="email", pattern="a"),
            dq.Regex(id="alt", column="email", pattern="a|b"),
            dq.Regex(id="mail", column="email", pattern=r"[^@]+@[^@]+\.[a-z]+"),
        )
        expect(result, "lit", F, 5, 6, samples=("ab", "ba", "b", "a@b.co", "x\na"))
        expect(result, "alt", F, 4, 6, samples=("ab", "ba", "a@b.co", "x\na"))
        expect(result, "mail", F, 5, 6)

    def test_expression_ignores_null_results_and_fails_false_rows(self, engine: Any) -> None:
        self.needs(engine, "expression")
        data = frame(id=[1, None, 3, 4], amount=[1.0, 5.0, None, -5.0])
        result = self.conforms(engine, data, dq.Expression(id="x", expression="id + amount > 0"))
        expect(result, "x", F, 1, 2)

    # -- thresholds, table-level checks, severity --------------------------------------------

    def test_mostly_thresholds(self, engine: Any) -> None:
        self.needs(engine, "not_null")
        data = frame(id=[1, 2, 3, 4, 5, 6, 7, 8, None, None])
        result = self.conforms(
            engine,
            data,
            dq.NotNull(id="exact", column="id", mostly=0.8),
            dq.NotNull(id="above", column="id", mostly=0.81),
            dq.NotNull(id="zero", column="id", mostly=0.0),
            dq.NotNull(id="all", column="id"),
        )
        expect(result, "exact", P, 2, 10)
        expect(result, "above", F, 2, 10)
        expect(result, "zero", P, 2, 10)
        expect(result, "all", F, 2, 10)

    def test_table_level_checks_judge_the_table_once(self, engine: Any) -> None:
        self.needs(engine, "row_count", "dtype", "column_exists")
        data = frame(id=[1, 2, 3], email=["a", "b", "c"])
        result = self.conforms(
            engine,
            data,
            dq.RowCount(id="rows", min=5, mostly=0.0),
            dq.RowCount(id="rows_ok", max=3),
            dq.DType(id="dt", column="id", dtype="String", mostly=0.0),
            dq.DType(id="utf8", column="email", dtype="Utf8"),
            dq.ColumnExists(id="there", column="email"),
            dq.ColumnExists(id="gone", column="nope"),
        )
        for rule_id, status, failed in [
            ("rows", F, 1),
            ("rows_ok", P, 0),
            ("dt", F, 1),
            ("utf8", P, 0),
            ("there", P, 0),
            ("gone", F, 1),
        ]:
            expect(result, rule_id, status, failed, 1)
        assert "3" in result.by_id("rows").message, "row_count's message must say what it saw"
        assert "Int64" in result.by_id("dt").message, "dtype's message must say what it saw"

    def test_dtype_datetime_matches_any_unit_and_zone(self, engine: Any) -> None:
        self.needs(engine, "dtype")
        moment = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
        data = pl.DataFrame(
            {
                "ts": pl.Series([moment], dtype=pl.Datetime("ms", "UTC")),
                "naive": pl.Series([moment.replace(tzinfo=None)], dtype=pl.Datetime("ns")),
            }
        )
        result = self.conforms(
            engine,
            data,
            dq.DType(id="ts", column="ts", dtype="Datetime"),
            dq.DType(id="naive", column="naive", dtype="Datetime"),
        )
        expect(result, "ts", P, 0, 1)
        expect(result, "naive", P, 0, 1)

    def test_severity_and_gate_decide_run_status(self, engine: Any) -> None:
        self.needs(engine, "not_null")
        data = frame(id=[None, 1])
        warn = dq.NotNull(id="w", column="id", severity=W)
        err = dq.NotNull(id="e", column="id", severity=E)
        assert self.conforms(engine, data, warn).status is dq.RunStatus.PASSED
        assert self.conforms(engine, data, warn, err).status is dq.RunStatus.FAILED
        strict = dq.QualityGate(max_failed_warnings=0)
        assert self.conforms(engine, data, warn, gate=strict).status is dq.RunStatus.FAILED
        lenient = dq.QualityGate(max_failed_errors=1)
        result = self.conforms(engine, data, warn, err, gate=lenient)
        assert result.status is dq.RunStatus.PASSED
        assert [r.severity for r in result.results] == [W, E]
