"""Finding failing rows: sample rows by key or row number, and the failing-rows export.

The export must come from the same scan as the verdict (issue 11): a LazyFrame over a
Python IO source counts its reads, so a second scan would show.
"""

from __future__ import annotations

from typing import Any

import dq
import polars as pl
import pytest
from dq_polars import PolarsConfig
from dq_polars._engine import PolarsEngine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.io.plugins import register_io_source

ORDERS = pl.DataFrame(
    {
        "order_id": [10, 11, 12, 13, 14, 15],
        "amount": [1, None, 3, 3, None, 100],
        "email": ["a@x.io", "b@x.io", "c@x.io", "bad", "e@x.io", "f@x.io"],
    }
)
RULES = (
    dq.NotNull(id="amount_set", column="amount", description="every order has an amount"),
    dq.Unique(id="amount_unique", column="amount"),
    dq.Between(id="amount_small", column="amount", max=50),
    dq.Regex(id="email_shape", column="email", pattern=r"[^@]+@[^@]+"),
    dq.Expression(id="cheap", expression="amount < 3"),
    dq.RowCount(id="rows", min=1),
)


@pytest.fixture(params=[False, True], ids=["in-memory", "streaming"])
def engine(request: pytest.FixtureRequest) -> PolarsEngine:
    return PolarsEngine(PolarsConfig(streaming=request.param))


def counted_source(frame: pl.DataFrame) -> tuple[pl.LazyFrame, list[Any]]:
    """A LazyFrame whose every scan is recorded: the proof of one read."""
    reads: list[Any] = []

    def scan(with_columns: Any, predicate: Any, n_rows: Any, batch_size: Any) -> Any:
        reads.append(with_columns)
        yield frame if with_columns is None else frame.select(with_columns)

    return register_io_source(scan, schema=frame.schema), reads


# -- sample rows -------------------------------------------------------------------------


def test_samples_carry_the_key_values_of_failing_rows_for_every_row_rule(engine) -> None:
    rules = dq.RuleSet(rules=RULES, key=("order_id",), sample_size=2)
    result = engine.check(ORDERS.lazy(), rules)
    rows = {r.rule_id: r.sample_rows for r in result.results}
    assert rows["amount_set"] == (dq.SampleRow(key=(11,)), dq.SampleRow(key=(14,)))
    assert rows["amount_unique"] == (
        dq.SampleRow(value=3, key=(12,)),
        dq.SampleRow(value=3, key=(13,)),
    )
    assert rows["amount_small"] == (dq.SampleRow(value=100, key=(15,)),)
    assert rows["email_shape"] == (dq.SampleRow(value="bad", key=(13,)),)
    assert rows["cheap"] == (dq.SampleRow(key=(12,)), dq.SampleRow(key=(13,)))
    assert rows["rows"] == ()
    assert result.key == ("order_id",)


def test_without_a_key_samples_carry_0_based_row_numbers(engine) -> None:
    result = engine.check(ORDERS, dq.RuleSet(rules=RULES))
    assert result.by_id("amount_set").sample_rows == (dq.SampleRow(row=1), dq.SampleRow(row=4))
    assert result.by_id("cheap").sample_rows == (
        dq.SampleRow(row=2),
        dq.SampleRow(row=3),
        dq.SampleRow(row=5),
    )
    assert result.key == ()


def test_a_composite_key_and_a_composite_unique_show_the_key_not_a_value() -> None:
    data = pl.DataFrame({"a": [1, 1, 2], "b": ["x", "x", "y"], "id": ["r1", "r2", "r3"]})
    rules = dq.RuleSet(rules=(dq.Unique(id="pair", columns=("a", "b")),), key=("id", "a"))
    got = PolarsEngine(PolarsConfig()).check(data, rules).by_id("pair").sample_rows
    assert got == (dq.SampleRow(key=("r1", 1)), dq.SampleRow(key=("r2", 1)))


def test_sample_rows_stay_in_the_engine_when_sample_size_is_zero(engine) -> None:
    result = engine.check(ORDERS, dq.RuleSet(rules=RULES, key=("order_id",), sample_size=0))
    assert all(r.sample_rows == () and r.samples == () for r in result.results)


def test_dates_in_keys_become_json_safe_text() -> None:
    data = pl.DataFrame(
        {"day": pl.date_range(pl.date(2024, 1, 1), pl.date(2024, 1, 3), eager=True)}
    )
    data = data.with_columns(v=pl.Series([1, None, 2]))
    result = PolarsEngine(PolarsConfig()).check(
        data, dq.RuleSet(rules=(dq.NotNull(id="v", column="v"),), key=("day",))
    )
    assert result.by_id("v").sample_rows == (dq.SampleRow(key=("2024-01-02",)),)


def test_a_key_column_the_data_lacks_is_one_line_naming_it_before_any_read() -> None:
    lf, reads = counted_source(ORDERS)
    with pytest.raises(dq.UsageError, match="key: column 'id' not found; the data has 'order_id'"):
        PolarsEngine(PolarsConfig()).check(lf, dq.RuleSet(rules=RULES, key=("id",)))
    assert reads == []


def test_descriptions_reach_the_results() -> None:
    result = PolarsEngine(PolarsConfig()).check(ORDERS, dq.RuleSet(rules=RULES))
    assert result.by_id("amount_set").description == "every order has an amount"
    assert result.by_id("cheap").description == ""


# -- the failing-rows export ----------------------------------------------------------------


def test_the_export_holds_every_failing_row_with_its_columns_and_rule_ids(engine) -> None:
    result, failing = engine.check_failures(ORDERS.lazy(), dq.RuleSet(rules=RULES), limit=None)
    assert result.status is dq.RunStatus.FAILED
    frame = failing.frame
    assert frame.columns == ["order_id", "amount", "email", "dq_row", "dq_failed_rules"]
    assert frame.schema["dq_failed_rules"] == pl.List(pl.String)
    assert frame.select("order_id", "dq_row", "dq_failed_rules").rows() == [
        (11, 1, ["amount_set"]),
        (12, 2, ["amount_unique", "cheap"]),
        (13, 3, ["amount_unique", "email_shape", "cheap"]),
        (14, 4, ["amount_set"]),
        (15, 5, ["amount_small", "cheap"]),
    ]
    assert (failing.total, failing.truncated) == (5, False)


def test_the_export_stops_at_the_limit_and_says_how_many_failed() -> None:
    _, failing = PolarsEngine(PolarsConfig()).check_failures(
        ORDERS, dq.RuleSet(rules=RULES), limit=2
    )
    assert failing.frame["dq_row"].to_list() == [1, 2]
    assert (failing.total, failing.truncated) == (5, True)


def test_the_export_reads_the_data_once(engine) -> None:
    lf, reads = counted_source(ORDERS)
    result, failing = engine.check_failures(lf, dq.RuleSet(rules=RULES, key=("order_id",)))
    assert len(reads) == 1, f"the data was scanned {len(reads)} times"
    assert failing.total == 5 and result.by_id("amount_set").sample_rows  # samples rode along


def test_the_plain_check_reads_the_data_once_in_memory() -> None:
    lf, reads = counted_source(ORDERS)
    PolarsEngine(PolarsConfig()).check(lf, dq.RuleSet(rules=RULES, key=("order_id",)))
    assert len(reads) == 1


def test_nothing_fails_gives_an_empty_export_with_the_data_schema() -> None:
    rules = dq.RuleSet(rules=(dq.NotNull(id="ids", column="order_id"), dq.RowCount(id="r", min=1)))
    result, failing = PolarsEngine(PolarsConfig()).check_failures(ORDERS, rules)
    assert result.status is dq.RunStatus.PASSED
    assert failing.frame.height == 0 and failing.total == 0
    assert failing.frame.columns == [*ORDERS.columns, "dq_row", "dq_failed_rules"]
    only_table = dq.RuleSet(rules=(dq.RowCount(id="r", max=1),))
    _, failing = PolarsEngine(PolarsConfig()).check_failures(ORDERS, only_table)
    assert failing.frame.height == 0 and failing.frame.schema["order_id"] == pl.Int64


def test_rules_that_cannot_be_evaluated_mark_no_rows() -> None:
    rules = dq.RuleSet(
        rules=(dq.NotNull(id="ghost", column="nope"), dq.NotNull(id="real", column="amount"))
    )
    result, failing = PolarsEngine(PolarsConfig()).check_failures(ORDERS, rules)
    assert result.by_id("ghost").status is dq.RuleStatus.ERROR
    assert failing.frame["dq_failed_rules"].to_list() == [["real"], ["real"]]


def test_data_with_a_column_named_like_the_export_columns_is_refused() -> None:
    clash = ORDERS.rename({"email": "dq_row"})
    with pytest.raises(dq.UsageError, match="already has a column named 'dq_row'"):
        PolarsEngine(PolarsConfig()).check_failures(clash, dq.RuleSet(rules=RULES[:1]))


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(dq.UsageError, match="1 or more"):
        PolarsEngine(PolarsConfig()).check_failures(ORDERS, dq.RuleSet(rules=RULES), limit=0)


def test_the_engine_advertises_what_it_can_do() -> None:
    engine = PolarsEngine(PolarsConfig())
    assert engine.locates_rows is True and callable(engine.check_failures)


# -- for any frame and rules: exactly the rows whose masks are true -----------------------------

values = st.one_of(st.none(), st.integers(-3, 3))
texts = st.one_of(st.none(), st.sampled_from(["", "a", "ab", "abc"]))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.integers(0, 12).flatmap(
        lambda n: st.fixed_dictionaries(
            {
                "x": st.lists(values, min_size=n, max_size=n),
                "s": st.lists(texts, min_size=n, max_size=n),
            }
        )
    ),
    limit=st.one_of(st.none(), st.integers(1, 5)),
)
def test_exported_rows_are_exactly_the_rows_failing_some_rule(
    data: dict, limit: int | None
) -> None:
    frame = pl.DataFrame(data, schema={"x": pl.Int64, "s": pl.String})
    rules = dq.RuleSet(
        rules=(
            dq.NotNull(id="nn", column="x"),
            dq.Unique(id="u", column="x"),
            dq.Between(id="b", column="x", min=-1, max=1),
            dq.MaxLength(id="ml", column="s", length=2),
            dq.Expression(id="e", expression="x <> 0"),
        )
    )
    _, failing = PolarsEngine(PolarsConfig()).check_failures(frame, rules, limit=limit)
    xs, ss = data["x"], data["s"]
    counts = {v: xs.count(v) for v in xs if v is not None}
    expected = []
    for i, (x, s) in enumerate(zip(xs, ss, strict=True)):
        failed = [
            rid
            for rid, bad in (
                ("nn", x is None),
                ("u", x is not None and counts[x] > 1),
                ("b", x is not None and not -1 <= x <= 1),
                ("ml", s is not None and len(s) > 2),
                ("e", x is not None and x == 0),
            )
            if bad
        ]
        if failed:
            expected.append((x, s, i, failed))
    assert failing.total == len(expected)
    assert failing.frame.rows() == (expected if limit is None else expected[:limit])


# -- the real command ---------------------------------------------------------------------------


def test_dq_check_failures_writes_parquet_that_reads_back(tmp_path) -> None:
    import os
    import subprocess
    import sys

    (tmp_path / "orders.csv").write_text("order_id,amount\n10,1\n11,\n12,300\n13,4\n")
    (tmp_path / "rules.toml").write_text(
        'key = ["order_id"]\n'
        '[[rules]]\nid = "set"\ncheck = "not_null"\ncolumn = "amount"\n'
        'description = "every order has an amount"\n'
        '[[rules]]\nid = "small"\ncheck = "between"\ncolumn = "amount"\nmax = 100\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DQ_")}
    env["DQ_STATE_DIR"] = str(tmp_path / "state")
    done = subprocess.run(
        [sys.executable, "-m", "dq", "check", "orders.csv", "-r", "rules.toml", "-f", "json",
         "--failures", "bad.parquet"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "failing rows: wrote 2 to bad.parquet" in done.stderr
    frame = pl.read_parquet(tmp_path / "bad.parquet")
    assert frame.rows() == [(11, None, 1, ["set"]), (12, 300, 2, ["small"])]
    import json

    report = json.loads(done.stdout)
    assert report["key"] == ["order_id"]
    assert report["rules"][0]["description"] == "every order has an amount"
    assert report["rules"][0]["sample_rows"] == [
        {"value": None, "key": {"order_id": 11}, "row": None}
    ]
    assert report["rules"][1]["sample_rows"] == [
        {"value": 300, "key": {"order_id": 12}, "row": None}
    ]
