r"""dq's regex (full match, Rust dialect) as a Python ``re`` pattern for GX.

GX's ``expect_column_values_to_match_regex`` runs pandas ``str.contains``: a
Python ``re`` *search*. dq wants a *full* match in the Rust regex dialect polars
uses. So, per pattern:

1. Rust decides validity (via polars, which compiles it with the regex crate): a
   pattern Rust rejects (look-around, back-references ...) is an invalid dq rule,
   an ERROR, even though Python could run it.
2. The pattern is anchored as ``\A(?:pattern)\Z``: ``\A``/``\Z`` (not ``^``/``$``)
   so neither an inline ``(?m)`` nor a trailing newline (``$`` matches before one
   in Python) can loosen the full match. A leading inline-flag group (``(?i)``,
   ``(?x)`` ...) is hoisted in front of the anchors, since Python 3.11 refuses
   global flags anywhere but at the start.
3. Python must compile the result; a Rust-valid pattern it cannot compile
   (``\p{L}``, ``\z``, ``(?<name>…)``, mid-pattern flags) cannot be evaluated by
   GX: the rule is UNSUPPORTED, never guessed.
4. Constructs both dialects accept but define differently make the result
   *approximate*, with the reason in the message: ``\w \W \b \B`` (Rust: Unicode
   Alphabetic + marks + connector punctuation; Python: ``str.isalnum()`` and
   ``_``, so combining marks differ), ``\s \S`` (Python also counts U+001C–U+001F),
   nested classes and set operations (``[[:alpha:]]``, ``&&``, ``--``, ``~~``:
   character classes in Rust, literal characters in Python; Python warns, which
   is how they are detected), verbose mode ``(?x)`` (Rust also ignores whitespace
   inside classes) and a ``$`` that is not at the end of the pattern or of an
   alternative (Python's ``$`` also matches before a final newline), ``\d \D``
   (Python 3.11's Unicode tables lack ~100 digits Rust knows) and case-insensitive
   matching ``(?i)`` (U+0130/U+0131 fold differently). Compared over every code
   point, ``.``, ``(?s)``, literals and explicit ranges agree.
5. A pattern Python ``re`` would backtrack on exponentially (``(a+)+``, ``(a|ab)+``;
   ``_backtrack``) is UNSUPPORTED: ``re`` cannot be interrupted, so refusing is the
   only bound that holds.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass

import polars as pl

from dq_great_expectations._backtrack import catastrophic

_POSITION = re.compile(r" at position \d+")
_LEADING_FLAGS = re.compile(r"\(\?([a-zA-Z]+)\)")
#: Flags Rust and Python both spell and mean the same way (``u``: Unicode, the default).
_HOISTABLE = frozenset("imsxu")
_WORD = "Rust and Python classify some Unicode characters differently"
_DIGIT = "Python's Unicode tables lack some decimal digits newer Rust regex knows"
_SPACE = "Python also counts U+001C-U+001F as whitespace"
_DIFFERING_ESCAPES = {
    "w": (r"\w", _WORD),
    "W": (r"\W", _WORD),
    "b": (r"\b", _WORD),
    "B": (r"\B", _WORD),
    "s": (r"\s", _SPACE),
    "S": (r"\S", _SPACE),
    "d": (r"\d", _DIGIT),
    "D": (r"\D", _DIGIT),
}
#: An inline flag group, global or scoped, that mentions ``i``.
_CASE_FLAG = re.compile(r"\(\?[a-zA-Z-]*i[a-zA-Z-]*[:)]")


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the adapter does with one dq pattern."""

    #: The Python pattern GX runs, or None when the rule cannot run on GX.
    python: str | None = None
    #: The rule is invalid for dq (Rust rejects it): the ERROR message.
    error: str | None = None
    #: Valid for dq, but GX's Python ``re`` cannot run it: the UNSUPPORTED message.
    unsupported: str | None = None
    #: Why GX's verdict may differ from Rust's on some values (empty: exact).
    approximate: tuple[str, ...] = ()


def rust_error(pattern: str) -> str | None:
    """Polars' (Rust regex) verdict on *pattern*: None when it compiles."""
    try:
        pl.select(pl.lit("", dtype=pl.String).str.contains(pattern))
    except pl.exceptions.PolarsError as exc:
        text = str(exc)
        for line in text.splitlines():  # the regex crate's own "error: ..." line
            if line.strip().startswith("error:"):
                return line.strip().removeprefix("error:").strip()
        return " ".join(text.split("This error occurred")[0].split()) or text
    return None


def anchor(pattern: str) -> str:
    r"""``\A(?:pattern)\Z``, with a leading global flag group hoisted in front."""
    prefix, body = "", pattern
    match = _LEADING_FLAGS.match(pattern)
    if match and set(match.group(1)) <= _HOISTABLE:
        prefix, body = match.group(0), pattern[match.end() :]
    # In verbose mode a trailing `# comment` would swallow the closing `)`.
    closing = "\n)" if "x" in prefix else ")"
    return rf"{prefix}\A(?:{body}{closing}\Z"


def differences(pattern: str) -> list[str]:
    """Constructs in *pattern* that Rust and Python regex define differently."""
    reasons: list[str] = []
    match = _LEADING_FLAGS.match(pattern)
    if match and "x" in match.group(1):
        reasons.append("verbose mode (?x): Rust also ignores whitespace inside [...]")
    if _CASE_FLAG.search(pattern):
        reasons.append("(?i): Rust and Python case-fold a few characters differently (İ, ı)")
    in_class = False
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            escape = _DIFFERING_ESCAPES.get(pattern[i + 1])
            if escape:
                reasons.append(f"{escape[0]}: {escape[1]}")
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            # a `]` right after `[` or `[^` is a literal
            if pattern.startswith("^", i + 1):
                i += 1
            if pattern.startswith("]", i + 1):
                i += 1
        elif c == "]" and in_class:
            in_class = False
        elif c == "$" and not in_class and i + 1 < n and pattern[i + 1] not in ")|":
            reasons.append("$ before more pattern: Python's $ also matches before a final \\n")
        i += 1
    return list(dict.fromkeys(reasons))


def _no_position(message: str) -> str:
    """Drop Python's "at position N": it counts in the anchored pattern, not the user's."""
    return _POSITION.sub("", message)


def _compile_uncached(pattern: str) -> None:
    """Compile past ``re``'s cache, so its FutureWarnings are raised every time."""
    compiler = getattr(re, "_compiler", None)  # Python >= 3.11
    if compiler is not None and hasattr(compiler, "compile"):
        compiler.compile(pattern, 0)
    else:  # pragma: no cover - other interpreters
        re.compile(pattern)


@functools.lru_cache(maxsize=256)
def prepare(pattern: str) -> Prepared:
    """Validate *pattern* as dq does, translate it for GX, and say how exact that is."""
    problem = rust_error(pattern)
    if problem is not None:
        return Prepared(error=f"invalid regex {pattern!r}: {problem}")
    python = anchor(pattern)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            _compile_uncached(python)
        except re.error as exc:
            return Prepared(
                unsupported=(
                    f"pattern {pattern!r} is valid Rust regex but Python re (which GX uses) "
                    f"cannot compile it: {_no_position(str(exc))}"
                )
            )
    backtracking = catastrophic(python)
    if backtracking is not None:
        return Prepared(
            unsupported=(
                f"pattern {pattern!r} has {backtracking}: Python re (which GX uses) can take "
                "minutes per value on it; dq-polars runs it in linear time"
            )
        )
    reasons = differences(pattern)
    for warning in caught:
        if issubclass(warning.category, FutureWarning):
            reasons.append(
                f"{_no_position(str(warning.message))}: a nested class or class set "
                "operation in Rust, literal characters in Python"
            )
    return Prepared(python=python, approximate=tuple(dict.fromkeys(reasons)))
