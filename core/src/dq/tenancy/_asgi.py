"""TenantMiddleware: bind every ASGI request to exactly one tenant, or refuse it.

Pure ASGI (no Starlette, no framework) for two reasons. It keeps dq-core free of web
dependencies, and a ContextVar set here, in the request's own task, is what the app sees:
anyio task-group children and ``anyio.to_thread.run_sync`` workers copy the context they
were started from, so the tenant follows the work. (Starlette's ``BaseHTTPMiddleware``
runs the app in another task, which hides context changes made inside the app from the
middleware; a plain ASGI middleware has no such split.)

The middleware *fails closed*: whatever goes wrong while deciding the tenant -- nothing
resolved where a tenant is required, a rejection, a resolver that crashes, a malformed
scope -- ends in a JSON error response. No branch hands the request to the app without a
decision.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from dq.model._tenants import RequestFacts, TenantId, TenantRejected
from dq.tenancy._context import tenant_scope

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("dq.asgi")

#: Where the resolved tenant is also put for the app (``request.state.dq_tenant`` in Starlette).
STATE_KEY = "dq_tenant"
#: A websocket refused before ``accept`` is closed with ``4000 + status`` (4401, 4403, ...).
WEBSOCKET_CLOSE_BASE = 4000


class _Refusal(Exception):
    """A decision to answer with an error instead of calling the app (internal)."""

    def __init__(self, status: int, code: str, message: str, challenge: str | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.challenge = challenge
        super().__init__(message)


class TenantMiddleware:
    """Resolve the tenant of each request with *resolver* and bind it for the request.

    * ``required=True`` (the default): a request that resolves to no tenant is refused with
      401 ``tenant_unresolved``. With ``required=False`` it proceeds with no tenant bound.
    * ``exempt_paths``: exact (decoded) paths served without resolving, with no tenant bound
      -- health checks, typically. Exact, not prefixes: ``/health`` must not exempt
      ``/health-admin`` or ``/health/../admin``.
    * A :class:`dq.TenantRejected` answers with its status and code; any other exception
      from the resolver answers 500 with a generic message, and is logged by type and
      location only (its message may quote the request, headers or tokens).
    * The tenant is bound with :func:`dq.tenant_scope` for the whole call of the app and put
      in ``scope["state"]["dq_tenant"]`` (a copy of ``state``, so other requests sharing the
      lifespan state never see it).
    * A resolver may move the path prefix that named the tenant out of the app's view: if it
      has ``mount_prefix(facts, tenant) -> str | None``, the returned prefix is taken off
      ``path`` and ``raw_path`` and appended to ``root_path``, as a mount would.
    * ``lifespan`` and unknown scope types pass through untouched. ``websocket`` scopes are
      resolved like HTTP; a refusal closes the socket before ``accept`` with code
      ``4000 + status`` (4401, 4403, 4400, 4500), which servers answer as a failed handshake.
    """

    def __init__(
        self,
        app: ASGIApp,
        resolver: Any,
        *,
        required: bool = True,
        exempt_paths: Iterable[str] = (),
    ) -> None:
        if not callable(getattr(resolver, "resolve", None)):
            raise TypeError(
                f"{type(resolver).__name__} has no resolve(facts) method; pass a tenant "
                "resolver (dq.protocols.TenantResolver)"
            )
        exempt = frozenset(exempt_paths)
        for path in exempt:
            if not isinstance(path, str) or not path.startswith("/"):
                raise ValueError(f"exempt path {path!r} must be a string starting with '/'")
        self.app = app
        self.resolver = resolver
        self.required = required
        self.exempt_paths = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if scope.get("path") in self.exempt_paths:
            with tenant_scope(None):
                await self.app(_with_state(scope, None), receive, send)
            return
        try:
            tenant, scope = self._decide(scope)
        except _Refusal as refusal:
            await _refuse(kind, refusal, receive, send)
            return
        with tenant_scope(tenant):
            await self.app(scope, receive, send)

    def _decide(self, scope: Scope) -> tuple[TenantId | None, Scope]:
        """The tenant and the scope to call the app with, or a :class:`_Refusal`."""
        facts = _request_facts(scope)
        try:
            tenant = self.resolver.resolve(facts)
        except TenantRejected as exc:
            raise _Refusal(exc.status, exc.code, str(exc), exc.challenge) from None
        except Exception as exc:  # noqa: BLE001 - a crashing resolver must still fail closed
            _log_crash("resolve", self.resolver, facts, exc)
            raise _Refusal(500, "tenant_resolver_error", _GENERIC_500) from None
        if tenant is not None and not isinstance(tenant, TenantId):
            logger.error(
                "tenant resolver %s returned %s, not a dq.TenantId or None; refusing %s %s",
                type(self.resolver).__name__,
                type(tenant).__name__,
                facts.method,
                _short(facts.path),
            )
            raise _Refusal(500, "tenant_resolver_error", _GENERIC_500)
        if tenant is None:
            if self.required:
                raise _Refusal(
                    401,
                    "tenant_unresolved",
                    "this request names no tenant; send the tenant the service is configured "
                    "to read (a header, host, path or token)",
                    # a resolver that reads credentials says how to present them
                    getattr(self.resolver, "challenge", None),
                )
            return None, _with_state(scope, None)
        scope = self._mount(scope, facts, tenant)
        return tenant, _with_state(scope, tenant)

    def _mount(self, scope: Scope, facts: RequestFacts, tenant: TenantId) -> Scope:
        mount_prefix = getattr(self.resolver, "mount_prefix", None)
        if mount_prefix is None:
            return scope
        try:
            prefix = mount_prefix(facts, tenant)
        except TenantRejected as exc:
            raise _Refusal(exc.status, exc.code, str(exc), exc.challenge) from None
        except Exception as exc:  # noqa: BLE001
            _log_crash("mount_prefix", self.resolver, facts, exc)
            raise _Refusal(500, "tenant_resolver_error", _GENERIC_500) from None
        if not prefix:
            return scope
        path: str = scope["path"]
        rest = path[len(prefix) :] if isinstance(prefix, str) else path
        if not (isinstance(prefix, str) and path.startswith(prefix)) or rest[:1] not in ("", "/"):
            logger.error(
                "tenant resolver %s gave mount prefix %r that does not lead path %r",
                type(self.resolver).__name__,
                _short(str(prefix)),
                _short(path),
            )
            raise _Refusal(500, "tenant_resolver_error", _GENERIC_500)
        scope = dict(scope)
        scope["path"] = rest or "/"
        scope["root_path"] = scope.get("root_path", "") + prefix
        raw = scope.get("raw_path")
        if raw is not None:
            encoded = prefix.encode("ascii", "replace")
            if not raw.startswith(encoded) or raw[len(encoded) : len(encoded) + 1] not in (
                b"",
                b"/",
            ):
                # The decoded path matched but the bytes on the wire spelled the prefix
                # otherwise (percent-encoded): refuse rather than guess which one the app
                # and the proxies in front of it will honour.
                raise _Refusal(
                    400,
                    "tenant_path_encoding",
                    "the tenant path prefix must be sent literally, not percent-encoded",
                )
            scope["raw_path"] = raw[len(encoded) :] or b"/"
        return scope


def _request_facts(scope: Scope) -> RequestFacts:
    """The :class:`dq.RequestFacts` of an ASGI http or websocket *scope*.

    Header names and values are decoded as latin-1 (the ASGI byte strings map 1:1, so
    nothing is lost or merged) and every repeat is kept in order. ``host`` is the ``Host``
    header; two of them are refused (RFC 9112 section 3.2: a server must answer 400),
    because which one wins decides the tenant for a subdomain resolver.
    """
    try:
        headers = tuple(
            (bytes(name).decode("latin-1"), bytes(value).decode("latin-1"))
            for name, value in scope.get("headers") or ()
        )
        hosts = [value for name, value in headers if name.lower() == "host"]
        path = scope.get("path", "/")
        method = scope.get("method", "GET")
        scheme = scope.get("scheme", "ws" if scope.get("type") == "websocket" else "http")
        if not all(isinstance(v, str) for v in (path, method, scheme)):
            raise TypeError("path, method and scheme must be str")
    except (TypeError, ValueError):
        raise _Refusal(400, "malformed_request", "the request could not be read") from None
    if len(hosts) > 1:
        raise _Refusal(400, "host_ambiguous", "the Host header was sent more than once")
    return RequestFacts(
        method=method, scheme=scheme, host=hosts[0] if hosts else "", path=path, headers=headers
    )


_GENERIC_500 = "the tenant of this request could not be determined; the error has been logged"


def _with_state(scope: Scope, tenant: TenantId | None) -> Scope:
    scope = dict(scope)
    scope["state"] = {**(scope.get("state") or {}), STATE_KEY: tenant}
    return scope


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _log_crash(step: str, resolver: Any, facts: RequestFacts, exc: BaseException) -> None:
    """Log a resolver crash by type and place, never its message or the request's headers."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    logger.error(
        "tenant resolver %s raised %s in %s() at %s on %s %s; request refused with 500",
        type(resolver).__name__,
        type(exc).__qualname__,
        step,
        where,
        facts.method,
        _short(facts.path),
    )


def _challenge_header(refusal: _Refusal) -> list[tuple[bytes, bytes]]:
    """``WWW-Authenticate`` on a 401 whose resolver gave a challenge (ASCII only, one line)."""
    challenge = refusal.challenge
    if refusal.status != 401 or not challenge or not challenge.isascii():
        return []
    if "\r" in challenge or "\n" in challenge:
        return []
    return [(b"www-authenticate", challenge.encode("ascii"))]


async def _refuse(kind: str, refusal: _Refusal, receive: Receive, send: Send) -> None:
    if kind == "websocket":
        # The first event of a websocket is the connect; closing before accept rejects it.
        await receive()
        await send({"type": "websocket.close", "code": WEBSOCKET_CLOSE_BASE + refusal.status})
        return
    body = json.dumps(
        {"error": {"code": refusal.code, "message": refusal.message}}, ensure_ascii=True
    ).encode("ascii")
    await send(
        {
            "type": "http.response.start",
            "status": refusal.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"cache-control", b"no-store"),
                *_challenge_header(refusal),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
