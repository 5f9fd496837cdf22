"""Reading CSV: dates and date-times are parsed, and a value that does not fit its column or a
row longer than the header is a data error naming ``file:line`` (exit 3), before any engine
sees the data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import polars as pl
import pytest
from dq.checks._data import DataError, scan
from dq.cli import main
from spy_site import make_work


def test_dates_datetimes_and_times_are_parsed(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "day,at,at_zoned,at_z,clock\n"
        "2024-01-31,2024-01-31T10:00:00,2024-01-31T10:00:00+02:00,2024-01-31 10:00:00Z,10:30:00\n"
        "2024-02-29,2024-02-29T11:00:00.250,2024-02-29T10:00:00-01:00,2024-02-29 11:00:00Z,\n"
    )
    frame, _ = scan(str(path))
    schema = frame.collect_schema()
    assert schema["day"] == pl.Date
    assert schema["at"] == pl.Datetime("us")
    assert schema["at_zoned"] == pl.Datetime("us", "UTC")
    assert schema["clock"] == pl.Time
    rows = frame.collect().rows(named=True)
    assert rows[0]["day"] == date(2024, 1, 31)
    assert rows[0]["at_zoned"] == datetime(2024, 1, 31, 8, 0, tzinfo=UTC)  # offset applied
    assert rows[1]["at"] == datetime(2024, 2, 29, 11, 0, 0, 250_000)
    assert rows[0]["clock"] == time(10, 30) and rows[1]["clock"] is None


def test_text_that_only_looks_like_a_date_sometimes_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("code\n2024-01\nAB-12\n")
    frame, _ = scan(str(path))
    assert frame.collect_schema()["code"] == pl.String


def late_value(tmp_path: Path, good: str, bad: str, rows: int = 300) -> Path:
    path = tmp_path / "late.csv"
    path.write_text("id,v\n" + "".join(f"{i},{good}\n" for i in range(rows)) + f"{rows},{bad}\n")
    return path


@pytest.mark.parametrize(
    ("good", "bad", "dtype"),
    [("7", "abc", "Int64"), ("1.5", "x1", "Float64"), ("2024-01-31", "2024-13-45", "Date")],
)
def test_a_value_past_the_inferred_rows_that_does_not_parse_is_file_line(
    tmp_path: Path, good: str, bad: str, dtype: str
) -> None:
    path = late_value(tmp_path, good, bad)
    with pytest.raises(DataError) as info:
        scan(str(path))
    # header is line 1, the 300 good rows lines 2-301
    assert str(info.value).startswith(f"{path}:302: column 'v': cannot parse '{bad}' as {dtype}")
    assert info.value.exit_code == 3


def test_the_line_counts_quoted_fields_that_span_lines(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    body = "".join(f'{i},"note\nwith a line break"\n' for i in range(200))
    path.write_text("id,note\n" + body + "oops,x\n")
    with pytest.raises(DataError) as info:
        scan(str(path))
    assert str(info.value).startswith(f"{path}:402: column 'id': cannot parse 'oops' as Int64")


def test_a_row_longer_than_its_header_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("a,b\n1,2\n3,4\n5,6,7\n")
    with pytest.raises(DataError) as info:
        scan(str(path))
    assert str(info.value).startswith(f"{path}:4: row has more fields than the header")


def test_a_short_row_is_null_filled_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("a,b\n1,2\n3\n")
    frame, _ = scan(str(path))
    assert frame.collect().rows() == [(1, 2), (3, None)]


def test_dq_check_exits_3_with_file_line_for_a_value_that_does_not_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    work = make_work(tmp_path, monkeypatch)
    late_value(work, "7", "seven")
    (work / "r.toml").write_text('[[rules]]\ncheck = "not_null"\ncolumn = "id"\n')
    code = main(["check", "late.csv", "-r", "r.toml", "-e", "spy"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith("dq: error: late.csv:302: column 'v': cannot parse 'seven' as Int64")
    assert "Traceback" not in err
