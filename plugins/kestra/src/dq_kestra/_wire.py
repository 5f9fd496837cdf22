"""Kestra's script wire form: one ``::{json}::`` line per message on stdout.

A Kestra script task reads the process's output line by line and matches each whole
line with ``^::(\\{.*})::$`` (Java regex: ``.`` stops at any line terminator --
``\\n``, ``\\r``, U+0085, U+2028, U+2029); the captured JSON is read by Jackson into
``outputs`` (a map; a later line's keys overwrite an earlier line's), ``metrics`` (a list
of ``{"name", "type": "counter" | "timer", "value", "tags"}``, a timer's value in
seconds) and ``logs`` (a list of ``{"level", "message"}``, SLF4J levels). Anything else on
stdout is an ordinary log line. Sources: kestra-io/kestra
``core/.../models/tasks/runners/TaskLogLineMatcher.java`` and the plugin developer guide
("Outputs & Metrics from a script engine").

What this module guarantees, and the tests pin for any input:

* one message is exactly one line: :func:`json.dumps` with ``ensure_ascii=True`` escapes
  every control character and every non-ASCII code point (U+2028 included), so no line
  terminator Java recognises can appear inside the JSON;
* only JSON-native values reach Kestra: :func:`native` turns datetimes into ISO text,
  enums into their values, tuples and sets into lists, numpy/polars scalars into Python
  numbers, and non-finite floats (which Jackson's default parser rejects, failing the
  whole line) into the text ``"NaN"`` / ``"Infinity"`` / ``"-Infinity"``.

The bytes are those of Kestra's own Python library (``Kestra.format`` is ``"::" +
json.dumps(map) + "::"``): this module does not depend on that library, whose 2.x wheel
installs a top-level module called ``exceptions`` and pulls ``requests``; a test compares
the bytes with it.
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal, TextIO

#: Kestra's matching rule, with Java's idea of ``.`` (no line terminator of any kind).
KESTRA_LINE = re.compile("^::(\\{[^\n\r\u0085\u2028\u2029]*})::$")

MetricType = Literal["counter", "timer"]
#: SLF4J levels Kestra accepts for ``logs`` entries.
LogLevel = Literal["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]


def native(value: Any) -> Any:
    """*value* as JSON-native data (see the module docstring); keys become text."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, enum.Enum):
        return native(value.value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return native(float(value))
    if isinstance(value, Mapping):
        return {str(k): native(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [native(v) for v in items]
    item = getattr(value, "item", None)  # numpy / polars scalars
    if callable(item):
        return native(item())
    return str(value)


def frame(message: Mapping[str, Any]) -> str:
    """One wire line (without the newline) for *message*: ``::`` + JSON + ``::``."""
    return "::" + json.dumps(native(message), ensure_ascii=True, allow_nan=False) + "::"


def outputs_line(values: Mapping[str, Any]) -> str:
    return frame({"outputs": values})


def metric(
    name: str, value: float, *, type: MetricType = "counter", tags: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """One metrics entry; a timer's *value* is in seconds."""
    return {"name": name, "type": type, "value": value, "tags": {str(k): str(v) for k, v in (tags or {}).items()}}


def metrics_line(entries: list[dict[str, Any]]) -> str:
    return frame({"metrics": entries})


def logs_line(level: LogLevel, message: str) -> str:
    return frame({"logs": [{"level": level, "message": message}]})


class Emitter:
    """Writes wire lines to a stream (the process's stdout in a Kestra task), flushed.

    Flushing after each line matters: Kestra reads the output while the process runs, and
    a line still in a buffer when the process is killed (timeout) is lost.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def outputs(self, values: Mapping[str, Any]) -> None:
        self.write(outputs_line(values))

    def metrics(self, entries: list[dict[str, Any]]) -> None:
        self.write(metrics_line(entries))

    def log(self, level: LogLevel, message: str) -> None:
        self.write(logs_line(level, message))


def parse(text: str) -> Iterator[dict[str, Any]]:
    """The messages Kestra would read from *text* (a process's stdout), in order.

    Lines are split as Java's ``BufferedReader.readLine`` splits them (``\\n``, ``\\r``,
    ``\\r\\n``); a line that does not match :data:`KESTRA_LINE` is an ordinary log line and
    is skipped, as Kestra logs it instead.
    """
    for line in re.split(r"\r\n|\r|\n", text):
        match = KESTRA_LINE.match(line)
        if match:
            yield json.loads(match.group(1))


def read_outputs(text: str) -> dict[str, Any]:
    """The task's outputs as Kestra keeps them: every outputs map merged, later keys win."""
    merged: dict[str, Any] = {}
    for message in parse(text):
        merged.update(message.get("outputs") or {})
    return merged


def read_metrics(text: str) -> list[dict[str, Any]]:
    return [m for message in parse(text) for m in message.get("metrics") or []]


def read_logs(text: str) -> list[dict[str, Any]]:
    return [entry for message in parse(text) for entry in message.get("logs") or []]
