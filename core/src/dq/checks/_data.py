"""Reading the data to check: CSV, Parquet, NDJSON and JSON files, by path or glob.

Everything is opened *lazily* (``scan_*``) so an engine that streams can check
files larger than memory; plain JSON (an array of records) has no lazy reader
in polars and is read eagerly. polars is imported here, on use, never at
``import dq``.
"""

from __future__ import annotations

import glob
import re
from pathlib import Path
from typing import Any

from dq.model._errors import DqError, UsageError

FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".json": "json",
}


class DataError(DqError):
    """The data could not be read or parsed; the message names the file."""


def expand(pattern: str) -> list[Path]:
    """Paths for *pattern*: itself if it exists, else its glob matches (sorted).

    A folder on the way that cannot be searched (permissions) is a DataError naming
    the path, not a traceback.
    """
    try:
        return _expand(pattern)
    except OSError as exc:
        where = exc.filename or pattern
        reason = exc.strerror or type(exc).__name__
        raise DataError(
            f"{where}: cannot read: {reason}; check the permissions of the file and of "
            "every folder above it"
        ) from None


def _expand(pattern: str) -> list[Path]:
    path = Path(pattern)
    if path.is_file():
        return [path]
    if path.is_dir():
        raise UsageError(
            f"{pattern}: is a directory; give a file or a glob such as '{pattern}/*.csv'"
        )
    matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
    if not matches:
        what = "matches no file" if glob.has_magic(pattern) else "no such file"
        raise UsageError(f"{pattern}: {what}")
    return matches


def data_format(paths: list[Path], declared: str | None = None) -> str:
    if declared:
        fmt = declared.lower()
        if fmt not in set(FORMATS.values()):
            raise UsageError(
                f"unknown data format {declared!r}; use one of: csv, parquet, ndjson, json"
            )
        return fmt
    found = {FORMATS.get(p.suffix.lower()) for p in paths}
    if None in found:
        odd = next(p for p in paths if p.suffix.lower() not in FORMATS)
        raise UsageError(
            f"{odd}: cannot tell the data format from the suffix {odd.suffix!r}; "
            "use .csv, .parquet, .ndjson/.jsonl or .json, or say it with --format-in"
        )
    if len(found) > 1:
        raise UsageError(
            f"the files mix formats ({', '.join(sorted(found))}); check one format at a time"
        )
    return found.pop()  # type: ignore[return-value]


def scan(pattern: str, declared: str | None = None) -> tuple[Any, list[Path]]:
    """A polars ``LazyFrame`` over every file *pattern* names, and those files."""
    import polars as pl

    paths = expand(pattern)
    fmt = data_format(paths, declared)
    sources = [str(p) for p in paths]
    try:
        if fmt == "csv":
            frame = csv_frame(sources)
        elif fmt == "parquet":
            frame = pl.scan_parquet(sources)
        elif fmt == "ndjson":
            frame = pl.scan_ndjson(sources)
        else:
            frame = pl.concat([pl.read_json(s) for s in sources], how="diagonal_relaxed").lazy()
        frame.collect_schema()  # reads headers now, so a broken file fails here, named
    except Exception as exc:  # polars raises several unrelated types for bad input
        raise data_error(exc, paths, fmt) from exc
    if fmt == "csv":
        refuse_unreadable_rows(paths, frame.collect_schema())
    return frame, paths


def csv_frame(sources: list[str], schema: Any = None) -> Any:
    """The lazy frame dq reads CSV as: types inferred from the first rows, and ISO 8601
    dates, date-times (with or without an offset; an offset becomes UTC) and times parsed
    into Date / Datetime / Time columns, so ``between`` and ``freshness`` compare dates,
    not text. *schema* (the whole file set's, from the frame) reads one file alike."""
    import polars as pl

    if schema is not None:
        return pl.scan_csv(sources, schema=schema)
    return pl.scan_csv(sources, try_parse_dates=True)


def refuse_unreadable_rows(paths: list[Path], schema: Any) -> None:
    """Refuse, naming ``file:line``, a CSV row with more fields than its header or a value
    that does not parse as its column's type (``abc`` in an Int64 column, ``2024-13-45`` in a
    Date column), before any engine sees the data.

    polars infers types from the first rows and fails on a later value that does not fit,
    in the middle of whichever rule first reads that column; and it drops an over-long
    row's extra fields silently when a query reads only some columns (projection
    pushdown). One streaming pass over every column, typed exactly as the engine's frame,
    makes both a data error (exit 3) with the same verdict for every engine; the cost is
    about one extra read of the file. Rows with *fewer* fields stay null-filled, as polars
    and every engine read them.
    """
    import polars as pl

    for path in paths:
        try:
            csv_frame([str(path)], schema).select(pl.all().null_count()).collect(
                engine="streaming"
            )
        except pl.exceptions.PolarsError as exc:
            if "more fields" not in str(exc):
                raise data_error(exc, [path], "csv", schema=schema) from exc
            line = _ragged_line(path)
            where = f"{path}:{line}" if line else str(path)
            raise DataError(
                f"{where}: row has more fields than the header; fix the row or quote "
                "the field that holds the separator"
            ) from None


def _ragged_line(path: Path) -> int | None:
    """The 1-based physical line where the first over-long row starts."""
    import csv

    try:
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            start = reader.line_num + 1
            for row in reader:
                if len(row) > len(header):
                    return start
                start = reader.line_num + 1
    except (OSError, csv.Error):
        return None
    return None


_PARSE_RE = re.compile(
    r"could not parse `(?P<value>.*?)` as dtype `?(?P<dtype>[^` ]*)`? at column '(?P<column>.+?)'"
)


def _csv_line_of(path: Path, column: str, value: str) -> int | None:
    """The 1-based physical line where the first row whose *column* holds *value* starts
    (the header is line 1; a quoted field spanning lines is counted as the file has it)."""
    import csv

    import polars as pl

    try:
        hit = (
            pl.scan_csv(path, infer_schema=False)
            .with_row_index("__dq_row")
            .filter(pl.col(column) == value)
            .select("__dq_row")
            .head(1)
            .collect()
        )
        if not hit.height:
            return None
        row = int(hit.item())
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            start = reader.line_num + 1
            for index, _ in enumerate(reader):
                if index == row:
                    return start
                start = reader.line_num + 1
    except Exception:  # noqa: BLE001 - locating the line is a courtesy; the error still stands
        return None
    return None


#: polars' short dtype names (in its parse errors) as dq names them (``dtype`` rules).
_DTYPE_WORDS = {"i64": "Int64", "f64": "Float64", "str": "String", "bool": "Boolean"}


def data_error(
    exc: BaseException, paths: list[Path], fmt: str | None = None, *, schema: Any = None
) -> DataError:
    """Describe a polars read/parse failure by file and, for CSV parse errors, line:
    ``orders.csv:302: column 'amount': cannot parse 'abc' as Float64``."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    where = str(paths[0]) if len(paths) == 1 else f"{paths[0]} (+{len(paths) - 1} more)"
    match = _PARSE_RE.search(text)
    if match and paths and all(p.suffix.lower() == ".csv" for p in paths):
        column, value = match["column"], match["value"]
        for path in paths:
            line = _csv_line_of(path, column, value)
            if line is not None:
                where = f"{path}:{line}"
                break
        dtype = _dtype_word(schema, column, match["dtype"])
        return DataError(
            f"{where}: column {column!r}: cannot parse {value!r} as {dtype} (its type was "
            "inferred from the first rows); fix the value, or make it empty for a null"
        )
    how = f" as {fmt}" if fmt else ""
    return DataError(f"{where}: cannot read{how}: {first}")


def _dtype_word(schema: Any, column: str, short: str) -> str:
    try:
        return str(schema[column]) if schema is not None else _DTYPE_WORDS.get(short, short)
    except (KeyError, TypeError):
        return _DTYPE_WORDS.get(short, short)
