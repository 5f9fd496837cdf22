"""examples/orders.csv through Spark — as Parquet and CSV paths, a Spark table, a DataFrame
handed in by a binding — gives dq-polars' counts (pinned, and equal to the contract's oracle);
a missing path or table is one clear error naming it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import dq
import polars as pl
import pytest
from conftest import EXAMPLES
from dq_contract.reference import reference_check
from dq_contract.reference_rows import reference_sample_rows, rows_key
from dq_spark import SparkEngine, SparkSourceNotFound

RULES = dq.load_typed(EXAMPLES / "orders.rules.toml", dq.RuleSet)
#: rule id -> (status, failed_count, element_count, samples), as dq-polars reports them.
POLARS = {
    "not_null_order_id": ("passed", 0, 500, ()),
    "unique_order_id": ("failed", 4, 500, (100012, 100056)),
    "not_null_amount": ("failed", 3, 500, ()),
    "between_amount": ("failed", 3, 497, (-15.0, 1250000.0, -0.01)),
    "regex_customer_email": (
        "failed",
        4,
        500,
        ("dara.12example.com", "eli.7@", " kai.3@example.com", "lea@@example.com"),
    ),
    "max_length_customer_email": ("failed", 1, 500, ("x" * 250 + "@example.com",)),
    "in_set_status": ("failed", 3, 500, ("shiped", "Paid", "cancelled?")),
    "country_code": ("passed", 0, 500, ()),
    "row_count": ("passed", 0, 1, ()),
    "column_exists_created_at": ("passed", 0, 1, ()),
}


def _seen(result: dq.CheckResult) -> dict[str, tuple[object, ...]]:
    return {
        r.rule_id: (r.status.value, r.failed_count, r.element_count, tuple(r.samples))
        for r in result.results
    }


@pytest.fixture(scope="module")
def parquet(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("orders") / "orders.parquet"
    pl.read_csv(EXAMPLES / "orders.csv").write_parquet(path)
    return str(path)


def test_pinned_counts_are_the_oracles() -> None:
    assert _seen(reference_check(pl.read_csv(EXAMPLES / "orders.csv"), RULES)) == POLARS


def test_parquet_path_gives_dq_polars_counts(spark: Any, spark_config: Any, parquet: str) -> None:
    ref = dq.SourceRef(type="spark", label="orders parquet", path=parquet, format="parquet")
    result = SparkEngine(spark_config).check(ref, RULES)
    assert _seen(result) == POLARS and result.row_count == 500


def test_csv_path_with_reader_options(spark: Any, spark_config: Any) -> None:
    ref = dq.SourceRef(
        type="spark",
        label="orders csv",
        path=str(EXAMPLES / "orders.csv"),
        format="csv",
        options={"header": "true", "inferSchema": "true"},
    )
    assert _seen(SparkEngine(spark_config).check(ref, RULES)) == POLARS


def test_spark_table_and_a_dataframe_from_a_binding(
    spark: Any, spark_config: Any, parquet: str
) -> None:
    spark.read.parquet(parquet).createOrReplaceTempView("orders")
    engine = SparkEngine(spark_config)
    by_table = engine.check(dq.SourceRef(type="spark", label="orders", table="orders"), RULES)
    by_frame = engine.check(spark.table("orders"), RULES)
    assert _seen(by_table) == POLARS == _seen(by_frame)


def test_profile_and_learn_in_spark(spark: Any, spark_config: Any, parquet: str) -> None:
    ref = dq.SourceRef(type="spark", label="orders", path=parquet, format="parquet")
    engine = SparkEngine(spark_config)
    prof = engine.profile(ref)
    cols = {c.name: c for c in prof.columns}
    assert prof.row_count == 500 and cols["order_id"].distinct_count == 498
    assert cols["amount"].null_count == 3 and cols["customer_email"].max_length == 262
    learned = engine.learn(ref)
    assert {"row_count", "dtype", "not_null"} <= {r.check for r in learned.rules}


def test_missing_path_is_a_usage_error_naming_it(
    spark: Any, spark_config: Any, tmp_path: Path
) -> None:
    ref = dq.SourceRef(type="spark", label="events", path=str(tmp_path / "nope"), format="parquet")
    with pytest.raises(SparkSourceNotFound) as err:
        SparkEngine(spark_config).check(ref, RULES)
    assert "source events" in str(err.value) and err.value.exit_code == 2
    assert "\n" not in str(err.value)


def test_missing_table_is_a_usage_error_naming_it(spark: Any, spark_config: Any) -> None:
    ref = dq.SourceRef(type="spark", label="lake.nope", table="lake.nope")
    with pytest.raises(SparkSourceNotFound, match="source lake.nope"):
        SparkEngine(spark_config).check(ref, RULES)


def test_engine_declares_what_it_reads() -> None:
    from dq.protocols import engine_accepts

    assert engine_accepts(SparkEngine()) == frozenset({"polars", "spark"})


def test_dq_run_suite_with_a_spark_source(
    spark: Any, parquet: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole way through dq-core: [source] type = "spark" -> dq.SourceRef -> this engine
    (with no master configured it reuses the process's active session, as in a notebook)."""
    (tmp_path / "rules.toml").write_text((EXAMPLES / "orders.rules.toml").read_text())
    (tmp_path / "suite.toml").write_text(
        f'name = "orders"\nrules = "rules.toml"\nengine = "spark"\n\n'
        f'[source]\ntype = "spark"\npath = "{parquet}"\nformat = "parquet"\n'
    )
    monkeypatch.chdir(tmp_path)
    result = dq.run_suite(dq.load_suite(tmp_path / "suite.toml"))
    assert _seen(result) == POLARS and result.engine == "spark"


@pytest.mark.parametrize("key", [(), ("order_id",)])
def test_failing_rows_of_a_path_read_in_several_partitions_are_the_oracles(
    spark: Any, spark_config: Any, key: tuple[str, ...]
) -> None:
    """Row numbers are positions in the file as read, exact across partitions (each
    partition's offset from its row count); with a key, the key values instead."""
    ref = dq.SourceRef(
        type="spark",
        label="orders csv",
        path=str(EXAMPLES / "orders.csv"),
        format="csv",
        options={"header": "true", "inferSchema": "true"},
    )
    rules = attrs.evolve(RULES, key=key, sample_size=3)
    frame = pl.read_csv(EXAMPLES / "orders.csv")
    previous = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "8k")
    try:
        partitions = spark.read.csv(ref.path, header=True).rdd.getNumPartitions()
        result = SparkEngine(spark_config).check(ref, rules)
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", previous)
    assert partitions > 3  # the numbering crosses partitions: the case is not vacuous
    assert result.key == key
    located = 0
    for rule in rules.rules:
        want = reference_sample_rows(frame, rule, rules.sample_size, key)
        if want is None:
            continue
        located += len(want)
        assert rows_key(result.by_id(rule.id).sample_rows) == rows_key(want), rule.id
    assert located >= 12


def test_a_key_column_the_data_lacks_is_refused_before_any_job(spark_config: Any) -> None:
    rules = attrs.evolve(RULES, key=("order_id", "nope"))
    with pytest.raises(dq.UsageError, match=r"key: column 'nope' not found; the data has"):
        SparkEngine(spark_config).check(pl.read_csv(EXAMPLES / "orders.csv"), rules)
