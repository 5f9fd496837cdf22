"""Tenant identifiers and the facts of a request that resolvers read."""

from __future__ import annotations

import re

import attrs

from dq.model._errors import DqError

_TENANT_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def _valid_tenant(_inst: object, _attr: attrs.Attribute, value: str) -> None:
    if not isinstance(value, str) or _TENANT_RE.fullmatch(value) is None:
        shown = repr(value)
        if len(shown) > 40:  # a hostile 1 MB header must not become a 1 MB message
            shown = shown[:37] + "..."
        raise ValueError(
            f"{shown} is not a tenant id: use 1-63 lowercase letters, digits and inner '-'"
        )


@attrs.frozen
class TenantId:
    """A validated tenant identifier.

    The shape (a DNS label) is chosen so a tenant id is safe wherever it is used:
    as a subdomain, a path segment of a secret, a file name, a metric label.
    Nothing that could traverse (``..``, ``/``) or smuggle (``%``, spaces) fits.
    """

    value: str = attrs.field(validator=_valid_tenant)

    def __str__(self) -> str:
        return self.value


@attrs.frozen(kw_only=True)
class RequestFacts:
    """What a tenant resolver may look at, taken from an ASGI scope or a CLI run.

    Headers keep repeats and order (``tuple`` of lower-cased name/value pairs)
    because a duplicated tenant header is an attack signal, not something to merge.
    """

    method: str = "GET"
    scheme: str = "http"
    host: str = ""
    path: str = "/"
    headers: tuple[tuple[str, str], ...] = ()

    def header_values(self, name: str) -> list[str]:
        """Every value of header *name*, matched case-insensitively in ASCII only.

        Unicode case folding would let a look-alike name (``\u212a``, the Kelvin
        sign, lowers to ``k``) stand in for a real header.
        """
        key = _ascii_lower(name)
        return [value for header, value in self.headers if _ascii_lower(header) == key]


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


class TenantRejected(DqError):
    """A request that must not proceed; carries the HTTP status to answer with.

    ``challenge`` is the ``WWW-Authenticate`` value a 401 should carry (RFC 7235 requires
    one), e.g. ``Bearer realm="dq", error="invalid_token"`` from a JWT resolver, so clients
    and gateways can tell "send a token" from "your token is bad".
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 401,
        code: str = "tenant_unresolved",
        challenge: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.challenge = challenge
        super().__init__(message)
