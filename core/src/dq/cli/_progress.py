"""A progress line on a terminal for long work; nothing at all when output is piped.

It appears only after half a second (fast runs stay clean), says which stage the
work is in (``reading orders.csv (1.2 GB)``, ``checking 7 rules``, ``writing
report``) with the elapsed time, updates in place on stderr, and erases itself when
the work ends, so the report on stdout is never interleaved with it. Engines run a
whole scan as one query and report rows only at its end, so rows appear once known
(``writing report · 20,000,000 rows scanned``), never as a guess.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

_FRAMES = "|/-\\"


class Progress:
    """The line's current stage; :meth:`stage` may be called from the working thread."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._lock = threading.Lock()

    def stage(self, label: str) -> None:
        with self._lock:
            self._label = label

    @property
    def label(self) -> str:
        with self._lock:
            return self._label


@contextmanager
def progress(label: str, *, stream: TextIO | None = None, delay: float = 0.5) -> Iterator[Progress]:
    out = stream or sys.stderr
    state = Progress(label)
    if not (hasattr(out, "isatty") and out.isatty()):
        yield state
        return
    done = threading.Event()
    started = time.monotonic()

    def spin() -> None:
        if done.wait(delay):
            return
        frame = 0
        width = 0
        while not done.is_set():
            elapsed = time.monotonic() - started
            line = f"{_FRAMES[frame % 4]} {state.label} {elapsed:.1f}s"
            # pad over a longer previous stage; \033[K would also do, but not everywhere
            out.write("\r" + line.ljust(width))
            width = len(line)
            out.flush()
            frame += 1
            done.wait(0.1)
        out.write("\r\033[K")
        out.flush()

    thread = threading.Thread(target=spin, name="dq-progress", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        done.set()
        thread.join()


def size_of(paths: Sequence[Path]) -> str:
    """The bytes an engine will read, as people say it (``1.2 GB``); "" when unknown."""
    total = 0
    for path in paths:
        try:
            total += Path(path).stat().st_size
        except (OSError, TypeError, ValueError):
            return ""
    if not paths:
        return ""
    size = float(total)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return ""


def size_of_glob(pattern: str) -> str:
    """:func:`size_of` the files a path or glob names (``exports/*.parquet``)."""
    import glob

    try:
        return size_of([Path(p) for p in glob.glob(pattern, recursive=True)])
    except (OSError, ValueError):
        return ""
