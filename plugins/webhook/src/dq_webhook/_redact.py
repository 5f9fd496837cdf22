"""Keep the endpoint URL and the signing secret out of every string dq-webhook produces.

A webhook URL often *is* a credential (``https://hooks.example.com/in/<token>``), and the
signing secret is one by definition. They leak in three ways, each closed here:

* our own messages (``Delivery.error``, log lines) — fixed text plus :func:`scrub` of
  anything a server or library said;
* a receiver echoing the path in an error body — :func:`scrub` again;
* httpx logging ``HTTP Request: POST <full url> …`` at INFO — :data:`REDACTOR`, a filter on
  the HTTP libraries' loggers that rewrites records mentioning a registered secret.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

MASK = "***"


def url_parts(url: str) -> frozenset[str]:
    """The URL and each piece of it that may identify or authorise the endpoint: the URL with
    and without scheme, the path, the query, and every path segment or query value that
    looks like a token (long, or not a plain word like ``hooks``)."""
    parts = urlsplit(url)
    found = {url, url.split("://", 1)[-1], parts.path, parts.query}
    found |= {seg for seg in parts.path.split("/") if _looks_secret(seg)}
    found |= {v for kv in parts.query.split("&") for v in kv.split("=")[1:] if _looks_secret(v)}
    if parts.password:
        found.add(parts.password)
    return frozenset(p for p in found if p and p != "/")


def _looks_secret(segment: str) -> bool:
    return len(segment) >= 16 or (len(segment) >= 6 and not segment.isalpha())


def scrub(text: str, secrets: frozenset[str]) -> str:
    """*text* with every secret replaced by ``***`` (longest first: URL before path)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, MASK)
    return text


class _Redactor(logging.Filter):
    """Rewrites log records of the HTTP stack that mention a registered secret (a logger's
    filter applies only to records created on that very logger, hence the list)."""

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
            self._secrets = self._secrets | {s for s in secrets if s}
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
        except Exception:  # a malformed record is the logging module's problem, not ours
            return True
        redacted = scrub(message, secrets)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


REDACTOR = _Redactor()
