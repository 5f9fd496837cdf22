"""Text from data, rules and plugins made safe for the place it is written to.

Column names, values, rule ids and engine messages come from files dq does not
control. Written raw they can move the cursor, recolour or clear a terminal
(ANSI escapes), fake report lines (carriage returns), hide text (bidirectional
overrides, as in "Trojan Source") or make a JUnit file invalid XML, which a CI
server then drops with every result in it. So:

* :func:`visible` for terminals, tables and Markdown: every control character
  (C0, DEL, C1), line and paragraph separators and bidi controls become a visible
  escape (``\\x1b``, ``\\n``, ``\\u202e``); everything else is kept as written;
* :func:`xml_safe` for JUnit: characters XML 1.0 forbids (most C0 controls, lone
  surrogates, U+FFFE/U+FFFF) become the same visible escapes, so any input yields
  a document every XML 1.0 parser reads.
"""

from __future__ import annotations

import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: C0, DEL, C1, line/paragraph separators, bidi embeddings/overrides/isolates, BOM.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\ufeff]"
)
#: What XML 1.0 does not allow: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | ...
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """*text* with every control or invisible formatting character shown as an escape."""
    return _INVISIBLE.sub(_escape, text)


def xml_safe(text: str) -> str:
    """*text* without the characters XML 1.0 forbids (shown as escapes instead)."""
    return _NOT_XML.sub(_escape, text)
