"""The engine contract's cases for ``reference`` (a foreign key), pinned to docs/rules.md.

dq-core reads the reference dataset and binds it for the check; an engine asks
``dq.reference_data(rule)``. These cases bind frames themselves with
``dq.reference_scope`` (what dq-core does for ``dq check`` and ``dq run``), so an engine
is tested exactly as it is called. An engine that does not declare ``reference`` skips
them and must report such rules ``unsupported`` (the general contract checks that).
"""

from __future__ import annotations

from typing import Any

import dq
import polars as pl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dq_contract.engine_cases import NAN, ContractHelpers, F, P, expect, frame

_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.differing_executors,
    ],
)
_KEYS = st.one_of(st.none(), st.integers(-3, 6))


def _fk(rule_id: str = "fk", **fields: Any) -> dq.Reference:
    fields.setdefault("column", "id")
    fields.setdefault("dataset", "customers.csv")
    return dq.Reference(id=rule_id, **fields)


class ReferenceCases(ContractHelpers):
    """Mixed into :class:`dq_contract.engine.EngineContract`."""

    def test_reference_fails_values_missing_from_the_reference_column_and_ignores_nulls(
        self, engine: Any
    ) -> None:
        self.needs(engine, "reference")
        data = frame(id=[1, 2, None, 4, 4, 9, 9, -1])
        customers = pl.DataFrame({"customer_id": [4, 1, 2, 3, None, 1]})
        with dq.reference_scope({"customers.csv": customers}):
            result = self.conforms(engine, data, _fk(dataset_column="customer_id"), sample_size=5)
        expect(result, "fk", F, 3, 7, samples=(9, -1))

    def test_reference_column_defaults_to_the_checked_column_and_mostly_applies(
        self, engine: Any
    ) -> None:
        self.needs(engine, "reference")
        data = frame(email=["a", "b", "", None, "c"])
        known = pl.DataFrame({"email": ["a", "b", "c", "d"]})
        with dq.reference_scope({"people.parquet": known}):
            result = self.conforms(
                engine,
                data,
                _fk("strict", column="email", dataset="people.parquet"),
                _fk("loose", column="email", dataset="people.parquet", mostly=0.75),
            )
        expect(result, "strict", F, 1, 4, samples=("",))
        expect(result, "loose", P, 1, 4, samples=("",))

    def test_reference_compares_numbers_as_numbers_and_nan_with_nan(self, engine: Any) -> None:
        self.needs(engine, "reference")
        data = frame(amount=[1.0, NAN, 2.5, None, 3.0])
        whole = pl.DataFrame({"n": pl.Series([1, 3], dtype=pl.Int32)})
        with_nan = pl.DataFrame({"n": [1.0, NAN, 3.0]})
        with dq.reference_scope({"whole.csv": whole, "nan.csv": with_nan}):
            result = self.conforms(
                engine,
                data,
                _fk("ints", column="amount", dataset="whole.csv", dataset_column="n"),
                _fk("nans", column="amount", dataset="nan.csv", dataset_column="n"),
            )
        expect(result, "ints", F, 2, 4, samples=(NAN, 2.5))
        expect(result, "nans", F, 1, 4, samples=(2.5,))

    def test_reference_faults_are_errors_of_that_rule_only(self, engine: Any) -> None:
        self.needs(engine, "reference", "not_null")
        data = frame(id=[1, 2], email=["a", "b"])
        customers = pl.DataFrame({"id": [1, 2], "email": ["a", "b"]})
        with dq.reference_scope({"customers.csv": customers}):
            result = self.conforms(
                engine,
                data,
                _fk("no_column", dataset_column="nope"),
                _fk("types", column="email", dataset_column="id"),
                _fk("unbound", dataset="never-loaded.csv"),
                dq.NotNull(id="fine", column="id"),
            )
        for rule_id in ("no_column", "types", "unbound"):
            got = result.by_id(rule_id)
            assert got.status is dq.RuleStatus.ERROR, f"{rule_id}: {got.status} {got.message}"
            assert rule_id in got.message, f"{rule_id}: the message must name the rule"
        expect(result, "fine", P, 0, 2)

    @_SETTINGS
    @given(
        values=st.lists(_KEYS, max_size=12),
        keys=st.lists(_KEYS, max_size=8),
        mostly=st.sampled_from([1.0, 0.5]),
    )
    @example(values=[None, None], keys=[], mostly=1.0)
    @example(values=[1, 2], keys=[None], mostly=1.0)
    def test_reference_counts_equal_the_oracle(
        self, engine: Any, values: list[Any], keys: list[Any], mostly: float
    ) -> None:
        self.needs(engine, "reference")
        data = frame(id=values)
        ref = pl.DataFrame({"key": pl.Series(keys, dtype=pl.Int64)})
        for lazy in (False, True):
            with dq.reference_scope({"keys.csv": ref.lazy() if lazy else ref}):
                self.conforms(
                    engine,
                    data.lazy() if lazy else data,
                    _fk(dataset="keys.csv", dataset_column="key", mostly=mostly),
                    sample_size=3,
                )
