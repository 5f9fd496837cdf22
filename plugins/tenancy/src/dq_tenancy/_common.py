"""What every resolver shares: bounded quoting, refusals, tenant parsing, allow-lists.

Every refusal is a :class:`dq.TenantRejected` with a short code a client can branch on and
a message a human can act on. Messages quote at most a short, escaped excerpt of what was
sent -- a rejection reaches logs and responses, and echoing a 1 MB header there is log
injection and a memory sink. Tokens are never quoted at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

import dq

#: How much of an offending value a message may quote.
EXCERPT_CHARS = 32

BAD_REQUEST = 400
UNAUTHORIZED = 401
FORBIDDEN = 403


def excerpt(value: str, limit: int = EXCERPT_CHARS) -> str:
    """``repr`` of the start of *value*, bounded after escaping (one char can escape to ten)."""
    shown = repr(value[:limit])
    budget = 2 * limit + 2
    if len(value) <= limit and len(shown) <= budget:
        return shown
    return f"{shown[:budget]}... ({len(value)} characters)"


def reject(
    message: str,
    *,
    status: int = BAD_REQUEST,
    code: str = "tenant_invalid",
    challenge: str | None = None,
) -> NoReturn:
    """Raise the refusal; a function so call sites read as one line."""
    raise dq.TenantRejected(message, status=status, code=code, challenge=challenge)


def header_values(facts: dq.RequestFacts, name: str) -> list[str]:
    """Every value of header *name* (ASCII-case-insensitive; a non-ASCII name never matches)."""
    key = name.lower()
    return [
        value
        for header, value in facts.headers
        if isinstance(header, str) and header.isascii() and header.lower() == key
    ]


def parse_tenant(value: object, source: str, *, status: int = BAD_REQUEST) -> dq.TenantId:
    """The tenant id *value* spells exactly, or a refusal naming *source*; never repaired.

    ``ACME`` is not folded to ``acme`` and `` acme`` is not stripped: repairing lets two
    spellings name one tenant and hides a misbehaving client.
    """
    if not isinstance(value, str):
        reject(f"{source} is not text", status=status)
    if "," in value:
        reject(
            f"{source} holds several values ({excerpt(value)}); send exactly one",
            status=status,
            code="tenant_ambiguous",
        )
    try:
        return dq.TenantId(value)
    except ValueError:
        reject(
            f"{source} {excerpt(value)} is not a tenant id: use 1-63 lowercase letters, "
            "digits and inner '-'",
            status=status,
        )


def check_allowed(tenant: dq.TenantId, allowed: Iterable[dq.TenantId] | None) -> dq.TenantId:
    """*tenant* if the allow-list admits it (or there is none), else 403 ``tenant_not_allowed``."""
    if allowed is not None and tenant not in allowed:
        reject(
            f"tenant {tenant.value!r} is not served here",
            status=FORBIDDEN,
            code="tenant_not_allowed",
        )
    return tenant
