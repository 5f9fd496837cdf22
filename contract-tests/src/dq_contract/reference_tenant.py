"""HeaderTenantResolver: the reference tenant resolver, reading one request header.

It exists to prove :class:`dq_contract.tenant.TenantResolverContract` can be passed, to be
the base the deliberately broken resolvers in the tests subclass, and to be a readable
starting point for a resolver author. Every decision below is a refusal rather than a repair,
because a resolver that repairs input lets two spellings name one tenant:

* no tenant header: ``None``. Whether a tenant is required is the caller's decision (the
  ASGI middleware fails closed); a resolver that invents a default tenant would bind every
  anonymous request to somebody's data.
* the header twice, or one value holding a comma (how proxies join repeats): refused with 400
  ``ambiguous_tenant``. Taking the first or the last lets whoever controls one hop pick the
  tenant, which is the classic request-smuggling split between a proxy and an app.
* a value that is not exactly a tenant id (``ACME``, `` acme``, ``acme\\n``, ``../acme``):
  refused with 400 ``invalid_tenant``, never lower-cased or stripped, since folding ``ACME``
  into ``acme`` makes two distinct inputs alias one tenant and hides a misbehaving client.
* the header *name* is matched ASCII-case-insensitively (HTTP field names are ASCII tokens
  and case-insensitive); a non-ASCII name is never the tenant header, even if Unicode case
  mapping would turn it into one.
"""

from __future__ import annotations

import re

import dq

#: An HTTP field name (RFC 9110 ``token``); anything else cannot be configured as the header.
_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: How much of an offending value a rejection may quote: enough to debug, never a payload.
EXCERPT_CHARS = 32


def excerpt(value: str, limit: int = EXCERPT_CHARS) -> str:
    """``repr`` of the start of *value*, so control characters show escaped, bounded in length.

    Bounded after escaping: one character can escape to ten (``\\U000e0001``), and it is the
    message that must stay short.
    """
    shown = repr(value[:limit])
    budget = 2 * limit + 2
    if len(value) <= limit and len(shown) <= budget:
        return shown
    return f"{shown[:budget]}... ({len(value)} characters)"


class HeaderTenantResolver:
    """Resolve the tenant from exactly one value of one header (``X-Tenant-ID`` by default)."""

    def __init__(self, header: str = "X-Tenant-ID") -> None:
        if not isinstance(header, str) or _TOKEN_RE.fullmatch(header) is None:
            raise dq.UsageError(f"tenant header {header!r} is not a valid HTTP header name")
        self.header = header
        self._key = header.lower()

    def values(self, facts: dq.RequestFacts) -> list[str]:
        """Every value of the tenant header, in order, repeats kept."""
        return [
            value
            for name, value in facts.headers
            if isinstance(name, str) and name.isascii() and name.lower() == self._key
        ]

    def resolve(self, facts: dq.RequestFacts) -> dq.TenantId | None:
        values = self.values(facts)
        if not values:
            return None
        if len(values) > 1:
            raise dq.TenantRejected(
                f"{self.header} sent {len(values)} times; send it exactly once",
                status=400,
                code="ambiguous_tenant",
            )
        return self.parse(values[0])

    def parse(self, value: object) -> dq.TenantId:
        """The tenant id *value* spells exactly, or a 400 rejection; never a repaired id."""
        if not isinstance(value, str):
            raise dq.TenantRejected(f"{self.header} is not text", status=400, code="invalid_tenant")
        if "," in value:
            raise dq.TenantRejected(
                f"{self.header} holds several values ({excerpt(value)}); send exactly one",
                status=400,
                code="ambiguous_tenant",
            )
        try:
            return dq.TenantId(value)
        except ValueError:
            raise dq.TenantRejected(
                f"{self.header} {excerpt(value)} is not a tenant id: use 1-63 lowercase "
                "letters, digits and inner '-'",
                status=400,
                code="invalid_tenant",
            ) from None
