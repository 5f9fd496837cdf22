"""The message's wire bytes, assembled directly: headers, multipart/alternative, base64 parts.

Why not ``email.mime``: building one alert with it (``Header`` objects, ``MIMEText`` parts,
``as_bytes()``) cost about a millisecond, and the modern ``email.policy`` refolds RFC 2047
words in quadratic time (half a second for a subject of 150 emoji), so rendering had to run
in a worker thread — a thread hop per send that cost more than the SMTP round trip it fed.
What an alert needs from MIME is small and fixed, so it is written out here in linear time:

* header values that are ASCII, hold no ``=?`` and fit one 78-character line (RFC 5322
  §2.1.1) are written as they are; anything else becomes RFC 2047 ``B`` encoded-words of
  UTF-8 (§2: at most 75 characters each; §5: never a character split across two words), one
  per folded line, so every header line stays within 78 characters for any input;
* address lists fold between addresses; message ids are never folded (they cannot be);
* each body part is UTF-8, base64 (RFC 2045 §6.8: 76-character lines), so no line of any
  body is ever long and no byte outside ASCII is ever on the wire;
* addresses come from the validated config and are written as they are (UTF-8 only for a
  non-ASCII address, RFC 6532, which the server must then accept with SMTPUTF8);
* the multipart boundary is a random token of characters base64 never produces (``-``), so
  it cannot occur inside a part (RFC 2046 §5.1.1).

Line ends are CRLF throughout (RFC 5322 §2.1). ``tests/test_message.py`` parses what this
writes back with the stdlib's strict modern parser, for arbitrary input (hypothesis).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable

#: RFC 5322 §2.1.1: lines SHOULD be at most 78 characters (excluding CRLF).
LINE = 78
_WORD_OPEN, _WORD_CLOSE = "=?utf-8?b?", "?="
#: RFC 2047 §2: an encoded-word is at most 75 characters: 75 - 12 leaves 63, so 60 base64
#: characters = 45 bytes of UTF-8 per word.
_WORD_BYTES = 45
_CRLF = b"\r\n"


def _chunks(data: bytes, first: int, rest: int) -> Iterable[bytes]:
    """*data* cut in pieces of at most *first* then *rest* bytes, never inside a UTF-8
    sequence (a continuation byte, 0b10xxxxxx, never starts a piece)."""
    start, size = 0, first
    while start < len(data):
        end = min(start + size, len(data))
        while end < len(data) and end > start + 1 and data[end] & 0xC0 == 0x80:
            end -= 1
        yield data[start:end]
        start, size = end, rest


def encoded_words(name: str, value: str) -> str:
    """``name: value`` as folded RFC 2047 encoded-words, each line within :data:`LINE`."""
    room = LINE - len(name) - 2 - len(_WORD_OPEN) - len(_WORD_CLOSE)
    first = max(min(room // 4 * 3, _WORD_BYTES), 3)  # a 4-byte character needs 3 + 1 more
    data = value.encode("utf-8", "replace")
    words = [
        _WORD_OPEN + base64.b64encode(chunk).decode("ascii") + _WORD_CLOSE
        for chunk in _chunks(data, first, _WORD_BYTES)
    ]
    return f"{name}: " + "\r\n ".join(words or [_WORD_OPEN + _WORD_CLOSE])


def header(name: str, value: str) -> str:
    """One unstructured header field (``Subject``, ``X-…``), plain when it can be, else
    encoded; *value* must already be one line without control characters."""
    plain = (
        value.isascii()
        and value.isprintable()
        and "=?" not in value
        and value == value.strip()
        and len(name) + 2 + len(value) <= LINE
    )
    return f"{name}: {value}" if plain and value else encoded_words(name, value or "-")


def address_list(name: str, addresses: Iterable[str]) -> str:
    """``To: a, b, …`` folded between addresses (an address itself is never split)."""
    items = list(addresses)
    lines = [f"{name}:"]
    for index, address in enumerate(items):
        piece = address + ("," if index < len(items) - 1 else "")
        if index and len(lines[-1]) + 1 + len(piece) > LINE:
            lines.append(f" {piece}")
        else:
            lines[-1] += f" {piece}"
    return "\r\n".join(lines)


def boundary() -> str:
    """A fresh multipart boundary: ``-`` never occurs in base64, so no part can hold it."""
    return f"dq-{secrets.token_hex(16)}"


def _part(subtype: str, text: str) -> bytes:
    body = base64.encodebytes(text.encode("utf-8", "replace")).replace(b"\n", _CRLF)
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n'
    return head.encode("ascii") + _CRLF + body


def assemble(headers: list[str], text: str, markup: str, mark: str) -> bytes:
    """The whole message: *headers* (each already a complete, folded field), then the
    multipart/alternative body with *text* first and *markup* last (RFC 2046 §5.1.4: the
    last part is the preferred one)."""
    top = [
        *headers,
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative;\r\n boundary="{mark}"',
    ]
    delimiter = f"--{mark}\r\n".encode("ascii")
    return b"".join(
        (
            # ASCII but for a configured non-ASCII address (RFC 6532), which goes as UTF-8
            "\r\n".join(top).encode("utf-8", "replace"),
            _CRLF,
            _CRLF,
            delimiter,
            _part("plain", text),
            delimiter,
            _part("html", markup),
            f"--{mark}--\r\n".encode("ascii"),
        )
    )
