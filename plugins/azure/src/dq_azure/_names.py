"""dq secret paths <-> Key Vault secret names: a collision-free, reversible mapping.

Key Vault names match ``^[0-9a-zA-Z-]{1,127}$`` and are **case-insensitive** (``Db`` and
``db`` are one secret). dq paths are case-sensitive segments of letters, digits and
``_ . @ + = -`` joined by ``/``. Rewriting the forbidden characters to ``-`` (what some
tools do) makes ``a/b``, ``a-b``, ``a_b`` and ``a.b`` one secret, and Key Vault's case folding
makes ``Db`` and ``db`` one secret: a write to one silently replaces the other.

The rule (docs/decisions/0040-azure-key-vault.md). Lower-case letters and digits stand for
themselves; every other character becomes ``-`` followed by exactly one code character:

=========  ======  ==========================================
character  name    why this code
=========  ======  ==========================================
``/``      ``--``  the folder separator, the most common one
``-``      ``-0``  ``-`` is the escape itself, so it is escaped
``_``      ``-1``
``.``      ``-2``
``@``      ``-3``
``+``      ``-4``
``=``      ``-5``
``A``-``Z``  ``-a``-``-z``  case kept although Key Vault folds it
=========  ======  ==========================================

So ``app/db-password`` is ``app--db-0password`` and ``Team/DB_url`` is ``-team---d-b-1url``.
Every escape is two characters starting with ``-`` and the output is all lower case, so the
name reads back (left to right) to exactly one path, and no two paths give names that differ
only in case: :func:`decode` (``encode(p)``) is ``p`` for every valid path, which a hypothesis
property proves. A name that is not the encoding of a valid path (one written by another
tool with a stray ``-``) decodes to ``None`` and is left out of :func:`list`; names written by
other tools that use only letters and digits decode to themselves, lower-cased.
"""

from __future__ import annotations

import dq

#: Key Vault's limit on a secret name.
MAX_NAME = 127

_ESCAPES = {"/": "-", "-": "0", "_": "1", ".": "2", "@": "3", "+": "4", "=": "5"}
_UNESCAPES = {code: char for char, code in _ESCAPES.items()}
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def encode(path: str) -> str:
    """The Key Vault name of a *validated* dq path (raises for an unnameable one).

    The caller validates with :func:`dq.validate_secret_path` first; this adds the one check
    Key Vault needs beyond it, the 127-character limit, and raises
    :class:`dq.InvalidSecretPath` (before any I/O) naming the encoded length.
    """
    out: list[str] = []
    for char in path:
        if char in _PLAIN:
            out.append(char)
        elif "A" <= char <= "Z":
            out.append("-" + char.lower())
        elif char in _ESCAPES:
            out.append("-" + _ESCAPES[char])
        else:  # validate_secret_path admits nothing else; refuse rather than guess
            raise dq.InvalidSecretPath(
                f"secret path {path!r} has a character Key Vault names cannot carry"
            )
    name = "".join(out)
    if len(name) > MAX_NAME:
        raise dq.InvalidSecretPath(
            f"secret path {path!r} becomes a Key Vault name of {len(name)} characters "
            f"(at most {MAX_NAME}; '/', '-', '_', '.', capitals and '@+=' take two each): "
            "use a shorter path"
        )
    return name


def decode(name: str) -> str | None:
    """The dq path a Key Vault name stands for, or ``None`` if it encodes no valid path."""
    text = name.lower()
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in _PLAIN:
            out.append(char)
            i += 1
            continue
        if char != "-" or i + 1 >= len(text):
            return None
        code = text[i + 1]
        if code in _UNESCAPES:
            out.append(_UNESCAPES[code])
        elif "a" <= code <= "z":
            out.append(code.upper())
        else:
            return None
        i += 2
    path = "".join(out)
    try:
        dq.validate_secret_path(path)
    except dq.InvalidSecretPath:
        return None
    return path


def encode_prefix(folder: str) -> str:
    """The name prefix every secret under a validated *folder* starts with (``""``: all)."""
    return encode(folder + "/") if folder else ""
