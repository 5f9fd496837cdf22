"""Keep the webhook URL out of every string dq-discord produces or causes to be produced.

A Discord webhook URL is a bearer credential: ``/api/webhooks/{id}/{token}``; the token
lets anyone holding the URL post to the channel. It leaks in three ways:

* our own messages (``Delivery.error``, log lines, exceptions) — built from fixed text plus
  :func:`scrub` of anything a server or library said;
* a service echoing the URL in an error body — :func:`scrub` again;
* httpx logging ``HTTP Request: POST <full url> …`` at INFO — :data:`REDACTOR`, a filter on
  the HTTP libraries' loggers (a logger's filter applies only to records created on that
  very logger, not its children, hence the list).
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import unquote, urlsplit

MASK = "***"


def secret_parts(url: str) -> frozenset[str]:
    """The URL and each piece that identifies or authorises the workflow: path, query, the
    ``sig`` value (raw and percent-decoded) and every token-like path segment."""
    parts = urlsplit(url)
    found = {url, url.split("://", 1)[-1], parts.path, parts.query}
    found |= {seg for seg in parts.path.split("/") if _looks_secret(seg)}
    for pair in parts.query.split("&"):
        _name, _, value = pair.partition("=")
        if _looks_secret(value):
            found |= {value, unquote(value)}
    return frozenset(p for p in found if p and p != "/")


def _looks_secret(segment: str) -> bool:
    return len(segment) >= 16 or (len(segment) >= 6 and not segment.isalpha())


def scrub(text: str, secrets: frozenset[str]) -> str:
    """*text* with every secret part replaced by ``***`` (longest first)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class _Redactor(logging.Filter):
    LOGGERS = (
        "httpx",
        "httpcore",
        "httpcore.connection",
        "httpcore.http11",
        "httpcore.http2",
        "httpcore.proxy",
    )

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: frozenset[str] = frozenset()
        self._installed = False

    def register(self, secrets: frozenset[str]) -> None:
        with self._lock:
            self._secrets = self._secrets | secrets
            if not self._installed:
                for name in self.LOGGERS:
                    logging.getLogger(name).addFilter(self)
                self._installed = True

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self._secrets
        if not secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:
            return True
        redacted = scrub(message, secrets)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


REDACTOR = _Redactor()
