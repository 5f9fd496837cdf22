"""Writing a report or rules file where ``-o PATH`` says, with one clear line on failure.

A report path is the user's command line, so a directory or a missing folder is a
usage error (exit 2, fix the command); a path that exists but cannot be written
(permissions, a full disk, a read-only mount) is a runtime error (exit 3). Never a
traceback.
"""

from __future__ import annotations

import errno
from pathlib import Path

from dq.model._errors import DqError, UsageError


class OutputError(DqError):
    """The output file could not be written though its path is valid (exit 3)."""


def write_output(path: str | Path, text: str, *, option: str = "--output") -> None:
    """Write *text* to *path* (UTF-8), or raise a one-line dq error naming the path."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(
            f"{option} {target}: is a directory; give a file path such as '{target / 'report.txt'}'"
        )
    parent = target.parent
    if not parent.exists():
        raise UsageError(
            f"{option} {target}: folder {parent} does not exist; create it first or "
            "choose another path"
        )
    if not parent.is_dir():
        raise UsageError(f"{option} {target}: {parent} is not a folder")
    try:
        target.write_text(text, encoding="utf-8")
    except IsADirectoryError:
        raise UsageError(f"{option} {target}: is a directory; give a file path") from None
    except PermissionError:
        raise OutputError(
            f"{option} {target}: permission denied; choose a path you can write to"
        ) from None
    except OSError as exc:
        reason = exc.strerror or errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        raise OutputError(f"{option} {target}: cannot write: {reason}") from None
