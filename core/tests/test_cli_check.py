"""``dq check`` / ``dq run`` / ``dq profile`` / ``dq learn`` plumbing: formats, exit codes, errors.

These drive the real ``dq`` entry function in-process with a small test engine
installed as real metadata on sys.path, so they pin the core's behaviour without
depending on any engine plugin. dq-polars' tests run the same commands end to end.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import write_dist_info
from dq.cli import main

ENGINE = '''
import polars as pl
import dq
from dq import hookimpl


class TinyEngine:
    """not_null and between only; everything else is honestly unsupported."""

    supported_checks = frozenset({"not_null", "between"})
    streams = False

    def check(self, data, rules):
        frame = data.collect() if isinstance(data, pl.LazyFrame) else data
        results = []
        for rule in rules.rules:
            if rule.check not in self.supported_checks:
                results.append(dq.RuleResult(rule_id=rule.id, check=rule.check,
                    column=getattr(rule, "column", None), severity=rule.severity,
                    status=dq.RuleStatus.UNSUPPORTED, message="tiny engine cannot do this"))
                continue
            if rule.column not in frame.columns:
                results.append(dq.RuleResult(rule_id=rule.id, check=rule.check, column=rule.column,
                    severity=rule.severity, status=dq.RuleStatus.ERROR,
                    message=f"rule {rule.id!r}: unknown column {rule.column!r}"))
                continue
            col = frame[rule.column]
            if rule.check == "not_null":
                failed, total, bad = col.null_count(), len(col), []
            else:
                values = col.drop_nulls()
                mask = (values < rule.min) | (values > rule.max) | values.is_nan()
                failed, total = int(mask.sum()), len(values)
                bad = values.filter(mask).unique(maintain_order=True)
                bad = bad.head(rules.sample_size).to_list()
            status = dq.RuleStatus.FAILED if failed else dq.RuleStatus.PASSED
            results.append(dq.RuleResult(rule_id=rule.id, check=rule.check, column=rule.column,
                severity=rule.severity, status=status, failed_count=failed, element_count=total,
                samples=tuple(bad)))
        return dq.CheckResult(status=dq.run_status(results, rules.gate), engine="tiny",
                              results=tuple(results), row_count=frame.height)

    def profile(self, data):
        frame = data.collect()
        return dq.Profile(row_count=frame.height, columns=tuple(
            dq.ColumnProfile(name=c, dtype=str(frame[c].dtype), count=frame.height,
                             null_count=frame[c].null_count()) for c in frame.columns))

    def learn(self, data):
        frame = data.collect()
        return dq.RuleSet(rules=tuple(dq.NotNull(id=f"not_null_{c}", column=c)
                                      for c in frame.columns if frame[c].null_count() == 0))


@hookimpl
def dq_engine(name, config):
    return TinyEngine() if name == "tiny" else None
'''

CRASHING = """
from dq import hookimpl

class Boom:
    supported_checks = frozenset()
    streams = False
    def check(self, data, rules):
        raise ZeroDivisionError("engine bug")
    def profile(self, data):
        raise ZeroDivisionError("engine bug")
    def learn(self, data):
        raise ZeroDivisionError("engine bug")

@hookimpl
def dq_engine(name, config):
    return Boom()
"""

RULES = """
[[rules]]
check = "not_null"
column = "amount"

[[rules]]
check = "between"
column = "amount"
min = 0
max = 100
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "dq_tiny_engine.py").write_text(ENGINE)
    (site / "dq_boom_engine.py").write_text(CRASHING)
    write_dist_info(
        site,
        "dq-tiny",
        "1.0.0",
        {"dq.engines": {"tiny": "dq_tiny_engine"}, "dq.hook_api": {"^1.0": "x"}},
    )
    write_dist_info(
        site,
        "dq-boom",
        "1.0.0",
        {"dq.engines": {"boom": "dq_boom_engine"}, "dq.hook_api": {"^1.0": "x"}},
    )
    monkeypatch.syspath_prepend(str(site))
    for var in (
        "DQ_CONFIG",
        "DQ_STRICT",
        "DQ_PLUGINS_DENY",
        "DQ_PLUGINS_ALLOW",
        "DQ_PLUGINS_PREFER",
    ):
        monkeypatch.delenv(var, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (work / "good.csv").write_text("id,amount\n1,5\n2,7.5\n3,99\n")
    (work / "bad.csv").write_text("id,amount\n1,5\n2,\n3,150\n4,-1\n5,NaN\n")
    (work / "rules.toml").write_text(RULES)
    return work


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_passing_data_exits_0_with_a_table(workdir, capsys) -> None:
    code, out, _ = run(capsys, "check", "good.csv", "--rules", "rules.toml", "--engine", "tiny")
    assert code == 0
    assert out.splitlines()[0].split() == [
        "status",
        "rule",
        "check",
        "column",
        "severity",
        "failed",
        "detail",
    ]
    assert "PASSED — all 2 rules passed · on good.csv (engine tiny, 3 rows" in out


def test_failing_data_exits_1_and_shows_counts_and_samples(workdir, capsys) -> None:
    code, out, _ = run(capsys, "check", "bad.csv", "-r", "rules.toml", "-e", "tiny")
    assert code == 1
    assert "1 / 5" in out  # one null among five rows
    assert "3 / 4" in out and "150" in out and "nan" in out  # 150, -1 and NaN out of range
    assert out.strip().endswith("s)") and "FAILED — 2 of 2 rules failed (2 errors)" in out


def test_json_report_has_the_documented_shape(workdir, capsys) -> None:
    code, out, _ = run(capsys, "check", "bad.csv", "-r", "rules.toml", "-e", "tiny", "-f", "json")
    assert code == 1
    report = json.loads(out)
    assert report["status"] == "failed" and report["engine"] == "tiny"
    assert report["summary"] == {"passed": 0, "failed": 2, "error": 0, "unsupported": 0}
    first = report["rules"][0]
    assert {
        k: first[k]
        for k in ("rule_id", "check", "column", "failed_count", "element_count", "status")
    } == {
        "rule_id": "not_null_amount",
        "check": "not_null",
        "column": "amount",
        "failed_count": 1,
        "element_count": 5,
        "status": "failed",
    }
    assert "NaN" in report["rules"][1]["samples"] or "nan" in report["rules"][1]["samples"]
    validate_against_schema(report)


def validate_against_schema(report: dict) -> None:
    import jsonschema

    schema_path = (
        Path(__file__).resolve().parents[1] / "src" / "dq" / "schemas" / "check-result.json"
    )
    jsonschema.validate(report, json.loads(schema_path.read_text()))


def test_junit_marks_failures_per_rule(workdir, capsys) -> None:
    import xml.etree.ElementTree as ET

    code, out, _ = run(capsys, "check", "bad.csv", "-r", "rules.toml", "-e", "tiny", "-f", "junit")
    assert code == 1
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "2"
    assert [c.get("name") for c in suite.iter("testcase")] == ["not_null_amount", "between_amount"]


def test_markdown_is_a_table_with_a_headline(workdir, capsys) -> None:
    code, out, _ = run(
        capsys, "check", "bad.csv", "-r", "rules.toml", "-e", "tiny", "-f", "markdown"
    )
    assert code == 1
    assert out.startswith("**FAILED — 2 of 2 rules failed")
    assert "| failed | `between_amount` | between | amount | error | 3 / 4 (75.0%) |" in out


def test_output_file_gets_the_report_and_stderr_the_headline(workdir, capsys) -> None:
    code, out, err = run(
        capsys,
        "check",
        "bad.csv",
        "-r",
        "rules.toml",
        "-e",
        "tiny",
        "-f",
        "json",
        "-o",
        "report.json",
    )
    assert code == 1 and out == ""
    assert json.loads((workdir / "report.json").read_text())["status"] == "failed"
    assert err.startswith("FAILED")


def test_unsupported_checks_are_reported_and_fail_error_severity(workdir, capsys) -> None:
    (workdir / "r2.toml").write_text('[[rules]]\ncheck = "unique"\ncolumn = "id"\n')
    code, out, _ = run(capsys, "check", "good.csv", "-r", "r2.toml", "-e", "tiny")
    assert code == 1
    assert "unsupported" in out and "tiny engine cannot do this" in out


def test_a_rule_on_an_unknown_column_exits_2_naming_the_rule(workdir, capsys) -> None:
    (workdir / "r3.toml").write_text('[[rules]]\ncheck = "not_null"\ncolumn = "amount_eur"\n')
    code, out, _ = run(capsys, "check", "good.csv", "-r", "r3.toml", "-e", "tiny")
    assert code == 2
    assert "rule 'not_null_amount_eur': unknown column 'amount_eur'" in out


def test_malformed_rules_exit_2_naming_file_and_path(workdir, capsys) -> None:
    (workdir / "r4.toml").write_text(
        '[[rules]]\ncheck = "between"\ncolumn = "amount"\nmin = "zero"\n'
    )
    code, _, err = run(capsys, "check", "good.csv", "-r", "r4.toml", "-e", "tiny")
    assert code == 2
    assert "r4.toml:4: rules[0].min: expected a number" in err


def test_rules_with_a_syntax_error_name_the_line(workdir, capsys) -> None:
    (workdir / "r5.yaml").write_text("rules:\n  - check: not_null\n   column: amount\n")
    code, _, err = run(capsys, "check", "good.csv", "-r", "r5.yaml", "-e", "tiny")
    assert code == 2 and "r5.yaml" in err and "line 3" in err


def test_malformed_data_exits_3_naming_the_file_and_line(workdir, capsys) -> None:
    # past polars' schema inference window, so the bad value is met while checking
    lines = ["id,amount"] + [f"{i},{i}" for i in range(1, 300)] + ["300,seven"]
    (workdir / "broken.csv").write_text("\n".join(lines) + "\n")
    code, _, err = run(capsys, "check", "broken.csv", "-r", "rules.toml", "-e", "tiny")
    assert code == 3
    assert "broken.csv:301: column 'amount': cannot parse 'seven' as Int64" in err


def test_missing_data_and_unknown_suffix_are_usage_errors(workdir, capsys) -> None:
    assert run(capsys, "check", "nope.csv", "-r", "rules.toml", "-e", "tiny")[0] == 2
    (workdir / "data.xlsx").write_text("x")
    code, _, err = run(capsys, "check", "data.xlsx", "-r", "rules.toml", "-e", "tiny")
    assert code == 2 and "cannot tell the data format from the suffix '.xlsx'" in err


def test_globs_check_every_matching_file(workdir, capsys) -> None:
    (workdir / "parts").mkdir()
    (workdir / "parts" / "a.csv").write_text("id,amount\n1,5\n")
    (workdir / "parts" / "b.csv").write_text("id,amount\n2,500\n")
    code, out, _ = run(
        capsys, "check", "parts/*.csv", "-r", "rules.toml", "-e", "tiny", "-f", "json"
    )
    assert code == 1 and json.loads(out)["row_count"] == 2


@pytest.mark.parametrize("fmt", ["parquet", "ndjson", "json"])
def test_other_data_formats(workdir, capsys, fmt: str) -> None:
    import polars as pl

    frame = pl.DataFrame({"id": [1, 2], "amount": [5.0, None]})
    path = workdir / f"data.{fmt}"
    {"parquet": frame.write_parquet, "ndjson": frame.write_ndjson, "json": frame.write_json}[fmt](
        path
    )
    code, out, _ = run(
        capsys, "check", str(path.name), "-r", "rules.toml", "-e", "tiny", "-f", "json"
    )
    assert code == 1 and json.loads(out)["rules"][0]["failed_count"] == 1


def test_an_engine_that_crashes_exits_3_naming_its_distribution(workdir, capsys) -> None:
    code, _, err = run(capsys, "check", "good.csv", "-r", "rules.toml", "-e", "boom")
    assert code == 3
    assert "engine 'boom' from dq-boom 1.0.0 crashed: ZeroDivisionError: engine bug" in err


def test_an_unknown_engine_exits_2_before_reading_data(workdir, capsys) -> None:
    code, _, err = run(capsys, "check", "missing.csv", "-r", "rules.toml", "-e", "nonesuch")
    assert code == 2 and "no engine called 'nonesuch'" in err and "tiny" in err


def test_sample_size_zero_turns_samples_off(workdir, capsys) -> None:
    code, out, _ = run(
        capsys,
        "check",
        "bad.csv",
        "-r",
        "rules.toml",
        "-e",
        "tiny",
        "-f",
        "json",
        "--sample-size",
        "0",
    )
    assert code == 1 and all(r["samples"] == [] for r in json.loads(out)["rules"])


def test_run_resolves_suite_paths_relative_to_the_suite_file(workdir, capsys, tmp_path) -> None:
    suites = workdir / "suites"
    suites.mkdir()
    (suites / "orders.toml").write_text(
        textwrap.dedent("""
        name = "orders"
        source = "../bad.csv"
        rules = "../rules.toml"
        engine = "tiny"
        [output]
        format = "json"
    """)
    )
    code, out, _ = run(capsys, "run", "suites/orders.toml")
    assert code == 1
    assert json.loads(out)["suite"] == "orders"


def test_run_with_a_broken_suite_names_the_field(workdir, capsys) -> None:
    (workdir / "s.toml").write_text('source = "bad.csv"\nrules = "rules.toml"\nengin = "tiny"\n')
    code, _, err = run(capsys, "run", "s.toml")
    assert code == 2 and "unknown field 'engin'" in err


def test_profile_prints_columns(workdir, capsys) -> None:
    code, out, _ = run(capsys, "profile", "bad.csv", "-e", "tiny")
    assert code == 0 and "amount" in out and "5 rows, 2 columns" in out
    code, out, _ = run(capsys, "profile", "bad.csv", "-e", "tiny", "--json")
    assert json.loads(out)["row_count"] == 5


def test_learn_writes_a_rules_file_that_check_accepts(workdir, capsys) -> None:
    code, out, _ = run(capsys, "learn", "good.csv", "-e", "tiny", "-o", "learned.toml")
    assert code == 0
    code, out, _ = run(capsys, "check", "good.csv", "-r", "learned.toml", "-e", "tiny")
    assert code == 0 and "not_null_id" in out


def test_engine_crash_in_profile_is_a_runtime_error(workdir, capsys) -> None:
    assert run(capsys, "profile", "good.csv", "-e", "boom")[0] == 3


def test_progress_is_silent_when_not_a_terminal(workdir, capsys) -> None:
    _, _, err = run(capsys, "check", "good.csv", "-r", "rules.toml", "-e", "tiny")
    assert err == ""


def test_run_suite_is_the_public_entry_for_embedders(workdir) -> None:
    import dq

    (workdir / "s.toml").write_text('source = "bad.csv"\nrules = "rules.toml"\nengine = "tiny"\n')
    suite = dq.load_suite(workdir / "s.toml")
    result = dq.run_suite(suite)
    assert result.status is dq.RunStatus.FAILED and result.engine == "tiny"
    with pytest.raises(dq.SuiteFailed) as info:
        raise dq.SuiteFailed(result)
    assert info.value.result is result and info.value.exit_code == 1
