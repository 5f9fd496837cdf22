"""Plain-text tables: aligned columns, no dependencies, nothing clever."""

from __future__ import annotations

from collections.abc import Sequence

from dq.output._escape import visible


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, max_width: int = 60
) -> str:
    """Left-aligned columns; cells longer than *max_width* wrap onto continuation lines.

    Every cell and header is passed through :func:`visible`: a table is for a
    terminal, and text from data must not drive it.
    """
    headers = [visible(str(h)) for h in headers]

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

    wrapped = [[wrap(visible(str(cell))) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in wrapped:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], *(len(line) for line in cell))

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [fmt(headers), fmt(["-" * w for w in widths])]
    for row in wrapped:
        height = max(len(cell) for cell in row)
        for k in range(height):
            out.append(fmt([cell[k] if k < len(cell) else "" for cell in row]))
    return "\n".join(out)
