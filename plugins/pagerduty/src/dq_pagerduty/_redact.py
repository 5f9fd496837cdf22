"""Keep the routing key out of every string dq-pagerduty produces or causes to be produced.

The routing key (integration key) travels in the request *body*, so httpx's request log
line (method and URL) does not carry it; but a service or proxy may echo it in an error
body, and an ``--set url=`` override could embed credentials. So every text that leaves
this package — ``Delivery.error``, log lines — is built from fixed words plus
:func:`scrub` of whatever a server said, and :data:`REDACTOR` rewrites the HTTP libraries'
own log records that mention a registered secret.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

MASK = "***"


def url_parts(url: str) -> frozenset[str]:
    """The pieces of an ``url`` override that may carry a credential (a proxy's token in the
    path or query, a password): the URL with and without scheme, path, query, and every
    segment or query value that looks like a token (long, or not a plain word)."""
    parts = urlsplit(url)
    found = {url, url.split("://", 1)[-1], parts.path, parts.query}
    found |= {seg for seg in parts.path.split("/") if _looks_secret(seg)}
    found |= {v for kv in parts.query.split("&") for v in kv.split("=")[1:] if _looks_secret(v)}
    if parts.password:
        found.add(parts.password)
    return frozenset(p for p in found if p and p not in ("/", "/v2/enqueue"))


def _looks_secret(segment: str) -> bool:
    return len(segment) >= 16 or (len(segment) >= 6 and not segment.isalpha())


def scrub(text: str, secrets: frozenset[str]) -> str:
    """*text* with every secret replaced by ``***`` (longest first)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, MASK)
    return text


class _Redactor(logging.Filter):
    """Rewrites log records of the HTTP stack that mention a registered secret.

    A logger's filter applies only to records created on that very logger (not on its
    children), hence the explicit list.
    """

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
