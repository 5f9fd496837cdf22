r"""Refuse regexes that make Python ``re`` backtrack exponentially.

GX runs regexes with Python ``re``, a backtracking matcher: ``(a+)+$`` on
``"a" * 30 + "b"`` tries 2^30 ways to split the a's before failing, minutes per
value, and ``re`` holds the GIL, so no thread can stop it. dq's own engine
(polars, Rust regex) is linear-time for every pattern. So before GX sees a
pattern, this module walks Python's parse of it and refuses the two shapes that
backtrack exponentially; the rule is then UNSUPPORTED on GX, with the reason:

* a **nested quantifier**: a repeated group (``*``, ``+``, ``{n,}``, ``{n,m}``
  with m > 1) whose body holds another repeat of variable length, as in
  ``(a+)+``, ``(\w*\s?)*``, ``(a?a)+``; unless the body also holds a
  required character the inner repeat can never match (``([a-z]+\.)+``: the
  ``.`` fixes where each repetition ends, so there is one way to split);
* an **ambiguous alternation** under a quantifier: ``(a|ab)+``, ``(\w|\d)*``,
  where two alternatives may start with the same character.

What stays: polynomial blow-ups of adjacent quantifiers (``\w*\w*\w*x``) on very
long values; they are bounded by the value length, not exponential.
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python >= 3.11
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
_CATEGORY_PROBES = {
    _c.CATEGORY_DIGIT: r"\d",
    _c.CATEGORY_NOT_DIGIT: r"\D",
    _c.CATEGORY_SPACE: r"\s",
    _c.CATEGORY_NOT_SPACE: r"\S",
    _c.CATEGORY_WORD: r"\w",
    _c.CATEGORY_NOT_WORD: r"\W",
}


def catastrophic(pattern: str) -> str | None:
    """Why *pattern* (Python syntax) can backtrack exponentially, or None."""
    try:
        tree = _p.parse(pattern)
    except re.error:
        return None  # not compilable: the caller already reports that
    return _walk(list(tree), inside_repeat=False)


def _walk(items: list[tuple[Any, Any]], *, inside_repeat: bool) -> str | None:
    for op, av in items:
        if op in _REPEATS or op == getattr(_c, "POSSESSIVE_REPEAT", None):
            low, high, body = av
            body = list(body)
            repeats = op != getattr(_c, "POSSESSIVE_REPEAT", None) and high != 0 and high > 1
            if repeats:
                inner = _variable_repeats(body)
                if inner and not _delimited(body, inner):
                    return "a nested quantifier (a repeated group holding another repeat)"
            found = _walk(body, inside_repeat=inside_repeat or repeats)
            if found:
                return found
        elif op == _c.SUBPATTERN:
            found = _walk(list(av[-1]), inside_repeat=inside_repeat)
            if found:
                return found
        elif op == _c.BRANCH:
            branches = [list(b) for b in av[1]]
            if inside_repeat and _ambiguous(branches):
                return "an alternation under a quantifier whose alternatives can start alike"
            for branch in branches:
                found = _walk(branch, inside_repeat=inside_repeat)
                if found:
                    return found
        elif op == getattr(_c, "ATOMIC_GROUP", None):
            continue  # atomic groups never backtrack into themselves
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            found = _walk(list(av[1]), inside_repeat=inside_repeat)
            if found:
                return found
    return None


def _variable_repeats(items: list[tuple[Any, Any]]) -> list[list[tuple[Any, Any]]]:
    """Bodies of repeats (at any depth) whose length varies (``?``, ``*``, ``+``, ``{m,n}``)."""
    out: list[list[tuple[Any, Any]]] = []
    for op, av in items:
        if op in _REPEATS:
            low, high, body = av
            if high > low:  # variable length, even `?`: (a?a)+ splits "aaa" many ways
                out.append(list(body))
            out.extend(_variable_repeats(list(body)))
        elif op == _c.SUBPATTERN:
            out.extend(_variable_repeats(list(av[-1])))
        elif op == _c.BRANCH:
            for branch in av[1]:
                out.extend(_variable_repeats(list(branch)))
    return out


def _delimited(body: list[tuple[Any, Any]], inner: list[list[tuple[Any, Any]]]) -> bool:
    """A required literal at the body's top level that no inner repeat can match."""
    while len(body) == 1 and body[0][0] == _c.SUBPATTERN:  # (…)+ : look inside the group
        body = list(body[0][1][-1])
    literals = [chr(av) for op, av in body if op == _c.LITERAL]
    return any(all(not _may_match(rep, ch) for rep in inner) for ch in literals)


def _may_match(items: list[tuple[Any, Any]], char: str) -> bool:
    """Whether the repeated item *items* may match *char* (unknown shapes: yes)."""
    if len(items) != 1:
        return True
    op, av = items[0]
    if op == _c.LITERAL:
        return chr(av) == char
    if op == _c.NOT_LITERAL:
        return chr(av) != char
    if op == _c.IN:
        return _in_class(av, char)
    return True


def _in_class(members: list[tuple[Any, Any]], char: str) -> bool:
    negate = False
    hit = False
    for op, av in members:
        if op == _c.NEGATE:
            negate = True
        elif op == _c.LITERAL:
            hit = hit or chr(av) == char
        elif op == _c.RANGE:
            hit = hit or av[0] <= ord(char) <= av[1]
        elif op == _c.CATEGORY and av in _CATEGORY_PROBES:
            hit = hit or re.fullmatch(_CATEGORY_PROBES[av], char) is not None
        else:
            return True
    return hit != negate


def _ambiguous(branches: list[list[tuple[Any, Any]]]) -> bool:
    """Whether two alternatives may begin with the same character."""
    firsts: list[str | None] = []
    for branch in branches:
        if branch and branch[0][0] == _c.LITERAL:
            firsts.append(chr(branch[0][1]))
        else:
            firsts.append(None)  # a class, a group, an empty branch: assume overlap
    if None in firsts:
        return len(firsts) > 1
    return len(set(firsts)) < len(firsts)
