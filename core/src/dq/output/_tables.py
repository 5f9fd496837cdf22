"""Plain-text tables: aligned columns, no dependencies, nothing clever."""

from __future__ import annotations

import shutil
from collections.abc import Sequence

from dq.output._escape import visible

#: Narrowest a shrinking column gets: enough to recognise a rule id or a value.
_MIN_SHRUNK = 8
_GAP = 2


def terminal_width() -> int | None:
    """The width to fit, or None to keep every cell whole.

    ``COLUMNS`` wins (as :func:`shutil.get_terminal_size` reads it), then the terminal
    on stdout. Piped or redirected output without ``COLUMNS`` is not cut: a CI log or
    a file keeps the full text.
    """
    size = shutil.get_terminal_size(fallback=(0, 0))
    return size.columns if size.columns > 0 else None


def cut(text: str, width: int) -> str:
    """*text* in at most *width* characters, ending in "…" when shortened."""
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…" if width > 0 else ""


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    max_width: int = 60,
    width: int | None = None,
    shrink: Sequence[int] = (),
    drop: Sequence[int] = (),
) -> str:
    """Left-aligned columns, every cell passed through :func:`visible`.

    Without *width*, cells longer than *max_width* wrap onto continuation lines at
    spaces. With *width* (a terminal's), nothing wraps: the columns listed in *shrink*
    give up characters, the first listed first, each cut cell ending in "…", until
    the table fits; if it still does not, the columns in *drop* go, in that order,
    and at last every column is cut.
    """
    headers = [visible(str(h)) for h in headers]
    cells = [[visible(str(cell)) for cell in row] for row in rows]
    if width is not None:
        return _fitted(headers, cells, width, shrink, drop)

    def wrap(cell: str) -> list[str]:
        if len(cell) <= max_width:
            return [cell]
        lines, line = [], ""
        for word in cell.split(" "):
            if line and len(line) + 1 + len(word) > max_width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        return lines

    wrapped = [[wrap(cell) for cell in row] for row in cells]
    widths = [len(h) for h in headers]
    for row in wrapped:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], *(len(line) for line in cell))

    out = [_line(headers, widths), _line(["-" * w for w in widths], widths)]
    for row in wrapped:
        height = max(len(cell) for cell in row)
        for k in range(height):
            out.append(_line([cell[k] if k < len(cell) else "" for cell in row], widths))
    return "\n".join(out)


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return (" " * _GAP).join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def _fitted(
    headers: list[str],
    rows: list[list[str]],
    width: int,
    shrink: Sequence[int],
    drop: Sequence[int],
) -> str:
    natural = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            natural[i] = max(natural[i], len(cell))
    keep = list(range(len(headers)))
    widths = _shrunk(natural, headers, keep, shrink, width)
    for i in drop:  # still too wide with every shrinking column at its floor: drop columns
        if _excess(widths, keep, width) <= 0:
            break
        keep.remove(i)
        widths = _shrunk(natural, headers, keep, shrink, width)
    # last resort on a very narrow terminal: every column gives up characters
    widths = _shrunk(widths, headers, keep, [i for i in keep if i not in shrink], width)
    kept = [headers[i] for i in keep]
    sizes = [widths[i] for i in keep]
    out = [
        _line([cut(h, w) for h, w in zip(kept, sizes, strict=True)], sizes),
        _line(["-" * w for w in sizes], sizes),
    ]
    for row in rows:
        out.append(_line([cut(row[i], widths[i]) for i in keep], sizes))
    return "\n".join(out)


def _excess(widths: Sequence[int], keep: Sequence[int], width: int) -> int:
    return sum(widths[i] for i in keep) + _GAP * (len(keep) - 1) - width


def _shrunk(
    natural: Sequence[int],
    headers: Sequence[str],
    keep: Sequence[int],
    shrink: Sequence[int],
    width: int,
) -> list[int]:
    widths = list(natural)
    excess = _excess(widths, keep, width)
    for i in shrink:
        if excess <= 0:
            break
        if i not in keep:
            continue
        floor = min(widths[i], max(_MIN_SHRUNK, len(headers[i])))
        give = min(excess, widths[i] - floor)
        widths[i] -= give
        excess -= give
    return widths
