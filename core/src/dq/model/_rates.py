"""Rates as people read them: a share of rows that is honest at both ends.

In ``model`` (it needs nothing) because engines' standard messages (``dq.judge``) and
every report word rates the same way: never ``0.00%`` for a non-zero count.
"""

from __future__ import annotations


def percent(part: int, whole: int) -> str:
    """``part / whole`` as a percentage that is honest at both ends.

    ``0%`` and ``100%`` only when exactly none or all; below 1% two significant digits
    (``0.0012%``), ``<0.0001%`` for anything smaller; otherwise one decimal, more when
    rounding would reach 100% (``99.99%``), ``>99.9999%`` at the extreme.
    """
    if whole <= 0:
        return "-"
    if part <= 0:
        return "0%"
    if part >= whole:
        return "100%"
    pct = 100.0 * part / whole
    if pct < 0.0001:
        return "<0.0001%"
    if pct < 1.0:
        text = f"{pct:.2g}"
        if "e" in text:  # .2g switches to exponent form below 1e-4; we stopped above it
            text = f"{pct:.4f}"
        return text + "%"
    for digits in range(1, 5):
        text = f"{pct:.{digits}f}"
        if float(text) < 100.0:
            return text + "%"
    return ">99.9999%"
