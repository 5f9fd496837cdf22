"""Deliberately broken tenant resolvers: each makes one mistake a real author could make.

Each subclasses the correct HeaderTenantResolver and overrides one step;
tests/test_broken_tenants.py runs the whole TenantResolverContract against each and asserts
it fails, and in the tests that pin the broken rule.
"""

from __future__ import annotations

import dq
from dq_contract.reference_tenant import HeaderTenantResolver


class TakesFirstOfDuplicates(HeaderTenantResolver):
    """Reads a repeated header as its first value (what ``dict(headers)`` does in reverse)."""

    def resolve(self, facts: dq.RequestFacts) -> dq.TenantId | None:
        values = self.values(facts)
        return self.parse(values[0]) if values else None


class ReturnsPlainStr(HeaderTenantResolver):
    """Validates, then returns the bare string instead of the TenantId."""

    def parse(self, value: object) -> dq.TenantId:
        return super().parse(value).value  # type: ignore[return-value]


class LowercasesIds(HeaderTenantResolver):
    """Repairs ``ACME`` into ``acme``: two spellings alias one tenant."""

    def parse(self, value: object) -> dq.TenantId:
        return super().parse(value.lower() if isinstance(value, str) else value)


class CrashesOnNonAscii(HeaderTenantResolver):
    """Encodes the value as ASCII first (as a latin-1/bytes header API tempts one to)."""

    def parse(self, value: object) -> dq.TenantId:
        return super().parse(value.encode("ascii").decode() if isinstance(value, str) else value)


class DefaultTenant(HeaderTenantResolver):
    """Falls back to a ``default`` tenant when the header is missing (fails open)."""

    def resolve(self, facts: dq.RequestFacts) -> dq.TenantId | None:
        return super().resolve(facts) or dq.TenantId("default")


class EchoesTheWholeValue(HeaderTenantResolver):
    """Puts the whole offending value into the rejection message (a log-injection vector)."""

    def parse(self, value: object) -> dq.TenantId:
        try:
            return super().parse(value)
        except dq.TenantRejected as exc:
            raise dq.TenantRejected(
                f"bad tenant {value!r}", status=exc.status, code=exc.code
            ) from None
