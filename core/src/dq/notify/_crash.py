"""Named crash points for the kill test: ``DQ_TEST_CRASH_AT=<label>:<n>``.

The kill test (``core/tests/test_kill_delivery.py``) must stop ``dq run`` and
``dq notify replay`` at exact instants — after the write-ahead commit, between a
send and its settlement — not only wherever a wall-clock kill happens to land.
When the variable names a label, the *n*-th time this process reaches that
label it ends at once with ``os._exit(137)``: no ``finally``, no atexit, no
flush, the same as SIGKILL. Unset (always, outside that test) it costs one dict
lookup.
"""

from __future__ import annotations

import os
import threading

ENV = "DQ_TEST_CRASH_AT"
_hits: dict[str, int] = {}
_lock = threading.Lock()


def crash_point(label: str) -> None:
    """Die here if ``DQ_TEST_CRASH_AT`` names *label* and this is its *n*-th hit."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    name, _, count = spec.rpartition(":")
    if name != label:
        return
    with _lock:
        _hits[label] = _hits.get(label, 0) + 1
        hit = _hits[label]
    if hit == int(count or 1):
        os._exit(137)
