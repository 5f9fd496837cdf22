"""Configuration of every resolver, as attrs classes dq structures the user's tables into.

Kept free of cryptography so ``dq plugins info`` (which asks for these classes) stays cheap.
Each class carries a ``type`` literal so a composite's ``resolvers = [{type = "header"}, ...]``
list structures into the right class by tag; outside a composite the field is optional.
Validation that needs no I/O happens here, so a mistake is reported at load time with its
path (``tenant.jwt.leeway: ...``) instead of on the first request.
"""

from __future__ import annotations

import math
import re
from typing import Literal

import attrs
import dq

#: An HTTP field name (RFC 9110 ``token``).
_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: A DNS name of ASCII labels: what a base domain may be.
_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
#: A path prefix: one or more literal segments of unreserved characters.
_PREFIX_SEGMENT_RE = re.compile(r"[A-Za-z0-9._~-]+")


def _http_token(_inst: object, attribute: attrs.Attribute, value: str) -> None:
    if _TOKEN_RE.fullmatch(value) is None:
        raise ValueError(f"{attribute.name} {value!r} is not a valid HTTP header name")


def _base_domain(_inst: object, _attribute: attrs.Attribute, value: str) -> None:
    labels = value.split(".")
    if len(labels) < 2 or any(_LABEL_RE.fullmatch(label) is None for label in labels):
        raise ValueError(
            f"base_domain {value!r} must be a lowercase DNS name of two or more labels "
            "(such as 'example.com'), without port, scheme or trailing dot"
        )
    if all(label.isdigit() for label in labels):
        raise ValueError(f"base_domain {value!r} is an IP address; use a DNS name")


def _path_prefix(_inst: object, _attribute: attrs.Attribute, value: str) -> None:
    segments = value.split("/")
    if (
        not value.startswith("/")
        or value.endswith("/")
        or any(_PREFIX_SEGMENT_RE.fullmatch(s) is None or s in (".", "..") for s in segments[1:])
    ):
        raise ValueError(
            f"prefix {value!r} must look like '/t': a leading '/', literal segments of "
            "letters, digits, '-', '_', '.' and '~', no trailing '/'"
        )


def _tenants(value: object) -> frozenset[dq.TenantId] | None:
    if value is None:
        return None
    return frozenset(v if isinstance(v, dq.TenantId) else dq.TenantId(v) for v in value)  # type: ignore[union-attr]


@attrs.frozen(kw_only=True)
class HeaderConfig:
    """``[tenant.header]``: the tenant id is the one value of one request header."""

    type: Literal["header"] = "header"
    #: The header to read, matched ASCII-case-insensitively.
    header: str = attrs.field(default="X-Tenant-ID", validator=_http_token)
    #: If set, only these tenants resolve; any other valid id is refused with 403.
    allowed: frozenset[dq.TenantId] | None = attrs.field(default=None, converter=_tenants)


@attrs.frozen(kw_only=True)
class SubdomainConfig:
    """``[tenant.subdomain]``: the tenant id is the one label left of ``base_domain``."""

    type: Literal["subdomain"] = "subdomain"
    base_domain: str = attrs.field(validator=_base_domain)
    allowed: frozenset[dq.TenantId] | None = attrs.field(default=None, converter=_tenants)


@attrs.frozen(kw_only=True)
class PathConfig:
    """``[tenant.path]``: the tenant id is the segment after ``prefix`` (``/t/{tenant}/...``)."""

    type: Literal["path"] = "path"
    prefix: str = attrs.field(default="/t", validator=_path_prefix)
    #: Hide ``{prefix}/{tenant}`` from the app: TenantMiddleware moves it to ``root_path``.
    strip_prefix: bool = False
    allowed: frozenset[dq.TenantId] | None = attrs.field(default=None, converter=_tenants)


def _leeway(_inst: object, _attribute: attrs.Attribute, value: float) -> None:
    if not math.isfinite(value) or not 0 <= value <= 300:
        raise ValueError(f"leeway {value!r} must be between 0 and 300 seconds")


def _non_empty(_inst: object, attribute: attrs.Attribute, value: str) -> None:
    if not value:
        raise ValueError(f"{attribute.name} must not be empty")


@attrs.frozen(kw_only=True)
class JwtConfig:
    """``[tenant.jwt]``: the tenant id is a claim of a verified JWT.

    Exactly one key source: ``public_key`` / ``public_key_file`` (a PEM RSA or P-256
    public key: RS256 or ES256), ``hs256_secret`` (a shared secret of at least 32 bytes:
    HS256, best given as ``${secret:...}``) or ``jwks`` / ``jwks_file`` (a JSON Web Key
    Set; the token's ``kid`` picks the key). The key decides the algorithm.
    """

    type: Literal["jwt"] = "jwt"
    issuer: str = attrs.field(validator=_non_empty)
    audience: str = attrs.field(validator=_non_empty)
    public_key: str | None = None
    public_key_file: str | None = None
    hs256_secret: dq.SecretValue | None = attrs.field(default=None, metadata={"secret": True})
    jwks: str | None = None
    jwks_file: str | None = None
    #: The claim holding the tenant id (a top-level claim name, taken literally).
    tenant_claim: str = attrs.field(default="tenant", validator=_non_empty)
    #: Where the token is sent; ``scheme`` is its auth scheme ("" for a bare token).
    header: str = attrs.field(default="Authorization", validator=_http_token)
    scheme: str = "Bearer"
    #: Clock skew tolerated on exp, nbf and iat, in seconds.
    leeway: float = attrs.field(default=30.0, validator=_leeway)
    #: Refuse tokens without ``exp`` (a token that never expires is a standing credential).
    require_exp: bool = True

    def __attrs_post_init__(self) -> None:
        sources = [
            name
            for name in ("public_key", "public_key_file", "hs256_secret", "jwks", "jwks_file")
            if getattr(self, name) is not None
        ]
        if len(sources) != 1:
            found = ", ".join(sources) if sources else "none"
            raise ValueError(
                "configure exactly one key: public_key, public_key_file, hs256_secret, jwks "
                f"or jwks_file (found: {found})"
            )
        if self.scheme and _TOKEN_RE.fullmatch(self.scheme) is None:
            raise ValueError(f"scheme {self.scheme!r} is not a valid auth scheme")
        if self.hs256_secret is not None and len(self.hs256_secret) < 32:
            # RFC 7518 3.2: an HS256 key must be at least as long as the hash (256 bits).
            raise ValueError("hs256_secret must be at least 32 bytes (RFC 7518 section 3.2)")


SubResolverConfig = HeaderConfig | SubdomainConfig | PathConfig | JwtConfig


@attrs.frozen(kw_only=True)
class CompositeConfig:
    """``[tenant.composite]``: several resolvers, combined by ``mode``.

    ``first``: the first resolver (in order) that names a tenant wins; a rejection from a
    resolver consulted before then is a rejection. ``agree``: every resolver is consulted,
    any rejection is a rejection, and all that name a tenant must name the same one (403
    ``tenant_mismatch`` otherwise).
    """

    type: Literal["composite"] = "composite"
    resolvers: tuple[SubResolverConfig, ...] = attrs.field()
    mode: Literal["first", "agree"] = "first"

    @resolvers.validator
    def _check(self, _attribute: attrs.Attribute, value: tuple[SubResolverConfig, ...]) -> None:
        if not value:
            raise ValueError("resolvers must list at least one resolver")
