"""Writing the failing rows (``--failures PATH``, ``[output] failures``) as Parquet or CSV.

The path is checked before any data is read (:func:`failures_target`): its suffix picks
the format, its folder must exist, and it must not be one of the data files being
checked (an export over its own input would destroy the evidence). The file is written
to a temporary sibling and renamed into place, so a reader never sees half a file and a
failed write leaves the previous file intact.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from dq.model._errors import UsageError
from dq.model._failures import DEFAULT_FAILURES_LIMIT, FailingRows
from dq.output._files import OutputError

#: Suffix -> format; anything else is refused with these choices.
FAILURE_FORMATS = {".parquet": "parquet", ".csv": "csv"}


@attrs.frozen
class FailuresTarget:
    """Where the failing rows go, and how many at most (None: all of them)."""

    path: Path
    format: str
    limit: int | None = DEFAULT_FAILURES_LIMIT


def parse_limit(text: str, *, option: str = "--failures-limit") -> int | None:
    """``N`` (1 or more), or ``0`` / ``all`` for every failing row (None)."""
    if text.strip().lower() == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"{option}: expected a whole number or 'all', got {text!r}") from None
    return limit_from(value, option=option)


def limit_from(value: int, *, option: str = "--failures-limit") -> int | None:
    """A configured bound: ``0`` means every failing row (None); negative is refused."""
    if value < 0:
        raise UsageError(f"{option}: must be 0 (no limit) or more, got {value}")
    return None if value == 0 else value


def failures_target(
    path: str | Path, *, limit: int | None = DEFAULT_FAILURES_LIMIT, option: str = "--failures"
) -> FailuresTarget:
    """The checked target for *path*, or one line (exit 2) saying what to change."""
    target = Path(path)
    fmt = FAILURE_FORMATS.get(target.suffix.lower())
    if fmt is None:
        choices = ", ".join(FAILURE_FORMATS)
        raise UsageError(
            f"{option} {target}: unknown file type {target.suffix or '(none)'!r}; "
            f"give a path ending in {choices}"
        )
    if target.is_dir():
        raise UsageError(f"{option} {target}: is a directory; give a file path")
    parent = target.parent
    if not parent.is_dir():
        raise UsageError(
            f"{option} {target}: folder {parent} does not exist; create it first or choose "
            "another path"
        )
    return FailuresTarget(path=target, format=fmt, limit=limit)


def refuse_data_paths(
    target: FailuresTarget, data_paths: Iterable[Path], *, option: str = "--failures"
) -> None:
    """One line (exit 2) when the export would overwrite a data file being checked."""
    if not target.path.exists():
        return
    for data in data_paths:
        try:
            same = target.path.samefile(data)
        except OSError:
            continue
        if same:
            raise UsageError(
                f"{option} {target.path}: is the data being checked; choose another path"
            )


def write_failures(target: FailuresTarget, frame: Any) -> None:
    """Write *frame* (a polars DataFrame) to the target, atomically (temp file + rename)."""
    import polars as pl

    if target.format == "csv":
        frame = _csv_ready(frame, FailingRows.RULES, pl)
    fd, temp = tempfile.mkstemp(prefix=f".{target.path.name}.", dir=target.path.parent)
    os.close(fd)
    try:
        if target.format == "parquet":
            frame.write_parquet(temp)
        else:
            frame.write_csv(temp)
        # mkstemp creates 0600; the file gets the mode any new file of the user's gets
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target.path)
    except PermissionError:
        raise OutputError(
            f"--failures {target.path}: permission denied; choose a path you can write to"
        ) from None
    except OSError as exc:
        raise OutputError(f"--failures {target.path}: cannot write: {exc.strerror}") from None
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _csv_ready(frame: Any, rules_column: str, pl: Any) -> Any:
    """CSV holds text: the rule ids joined by ``;``, nested data columns refused by name."""
    frame = frame.with_columns(pl.col(rules_column).list.join(";"))
    nested = [
        name
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object)
    ]
    if nested:
        raise UsageError(
            f"--failures: CSV cannot hold column {nested[0]!r} ({frame.schema[nested[0]]}); "
            "give a path ending in .parquet"
        )
    return frame
