"""Config mistakes are found when the files are read, before any data is: exit 2, one line per
fault naming file, line and key, with the valid choices and the close match.

Every test drives the real ``dq`` entry function in-process, with a spy engine and a notifier
installed as real distribution metadata; ``dq.checks._data.scan`` is watched so a test fails if
any data was read before the error.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import dq
import pytest
from dq.cli import main
from dq.config._locate import index_text, split_problem
from dq.model._rules import CHECKS
from spy_site import make_work, watch_reads


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_work(tmp_path, monkeypatch)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return watch_reads(monkeypatch)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def error_lines(err: str) -> list[str]:
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("dq: error: ") for line in lines), err
    assert "Traceback" not in err
    return [line.removeprefix("dq: error: ") for line in lines]


# -- rules files ----------------------------------------------------------------------------


def test_an_unknown_check_names_file_line_key_close_match_and_every_check(
    work: Path, capsys: pytest.CaptureFixture[str], reads: list[str]
) -> None:
    (work / "r.toml").write_text(
        '[[rules]]\ncheck = "not_null"\ncolumn = "a"\n\n'
        '[[rules]]\ncheck = "not_nul"\ncolumn = "b"\n'
    )
    code, out, err = run(capsys, "check", "missing.csv", "-r", "r.toml", "-e", "spy")
    assert (code, out, reads) == (2, "", [])
    [line] = error_lines(err)
    assert line.startswith(
        "r.toml:6: rules[1].check: unknown check 'not_nul' — did you mean 'not_null'? (choices: "
    )
    assert all(name in line for name in CHECKS)  # read from the model, not a copy


def test_every_fault_is_its_own_line_at_its_own_key(
    work: Path, capsys: pytest.CaptureFixture[str], reads: list[str]
) -> None:
    (work / "r.toml").write_text(
        textwrap.dedent(
            """\
            sample_size = 5

            [[rules]]
            check = "not_null"
            column = "a"
            severity = "warnign"

            [[rules]]
            check = "not_null"
            column = "b"
            mostyl = 0.5
            """
        )
    )
    code, _, err = run(capsys, "check", "data.csv", "-r", "r.toml", "-e", "spy")
    assert (code, reads) == (2, [])
    assert error_lines(err) == [
        "r.toml:6: rules[0].severity: unknown severity 'warnign' — did you mean 'warning'? "
        "(choices: error, warning)",
        "r.toml:11: rules[1].mostyl: unknown field 'mostyl' — did you mean 'mostly'? "
        "(fields: id, severity, mostly, description, column)",
    ]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        (
            "r.yaml",
            "rules:\n  - check: not_null\n    column: a\n  - check: uniqe\n    column: b\n",
            4,
        ),
        (
            "r.json",
            '{"rules": [\n  {"check": "not_null", "column": "a"},\n  {"check": "uniqe",'
            ' "column": "b"}\n]}\n',
            3,
        ),
        (
            "r.toml",
            'rules = [\n  {check = "not_null", column = "a"},\n  {check = "uniqe"},\n]\n',
            3,
        ),
    ],
)
def test_yaml_json_and_inline_toml_point_at_the_line_too(
    work: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, line: int
) -> None:
    (work / name).write_text(text)
    code, _, err = run(capsys, "check", "data.csv", "-r", name, "-e", "spy")
    assert code == 2
    [message] = error_lines(err)
    assert message.startswith(
        f"{name}:{line}: rules[1].check: unknown check 'uniqe' — did you mean 'unique'?"
    )


def test_a_syntax_error_is_file_colon_line(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / "r.toml").write_text('[[rules]]\ncheck = "not_null"\ncolumn = \n')
    code, _, err = run(capsys, "check", "data.csv", "-r", "r.toml", "-e", "spy")
    assert code == 2
    [message] = error_lines(err)
    assert message.startswith("r.toml:3: TOML syntax error")


# -- dq.toml --------------------------------------------------------------------------------


def test_an_unknown_table_in_dq_toml_stops_every_command(
    work: Path, capsys: pytest.CaptureFixture[str], reads: list[str]
) -> None:
    (work / "dq.toml").write_text('[plugins]\ndeny = []\n\n[notfy.channels.x]\ntype = "chatter"\n')
    (work / "r.toml").write_text('[[rules]]\ncheck = "not_null"\ncolumn = "a"\n')
    for argv in (("check", "data.csv", "-r", "r.toml", "-e", "spy"), ("plugins", "list")):
        code, out, err = run(capsys, *argv)
        assert (code, out, reads) == (2, "", [])
        assert error_lines(err) == [
            "dq.toml:4: notfy: unknown table 'notfy' — did you mean 'notify'? "
            "(choices: plugins, engines, sources, secrets, notify, policy)"
        ]


def test_a_known_dq_toml_table_that_is_not_a_table_is_refused(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "dq.toml").write_text('engines = "polars"\n')
    code, _, err = run(capsys, "plugins", "list")
    assert code == 2
    assert error_lines(err)[0].startswith("dq.toml:1: engines: expected a table")


def test_a_bad_policy_in_dq_toml_is_found_when_dq_toml_is_read(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "dq.toml").write_text('\n[policy]\ntenant_scoping = "maybe"\n')
    code, _, err = run(capsys, "plugins", "list")
    assert code == 2
    assert error_lines(err) == ['dq.toml:3: policy.tenant_scoping: expected "required" or "suite"']


# -- suites ---------------------------------------------------------------------------------

SUITE = """\
name = "s"
source = "{source}"
engine = "spy"

[rules]
[[rules.rules]]
check = "not_null"
column = "a"

[output]
format = "{fmt}"

[notify.channels.team]
type = "{notifier}"
"""


def suite(work: Path, *, source: str = "data.csv", fmt: str = "json", notifier: str = "chatter"):
    path = work / "s.suite.toml"
    path.write_text(SUITE.format(source=source, fmt=fmt, notifier=notifier))
    return path


def test_an_unknown_output_format_in_a_suite_is_refused_before_reading(
    work: Path, capsys: pytest.CaptureFixture[str], reads: list[str]
) -> None:
    from dq.output._report import FORMATS

    suite(work, fmt="jsn", source="missing.csv")
    code, out, err = run(capsys, "run", "s.suite.toml", "--no-notify")
    assert (code, out, reads) == (2, "", [])
    assert error_lines(err) == [
        f"s.suite.toml:11: output.format: unknown output format 'jsn' — did you mean 'json'? "
        f"(choices: {', '.join(FORMATS)})"
    ]


def test_an_unknown_notifier_type_is_refused_before_reading(
    work: Path, capsys: pytest.CaptureFixture[str], reads: list[str]
) -> None:
    suite(work, notifier="chater", source="missing.csv")
    code, out, err = run(capsys, "run", "s.suite.toml")
    assert (code, out, reads) == (2, "", [])
    [line] = error_lines(err)
    assert line.startswith(
        "s.suite.toml:14: notify.channels.team.type: unknown notifier 'chater' — did you mean "
        "'chatter'? (installed: "
    )
    assert "chatter" in line.rpartition("(installed: ")[2]


def test_a_bad_notify_table_is_refused_before_reading(
    work: Path, capsys: pytest.CaptureFixture[str], reads: list[str]
) -> None:
    path = suite(work, source="missing.csv")
    path.write_text(path.read_text() + '\n[notify]\non = ["faild"]\n')
    code, _, err = run(capsys, "run", "s.suite.toml")
    assert (code, reads) == (2, [])
    [line] = error_lines(err)
    assert line.startswith("s.suite.toml:17: notify.on[0]: unknown value 'faild'")


def test_an_unknown_data_format_in_a_suite_is_refused_before_reading(
    work: Path, capsys: pytest.CaptureFixture[str], reads: list[str]
) -> None:
    (work / "s.suite.toml").write_text(
        'engine = "spy"\nrules = "r.toml"\n\n[source]\npath = "data.csv"\nformat = "parqet"\n'
    )
    (work / "r.toml").write_text('[[rules]]\ncheck = "not_null"\ncolumn = "a"\n')
    code, _, err = run(capsys, "run", "s.suite.toml", "--no-notify")
    assert (code, reads) == (2, [])
    assert error_lines(err) == [
        "s.suite.toml:6: source.format: unknown data format 'parqet' — did you mean 'parquet'? "
        "(choices: csv, json, ndjson, parquet)"
    ]


def test_a_good_suite_still_runs_and_reads_its_data_once(
    work: Path, capsys: pytest.CaptureFixture[str], reads: list[str]
) -> None:
    suite(work)
    code, out, err = run(capsys, "run", "s.suite.toml", "--no-notify")
    assert code == 0, err
    assert '"status": "passed"' in out
    assert len(reads) == 1


def test_an_unknown_command_line_choice_gets_a_close_match(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "r.toml").write_text('[[rules]]\ncheck = "not_null"\ncolumn = "a"\n')
    with pytest.raises(SystemExit) as info:
        main(["check", "data.csv", "-r", "r.toml", "-f", "jsno"])
    assert info.value.code == 2
    assert "did you mean 'json'?" in capsys.readouterr().err


# -- the locator ----------------------------------------------------------------------------


def test_problem_paths_split_into_keys() -> None:
    assert split_problem("rules[3].check: bad") == (("rules", 3, "check"), "bad")
    assert split_problem("notify.channels['a b'].type: x") == (
        ("notify", "channels", "a b", "type"),
        "x",
    )
    assert split_problem("TOML syntax error: Invalid value") is None
    assert split_problem("expected a table at the top level") is None


def test_the_toml_scan_knows_tables_arrays_of_tables_and_multiline_values() -> None:
    text = textwrap.dedent(
        '''\
        title = """
        two
        lines"""
        [a.b]
        c = 1
        "quoted key".x = [
          1,
          { y = 2 },
        ]
        [[t]]
        k = 'v'
        [[t]]
        k = 2  # comment
        [t.sub]
        z = 1979-05-27 07:32:00Z
        '''
    )
    index = index_text(text, "toml")
    assert index[("title",)] == 1
    assert index[("a", "b", "c")] == 5
    assert index[("a", "b", "quoted key", "x", 1, "y")] == 8
    assert index[("t", 0, "k")] == 11
    assert index[("t", 1, "k")] == 13
    assert index[("t", 1, "sub", "z")] == 15


def test_the_python_api_keeps_its_error_shape() -> None:
    with pytest.raises(dq.ConfigError) as info:
        dq.structure({"rules": [{"check": "regx", "column": "a"}]}, dq.RuleSet, source="x.toml")
    assert info.value.source == "x.toml"
    assert info.value.problems[0].startswith("rules[0].check: unknown check 'regx' — did you mean")
    assert str(info.value) == f"x.toml: {info.value.problems[0]}"
