"""dq's regex dialect (Rust's, as polars uses it) mapped onto RE2 (DuckDB) and PostgreSQL AREs.

dq's rule: the value **fully** matches the pattern, ``\\w``/``\\d``/``\\s`` are Unicode-aware,
no look-around or back-references. What maps exactly:

* RE2 (DuckDB ``regexp_full_match``) shares Rust's syntax, but its ``\\w``, ``\\d``, ``\\s`` and
  ``\\b`` are ASCII-only. ``\\w``/``\\d``/``\\s`` (and ``\\W``/``\\D``/``\\S`` outside brackets) are
  rewritten to the Unicode classes Rust means; ``\\b``/``\\B`` cannot be, so such a pattern is
  reported approximate.
* PostgreSQL AREs take ``^(?:...)$``; ``.`` and ``[^...]`` match a newline there but not in
  Rust's ``.`` (a negated class does match it in both), class shorthands follow the
  database's locale, and embedded flags differ: patterns using ``.``, ``\\w``-style shorthands,
  ``\\b`` or ``(?`` flags are reported approximate, with the reason.
"""

from __future__ import annotations

#: Rust's Unicode \w, \d, \s as RE2 class bodies (RE2 has \p{...} but no \p{Alphabetic}).
_WORD = r"\p{L}\p{Nl}\p{M}\p{Nd}\p{Pc}"
_DIGIT = r"\p{Nd}"
_SPACE = (
    r"\t\n\x{0B}\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"
)
_BODIES = {"w": _WORD, "d": _DIGIT, "s": _SPACE}


def for_re2(pattern: str) -> tuple[str, str | None]:
    """The RE2 pattern meaning what *pattern* means in Rust, and why if only approximately."""
    out: list[str] = []
    in_class = False
    reason: str | None = None
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt.lower() in _BODIES:
                body = _BODIES[nxt.lower()]
                if nxt.islower():
                    out.append(body if in_class else f"[{body}]")
                elif not in_class:
                    out.append(f"[^{body}]")
                else:
                    out.append(pattern[i : i + 2])
                    reason = f"\\{nxt} inside brackets is ASCII-only in DuckDB (RE2)"
            else:
                if nxt in "bB":
                    reason = f"\\{nxt} is an ASCII word boundary in DuckDB (RE2), Unicode in dq"
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            # a ']' right after '[' or '[^' is a literal member
            j = i + 1
            if j < len(pattern) and pattern[j] == "^":
                out.append("^")
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                out.append("]")
                j += 1
            i = j
            continue
        if ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out), reason


def for_postgres(pattern: str) -> tuple[str, str | None]:
    """``^(?:pattern)$`` for a PostgreSQL ARE, and the reason when it may differ from dq's."""
    reasons = []
    if "(?" in pattern.replace("(?:", ""):
        reasons.append("embedded flags and look-around differ in PostgreSQL")
    if any(f"\\{c}" in pattern for c in "wWdDsSbB"):
        reasons.append("class shorthands and \\b follow the database locale in PostgreSQL")
    if _has_unescaped_dot(pattern):
        reasons.append("'.' matches a newline in PostgreSQL but not in dq")
    reason = "; ".join(reasons) or None
    return f"^(?:{pattern})$", reason


def _has_unescaped_dot(pattern: str) -> bool:
    in_class, i = False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "." and not in_class:
            return True
        i += 1
    return False
