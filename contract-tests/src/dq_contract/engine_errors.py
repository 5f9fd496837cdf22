"""The engine contract's tests for unsupported checks, samples, empty frames and errors.

A mixin of :class:`dq_contract.engine.EngineContract` (split out only to keep modules short);
subclass ``EngineContract``, not this.
"""

from __future__ import annotations

from typing import Any

import dq
import pytest

from dq_contract.compare import run
from dq_contract.engine_cases import (
    NAN,
    ContractHelpers,
    F,
    ForeignCheck,
    P,
    expect,
    frame,
    sample_rules,
)


class ErrorAndSampleCases(ContractHelpers):
    # -- unsupported and approximate ------------------------------------------------------

    def test_unsupported_checks_are_reported_unsupported_never_passed(self, engine: Any) -> None:
        data = frame(id=[1, 2], amount=[1.0, 2.0], email=["a", "b"])
        rules: list[Any] = [ForeignCheck(id="foreign", column="id")]
        rules += [r for r in sample_rules() if r.check not in engine.supported_checks]
        result = run(engine, data, dq.RuleSet(rules=tuple(rules)))
        for rule in rules:
            got = result.by_id(rule.id)
            assert got.status is dq.RuleStatus.UNSUPPORTED, (
                f"{rule.check!r} is not supported, so must be UNSUPPORTED, got {got.status}"
            )
        assert result.status is dq.RunStatus.FAILED, (
            "an unsupported error rule counts against the gate"
        )

    def test_approximate_results_say_so_in_the_message(self, engine: Any) -> None:
        data = frame(id=[1, 1, None], amount=[NAN, 2.0, 3.0], email=["a", "é", None])
        rules = sample_rules()
        result = self.conforms(engine, data, *rules)  # assert_conforms checks approximate results
        for got in result.results:
            if got.approximate:
                assert "approximat" in got.message.lower(), got

    # -- samples --------------------------------------------------------------------------

    def test_samples_are_bounded_distinct_failing_values_in_order(self, engine: Any) -> None:
        self.needs(engine, "in_set")
        data = frame(status=["x", "ok", "y", "x", None, "z", "y", "w"])
        rule = dq.InSet(id="s", column="status", values=("ok",))
        expect(self.conforms(engine, data, rule, sample_size=2), "s", F, 6, 7, samples=("x", "y"))
        expect(self.conforms(engine, data, rule), "s", F, 6, 7, samples=("x", "y", "z", "w"))

    def test_no_samples_when_sample_size_is_zero(self, engine: Any) -> None:
        data = frame(id=[1, 1, None], email=["secret", "é", None])
        rules = [
            dq.Unique(id="u", column="id"),
            dq.InSet(id="s", column="email", values=()),
            dq.Regex(id="r", column="email", pattern="x"),
            dq.NotNull(id="n", column="id"),
            dq.MinLength(id="m", column="email", length=9),
        ]
        result = run(engine, data, dq.RuleSet(rules=tuple(rules), sample_size=0, key=("email",)))
        leaked = {r.rule_id: r.samples for r in result.results if r.samples}
        assert not leaked, f"sample_size=0 must keep every value in the engine, got {leaked}"
        located = {r.rule_id: r.sample_rows for r in result.results if r.sample_rows}
        assert not located, f"sample_size=0 must keep key values in the engine, got {located}"

    # -- sample rows (engines that declare locates_rows) --------------------------------------

    @staticmethod
    def needs_located_rows(engine: Any) -> None:
        if not getattr(engine, "locates_rows", False):
            pytest.skip(
                "engine does not declare locates_rows = True; its results' sample_rows are "
                "left empty (docs/rules.md)"
            )

    def test_sample_rows_carry_the_key_values_of_the_first_failing_rows(self, engine: Any) -> None:
        self.needs_located_rows(engine)
        self.needs(engine, "not_null", "in_set")
        data = frame(
            id=[101, 102, 103, 104, 105, 106],
            status=["ok", None, "x", "ok", "y", None],
        )
        result = self.conforms(
            engine,
            data,
            dq.NotNull(id="present", column="status"),
            dq.InSet(id="known", column="status", values=("ok",)),
            key=("id",),
            sample_size=5,
        )
        assert result.by_id("present").sample_rows == (
            dq.SampleRow(value=None, key=(102,)),
            dq.SampleRow(value=None, key=(106,)),
        ), "not_null locates its null rows by key, with no value"
        assert result.by_id("known").sample_rows == (
            dq.SampleRow(value="x", key=(103,)),
            dq.SampleRow(value="y", key=(105,)),
        ), "a value check shows each failing row's value and key"

    def test_sample_rows_are_row_numbers_without_a_key_and_bounded(self, engine: Any) -> None:
        self.needs_located_rows(engine)
        self.needs(engine, "unique", "expression")
        data = frame(id=[7, 1, 7, None, 2, 7, 2])
        result = self.conforms(
            engine,
            data,
            dq.Unique(id="u", column="id"),
            dq.Expression(id="x", expression="id > 1"),
            sample_size=3,
        )
        assert result.by_id("u").sample_rows == (
            dq.SampleRow(value=7, row=0),
            dq.SampleRow(value=7, row=2),
            dq.SampleRow(value=2, row=4),
        ), "every row of a duplicate group fails; the first three in row order, 0-based"
        assert result.by_id("x").sample_rows == (dq.SampleRow(value=None, row=1),), (
            "an expression has no single value; a null result is not a failure"
        )

    # -- empty frames and errors ------------------------------------------------------------

    def test_empty_frame(self, engine: Any) -> None:
        data = frame(id=[], amount=[], email=[])
        rules = [
            dq.NotNull(id="nn", column="id"),
            dq.Unique(id="u", column="id"),
            dq.Between(id="b", column="amount", min=0),
            dq.Regex(id="r", column="email", pattern="a"),
            dq.InSet(id="s", column="email", values=("a",)),
            dq.MaxLength(id="ml", column="email", length=1),
            dq.Expression(id="x", expression="id > 0"),
            dq.RowCount(id="rc", min=1),
            dq.DType(id="dt", column="id", dtype="Int64"),
            dq.ColumnExists(id="ce", column="email"),
        ]
        result = self.conforms(engine, data, *rules)
        for rule in rules:
            if rule.check not in engine.supported_checks:
                continue
            table = rule.check in ("row_count", "dtype", "column_exists")
            want = (F, 1, 1) if rule.id == "rc" else ((P, 0, 1) if table else (P, 0, 0))
            expect(result, rule.id, *want)

    def test_unknown_column_is_an_error_naming_the_rule_and_others_still_run(
        self, engine: Any
    ) -> None:
        self.needs(engine, "not_null")
        data = frame(id=[1, None])
        result = self.conforms(
            engine,
            data,
            dq.NotNull(id="ghost_rule", column="ghost"),
            dq.NotNull(id="real", column="id"),
        )
        got = result.by_id("ghost_rule")
        assert got.status is dq.RuleStatus.ERROR and "ghost_rule" in got.message, got
        expect(result, "real", F, 1, 2)
        assert result.status is dq.RunStatus.ERROR

    def test_invalid_regex_is_an_error_naming_the_rule(self, engine: Any) -> None:
        self.needs(engine, "regex", "not_null")
        data = frame(email=["a", None])
        result = self.conforms(
            engine,
            data,
            dq.Regex(id="bad_pattern", column="email", pattern="(a"),
            dq.NotNull(id="after", column="email"),
        )
        got = result.by_id("bad_pattern")
        assert got.status is dq.RuleStatus.ERROR and "bad_pattern" in got.message, got
        expect(result, "after", F, 1, 2)

    @pytest.mark.parametrize("pattern", ["a)|(b", ")|(", "x)(?:y"])
    def test_a_pattern_broken_alone_is_an_error_even_where_anchoring_would_mend_it(
        self, engine: Any, pattern: str
    ) -> None:
        # Wrapped as ^(?:a)|(b)$ the broken pattern compiles, as a different regex: an
        # engine that validates only what it runs would silently judge the wrong rule.
        self.needs(engine, "regex", "not_null")
        data = frame(email=["a", "b", None])
        result = self.conforms(
            engine,
            data,
            dq.Regex(id="mended", column="email", pattern=pattern),
            dq.NotNull(id="after", column="email"),
        )
        got = result.by_id("mended")
        assert got.status is dq.RuleStatus.ERROR and "mended" in got.message, got
        expect(result, "after", F, 1, 3)

    def test_string_check_on_a_non_string_column_is_an_error(self, engine: Any) -> None:
        checks = [c for c in ("regex", "max_length", "min_length") if c in engine.supported_checks]
        if not checks:
            pytest.skip("engine supports none of regex, max_length, min_length")
        data = frame(id=[1, 22], email=["a", "b"])
        rules = [
            dq.Regex(id="regex_on_int", column="id", pattern="1"),
            dq.MaxLength(id="max_length_on_int", column="id", length=1),
            dq.MinLength(id="min_length_on_int", column="id", length=1),
        ]
        rules = [r for r in rules if r.check in checks]
        result = self.conforms(engine, data, *rules)
        for rule in rules:
            got = result.by_id(rule.id)
            assert got.status is dq.RuleStatus.ERROR and rule.id in got.message, got

    def test_invalid_expression_is_an_error_naming_the_rule(self, engine: Any) -> None:
        self.needs(engine, "expression")
        data = frame(id=[1, 2])
        result = self.conforms(
            engine,
            data,
            dq.Expression(id="unparsable", expression="id >>> ("),
            dq.Expression(id="ghost_col", expression="ghost > 1"),
        )
        for rule_id in ("unparsable", "ghost_col"):
            got = result.by_id(rule_id)
            assert got.status is dq.RuleStatus.ERROR and rule_id in got.message, got
