"""A small TOML writer for what dq writes: rule sets from ``dq learn``.

The standard library reads TOML but cannot write it, and the shapes dq emits
are simple (scalars, lists of scalars, tables, arrays of tables), so a few
lines beat another dependency. Strings use JSON escaping, which is valid TOML;
dates, date-times and times are written as TOML's own (``2026-10-01``), so a
learned ``between`` on a date column reads back as dates. A learned file also
carries comments (suspected defects, rules left for a reviewer to uncomment):
``comment`` turns text into comment lines and ``dumps(..., notes=...)`` places a
block after a given entry of an array of tables.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, time
from typing import Any


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as a TOML value")


def comment(text: str) -> str:
    """*text* as TOML comment lines (``# ...``), each line of it commented."""
    return "\n".join(f"# {line}".rstrip() for line in text.splitlines()) + "\n"


def dumps(data: Mapping[str, Any], *, notes: Mapping[tuple[str, int], str] | None = None) -> str:
    """Write *data*: top-level scalars, tables of scalars, and arrays of tables (skipping None).

    *notes* maps ``(array key, index)`` to a block of text (comment lines, as
    :func:`comment` makes them) written right after that entry of the array.
    """
    notes = notes or {}
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, Any]]] = []
    arrays: list[tuple[str, list[Mapping[str, Any]]]] = []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            tables.append((key, value))
        elif (
            isinstance(value, (list, tuple))
            and value
            and all(isinstance(v, Mapping) for v in value)
        ):
            arrays.append((key, list(value)))
        else:
            lines.append(f"{key} = {_scalar(value)}")
    for key, table in tables:
        lines += ["", f"[{key}]"]
        lines += [f"{k} = {_scalar(v)}" for k, v in table.items() if v is not None]
    for key, items in arrays:
        for index, item in enumerate(items):
            lines += ["", f"[[{key}]]"]
            lines += [f"{k} = {_scalar(v)}" for k, v in item.items() if v is not None]
            if (key, index) in notes:
                lines += ["", notes[(key, index)].rstrip("\n")]
    return "\n".join(lines).lstrip("\n") + "\n"
