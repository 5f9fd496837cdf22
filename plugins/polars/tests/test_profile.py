"""profile and learn: statistics against hand-computed values; what learn proposes and refuses."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from dq_polars._config import PolarsConfig
from dq_polars._engine import PolarsEngine
from dq_polars._errors import PolarsEngineError

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


def test_profile_of_something_that_is_not_polars_is_a_dq_error() -> None:
    with pytest.raises(PolarsEngineError):
        PolarsEngine(PolarsConfig()).profile([1, 2])


def test_at_scale_quantiles_come_from_an_even_sample_and_near_unique_columns_skip_top_values(
    monkeypatch,
) -> None:
    from dq_polars import _profile

    monkeypatch.setattr(_profile, "QUANTILE_SAMPLE", 100)
    monkeypatch.setattr(_profile, "TOP_VALUES_MAX_DISTINCT", 50)
    frame = pl.DataFrame({"id": list(range(1000)), "kind": ["a", "b"] * 500})
    cols = {c.name: c for c in PolarsEngine(PolarsConfig()).profile(frame).columns}
    assert cols["id"].top_values == () and cols["id"].distinct_count == 1000
    assert [(v.value, v.count) for v in cols["kind"].top_values] == [("a", 500), ("b", 500)]
    assert abs(cols["id"].quantiles["0.5"] - 499.5) < 10  # every 10th value: close, not exact
