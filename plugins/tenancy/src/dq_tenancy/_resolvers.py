"""The header, subdomain, path and composite resolvers.

Each answers ``resolve(facts) -> TenantId | None`` or raises :class:`dq.TenantRejected`.
The line between ``None`` and a refusal is the same everywhere: ``None`` means "this request
does not use my source at all" (no header, a host outside the base domain, a path outside
the prefix), so the caller may try another source or fail closed. A request that *does* use
the source but spells the tenant ambiguously or wrongly is refused, because answering
``None`` there would let a composite fall through to a source the client also controls.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import dq

from dq_tenancy._common import (
    FORBIDDEN,
    check_allowed,
    excerpt,
    header_values,
    parse_tenant,
    reject,
)
from dq_tenancy._config import HeaderConfig, PathConfig, SubdomainConfig


class HeaderResolver:
    """The tenant is the single value of one header (``X-Tenant-ID`` by default).

    A repeated header or a comma in the value (how proxies join repeats) is refused with
    400 ``tenant_ambiguous``: taking the first or the last lets whoever controls one hop
    pick the tenant. A value that is not exactly a tenant id is refused with 400
    ``tenant_invalid``, never repaired.
    """

    def __init__(self, config: HeaderConfig | None = None) -> None:
        self.config = config if config is not None else HeaderConfig()

    def resolve(self, facts: dq.RequestFacts) -> dq.TenantId | None:
        name = self.config.header
        values = header_values(facts, name)
        if not values:
            return None
        if len(values) > 1:
            reject(
                f"{name} sent {len(values)} times; send it exactly once",
                code="tenant_ambiguous",
            )
        return check_allowed(parse_tenant(values[0], name), self.config.allowed)


#: ``host[:port]``: the port, if any, is 1-5 digits. IPv6 literals start with '['.
_PORT_RE = re.compile(r"[0-9]{1,5}")
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


class SubdomainResolver:
    """The tenant is the one DNS label left of ``base_domain`` in the ``Host`` header.

    Matching is exact on labels: ``acme.example.com`` resolves ``acme``, while
    ``evilexample.com`` and ``acme.example.com.evil.io`` are not under the base domain and
    give ``None``, as do the bare base domain, an IP literal and a missing host. The port
    and one trailing dot are ignored and letters compare in ASCII lower case (DNS names are
    case-insensitive; only ASCII letters are folded, so no Unicode look-alike can become
    one). A host under the base domain that does not name exactly one valid label
    (``a.b.example.com``, ``.example.com``, ``acme_x.example.com``) or carries a bad port is
    refused with 400: it is addressed to us, but wrongly.
    """

    def __init__(self, config: SubdomainConfig) -> None:
        self.config = config
        self._suffix = "." + config.base_domain

    def resolve(self, facts: dq.RequestFacts) -> dq.TenantId | None:
        host = facts.host
        if not isinstance(host, str) or not host or host.startswith("["):
            return None  # no host, or an IPv6 literal: not a name under our domain
        name, colon, port = host.rpartition(":")
        if not colon:
            name = host
        name = name.translate(_ASCII_LOWER)
        if name.endswith("."):
            name = name[:-1]  # one trailing dot: the absolute form of the same name
        if name == self.config.base_domain or not name.endswith(self._suffix):
            return None
        if colon and _PORT_RE.fullmatch(port) is None:
            reject(f"Host {excerpt(host)} has an invalid port", code="host_invalid")
        label = name[: -len(self._suffix)]
        if not label or "." in label:
            reject(
                f"Host {excerpt(host)} must name exactly one tenant label left of "
                f"{self.config.base_domain!r}",
            )
        return check_allowed(parse_tenant(label, "Host label"), self.config.allowed)


#: Spellings that let a downstream normaliser reach another segment than the one we read:
#: dot segments, backslashes (a separator on some stacks), percent-encoded '.', '/', '\'
#: left in an already-decoded path (so they were double-encoded), control characters.
_TRICK_RE = re.compile(r"(?:^|/)\.{1,2}(?:/|$)|\\|%(?:2e|2f|5c)|[\x00-\x1f\x7f]", re.IGNORECASE)


class PathResolver:
    """The tenant is the path segment after ``prefix``: ``/t/{tenant}/...``.

    ASGI's ``path`` is already percent-decoded and keeps ``..``, so the resolver refuses
    (400 ``path_invalid``) any path holding a dot segment, a backslash, a still-encoded
    ``.``/``/``/``\\`` or a control character -- anywhere, not only after the prefix,
    because ``/x/../t/evil`` names ``evil`` to whoever normalises it next -- and a path
    starting with ``//``. A path outside the prefix (compared case-sensitively, segment by
    segment: ``/tx/...`` is outside ``/t``) gives ``None``; the prefix with no tenant
    segment is refused.

    With ``strip_prefix``, :meth:`mount_prefix` tells :class:`dq.TenantMiddleware` to hide
    ``/t/{tenant}`` from the app (moved to ``root_path``, as a mount would).
    """

    def __init__(self, config: PathConfig | None = None) -> None:
        self.config = config if config is not None else PathConfig()

    def resolve(self, facts: dq.RequestFacts) -> dq.TenantId | None:
        path = facts.path
        if not isinstance(path, str):
            reject("the request path is not text", code="path_invalid")
        if _TRICK_RE.search(path) is not None or path.startswith("//"):
            reject(
                f"path {excerpt(path)} holds '..', '.', a backslash, an encoded separator "
                "or a control character; send the normalised path",
                code="path_invalid",
            )
        prefix = self.config.prefix
        if path != prefix and not path.startswith(prefix + "/"):
            return None
        segment = path[len(prefix) + 1 :].split("/", 1)[0]
        if not segment:
            reject(f"path {excerpt(path)} has no tenant after {prefix!r}; use {prefix}/<tenant>/")
        return check_allowed(parse_tenant(segment, "path segment"), self.config.allowed)

    def mount_prefix(self, facts: dq.RequestFacts, tenant: dq.TenantId) -> str | None:
        """``{prefix}/{tenant}`` if configured to strip it and the path starts with it."""
        if not self.config.strip_prefix:
            return None
        mount = f"{self.config.prefix}/{tenant.value}"
        path = facts.path
        if path == mount or path.startswith(mount + "/"):
            return mount
        return None


class CompositeResolver:
    """Several resolvers combined: ``first`` that names a tenant, or all must ``agree``.

    In both modes a rejection from a resolver that is consulted is a rejection: a forged
    token next to a valid header is an attack, not a miss. ``first`` stops at the first
    resolver that names a tenant (later ones are not consulted); ``agree`` consults every
    resolver, and refuses with 403 ``tenant_mismatch`` if two of them name different tenants.
    """

    def __init__(self, resolvers: Sequence[dq.protocols.TenantResolver], mode: str = "first"):
        if mode not in ("first", "agree"):
            raise ValueError(f"mode {mode!r} must be 'first' or 'agree'")
        if not resolvers:
            raise ValueError("a composite resolver needs at least one resolver")
        self.resolvers = tuple(resolvers)
        self.mode = mode
        #: The first member's credential challenge (a JWT member's), for the middleware's 401.
        self.challenge: str | None = next(
            (c for r in self.resolvers if (c := getattr(r, "challenge", None))), None
        )

    def resolve(self, facts: dq.RequestFacts) -> dq.TenantId | None:
        found: dq.TenantId | None = None
        for resolver in self.resolvers:
            tenant = resolver.resolve(facts)
            if tenant is None:
                continue
            if self.mode == "first":
                return tenant
            if found is not None and tenant != found:
                reject(
                    f"the request names two tenants ({found.value!r} and {tenant.value!r}); "
                    "every source must name the same tenant",
                    status=FORBIDDEN,
                    code="tenant_mismatch",
                )
            found = tenant
        return found

    def mount_prefix(self, facts: dq.RequestFacts, tenant: dq.TenantId) -> str | None:
        """The mount prefix of the first sub-resolver that has one for this request."""
        for resolver in self.resolvers:
            mount = getattr(resolver, "mount_prefix", None)
            prefix = mount(facts, tenant) if mount is not None else None
            if prefix:
                return prefix
        return None
