"""profile and learn: statistics against hand-computed values; what learn proposes and refuses."""

from __future__ import annotations

import datetime as dt
import math

import dq
import polars as pl
import pytest
from dq_polars._config import PolarsConfig
from dq_polars._engine import PolarsEngine
from dq_polars._errors import PolarsEngineError
from hypothesis import given, settings
from test_property import frames

FRAME = pl.DataFrame(
    {
        "i": [1, 2, None, 2, 3],
        "f": [1.0, math.nan, None, 2.5, -1.0],
        "s": ["a", "bb", None, "a", "日本"],
        "b": [True, False, None, True, True],
        "d": [dt.date(2024, 1, k) for k in range(1, 6)],
        "c": pl.Series(["x", "y", "x", "x", "y"], dtype=pl.Categorical),
        "l": [[1], [2], [3], [4], [5]],
    }
)
ENGINES = [
    (PolarsEngine(PolarsConfig(streaming=True)), False),
    (PolarsEngine(PolarsConfig(streaming=True)), True),
    (PolarsEngine(PolarsConfig(streaming=False)), True),
]


@pytest.fixture(params=range(len(ENGINES)), ids=["dataframe", "lazy-streaming", "lazy-in-mem"])
def engine_and_data(request: pytest.FixtureRequest) -> tuple[PolarsEngine, object]:
    engine, lazy = ENGINES[request.param]
    return engine, (FRAME.lazy() if lazy else FRAME)


def test_profile_statistics(engine_and_data) -> None:
    engine, data = engine_and_data
    profile = engine.profile(data)
    assert profile.row_count == 5
    cols = {c.name: c for c in profile.columns}
    assert list(cols) == ["i", "f", "s", "b", "d", "c", "l"]

    i = cols["i"]
    assert (i.dtype, i.count, i.null_count, i.distinct_count) == ("Int64", 4, 1, 3)
    assert (i.min, i.max, i.mean) == (1, 3, 2.0)
    assert i.quantiles == {"0.25": 1.75, "0.5": 2.0, "0.75": 2.25}
    assert [(v.value, v.count) for v in i.top_values] == [(2, 2), (1, 1), (3, 1)]

    f = cols["f"]  # NaN is a value: distinct, and it makes the mean NaN
    assert (f.count, f.null_count, f.distinct_count, f.min, f.max) == (4, 1, 4, -1.0, 2.5)
    assert math.isnan(f.mean)

    s = cols["s"]
    assert (s.count, s.distinct_count, s.min_length, s.max_length) == (4, 3, 1, 2)
    assert [(v.value, v.count) for v in s.top_values] == [("a", 2), ("bb", 1), ("日本", 1)]

    assert [(v.value, v.count) for v in cols["b"].top_values] == [(True, 3), (False, 1)]
    assert (cols["d"].min, cols["d"].max) == ("2024-01-01", "2024-01-05")
    assert [(v.value, v.count) for v in cols["c"].top_values] == [("x", 3), ("y", 2)]
    lists = cols["l"]
    assert (lists.count, lists.null_count, lists.distinct_count) == (5, 0, None)


def test_profile_of_an_empty_frame(engine_and_data) -> None:
    engine, _ = engine_and_data
    profile = engine.profile(FRAME.clear())
    assert profile.row_count == 0
    assert all(c.count == 0 and c.null_count == 0 for c in profile.columns)
    assert all(c.top_values == () for c in profile.columns)


def test_learned_rules(engine_and_data) -> None:
    engine, data = engine_and_data
    rules = {r.id: r for r in engine.learn(data).rules}
    assert rules["row_count"] == dq.RowCount(id="row_count", min=1)
    assert rules["i__dtype"] == dq.DType(id="i__dtype", column="i", dtype="Int64")
    assert rules["i__between"] == dq.Between(id="i__between", column="i", min=1, max=3)
    assert "i__not_null" not in rules and "i__unique" not in rules
    assert "f__between" not in rules  # NaN would fail any range
    assert rules["d__unique"] == dq.Unique(id="d__unique", column="d")
    assert rules["c__in_set"] == dq.InSet(id="c__in_set", column="c", values=("x", "y"))
    assert rules["s__max_length"].length == 2 and rules["s__min_length"].length == 1
    assert engine.check(data, engine.learn(data)).status is dq.RunStatus.PASSED


def test_learn_widens_float_bounds_around_large_integers() -> None:
    big = 2**53 + 3  # float(big) rounds up: a bound of float(big) would fail it
    frame = pl.DataFrame({"x": [big, big, big + 2]})  # repeats: not a key, so a range
    engine = PolarsEngine(PolarsConfig())
    between = {r.id: r for r in engine.learn(frame).rules}["x__between"]
    assert between.min <= big and between.max >= big + 2
    assert engine.check(frame, engine.learn(frame)).status is dq.RunStatus.PASSED


def test_profile_of_something_that_is_not_polars_is_a_dq_error() -> None:
    with pytest.raises(PolarsEngineError):
        PolarsEngine(PolarsConfig()).profile([1, 2])


@settings(max_examples=60, deadline=None)
@given(frame=frames())
def test_data_passes_the_rules_learned_from_it(frame: pl.DataFrame) -> None:
    for engine, lazy in ENGINES:
        data = frame.lazy() if lazy else frame
        learned = engine.learn(data)
        result = engine.check(data, learned)
        assert result.status is dq.RunStatus.PASSED, [
            r for r in result.results if r.status is not dq.RuleStatus.PASSED
        ]
        profile = engine.profile(data)
        for column in profile.columns:
            values = frame.get_column(column.name).to_list()
            assert column.null_count == sum(v is None for v in values)
            assert column.count == len(values) - column.null_count


def test_learn_does_not_bless_the_defects_already_in_the_data() -> None:
    """On the example orders, the learned rules exclude the planted defects and so catch them."""
    from pathlib import Path

    orders = Path(__file__).resolve().parents[3] / "examples" / "orders.csv"
    if not orders.exists():
        pytest.skip("examples/ is not next to this checkout")
    frame = pl.read_csv(orders)
    engine = PolarsEngine(PolarsConfig())
    learned = engine.learn(frame)
    assert dq.structure(dq.unstructure(learned), dq.RuleSet) == learned  # writable, re-readable
    rules = {r.id: r for r in learned.rules}
    assert set(rules["status__in_set"].values) == {
        "pending",
        "paid",
        "shipped",
        "delivered",
        "refunded",
    }  # not 'shiped', 'Paid' ...
    assert rules["amount__between"].min == 0.0  # two negative amounts are rare: defects
    assert rules["amount__between"].max < 1_250_000  # the absurd amount is outside the fences
    assert rules["customer_email__max_length"].length < 262  # the 262-character address
    assert "order_id__unique" in rules  # 4 duplicated rows of 500 do not make it a non-key
    assert "amount__not_null" in rules  # 3 missing of 500
    failed = {
        r.rule_id: r.failed_count
        for r in engine.check(frame, learned).results
        if r.status is dq.RuleStatus.FAILED
    }
    assert failed == {
        "order_id__unique": 4,
        "amount__not_null": 3,
        "amount__between": 3,
        "customer_email__max_length": 1,
        "status__in_set": 3,
        # 99.2% distinct addresses look like a key: the 4 repeats are proposed as defects,
        # which a reviewer may drop (repeat customers) — learned rules are proposals.
        "customer_email__unique": 4,
    }


def test_learn_on_clean_data_learns_rules_it_passes() -> None:
    frame = pl.DataFrame(
        {
            "id": list(range(300)),
            "kind": ["a", "b", "c"] * 100,
            "price": [float(i % 50) + 0.5 for i in range(300)],
            "code": ["XY"] * 300,
        }
    )
    engine = PolarsEngine(PolarsConfig())
    learned = engine.learn(frame)
    rules = {r.id: r for r in learned.rules}
    assert rules["kind__in_set"].values == ("a", "b", "c")
    assert (rules["code__min_length"].length, rules["code__max_length"].length) == (2, 2)
    assert "id__between" not in rules  # keys grow; a range on them would fail tomorrow
    assert engine.check(frame, learned).status is dq.RunStatus.PASSED
