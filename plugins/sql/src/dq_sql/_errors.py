"""The two ways a source can fail, each naming the source with its credentials masked.

``SqlSourceError`` (exit 3, runtime): the database could not be reached or refused the
credentials — retrying later, or fixing the secret, is what helps. ``SqlSourceNotFound``
(exit 2, usage): the table or query does not exist in a database that answered — the
suite or ``[sources]`` entry is wrong.
"""

from __future__ import annotations

import re

import dq

#: ``scheme://user:password@host`` -> ``scheme://user:***@host``; also ``password=...`` DSN parts.
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?=@)", re.I)
_DSN_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<pw>'[^']*'|\S+)", re.I)


def mask(text: str, *secrets: str) -> str:
    """*text* with every credential removed: known secret strings and any URL/DSN password."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + "***", text)
    return _DSN_PASSWORD.sub(lambda m: m.group("head") + "***", text)


class SqlSourceError(dq.DqError):
    """The database could not be reached, or refused the connection or query (exit 3)."""


class SqlSourceNotFound(dq.UsageError):
    """The named table or query does not exist where the database says it should (exit 2)."""
