"""``--failures PATH`` / ``[output] failures``: failing rows written by the engine's own export.

A small engine installed as real metadata has the optional ``check_failures`` method (and
one engine lacks it), so the core's part is pinned without any engine plugin: the target is
checked before any read, the file is Parquet or CSV by suffix, written whole or not at all,
and the JSON report carries the sample rows, descriptions and key. dq-polars' tests run the
same command on the real engine.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import polars as pl
import pytest
from conftest import write_dist_info
from dq.cli import main
from test_cli_check import validate_against_schema

ENGINE = '''
import attrs
import polars as pl
import dq
from dq import hookimpl

READS = []


class LocatingEngine:
    """not_null only, locating failing rows; records every read in READS (a file)."""

    supported_checks = frozenset({"not_null"})
    streams = False
    locates_rows = True

    def __init__(self, marker):
        self.marker = marker

    def _read(self, data):
        with open(self.marker, "a") as log:
            log.write("read\\n")
        return data.collect() if isinstance(data, pl.LazyFrame) else data

    def _judge(self, frame, rules):
        results, masks = [], []
        for rule in rules.rules:
            mask = frame[rule.column].is_null()
            rows = mask.arg_true().head(rules.sample_size).to_list()
            located = tuple(
                dq.SampleRow(key=tuple(frame[k][i] for k in rules.key)) if rules.key
                else dq.SampleRow(row=i)
                for i in rows
            )
            judged = dq.judge(rule, int(mask.sum()), frame.height)
            results.append(attrs.evolve(judged, sample_rows=located))
            masks.append((rule.id, mask))
        result = dq.CheckResult(status=dq.run_status(results, rules.gate), engine="locating",
                                results=tuple(results), row_count=frame.height, key=rules.key)
        return result, masks

    def check(self, data, rules):
        return self._judge(self._read(data), rules)[0]

    def check_failures(self, data, rules, *, limit=None):
        frame = self._read(data)
        result, masks = self._judge(frame, rules)
        any_failed = pl.Series([False] * frame.height)
        for _, mask in masks:
            any_failed = any_failed | mask
        ids = [[rid for rid, mask in masks if mask[i]] for i in range(frame.height)]
        out = frame.with_columns(
            pl.Series("dq_row", list(range(frame.height)), dtype=pl.Int64),
            pl.Series("dq_failed_rules", ids, dtype=pl.List(pl.String)),
        ).filter(any_failed)
        total = out.height
        return result, dq.FailingRows(frame=out if limit is None else out.head(limit), total=total)

    def profile(self, data):
        raise NotImplementedError

    def learn(self, data):
        raise NotImplementedError


class PlainEngine(LocatingEngine):
    """The same verdicts, without the optional export method."""

    check_failures = None


@hookimpl
def dq_engine(name, config):
    import os
    marker = os.environ["DQ_TEST_READS"]
    if name == "locating":
        return LocatingEngine(marker)
    if name == "plain":
        return PlainEngine(marker)
    return None
'''

RULES = """
key = ["order_id"]
sample_size = 2

[[rules]]
id = "amount_set"
check = "not_null"
column = "amount"
description = "every order has an amount"

[[rules]]
id = "note_set"
check = "not_null"
column = "note"
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "dq_locating_engine.py").write_text(ENGINE)
    write_dist_info(
        site,
        "dq-locating",
        "1.0.0",
        {
            "dq.engines": {"locating": "dq_locating_engine", "plain": "dq_locating_engine"},
            "dq.hook_api": {"^1.0": "x"},
        },
    )
    monkeypatch.syspath_prepend(str(site))
    for var in ("DQ_CONFIG", "DQ_STRICT", "DQ_PLUGINS_DENY", "DQ_PLUGINS_ALLOW"):
        monkeypatch.delenv(var, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("DQ_TEST_READS", str(tmp_path / "reads.log"))
    monkeypatch.setenv("DQ_STATE_DIR", str(tmp_path / "state"))
    (work / "orders.csv").write_text("order_id,amount,note\n10,1,a\n11,,b\n12,3,\n13,,\n14,5,e\n")
    (work / "rules.toml").write_text(RULES)
    return work


def reads(workdir: Path) -> int:
    log = workdir.parent / "reads.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


CHECK = ("check", "orders.csv", "-r", "rules.toml", "-e", "locating")


def test_failures_parquet_holds_every_failing_row_with_rule_ids(workdir, capsys) -> None:
    code, _, err = run(capsys, *CHECK, "--failures", "bad.parquet")
    assert code == 1
    frame = pl.read_parquet(workdir / "bad.parquet")
    assert frame.columns == ["order_id", "amount", "note", "dq_row", "dq_failed_rules"]
    assert frame.select("order_id", "dq_row", "dq_failed_rules").rows() == [
        (11, 1, ["amount_set"]),
        (12, 2, ["note_set"]),
        (13, 3, ["amount_set", "note_set"]),
    ]
    assert "failing rows: wrote 3 to bad.parquet" in err
    assert reads(workdir) == 1


def test_failures_csv_joins_rule_ids_with_semicolons(workdir, capsys) -> None:
    code, _, _ = run(capsys, *CHECK, "--failures", "bad.csv")
    assert code == 1
    lines = (workdir / "bad.csv").read_text().splitlines()
    assert lines[0] == "order_id,amount,note,dq_row,dq_failed_rules"
    assert lines[3] == "13,,,3,amount_set;note_set"


def test_the_failures_file_gets_the_mode_of_any_new_file_of_the_user(workdir, capsys) -> None:
    import os
    import stat

    old = os.umask(0o027)
    try:
        code, _, _ = run(capsys, *CHECK, "--failures", "bad.csv")
    finally:
        os.umask(old)
    assert code == 1
    assert stat.S_IMODE((workdir / "bad.csv").stat().st_mode) == 0o640


def test_failures_limit_bounds_the_rows_and_says_how_many_failed(workdir, capsys) -> None:
    code, _, err = run(capsys, *CHECK, "--failures", "bad.parquet", "--failures-limit", "2")
    assert code == 1
    assert pl.read_parquet(workdir / "bad.parquet").height == 2
    assert "wrote the first 2 of 3 to bad.parquet" in err
    run(capsys, *CHECK, "--failures", "all.parquet", "--failures-limit", "all")
    assert pl.read_parquet(workdir / "all.parquet").height == 3


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--failures", "bad.xlsx"), "unknown file type '.xlsx'; give a path ending in .parquet"),
        (("--failures", "nowhere/bad.parquet"), "folder nowhere does not exist"),
        (("--failures", "orders.csv"), "orders.csv: is the data being checked"),
        (("--failures", "bad.parquet", "--failures-limit", "-3"), "must be 0 (no limit) or more"),
        (("--failures", "bad.parquet", "--failures-limit", "many"), "whole number or 'all'"),
        (("--failures-limit", "3"), "--failures-limit needs --failures PATH"),
        (("--failures", "r.parquet", "-o", "r.parquet"), "is also the report's path"),
    ],
)
def test_a_wrong_failures_option_is_one_line_exit_2_before_any_read(
    workdir, capsys, extra, message
) -> None:
    code, _, err = run(capsys, *CHECK, *extra)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert reads(workdir) == 0


def test_the_data_file_itself_is_never_overwritten(workdir, capsys) -> None:
    pl.read_csv(workdir / "orders.csv").write_parquet(workdir / "orders.parquet")
    before = (workdir / "orders.parquet").read_bytes()
    code, _, err = run(
        capsys, "check", "orders.parquet", "-r", "rules.toml", "-e", "locating",
        "--failures", "./orders.parquet",
    )  # fmt: skip
    assert code == 2 and "is the data being checked" in err
    assert (workdir / "orders.parquet").read_bytes() == before
    assert reads(workdir) == 0


def test_an_engine_without_the_export_is_refused_naming_it_before_any_read(workdir, capsys) -> None:
    code, _, err = run(capsys, "check", "orders.csv", "-r", "rules.toml", "-e", "plain",
                       "--failures", "bad.parquet")  # fmt: skip
    assert code == 2
    assert "engine 'plain' (dq-locating) cannot export failing rows" in err
    assert not (workdir / "bad.parquet").exists() and reads(workdir) == 0


def test_the_file_is_replaced_whole_and_no_temporary_file_stays(workdir, capsys) -> None:
    (workdir / "bad.parquet").write_text("old")
    run(capsys, *CHECK, "--failures", "bad.parquet")
    assert pl.read_parquet(workdir / "bad.parquet").height == 3
    assert sorted(p.name for p in workdir.iterdir()) == ["bad.parquet", "orders.csv", "rules.toml"]


def test_json_carries_key_descriptions_and_sample_rows(workdir, capsys) -> None:
    code, out, _ = run(capsys, *CHECK, "-f", "json")
    assert code == 1
    report = json.loads(out)
    validate_against_schema(report)
    assert report["key"] == ["order_id"]
    amount = report["rules"][0]
    assert amount["description"] == "every order has an amount"
    assert amount["sample_rows"] == [
        {"value": None, "key": {"order_id": 11}, "row": None},
        {"value": None, "key": {"order_id": 13}, "row": None},
    ]


def test_json_sample_rows_without_a_key_are_row_numbers(workdir, capsys) -> None:
    (workdir / "rules.toml").write_text(RULES.replace('key = ["order_id"]', ""))
    _, out, _ = run(capsys, *CHECK, "-f", "json")
    report = json.loads(out)
    validate_against_schema(report)
    assert report["key"] == []
    assert report["rules"][1]["sample_rows"] == [
        {"value": None, "key": {}, "row": 2},
        {"value": None, "key": {}, "row": 3},
    ]


def write_suite(workdir: Path, output: str) -> Path:
    suite = workdir / "suites" / "orders.toml"
    suite.parent.mkdir()
    suite.write_text(
        textwrap.dedent(
            f"""
            name = "orders"
            engine = "locating"
            source = "../orders.csv"
            rules = "../rules.toml"
            [output]
            format = "json"
            {output}
            """
        )
    )
    return suite


def test_a_suite_writes_failures_beside_itself(workdir, capsys) -> None:
    suite = write_suite(workdir, 'failures = "out/bad.parquet"\nfailures_limit = 1')
    (suite.parent / "out").mkdir()
    code, _, err = run(capsys, "run", str(suite), "--no-notify")
    assert code == 1
    frame = pl.read_parquet(suite.parent / "out" / "bad.parquet")
    assert frame["order_id"].to_list() == [11]
    assert "wrote the first 1 of 3" in err


def test_dq_run_failures_overrides_the_suite(workdir, capsys) -> None:
    suite = write_suite(workdir, "")
    code, _, _ = run(capsys, "run", str(suite), "--no-notify", "--failures", "here.csv")
    assert code == 1
    assert (workdir / "here.csv").read_text().startswith("order_id,amount,note,dq_row")


def test_a_suite_failures_path_of_the_wrong_type_is_refused_before_any_read(
    workdir, capsys
) -> None:
    suite = write_suite(workdir, 'failures = "bad.json"')
    code, _, err = run(capsys, "run", str(suite), "--no-notify")
    assert code == 2
    assert "output.failures" in err and ".parquet, .csv" in err
    assert reads(workdir) == 0


def test_plugins_info_advertises_the_export(workdir, capsys) -> None:
    code, out, _ = run(capsys, "plugins", "info", "locating", "--check")
    assert code == 0
    assert "locates failing rows" in out and "exports failing rows (--failures)" in out
    _, out, _ = run(capsys, "plugins", "info", "plain", "--check")
    assert "exports failing rows" not in out and "locates failing rows" in out
