"""dq-tenancy: tenant resolvers for dq -- header, subdomain, path prefix, JWT claim, composite.

This module is what the entry points name, so it holds the hook implementations and the
public names, and stays cheap to import: the configuration classes need only attrs, and
cryptography (for JWT) is imported when a ``jwt`` resolver is built, not before.

Use a resolver with :class:`dq.TenantMiddleware` to bind each ASGI request to its tenant::

    from dq import TenantMiddleware
    from dq_tenancy import HeaderConfig, HeaderResolver

    app = TenantMiddleware(app, HeaderResolver(HeaderConfig(header="X-Tenant-ID")))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dq

from dq_tenancy._config import (
    CompositeConfig,
    HeaderConfig,
    JwtConfig,
    PathConfig,
    SubdomainConfig,
    SubResolverConfig,
)
from dq_tenancy._resolvers import CompositeResolver, HeaderResolver, PathResolver, SubdomainResolver

if TYPE_CHECKING:
    from dq_tenancy._jwt import JwtResolver

__version__ = "0.1.0"

KIND = "tenant"
#: component name -> its configuration class. Names are also the entry-point names.
CONFIGS: dict[str, type] = {
    "header": HeaderConfig,
    "subdomain": SubdomainConfig,
    "path": PathConfig,
    "jwt": JwtConfig,
    "composite": CompositeConfig,
}

__all__ = [
    "CONFIGS",
    "CompositeConfig",
    "CompositeResolver",
    "HeaderConfig",
    "HeaderResolver",
    "JwtConfig",
    "JwtResolver",
    "PathConfig",
    "PathResolver",
    "SubdomainConfig",
    "SubdomainResolver",
    "__version__",
    "build_resolver",
    "dq_component_config",
    "dq_tenant_resolver",
]


def __getattr__(name: str) -> Any:
    if name == "JwtResolver":  # imports cryptography: only when asked for
        from dq_tenancy._jwt import JwtResolver

        return JwtResolver
    raise AttributeError(f"module 'dq_tenancy' has no attribute {name!r}")


def build_resolver(config: SubResolverConfig | CompositeConfig) -> dq.protocols.TenantResolver:
    """The resolver a configuration object describes (composites build their parts)."""
    if isinstance(config, HeaderConfig):
        return HeaderResolver(config)
    if isinstance(config, SubdomainConfig):
        return SubdomainResolver(config)
    if isinstance(config, PathConfig):
        return PathResolver(config)
    if isinstance(config, JwtConfig):
        from dq_tenancy._jwt import JwtResolver

        return JwtResolver(config)
    if isinstance(config, CompositeConfig):
        return CompositeResolver([build_resolver(c) for c in config.resolvers], config.mode)
    raise dq.UsageError(
        f"{type(config).__name__} is not a dq-tenancy configuration; use one of "
        + ", ".join(cls.__name__ for cls in CONFIGS.values())
    )


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    """Give dq the attrs class it structures ``[tenant.NAME]`` into."""
    return CONFIGS.get(name) if kind == KIND else None


@dq.hookimpl
def dq_tenant_resolver(name: str, config: Any) -> dq.protocols.TenantResolver | None:
    """Build resolver *name*. Header and path work with no config; the others need one."""
    cls = CONFIGS.get(name)
    if cls is None:
        return None
    if config is None:
        if name not in ("header", "path"):
            raise dq.UsageError(
                f"tenant resolver {name!r} needs a configuration ([tenant.{name}] with "
                f"the fields of dq_tenancy.{cls.__name__})"
            )
        config = cls()
    if not isinstance(config, cls):
        raise dq.UsageError(f"tenant resolver {name!r} takes a {cls.__name__}")
    return build_resolver(config)
