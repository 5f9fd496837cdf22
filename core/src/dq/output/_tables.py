"""Plain-text tables: aligned columns, no dependencies, nothing clever."""

from __future__ import annotations

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
    import shutil  # only a terminal table asks; the other formats do not pay for it

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
    plan: Sequence[tuple[int, int | None]] = (),
    grow: int | None = None,
) -> str:
    """Left-aligned columns, every cell passed through :func:`visible`.

    Without *width*, cells longer than *max_width* wrap onto continuation lines at
    spaces. With *width* (a terminal's), nothing wraps: the steps of *plan* are taken in
    order until the table fits — ``(column, n)`` cuts a column to *n* characters, each
    cut cell ending in "…"; ``(column, None)`` drops it — and at last every column is
    cut. Room a dropped column leaves goes back to column *grow*.
    """
    headers = [visible(str(h)) for h in headers]
    cells = [[visible(str(cell)) for cell in row] for row in rows]
    if width is not None:
        return _fitted(headers, cells, width, plan, grow)

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
    plan: Sequence[tuple[int, int | None]],
    grow: int | None,
) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    natural = list(widths)
    keep = list(range(len(headers)))
    for column, floor in plan:
        if _excess(widths, keep, width) <= 0:
            break
        if column not in keep:
            continue
        if floor is None:
            keep.remove(column)
        else:
            widths[column] = min(widths[column], max(floor, _MIN_SHRUNK))
    # last resort on a very narrow terminal: every column down to a few characters
    for column in reversed(keep):
        excess = _excess(widths, keep, width)
        if excess <= 0:
            break
        widths[column] -= min(excess, max(widths[column] - _MIN_SHRUNK, 0))
    spare = -_excess(widths, keep, width)
    if grow is not None and grow in keep and spare > 0:  # room left by a dropped column
        widths[grow] = min(natural[grow], widths[grow] + spare)
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
