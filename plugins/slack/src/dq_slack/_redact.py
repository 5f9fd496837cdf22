"""Keep the webhook URL out of every string dq-slack produces or causes to be produced.

A Slack webhook URL is a bearer credential: ``https://hooks.slack.com/services/T…/B…/<secret>``.
It leaks in three ways, each closed here:

* our own messages (``Delivery.error``, log lines, exceptions) — they are built from fixed
  text plus :func:`scrub` of anything a server or library said;
* a service echoing the path in an error body — :func:`scrub` again;
* httpx logging ``HTTP Request: POST <full url> …`` at INFO — :data:`REDACTOR`, a filter on the
  HTTP libraries' loggers that rewrites records mentioning a registered URL. A logger's filter
  applies only to records created on that very logger (not its children), hence the list.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import quote, urlsplit

MASK = "***"


def secret_parts(url: str) -> frozenset[str]:
    """The URL and each piece of it that identifies or authorises the hook.

    For ``https://hooks.slack.com/services/T0/B0/XYZ`` that is the URL with and without the
    scheme, the path, the query, and every path segment that looks like a token (long, or
    not a plain word like ``services``): a log line may print any one of them on its own.
    """
    parts = urlsplit(url)
    found = {url, url.split("://", 1)[-1], parts.path, parts.query}
    found |= {seg for seg in parts.path.split("/") if _looks_secret(seg)}
    found |= {v for kv in parts.query.split("&") for v in kv.split("=")[1:] if _looks_secret(v)}
    # httpx logs a non-ASCII path percent-encoded: mask that spelling too
    found |= {quote(p, safe="/:?=&%") for p in found} | {quote(p, safe="") for p in found}
    return frozenset(p for p in found if p and p != "/")


def _looks_secret(segment: str) -> bool:
    return len(segment) >= 16 or (len(segment) >= 6 and not segment.isalpha())


def scrub(text: str, secrets: frozenset[str] | set[str]) -> str:
    """*text* with every secret part replaced by ``***`` (longest first: URL before path)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class _Redactor(logging.Filter):
    """Rewrites log records of the HTTP stack that mention a registered webhook URL."""

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
        """Redact *secrets* from now on; installs the filter on first use."""
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
        except Exception:  # a malformed record is the logging module's problem, not ours
            return True
        redacted = scrub(message, secrets)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


REDACTOR = _Redactor()
