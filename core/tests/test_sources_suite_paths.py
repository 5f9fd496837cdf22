"""load_suite re-bases only what is a file under the suite's folder: a file source's relative
path. A URI (``s3a://``, ``file:///``, ``hdfs://``), an absolute path and every source an
engine opens itself (``type = "spark"``/``"sql"``) is passed on exactly as written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import dq
import pytest


def _suite(folder: Path, source: str) -> dq.Suite:
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "suite.toml"
    file.write_text(
        textwrap.dedent(source) + '\n[rules]\nrules = [{ check = "not_null", column = "id" }]\n'
    )
    return dq.load_suite(file)


def test_a_relative_file_path_is_relative_to_the_suite_folder(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "suites", 'source = "exports/orders-*.parquet"')
    assert suite.source.path == str(tmp_path / "suites" / "exports" / "orders-*.parquet")


def test_a_relative_path_in_a_file_table_is_rebased_too(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "s", '[source]\npath = "orders.csv"\nformat = "csv"\n')
    assert suite.source.path == str(tmp_path / "s" / "orders.csv")
    assert suite.source.format == "csv"


def test_an_absolute_file_path_is_kept(tmp_path: Path) -> None:
    absolute = str(tmp_path / "elsewhere" / "orders.csv")
    suite = _suite(tmp_path / "s", f'source = "{absolute}"')
    assert suite.source.path == absolute


@pytest.mark.parametrize(
    "uri",
    [
        "s3a://lake/events/date=2026-12-01/",
        "s3://bucket/orders.parquet",
        "file:///data/orders.parquet",
        "hdfs://namenode:8020/warehouse/events",
        "abfss://lake@account.dfs.core.windows.net/events",
        "gs://bucket/orders/*.parquet",
    ],
)
def test_a_uri_path_is_never_rebased(tmp_path: Path, uri: str) -> None:
    as_string = _suite(tmp_path / "a", f'source = "{uri}"')
    as_spark = _suite(
        tmp_path / "b", f'engine = "spark"\n[source]\ntype = "spark"\npath = "{uri}"\n'
    )
    assert as_string.source.path == uri
    assert as_spark.source.path == uri and as_spark.source.type == "spark"


def test_a_relative_spark_path_is_the_engines_to_resolve(tmp_path: Path) -> None:
    """Spark resolves a relative path against its own default filesystem (HDFS, the
    cluster's working directory), not against the machine that holds the suite file."""
    suite = _suite(
        tmp_path / "s",
        '[source]\ntype = "spark"\npath = "warehouse/events"\nformat = "parquet"\n',
    )
    assert suite.source.path == "warehouse/events"


def test_a_sql_source_has_no_path_and_loads_unchanged(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "s", '[source]\ntype = "sql"\ntable = "public.orders"\n')
    assert suite.source.type == "sql" and suite.source.path is None
    assert suite.source.table == "public.orders"


def test_a_windows_drive_is_not_mistaken_for_a_uri() -> None:
    """``C:/data/x.csv`` has a one-letter 'scheme': a drive, which Path judges (absolute on
    Windows, relative elsewhere) — the URI test must not claim it."""
    from dq.runs._suite import _rebases  # the rule itself, on inputs no filesystem can hold

    assert _rebases({"path": "C:/data/x.csv"}) is not Path("C:/data/x.csv").is_absolute()
    assert _rebases({"path": "s3a://x/y"}) is False
    assert _rebases({"type": "file", "path": "data/x.csv"}) is True
