"""The shape of a text column, as a regex, inferred from a sample of its values.

Codes and identifiers have a shape a person would write as a regex: ``AB-1234`` is
``[A-Z]{2}-[0-9]{4}``. A value is cut into runs of one character class (upper-case
ASCII, lower-case ASCII, digits) or of one literal character; values whose runs have
the same classes in the same order share a *signature*. When one signature covers
nearly all the sample, its pattern is the candidate: a run whose length is the same
in nearly all of it is written ``{n}``, any other ``+``. E-mail addresses vary too
much for that (dots, plus signs, international names) and get a pattern of their own.

The sample only proposes; learn then counts, over all the data in its fused query,
the values the candidate does not match, and the pattern becomes a rule only when
there are none (else the mismatches are listed as suspected defects).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

#: A pragmatic e-mail shape (one @, a dot in the domain, no spaces), as data tests use.
EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"
_EMAIL = re.compile(EMAIL)
#: Share of the sample the dominant shape must cover to be proposed at all.
DOMINANT = 0.99
#: Longest value considered shaped: past this, text is prose, not a code.
MAX_SHAPED_LENGTH = 64

_CLASSES = (("[A-Z]", str.isupper), ("[a-z]", str.islower), ("[0-9]", str.isdigit))
#: What Rust's regex syntax needs escaped (it refuses escapes of other characters).
_META = set("\\.+*?()|[]{}^$#&-~")


def _escape(char: str) -> str:
    return "\\" + char if char in _META else char


def _class_of(char: str) -> str:
    if char.isascii():
        for name, test in _CLASSES:
            if test(char):
                return name
    return _escape(char)


def runs(value: str) -> list[tuple[str, int]]:
    """``"AB-12"`` → ``[("[A-Z]", 2), ("-", 1), ("[0-9]", 2)]``."""
    out: list[tuple[str, int]] = []
    for char in value:
        cls = _class_of(char)
        if out and out[-1][0] == cls:
            out[-1] = (cls, out[-1][1] + 1)
        else:
            out.append((cls, 1))
    return out


def _is_class(token: str) -> bool:
    return token in ("[A-Z]", "[a-z]", "[0-9]")


def infer(values: Iterable[str]) -> str | None:
    """A regex (without anchors: dq's ``regex`` matches whole values) that nearly all
    *values* fully match, or None when the sample shows no clear shape."""
    sample = [v for v in values if v is not None]
    if not sample:
        return None
    if sum(bool(_EMAIL.fullmatch(v)) for v in sample) >= DOMINANT * len(sample):
        return EMAIL
    if max(len(v) for v in sample) > MAX_SHAPED_LENGTH:
        return None
    by_signature: dict[tuple[str, ...], list[list[int]]] = {}
    for value in sample:
        parts = runs(value)
        if not parts:
            continue
        signature = tuple(cls for cls, _ in parts)
        by_signature.setdefault(signature, []).append([n for _, n in parts])
    if not by_signature:
        return None
    signature, lengths = max(by_signature.items(), key=lambda item: len(item[1]))
    if len(lengths) < DOMINANT * len(sample):
        return None
    # A shape is clear when it has structure beyond one kind of letters: a digit run or a
    # separator. Plain words ("paid", "Berlin") are better served by in_set or nothing.
    if all(cls in ("[A-Z]", "[a-z]") for cls in signature):
        return None
    pattern = []
    for position, token in enumerate(signature):
        seen = Counter(n[position] for n in lengths)
        n, times = seen.most_common(1)[0]
        if times >= DOMINANT * len(lengths):  # a rare other length is a defect, not a shape
            if _is_class(token):
                pattern.append(token if n == 1 else f"{token}{{{n}}}")
            else:
                pattern.append(token * n)
        else:
            pattern.append(f"{token}+")
    return "".join(pattern)
