"""``dq check --format html``, ``--profile``, ``dq profile --format``, and the progress line."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from dq.cli._progress import progress, size_of
from test_cli_check import run, workdir  # noqa: F401  (the fixture, with its tiny engine)


def test_check_writes_a_self_contained_html_report(workdir: Path, capsys) -> None:  # noqa: F811
    code, out, err = run(
        capsys, "check", "bad.csv", "-r", "rules.toml", "-e", "tiny", "-f", "html", "-o", "r.html"
    )
    assert code == 1 and out == ""
    assert err.startswith("FAILED — 2 of 2 rules failed (2 errors)")
    page = (workdir / "r.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<script" not in page
    assert "bad.csv" in page and "1 of 5 rows failed (20.0%)" in page
    assert not re.search(r"https?://", page)


def test_check_with_profile_puts_the_profile_in_the_html_report(
    workdir: Path,  # noqa: F811
    capsys,
) -> None:
    code, out, _ = run(
        capsys, "check", "good.csv", "-r", "rules.toml", "-e", "tiny", "-f", "html", "--profile"
    )
    assert code == 0
    assert 'id="profile"' in out and "Profile: 3 rows, 2 columns" in out


def test_check_with_profile_and_a_table_shows_both(workdir: Path, capsys) -> None:  # noqa: F811
    code, out, _ = run(capsys, "check", "good.csv", "-r", "rules.toml", "-e", "tiny", "--profile")
    assert code == 0
    assert "3 rows, 2 columns" in out and out.rstrip().splitlines()[-1].startswith("PASSED — ")


@pytest.mark.parametrize("fmt", ["json", "junit", "markdown"])
def test_profile_with_a_format_that_cannot_show_it_is_a_usage_error(
    workdir: Path,  # noqa: F811
    capsys,
    fmt: str,
) -> None:
    code, out, err = run(
        capsys, "check", "good.csv", "-r", "rules.toml", "-e", "tiny", "-f", fmt, "--profile"
    )
    assert code == 2 and out == ""
    assert f"--profile is shown by --format html or table, not {fmt}" in err
    assert "Traceback" not in err


def test_dq_profile_writes_html(workdir: Path, capsys) -> None:  # noqa: F811
    code, out, _ = run(capsys, "profile", "good.csv", "-e", "tiny", "--format", "html")
    assert code == 0 and out.startswith("<!doctype html>") and "good.csv" in out
    code, _, err = run(capsys, "profile", "good.csv", "-e", "tiny", "-f", "html", "-o", "p.html")
    assert code == 0 and "wrote the html profile of good.csv to p.html" in err
    assert "Profile: 3 rows, 2 columns" in (workdir / "p.html").read_text(encoding="utf-8")


def test_dq_profile_json_and_format_must_agree(workdir: Path, capsys) -> None:  # noqa: F811
    code, _, err = run(capsys, "profile", "good.csv", "-e", "tiny", "--json", "-f", "html")
    assert code == 2 and "--json and --format html disagree" in err
    code, out, _ = run(capsys, "profile", "good.csv", "-e", "tiny", "-f", "json")
    assert code == 0 and '"row_count": 3' in out


def test_a_table_report_in_a_file_is_not_cut_to_the_terminal(
    workdir: Path,  # noqa: F811
    capsys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    run(capsys, "check", "bad.csv", "-r", "rules.toml", "-e", "tiny", "-o", "r.txt")
    text = (workdir / "r.txt").read_text(encoding="utf-8")
    assert "…" not in text and "e.g. 150.0, -1.0, nan" in text


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_names_each_stage_on_a_terminal() -> None:
    screen = Terminal()
    with progress("reading orders.csv", stream=screen, delay=0.0) as bar:
        time.sleep(0.25)
        bar.stage("checking 7 rules on orders.csv (1.2 MB) with polars")
        time.sleep(0.25)
        bar.stage("writing table report · 20,000,000 rows scanned")
        time.sleep(0.25)
    shown = screen.getvalue()
    assert "reading orders.csv" in shown
    assert "checking 7 rules on orders.csv (1.2 MB) with polars" in shown
    assert "writing table report · 20,000,000 rows scanned" in shown
    assert shown.endswith("\r\x1b[K")  # erased when done: the report starts on a clean line


def test_progress_writes_nothing_when_not_a_terminal() -> None:
    piped = io.StringIO()
    with progress("reading", stream=piped, delay=0.0) as bar:
        bar.stage("checking")
        time.sleep(0.2)
    assert piped.getvalue() == ""


def test_data_size_is_said_as_people_say_it(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_bytes(b"x" * 1_234_567)
    assert size_of([data]) == "1.2 MB"
    assert size_of([]) == "" and size_of([tmp_path / "missing.csv"]) == ""


def test_check_shows_stages_and_rows_scanned_on_a_terminal(
    workdir: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys,
) -> None:
    import dq.cli._progress as bar

    screen = Terminal()
    real = bar.progress

    def on_screen(label: str, **_: object):
        return real(label, stream=screen, delay=0.0)

    monkeypatch.setattr("dq.cli._check.progress", on_screen)
    slow = bar.Progress.stage

    def stage(self: bar.Progress, label: str) -> None:
        slow(self, label)
        time.sleep(0.25)  # long enough for the line to show each stage

    monkeypatch.setattr(bar.Progress, "stage", stage)
    code, _, _ = run(capsys, "check", "good.csv", "-r", "rules.toml", "-e", "tiny")
    assert code == 0
    shown = screen.getvalue()
    assert "checking 2 rules on good.csv (25 B) with tiny" in shown
    assert "writing table report · 3 rows scanned" in shown
