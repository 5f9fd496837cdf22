"""A progress line on a terminal for long work; nothing at all when output is piped.

It appears only after half a second (fast runs stay clean), updates the elapsed
time in place on stderr, and erases itself when the work ends, so the report on
stdout is never interleaved with it.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

_FRAMES = "|/-\\"


@contextmanager
def progress(label: str, *, stream: TextIO | None = None, delay: float = 0.5) -> Iterator[None]:
    out = stream or sys.stderr
    if not (hasattr(out, "isatty") and out.isatty()):
        yield
        return
    done = threading.Event()
    started = time.monotonic()

    def spin() -> None:
        if done.wait(delay):
            return
        frame = 0
        while not done.is_set():
            elapsed = time.monotonic() - started
            out.write(f"\r{_FRAMES[frame % 4]} {label} {elapsed:.1f}s")
            out.flush()
            frame += 1
            done.wait(0.1)
        out.write("\r\033[K")
        out.flush()

    thread = threading.Thread(target=spin, name="dq-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
