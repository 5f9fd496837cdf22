"""Keep the API key out of every string dq-opsgenie produces or causes to be produced.

The API key travels in the ``Authorization: GenieKey`` header, so httpx's request log
line (method and URL) does not carry it; but a service or proxy may echo it in an error
body, and an ``--set url=`` override could embed credentials. So every text that leaves
this package — ``Delivery.error``, log lines — is built from fixed words plus
:func:`scrub` of whatever a server said, and :data:`REDACTOR` rewrites the HTTP libraries'
own log records that mention a registered secret.
"""

from __future__ import annotations

import logging
import threading

MASK = "***"


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
