"""``reference`` in dq-polars: typed membership inside the fused query, and end to end
through ``dq check`` / ``dq run``, where dq-core finds and reads the reference file."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import dq
import polars as pl
import pytest

P, F, E = dq.RuleStatus.PASSED, dq.RuleStatus.FAILED, dq.RuleStatus.ERROR


def fk(rule_id: str = "fk", column: str = "c", dataset: str = "ref", **kw: object) -> dq.Reference:
    return dq.Reference(id=rule_id, column=column, dataset=dataset, **kw)  # type: ignore[arg-type]


def counts(result: dq.CheckResult, rule_id: str = "fk") -> tuple[dq.RuleStatus, int, int]:
    got = result.by_id(rule_id)
    return got.status, got.failed_count, got.element_count


def test_integer_keys_against_other_integer_widths_and_out_of_range_values(run) -> None:
    data = pl.DataFrame({"c": pl.Series([1, 2, 200, None, 7], dtype=pl.UInt8)})
    ref = pl.DataFrame({"c": pl.Series([1, 2, 300, -1, 200], dtype=pl.Int64)})
    with dq.reference_scope({"ref": ref}):
        result = run(data, fk())
    assert counts(result) == (F, 1, 4)
    assert result.by_id("fk").samples == (7,)


def test_integer_column_against_float_keys_matches_whole_numbers_only(run) -> None:
    data = pl.DataFrame({"c": [1, 2, 3]})
    ref = pl.DataFrame({"c": [1.0, 2.5, float("nan"), 3.0000001]})
    with dq.reference_scope({"ref": ref}):
        assert counts(run(data, fk())) == (F, 2, 3)


def test_categorical_and_string_compare_as_text(run) -> None:
    data = pl.DataFrame({"c": pl.Series(["a", "b", "zz"], dtype=pl.Categorical)})
    ref = pl.DataFrame({"c": ["a", "b"]})
    with dq.reference_scope({"ref": ref}):
        result = run(data, fk())
    assert counts(result) == (F, 1, 3) and result.by_id("fk").samples == ("zz",)


def test_dates_compare_with_dates_and_time_zones_must_agree(run) -> None:
    day = dt.date(2024, 1, 1)
    data = pl.DataFrame(
        {
            "c": [day, day + dt.timedelta(days=1)],
            "ts": pl.Series([dt.datetime(2024, 1, 1)], dtype=pl.Datetime("ms")).extend_constant(
                None, 1
            ),
        }
    )
    ref = pl.DataFrame(
        {
            "c": [day],
            "ts": pl.Series([dt.datetime(2024, 1, 1)], dtype=pl.Datetime("us", "UTC")),
            "naive": pl.Series([dt.datetime(2024, 1, 1)], dtype=pl.Datetime("us")),
        }
    )
    with dq.reference_scope({"ref": ref}):
        result = run(
            data,
            fk(),
            fk("zone", column="ts"),
            fk("units", column="ts", dataset_column="naive"),
        )
    assert counts(result) == (F, 1, 2)
    assert result.by_id("zone").status is E and "time zone" in result.by_id("zone").message
    assert counts(result, "units") == (P, 0, 1)


def test_a_reference_rule_rides_in_the_same_query_as_the_others(run) -> None:
    data = pl.DataFrame({"c": [1, 2, None], "d": ["x", None, "y"]})
    ref = pl.DataFrame({"c": [1]})
    with dq.reference_scope({"ref": ref}):
        result = run(data, fk(), dq.NotNull(id="nn", column="d"), fk("again"))
    assert counts(result) == counts(result, "again") == (F, 1, 2)
    assert counts(result, "nn") == (F, 1, 3)


def test_an_unreadable_lazy_reference_is_an_error_of_that_rule(run, tmp_path: Path) -> None:
    broken = tmp_path / "gone.parquet"
    pl.DataFrame({"c": [1]}).write_parquet(broken)
    lazy = pl.scan_parquet(broken)
    broken.write_bytes(b"garbage")
    with dq.reference_scope({"ref": lazy}):
        result = run(pl.DataFrame({"c": [1]}), fk(), dq.NotNull(id="nn", column="c"))
    assert (
        result.by_id("fk").status is E
        and "cannot read reference dataset" in result.by_id("fk").message
    )
    assert counts(result, "nn") == (P, 0, 1)


# -- end to end -------------------------------------------------------------------------------


def dq_cli(project: Path, *args: str) -> tuple[int, list[dict]]:
    """The real ``dq`` command (plugins use dq's public surface only), JSON rules out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DQ_")}
    env["DQ_STATE_DIR"] = str(project / "state")
    done = subprocess.run(
        [sys.executable, "-m", "dq", *args, "-f", "json"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)["rules"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "orders.csv").write_text(
        "order_id,customer_id\n1,10\n2,11\n3,99\n4,\n5,98\n"
    )
    pl.DataFrame({"id": [10, 11, 12]}).write_parquet(tmp_path / "data" / "customers.parquet")
    (tmp_path / "data" / "rules.toml").write_text(
        '[[rules]]\nid = "fk"\ncheck = "reference"\ncolumn = "customer_id"\n'
        'dataset = "customers.parquet"\ndataset_column = "id"\n'
    )
    return tmp_path


def test_dq_check_reads_the_reference_next_to_the_rules_file(project) -> None:
    code, (rule,) = dq_cli(project, "check", "data/orders.csv", "-r", "data/rules.toml")
    assert code == 1
    assert (rule["failed_count"], rule["element_count"], rule["samples"]) == (2, 4, [99, 98])


def test_dq_run_judges_references_and_row_count_change_together(project) -> None:
    (project / "suite.toml").write_text(
        'name = "orders"\nsource = "data/orders.csv"\nrules = "data/rules.toml"\n'
    )
    rules = (project / "data" / "rules.toml").read_text()
    (project / "data" / "rules.toml").write_text(
        rules + '\n[[rules]]\nid = "rows"\ncheck = "row_count"\nmax_change = 0.5\n'
    )
    code, rules = dq_cli(project, "run", "suite.toml")
    first = {r["rule_id"]: r for r in rules}
    assert code == 1
    assert first["fk"]["failed_count"] == 2
    assert "baseline recorded" in first["rows"]["message"]
    (project / "data" / "orders.csv").write_text("order_id,customer_id\n1,10\n")
    code, rules = dq_cli(project, "run", "suite.toml")
    second = {r["rule_id"]: r for r in rules}
    assert code == 1
    assert second["fk"]["status"] == "passed"
    assert second["rows"]["status"] == "failed" and "-80.0% vs 5" in second["rows"]["message"]
