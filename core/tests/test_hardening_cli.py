"""Bad paths, unreadable data, ragged CSV and deep documents: one clear line, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import write_dist_info
from dq.checks._data import DataError, scan
from dq.cli import main

ENGINE = """
import polars as pl
import dq
from dq import hookimpl


class NotNullEngine:
    supported_checks = frozenset({"not_null"})
    streams = False

    def check(self, data, rules):
        frame = data.collect() if isinstance(data, pl.LazyFrame) else data
        results = tuple(
            dq.RuleResult(rule_id=r.id, check=r.check, column=r.column,
                          status=dq.RuleStatus.PASSED, element_count=frame.height)
            for r in rules.rules)
        return dq.CheckResult(status=dq.run_status(results, rules.gate), engine="nn",
                              results=results, row_count=frame.height)

    def profile(self, data):
        frame = data.collect()
        return dq.Profile(row_count=frame.height, columns=())

    def learn(self, data):
        return dq.RuleSet(rules=(dq.NotNull(id="a", column="a"),))


@hookimpl
def dq_engine(name, config):
    return NotNullEngine() if name == "nn" else None
"""
RULES = '[[rules]]\ncheck = "not_null"\ncolumn = "a"\n'


@pytest.fixture
def work() -> Iterator[Path]:
    """A world-readable folder (the permission tests run dq as an unprivileged user)."""
    root = Path(tempfile.mkdtemp(prefix="dq-harden-"))
    root.chmod(0o755)
    site = root / "site"
    site.mkdir()
    (site / "dq_nn_engine.py").write_text(ENGINE)
    write_dist_info(
        site, "dq-nn", "1.0.0", {"dq.engines": {"nn": "dq_nn_engine"}, "dq.hook_api": {"^1.0": "x"}}
    )
    (root / "rules.toml").write_text(RULES)
    (root / "good.csv").write_text("a,b\n1,2\n3,4\n")
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield root
    for path in root.rglob("*"):  # undo the locked folders the tests make
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(root)


@pytest.fixture
def cli(work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.syspath_prepend(str(work / "site"))
    monkeypatch.chdir(work)
    for var in ("DQ_CONFIG", "DQ_STRICT", "DQ_PLUGINS_DENY", "DQ_PLUGINS_ALLOW"):
        monkeypatch.delenv(var, raising=False)

    def run(*args: str) -> tuple[int, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out + err

    return run


def unprivileged(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``dq ARGS`` as a user the file permissions apply to (root ignores them)."""
    command = [sys.executable, "-c", "import sys; from dq.cli import main; sys.exit(main())", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be exercised")
        drop = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        probe = subprocess.run(
            [*drop, sys.executable, "-c", "import dq.cli"], capture_output=True, timeout=60
        )
        if probe.returncode != 0:  # e.g. a venv under a root-only folder (uv's cache links)
            pytest.skip("an unprivileged user cannot import dq from this environment")
        command = [*drop, *command]
    env = {**os.environ, "PYTHONPATH": str(work / "site"), "HOME": str(work)}
    return subprocess.run(
        command, cwd=work, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def one_clear_line(text: str) -> None:
    assert "Traceback" not in text and "internal error" not in text
    assert len([line for line in text.splitlines() if line.startswith("dq: error:")]) == 1


# -- output paths ------------------------------------------------------------------------


def test_output_to_a_directory_is_a_usage_error(cli, work: Path) -> None:
    (work / "reports").mkdir()
    code, text = cli("check", "good.csv", "-r", "rules.toml", "-e", "nn", "-o", "reports")
    assert code == 2
    one_clear_line(text)
    assert "reports: is a directory" in text


def test_output_into_a_missing_folder_is_a_usage_error(cli, work: Path) -> None:
    code, text = cli("check", "good.csv", "-r", "rules.toml", "-e", "nn", "-o", "no/such/r.txt")
    assert code == 2
    one_clear_line(text)
    assert "folder no/such does not exist" in text


def test_learn_output_into_a_missing_folder_is_a_usage_error(cli, work: Path) -> None:
    code, text = cli("learn", "good.csv", "-e", "nn", "-o", "missing/rules.toml")
    assert code == 2
    one_clear_line(text)


def test_output_that_cannot_be_written_is_a_runtime_error(work: Path) -> None:
    locked = work / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    done = unprivileged(
        work, "check", "good.csv", "-r", "rules.toml", "-e", "nn", "-o", "locked/report.txt"
    )
    assert done.returncode == 3, done.stderr
    one_clear_line(done.stderr)
    assert "permission denied" in done.stderr


def test_data_under_an_unreadable_folder_is_one_clear_line(work: Path) -> None:
    hidden = work / "hidden" / "sub"
    hidden.mkdir(parents=True)
    shutil.copy(work / "good.csv", hidden / "data.csv")
    (work / "hidden").chmod(0o700)
    done = unprivileged(work, "check", "hidden/sub/data.csv", "-r", "rules.toml", "-e", "nn")
    assert done.returncode == 3, done.stderr
    one_clear_line(done.stderr)
    assert "hidden/sub/data.csv: cannot read: Permission denied" in done.stderr


# -- ragged CSV ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("a,b\n1,2\n3,4,5\n", 3),
        ('a,b\n1,2\n"x\ny",4\n5,6\n7,8,9,10\n', 6),  # a quoted newline counts as a line
        ('a,b\n"1,5",2\n3,4\n5,6,\n', 4),  # a trailing separator is an extra (empty) field
    ],
)
def test_a_row_with_extra_fields_is_an_error_naming_file_and_line(
    tmp_path: Path, content: str, line: int
) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(content)
    with pytest.raises(DataError, match=rf"ragged\.csv:{line}: row has more fields"):
        scan(str(path))


def test_ragged_csv_fails_the_cli_whatever_the_rules_read(cli, work: Path) -> None:
    (work / "ragged.csv").write_text("a,b\n1,2\n3,4,5\n")
    code, text = cli("check", "ragged.csv", "-r", "rules.toml", "-e", "nn")
    assert code == 3
    one_clear_line(text)
    assert "ragged.csv:3: row has more fields than the header" in text


def test_rows_with_fewer_fields_and_quoted_separators_still_read(tmp_path: Path) -> None:
    path = tmp_path / "fine.csv"
    path.write_text('a,b,c\n1,"2,3",4\n5,6\n')
    frame, _ = scan(str(path))
    assert frame.collect().height == 2


# -- deep documents ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".json", '{"rules": ' + "[" * 10_000 + "]" * 10_000 + "}"),
        (".toml", "rules = " + "[" * 10_000 + "]" * 10_000 + "\n"),
        (".yaml", "rules: " + "[" * 10_000 + "]" * 10_000 + "\n"),
        (".json", '{"rules": ' + '{"a": ' * 500 + "1" + "}" * 500 + "}"),
    ],
)
def test_deeply_nested_rules_are_one_config_error(cli, work: Path, suffix: str, text: str) -> None:
    (work / f"deep{suffix}").write_text(text)
    code, out = cli("check", "good.csv", "-r", f"deep{suffix}", "-e", "nn")
    assert code == 2
    one_clear_line(out)
    assert "nested more than 64 deep" in out
